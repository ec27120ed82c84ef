// The review page: sign in, pick a report, walk the queue by keyboard, confirm /
// correct / reject each fact (or many at once), undo. Every change goes through
// the review API with the version the page saw, so a stale page gets a 409.

import { BoxDrawer, initiativeOptions, openAddForm } from "./addfact.js";
import { api, ApiError, describeError, token } from "./api.js";
import { buildEditor } from "./editor.js";
import { renderFact, renderHistory, renderSentence } from "./fact.js";
import { STATUS_LABELS, el, formatValue } from "./format.js";
import { Queue } from "./queue.js";
import { showInitiativeHistory } from "./series.js";
import { PageViewer } from "./viewer.js";

const $ = (id) => document.getElementById(id);
const CONFLICT = "Este fato foi alterado desde que a página o carregou — recarregue";
const DONE = {
  confirm: "Confirmado", correct: "Corrigido", reject: "Rejeitado", reopen: "De volta a pendente", revert: "Desfeito",
};
/** A fact must be on screen, its evidence image drawn, this long before a key or a button can
 * decide it: a double-click, Enter twice or keys typed ahead never decide a fact unseen. */
const MIN_SHOWN_MS = 300;
/** Decision keys closer together than this are one burst (a held or mashed key, a double
 * click): only its first press counts. */
const DEBOUNCE_MS = 250;
let lastDecisionPress = -Infinity;

const state = {
  reports: [], report: null, editor: null, undo: [], chain: Promise.resolve(), sources: new Map(),
  displayed: Promise.resolve(), cursor: null, onScreen: null, decisions: 0,
  initiatives: [], // the report's initiatives (GET /reports/{id}/initiatives): where a fact can move
  complete: null, // its pages "revisadas por completo" (GET /reports/{id}/complete)
};
// The live queue: every LIVE_MS the page asks what changed in the report (any decision,
// by anyone) and says which fact it shows; `tab` names this page load (a copied
// sessionStorage would give two tabs one name).
const LIVE_MS = Number(new URLSearchParams(location.search).get("live_ms")) || 2500;
const TAB = (crypto.randomUUID?.() || `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9_-]/g, "").slice(0, 64);

/** Run commands one after another, so a fast "c c x" acts on three facts in turn, none dropped. */
function run(command) {
  state.chain = state.chain.then(command).catch((err) => failed(err));
  return state.chain;
}
const viewer = new PageViewer(document);
const drawer = new BoxDrawer(viewer, ({ page, bbox }) => addMissedFact(page, bbox));

/** A span of the source sentence selected: where it is printed on the fact's page, then the
 * same form as a drawn box, its words already read. */
function selectedSpan() {
  const sel = document.getSelection();
  const box = $("fact-sentence");
  if (!sel || sel.isCollapsed || !box.contains(sel.anchorNode) || !box.contains(sel.focusNode)) return "";
  return sel.toString().replace(/\s+/g, " ").trim();
}
document.addEventListener("selectionchange", () => { $("add-from-text").hidden = !selectedSpan(); });

async function addFromText() {
  const span = selectedSpan(), fact = queue.current();
  if (!span || !fact || !state.report) return;
  try {
    const found = await api.pageText(state.report.id, fact.page, { find: span.slice(0, 500), near: fact.bbox.join(",") });
    await addMissedFact(fact.page, found.bbox, Promise.resolve(found.text));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) toast(`“${span.slice(0, 60)}” não está impresso na página ${fact.page}: desenhe a caixa na página.`);
    else failed(err);
  }
}
const queue = new Queue(document, { onSelect: showFact });

// ---------- messages ----------
let toastTimer;
function toast(text) {
  $("toast").textContent = text;
  $("toast").classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => $("toast").classList.remove("show"), 2600);
}

function banner(text, { reloadId = null } = {}) {
  $("banner-text").textContent = text;
  $("banner").hidden = false;
  $("banner-reload").hidden = reloadId === null;
  $("banner-reload").dataset.id = reloadId ?? "";
}

function failed(err, fact) {
  if (err instanceof ApiError && err.status === 401) { signOut("Sessão expirada ou token inválido: entre de novo."); return; }
  if (err instanceof ApiError && err.status === 409) { conflict(fact); return; }
  banner(describeError(err));
}

/** A 409: say who changed the fact. It may be this reviewer, in another tab or window
 * (`state.me` is the token name the service put on this page's own reviews). */
async function conflict(fact) {
  banner(CONFLICT, { reloadId: fact?.id ?? null });
  if (!fact) return;
  const fresh = await api.extraction(fact.id).catch(() => null);
  if (!fresh?.reviewed_by) return;
  banner(fresh.reviewed_by === state.me
    ? "Você mesmo alterou este fato em outra aba ou janela — recarregue"
    : `Outra pessoa (${fresh.reviewed_by}) alterou este fato — recarregue`, { reloadId: fact.id });
}

// ---------- what a reload keeps ----------
// The report, the filters and the current fact live in the URL (?report=&kind=&status=&fact=),
// so a reload, a bookmark or a link to a colleague opens the same place; the undo stack lives
// in this tab's sessionStorage, beside the token.
const UNDO_KEY = "relato.undo";
const URL_FILTERS = ["area", "initiative", "kind", "status"];

function saveUndo() {
  sessionStorage.setItem(UNDO_KEY, JSON.stringify(state.undo.slice(-200)));
  $("act-undo").disabled = state.undo.length === 0;
}

function loadUndo() {
  try { state.undo = JSON.parse(sessionStorage.getItem(UNDO_KEY) || "[]"); } catch { state.undo = []; }
  if (!Array.isArray(state.undo)) state.undo = [];
  $("act-undo").disabled = state.undo.length === 0;
}

function saveUrl() {
  if (!state.report) return;
  const params = new URLSearchParams({ report: state.report.id });
  for (const name of URL_FILTERS) params.set(name, queue.selects[name].value);
  if (queue.current()) params.set("fact", queue.current().id);
  const url = `${location.pathname}?${params}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, "", url);
}

/** After a report's facts are loaded: the filters and fact the URL names, if it names this report. */
function restoreFromUrl(reportId, params) {
  if (Number(params.get("report")) !== reportId) return;
  for (const name of URL_FILTERS) {
    if (!params.has(name)) continue;
    queue.selects[name].value = params.get(name);
    if (name === "area") queue.refreshFilterOptions();
  }
  queue.applyFilters();
  const fact = Number(params.get("fact"));
  if (fact && fact !== queue.current()?.id && queue.visible.some((f) => f.id === fact)) queue.select(fact);
}

// ---------- sign in ----------
function signOut(message = "") {
  token.clear();
  sessionStorage.removeItem(UNDO_KEY);
  state.undo = [];
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  $("token-input").value = "";
  $("token-input").focus();
}

async function signIn(value) {
  token.set(value.trim());
  try {
    await api.probeReviewer();
    state.reports = await api.reports();
  } catch (err) {
    token.clear();
    $("signin-error").textContent = err.status === 401 ? "Token desconhecido ou revogado."
      : err.status === 403 ? "Este token não é de revisor." : `Não foi possível entrar. ${describeError(err)}`;
    return;
  }
  $("signin").hidden = true;
  $("app").hidden = false;
  renderReports();
  loadUndo();
  const asked = Number(new URLSearchParams(location.search).get("report"));
  const first = state.reports.find((r) => r.id === asked)
    || state.reports.find((r) => r.status === "done") || state.reports[0];
  if (first) await openReport(first.id); else queue.load([]);
  $("queue-list").focus();
  liveLoop();
}

// ---------- reports ----------
function renderReports() {
  $("report-select").replaceChildren(...state.reports.map((r) => el("option", {
    value: r.id, text: `${r.filename}${r.status_date ? ` (${r.status_date})` : ""} — ${r.status === "done" ? `${r.counts.pending} pendentes` : r.status}`,
  })));
  if (state.report) $("report-select").value = state.report.id;
  const c = state.report?.counts;
  const total = c ? Object.values(c).reduce((a, b) => a + b, 0) : 0;
  const reviewed = total - (c?.pending ?? 0);
  $("report-progress").max = Math.max(total, 1);
  $("report-progress").value = reviewed;
  $("report-progress-text").textContent = total
    ? `${reviewed} de ${total} revisados (${Math.round((100 * reviewed) / total)}%)` : "";
  $("report-counts").replaceChildren(...(c ? Object.keys(STATUS_LABELS).map((k) => el("li", { class: `count ${k}` },
    el("strong", { text: String(c[k]) }), ` ${STATUS_LABELS[k].toLowerCase()}${c[k] === 1 ? "" : "s"}`)) : []));
}

async function openReport(id) {
  state.report = await api.report(id);
  renderReports();
  if (state.report.status !== "done") {
    queue.load([]);
    banner(state.report.status === "failed" ? `A extração falhou: ${state.report.error}`
      : "Extração em andamento; a fila aparece quando terminar.");
    setTimeout(() => { if (state.report?.id === id && !$("app").hidden) openReport(id).catch(failed); }, 2000);
    return;
  }
  $("banner").hidden = true;
  state.sources.clear();
  const wanted = new URLSearchParams(location.search); // before loading the queue rewrites the URL
  state.cursor = null;
  const start = await api.changes(id).catch(() => null); // first the cursor, then the facts: nothing missed
  state.initiatives = [];
  state.complete = null;
  queue.load(await api.extractions(id));
  state.cursor = start?.next_cursor ?? null;
  restoreFromUrl(id, wanted);
  saveUrl();
  await Promise.all([loadInitiatives(id), loadCompleteness(id)]);
  renderReportNote();
  sayPresence();
}

/** A re-issue (same series and status date as an earlier upload): say so, and offer to
 * make it a series of its own if it is not the same edition after all. */
function renderReportNote() {
  const r = state.report;
  const edition = r?.reissue_of ? state.reports.find((o) => o.id === r.reissue_of) : null;
  $("report-note").hidden = !r?.reissue_of;
  if (!r?.reissue_of) return;
  $("report-note-text").textContent = `Reedição: este PDF tem o mesmo título e a mesma data de situação `
    + `(${r.status_date}) que ${edition ? `“${edition.filename}”` : `o relatório ${r.reissue_of}`}, enviado antes. `
    + "Ele é tratado como a mesma edição: fica fora do gráfico e das comparações entre edições, e as mudanças "
    + "mostradas são em relação a esse envio.";
}

async function ownSeries() {
  const r = state.report;
  if (!r || !confirm(`Tratar “${r.filename}” como uma série própria, separada de “${r.title || "sem título"}”?`)) return;
  try {
    await api.setSeries(r.id, `${r.title || "relatório"} — ${r.filename} (#${r.id})`.slice(0, 500));
    state.reports = await api.reports();
    await openReport(r.id);
    toast("O relatório agora é uma série própria.");
  } catch (err) { failed(err); }
}

// ---------- live queue ----------
let liveTimer = null;
let presenceAt = 0;

function liveLoop() {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(async () => {
    if (!$("app").hidden && token.get()) {
      await Promise.all([pollChanges(), Date.now() - presenceAt > LIVE_MS / 2 ? sayPresence() : null]).catch(() => {});
    }
    liveLoop();
  }, LIVE_MS);
}

/** Others' decisions since the last look: the rows take the new state; if the fact on
 * screen changed, its panel too, with who did it. */
async function pollChanges() {
  const r = state.report;
  if (!r || state.cursor === null || document.hidden) return;
  const got = await api.changes(r.id, state.cursor).catch(() => null);
  if (!got || state.report?.id !== r.id) return;
  state.cursor = got.next_cursor;
  let touched = 0;
  for (const fresh of got.items) {
    const known = queue.facts.find((f) => f.id === fresh.id);
    if (!known || known.version >= fresh.version) continue; // ours, already shown
    touched += 1;
    queue.replace(fresh);
    if (queue.current()?.id === fresh.id && !state.editor) {
      renderFact(fresh);
      renderMove(fresh);
      api.history(fresh.id).then((events) => { if (queue.current()?.id === fresh.id) renderHistory(fresh, events, initiativeTitle); }, () => {});
      const who = fresh.reviewed_by === state.me ? "Você mesmo, em outra aba ou janela," : `Outra pessoa (${fresh.reviewed_by})`;
      toast(`${who} acabou de mudar este fato: agora ${STATUS_LABELS[fresh.status].toLowerCase()}.`);
    }
  }
  if (touched) refreshCounts();
}

/** Tell the service which fact this tab shows; mark the facts other tabs show. */
async function sayPresence() {
  presenceAt = Date.now();
  const r = state.report;
  const fact = queue.current();
  const got = await api.presence({ tab: TAB, report_id: r?.id ?? null, extraction_id: fact?.id ?? null }).catch(() => null);
  if (got?.you) state.me = got.you; // a fresh tab knows its own changes are its own
  if (!got || state.report?.id !== r?.id) return;
  queue.setViewers(got.viewers);
  renderPresence();
}

function renderPresence() {
  const fact = queue.current();
  const here = (fact && queue.viewers.get(fact.id)) || [];
  const others = [...new Set(here.filter((v) => !v.yours).map((v) => v.reviewer))];
  const box = $("fact-presence");
  box.hidden = here.length === 0;
  box.className = others.length ? "presence presence-other" : "presence presence-mine";
  box.textContent = others.length
    ? `${others.length === 1 ? "Outra pessoa" : "Outras pessoas"} (${others.join(", ")}) `
      + `${others.length === 1 ? "está" : "estão"} com este fato aberto agora: combinem quem decide.`
    : here.length ? "Este fato também está aberto em outra aba ou janela sua." : "";
}

let countsTimer;
function refreshCounts() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(async () => {
    const id = state.report?.id;
    if (id === undefined) return;
    const fresh = await api.report(id);
    if (state.report?.id !== id) return; // another report was opened meanwhile: keep it
    state.report = fresh;
    state.reports = state.reports.map((r) => (r.id === fresh.id ? fresh : r));
    renderReports();
    loadCompleteness(id); // others mark pages too
  }, 300);
}

// ---------- the current fact ----------
function source(fact) {
  if (!state.sources.has(fact.id)) {
    const p = api.source(fact.id);
    p.catch(() => state.sources.delete(fact.id));
    state.sources.set(fact.id, p);
  }
  return state.sources.get(fact.id);
}

/** Until the image, the source sentence and the chart of the fact just chosen arrive, the
 * panels say "carregando" instead of showing the previous fact's; each answer carries
 * the number of the request that asked for it and is dropped if another fact was chosen
 * since. `state.displayed` resolves once the fact is on screen: actions wait for it. */
let shownSeq = 0;
let presenceSoon;
function showFact(fact) {
  const seq = ++shownSeq;
  const stale = () => seq !== shownSeq || queue.current()?.id !== fact?.id;
  state.onScreen = null;
  $("fact-panel").dataset.ready = "false";
  closeEditor();
  renderFact(fact);
  renderMove(fact);
  renderCompleteness();
  $("act-reopen").hidden = fact?.status !== "rejected"; // a rejected fact can be put back in the queue
  if (fact) {
    $("fact-position").textContent = `fato ${queue.visible.findIndex((f) => f.id === fact.id) + 1} de ${queue.visible.length}`;
  }
  showQueueDone(!fact && queue.ended);
  saveUrl();
  renderPresence();
  clearTimeout(presenceSoon);
  presenceSoon = setTimeout(sayPresence, 150); // j j j: one presence call, for where you stop
  if (!fact) { viewer.clear(); state.displayed = Promise.resolve(); return state.displayed; }
  setLoading(true, fact);
  state.displayed = displayFact(fact, stale).finally(() => { if (!stale()) setLoading(false, fact); });
  return state.displayed;
}

function setLoading(on, fact) {
  $("fact-panel").setAttribute("aria-busy", String(on));
  if (!on) return;
  viewer.loading(fact);
  $("fact-sentence").replaceChildren(el("span", { class: "loading-text", text: "Carregando a frase de origem…" }));
  $("history-list").replaceChildren(el("li", { class: "hint", text: "Carregando…" }));
  $("editions-view").replaceChildren(el("p", { class: "loading-text", text: "Carregando…" }));
}

/** Is there an earlier report of the same title (a possible previous edition of this one)? */
function earlierEdition() {
  const r = state.report;
  return Boolean(r) && state.reports.some((o) => o.id !== r.id && o.status === "done" && o.title === r.title
    && (o.status_date || "") <= (r.status_date || ""));
}

async function displayFact(fact, stale) {
  try {
    const [src, events] = await Promise.all([source(fact), api.history(fact.id)]);
    if (stale()) return;
    renderSentence(fact, src);
    renderHistory(fact, events, initiativeTitle);
    const box = document.createElement("div");
    showInitiativeHistory(box, {
      key: fact.initiative?.key, reportId: fact.report_id, fact, mayHavePrevious: earlierEdition(),
      getJson: (path) => fetch(path, { headers: { Authorization: `Bearer ${token.get() || ""}` }, cache: "no-store" })
        .then((r) => (r.ok ? r.json() : Promise.reject(new ApiError(r.status, "")))),
    }).then(() => { if (!stale()) $("editions-view").replaceChildren(...box.childNodes); },
      () => { if (!stale()) $("editions-view").replaceChildren(); });
    await viewer.show(fact, src);
    if (stale()) return;
    const shown = { id: fact.id, at: performance.now() };
    state.onScreen = shown;
    // this showing, not an earlier one of the same fact (an undo shows it again): the
    // panel says "ready" only when decidable() will take a key
    setTimeout(() => { if (state.onScreen === shown) $("fact-panel").dataset.ready = "true"; }, MIN_SHOWN_MS);
    const next = queue.neighbour(1);
    if (next) { viewer.prefetch(next); source(next).catch(() => {}); }
  } catch (err) {
    if (!stale()) failed(err, fact);
  }
}

/** The end of the queue: what is left in it, and the next report with pending facts. */
async function showQueueDone(on) {
  $("queue-done").hidden = !on;
  if (!on) return;
  $("fact-empty").hidden = true;
  const left = queue.visible.filter((f) => f.status === "pending").length;
  $("queue-done-title").textContent = left ? "Fim da fila" : "Fila concluída";
  $("queue-done-text").textContent = left
    ? `Ainda há ${left} fato${left === 1 ? "" : "s"} pendente${left === 1 ? "" : "s"} nesta lista (pulados com j).`
    : `Todos os ${queue.visible.length} fatos desta lista foram revisados.`;
  const button = $("next-report");
  button.hidden = true;
  try {
    state.reports = await api.reports();
  } catch { return; }
  if (!queue.ended) return;
  const next = state.reports.find((r) => r.id !== state.report?.id && r.status === "done" && r.counts.pending > 0);
  if (!next) { $("queue-done-text").append(" Nenhum outro relatório tem fatos pendentes."); return; }
  button.textContent = `Abrir o próximo relatório: ${next.filename} (${next.counts.pending} pendentes)`;
  button.dataset.id = next.id;
  button.hidden = false; // not focused: a decision key (Enter) must never open another report
}

async function reloadFact(id) {
  try {
    const fresh = await api.extraction(id);
    queue.replace(fresh);
    $("banner").hidden = true;
    if (queue.current()?.id === id) await showFact(fresh);
    refreshCounts();
  } catch (err) { failed(err); }
}

// ---------- actions ----------
/** The fact a decision key or button may decide now: the one on screen, its image drawn at
 * least MIN_SHOWN_MS ago; null otherwise (the key is dropped, never kept for the next fact). */
function decidable() {
  const f = queue.current();
  const seen = state.onScreen;
  if (!f || !seen || seen.id !== f.id || performance.now() - seen.at < MIN_SHOWN_MS) return null;
  return f.id;
}

async function review(fact, body, { advance = true, remember = true } = {}) {
  try {
    const updated = await api.review(fact.id, { ...body, version: fact.version });
    state.me = updated.reviewed_by;
    if (remember) {
      state.undo.push({ id: fact.id, report: fact.report_id, from: fact.version, to: updated.version, text: fact.text });
    }
    saveUndo();
    document.body.dataset.decisions = String(++state.decisions);
    queue.replace(updated);
    toast(`${DONE[body.action]}: ${fact.text}`);
    refreshCounts();
    if (advance && queue.current()?.id === fact.id) {
      if (queue.neighbour(1)) queue.move(1); else queue.finish();
    } else if (queue.current()?.id === fact.id) showFact(updated);
    return updated;
  } catch (err) {
    failed(err, fact);
    if (err instanceof ApiError && err.status === 422) throw err;
    return null;
  }
}

/** Act on fact `id`, the one that was on screen when the key was pressed or the button
 * clicked; if another fact is shown by the time the command runs, nothing happens. */
async function act(action, id) {
  await state.displayed;
  const f = queue.current();
  return f && f.id === id ? review(f, { action }) : null;
}

/** A decision key or button: taken for the fact on screen, or dropped with a word why. */
function decide(action) {
  const now = performance.now();
  const burst = now - lastDecisionPress < DEBOUNCE_MS;
  lastDecisionPress = now;
  if (burst) return;
  const id = decidable();
  if (id !== null) { run(() => act(action, id)); return; }
  if (!queue.current() && queue.ended) toast("Fila concluída: nada a decidir aqui (k volta ao último fato).");
  else if (queue.current()) toast("Veja o fato antes de decidir: a imagem da página ainda está aparecendo.");
}

async function openEditor() {
  await state.displayed;
  const fact = queue.current();
  if (!fact) return;
  $("editor").hidden = false;
  $("editor-error").textContent = "";
  $("editor-note").value = "";
  $("editor-title").textContent = `Corrigir ${fact.text}`;
  state.editor = { fact, ui: buildEditor($("editor-fields"), fact, state.report?.status_date) };
  state.editor.ui.focus();
  $("editor").querySelector(".editor-actions").scrollIntoView({ block: "nearest" }); // Salvar in view at 1024 px
}

function closeEditor() {
  if (!state.editor) return;
  state.editor = null;
  $("editor").hidden = true;
  $("editor-fields").replaceChildren();
  $("queue-list").focus();
}

async function saveEditor() {
  if (!state.editor || state.editor.saving) return; // Enter twice: one save, of this fact only
  const editor = state.editor;
  const { fact, ui } = editor;
  editor.saving = true;
  try { await saveFrom(fact, ui); } finally { editor.saving = false; }
}

async function saveFrom(fact, ui) {
  let result;
  try {
    result = await ui.result();
  } catch (err) {
    $("editor-error").textContent = err.forReviewer ? err.detail : err instanceof ApiError && err.status === 422
      ? "Não entendi o valor: veja os exemplos acima. Nada foi salvo." : describeError(err);
    return;
  }
  const same = JSON.stringify(result.value) === JSON.stringify(fact.value)
    && (result.unit === undefined || result.unit === fact.unit)
    && (result.qualifier === undefined || result.qualifier === fact.qualifier);
  const note = $("editor-note").value.trim() || undefined;
  const body = same ? { action: "confirm", note } : { action: "correct", ...result, note };
  try {
    if (await review(fact, body)) closeEditor();
  } catch (err) {
    $("editor-error").textContent = err.detail || "Valor recusado.";
  }
}

/** Undo = `revert` to the version the fact had before the last action: its exact earlier
 * state (status, value, unit, qualifier, note), one step at a time, in any report. */
async function undo() {
  const last = state.undo.pop();
  saveUndo();
  if (!last) { toast("Nada para desfazer."); return; }
  if (last.from === undefined) { toast("Esta ação é de uma versão antiga da página e não pode ser desfeita aqui."); return; }
  let fact = queue.facts.find((f) => f.id === last.id);
  const elsewhere = !fact;
  if (elsewhere) fact = await api.extraction(last.id).catch((err) => { failed(err); return null; });
  if (!fact) return;
  if (queue.visible.some((f) => f.id === fact.id)) queue.select(fact.id);
  if ("initiative" in last) {
    const back = await undoMove(fact, last);
    if (back && elsewhere) toast(`Desfeito no relatório ${last.report}: ${last.text}`);
    return;
  }
  const done = await review(fact, { action: "revert", to_version: last.from, note: "desfazer (tecla u)" },
    { advance: false, remember: false });
  if (done && elsewhere) toast(`Desfeito no relatório ${last.report}: ${last.text}`);
}

/** Ask in the bulk dialog; on "Confirmar todos", confirm `targets` with `send` (a 409
 * names the facts someone else changed; nothing was confirmed). */
function confirmMany(targets, question, send, done) {
  $("bulk-text").textContent = `${question} Se algum tiver sido alterado por outra pessoa, nenhum é confirmado.`;
  const dialog = $("bulk-dialog");
  dialog.returnValue = "";
  dialog.showModal();
  $("bulk-go").focus();
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "confirm") return;
    try {
      const updated = await send();
      $("banner").hidden = true; // an earlier 409 is answered: this try went through
      updated.forEach((f) => queue.replace(f));
      toast(done(updated.length));
      refreshCounts();
      showFact(queue.current());
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) await bulkConflict(targets);
      else if (err instanceof ApiError && err.status === 422) {
        banner("Algum desses fatos mudou desde que a lista foi carregada: nada foi confirmado. Recarregue a página.");
      } else failed(err);
    }
    $("queue-list").focus();
  }, { once: true });
}

/** "Confirmar sem mudança": the pending facts the assist found identical to a confirmed
 * earlier edition, confirmed at once by POST /reports/{id}/confirm-unchanged. */
function confirmUnchanged() {
  const targets = queue.unchangedPending();
  if (!targets.length || !state.report) return;
  const n = targets.length;
  confirmMany(targets, `Confirmar ${n === 1 ? "o fato pendente" : `os ${n} fatos pendentes`} sem mudança desde `
    + "uma edição anterior já confirmada? Cada um fica no histórico com a nota “sem mudança desde …”.",
  () => api.confirmUnchanged(state.report.id, targets.map((f) => f.id)),
  (k) => (k === 1 ? "1 fato sem mudança confirmado." : `${k} fatos sem mudança confirmados.`));
}

/** A re-issue: "Aplicar as decisões anteriores" takes, at once, the decisions made on the
 * same facts of the edition it repeats (POST /reports/{id}/apply-previous-decisions). */
function applyPrevious() {
  const targets = queue.previousPending();
  if (!targets.length || !state.report) return;
  const n = targets.length;
  confirmMany(targets, `Aplicar ${n === 1 ? "ao fato pendente a decisão" : `aos ${n} fatos pendentes as decisões`} `
    + `tomada${n === 1 ? "" : "s"} no relatório ${state.report.reissue_of} (a mesma edição, enviada antes)? `
    + "Cada um fica no histórico com a nota “igual à decisão em relatório …”.",
  () => api.applyPrevious(state.report.id, targets.map((f) => f.id)),
  (k) => (k === 1 ? "1 decisão anterior aplicada." : `${k} decisões anteriores aplicadas.`));
}

function bulkConfirm() {
  const targets = queue.bulkTargets();
  if (!targets.length) return;
  confirmMany(targets, `Confirmar ${targets.length === 1 ? "1 fato" : `${targets.length} fatos`} de uma vez?`,
    async () => {
      const updated = await api.reviewMany(targets.map((f) => ({ id: f.id, action: "confirm", version: f.version })));
      queue.toggleVisible(false);
      return updated;
    },
    (k) => (k === 1 ? "1 fato confirmado." : `${k} fatos confirmados.`));
}

/** A bulk confirm refused with 409: reload the report's facts, name the ones someone else
 * changed, show their new state; the rest stay selected for a second try. */
async function bulkConflict(targets) {
  let fresh;
  try {
    fresh = new Map((await api.extractions(state.report.id)).map((f) => [f.id, f]));
  } catch (err) { failed(err); return; }
  const changed = targets.map((f) => fresh.get(f.id)).filter((f) => f && targets.some((t) => t.id === f.id && t.version !== f.version));
  for (const f of fresh.values()) if (queue.facts.some((q) => q.id === f.id)) queue.replace(f);
  for (const f of changed) queue.toggle(f.id, false); // decide those one by one, seeing the other's decision
  const names = changed.map((f) => `“${f.text}” (p. ${f.page}, agora ${STATUS_LABELS[f.status].toLowerCase()}`
    + `${f.reviewed_by ? ` por ${f.reviewed_by}` : ""})`);
  const which = names.length === 1 ? `O fato ${names[0]} foi alterado` : names.length
    ? `Os fatos ${names.join(", ")} foram alterados` : "Algum fato do lote foi alterado";
  const left = queue.bulkTargets().length;
  banner(`Nenhum fato do lote foi confirmado: ${which} por outra pessoa desde que a lista foi carregada. `
    + `A lista foi atualizada${changed.length ? ` e ${changed.length === 1 ? "ele saiu" : "eles saíram"} da seleção` : ""}`
    + `${left ? `; os outros ${left} continuam selecionados: clique em “Confirmar (${left})” de novo` : ""}.`);
  refreshCounts();
  const current = queue.current();
  if (current && changed.some((f) => f.id === current.id)) showFact(current);
}

/** A box drawn on the page: the form for the fact under it; saved, it joins the queue and
 * the undo stack (undo: back to version 1, pending, out of the feed). */
async function addMissedFact(page, bbox, printed = null) {
  const report = state.report;
  if (!report || !page) return;
  const words = printed || api.pageText(report.id, page, { bbox: bbox.join(",") }).then((r) => r.text);
  const initiatives = await api.reportInitiatives(report.id).catch(() => []);
  openAddForm({
    report, page, bbox, initiatives, statusDate: report.status_date, printed: words,
    saved: (fact) => {
      queue.facts.push(fact);
      queue.applyFilters();
      state.undo.push({ id: fact.id, report: fact.report_id, from: 1, to: fact.version, text: fact.text });
      saveUndo();
      document.body.dataset.decisions = String(++state.decisions);
      toast(`Fato adicionado: ${fact.text || formatValue(fact.kind, fact.value, fact.name)}`);
      refreshCounts();
      $("queue-list").focus();
    },
  });
}

// ---------- moving a fact to another initiative ----------
const OUTSIDE = "none"; // the option for "outside any initiative" (the placeholder is "")

/** The report's initiatives, once per opening of the report: the places a fact can move to. */
async function loadInitiatives(id) {
  const list = await api.reportInitiatives(id).catch(() => null);
  if (state.report?.id !== id) return;
  state.initiatives = list || [];
  renderMove(queue.current());
}

/** An initiative of the report shown, by id, as a move's history line names it. */
function initiativeTitle(id) {
  if (id === null) return "fora das iniciativas";
  return state.initiatives.find((i) => i.id === id)?.title || `iniciativa ${id}`;
}

/** The move control for `fact`: nothing chosen (so "Mover" is off until the reviewer picks),
 * then "outside any initiative" and the report's other initiatives, those on its page first. */
function renderMove(fact) {
  $("move-form").hidden = !fact;
  $("move-go").disabled = true;
  if (!fact) return;
  const here = fact.initiative?.id ?? null;
  $("move-initiative").replaceChildren(el("option", { value: "", text: "— escolha a iniciativa certa —" }),
    ...(here === null ? [] : [el("option", { value: OUTSIDE, text: "— fora de uma iniciativa (capa ou encerramento) —" })]),
    ...initiativeOptions(state.initiatives, fact.page, { except: here }));
  $("move-initiative").value = "";
}

/** "Mover": taken for the fact on screen (seen for MIN_SHOWN_MS, like a decision), which then
 * stops being decidable until it is shown again, moved: a key pressed meanwhile (Enter held
 * on the button) decides nothing. No decision key reaches this: only the form's button. */
function submitMove() {
  const chosen = $("move-initiative").value;
  if (!chosen) return;
  const id = decidable();
  if (id === null) { toast("Veja o fato antes de movê-lo: a imagem da página ainda está aparecendo."); return; }
  $("move-go").disabled = true;
  state.onScreen = null;
  $("fact-panel").dataset.ready = "false";
  run(() => moveShown(id, chosen === OUTSIDE ? null : Number(chosen)));
  $("queue-list").focus();
}

async function moveShown(id, initiativeId) {
  await state.displayed;
  const fact = queue.current();
  if (!fact || fact.id !== id) return null;
  try {
    const updated = await api.moveFact(fact.id, { initiative_id: initiativeId, version: fact.version });
    state.me = updated.reviewed_by;
    // undone by moving it back (a `revert` restores status and value, not the initiative)
    state.undo.push({ id, report: fact.report_id, from: fact.version, to: updated.version, text: fact.text,
      initiative: fact.initiative?.id ?? null });
    saveUndo();
    moved(updated);
    toast(`Movido para ${updated.initiative.title || "fora das iniciativas"}: ${fact.text}`);
    return updated;
  } catch (err) {
    failed(err, fact);
    if (queue.current()?.id === id) showFact(queue.current()); // unchanged, decidable again once seen
    return null;
  }
}

/** A fact in its new initiative: its row, the filter options, the panel (heading, editions). */
function moved(updated) {
  document.body.dataset.decisions = String(++state.decisions);
  if (!queue.facts.some((f) => f.id === updated.id)) return;
  queue.replace(updated);
  const filters = () => Object.values(queue.selects).map((s) => s.value).join("|");
  const before = filters();
  queue.refreshFilterOptions();
  if (filters() !== before) queue.applyFilters(); // the initiative filtered on has no fact left
  else if (queue.current()?.id === updated.id) showFact(updated);
}

/** Undo of a move: the fact moved back where it was, with the version the page knows (409 if
 * someone changed it since). It stays pinned there against re-extraction, as any move does. */
async function undoMove(fact, last) {
  try {
    const updated = await api.moveFact(fact.id, { initiative_id: last.initiative, version: fact.version,
      note: "desfazer (tecla u)" });
    moved(updated);
    toast(`Desfeito: ${last.text} de volta a ${updated.initiative.title || "fora das iniciativas"}`);
    return updated;
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) toast(`“${last.text}” já está de volta na iniciativa de antes.`);
    else failed(err, fact);
    return null;
  }
}

// ---------- pages "revisadas por completo" ----------
async function loadCompleteness(id) {
  const got = await api.completeness(id).catch(() => null);
  if (state.report?.id !== id || !got) return;
  state.complete = got;
  renderCompleteness();
}

/** The shown page's mark, and the report's share of marked pages (as the API counts them). */
function renderCompleteness() {
  const c = state.report?.id === state.complete?.report_id ? state.complete : null;
  const fact = queue.current();
  const box = $("page-complete");
  box.disabled = !c || !fact;
  box.checked = Boolean(c && fact && c.items.some((i) => i.page === fact.page));
  const pages = c?.pages ?? 0;
  $("report-complete-text").textContent = pages ? `${c.complete} de ${pages} ${pages === 1 ? "página revisada"
    : "páginas revisadas"} por completo (${Math.round(100 * c.share)}%)` : "";
  const button = $("report-complete");
  button.hidden = !pages;
  button.textContent = pages && c.complete === pages ? "Desmarcar o relatório todo" : "Marcar o relatório todo";
}

/** The shown page marked (or unmarked): only once it is on screen, as for a decision. */
function togglePage() {
  const box = $("page-complete"), fact = queue.current(), on = box.checked;
  $("queue-list").focus();
  if (!fact || decidable() !== fact.id) {
    box.checked = !on;
    toast("Veja a página antes de marcá-la: a imagem ainda está aparecendo.");
    return;
  }
  run(() => markPages(fact.report_id, [fact.page], on));
}

function toggleReport() {
  const c = state.complete, r = state.report;
  if (!c || !r || c.report_id !== r.id) return;
  const all = c.complete === c.pages;
  const asked = all ? `Tirar a marca “revisada por completo” das ${c.pages} páginas de “${r.filename}”?`
    : `Marcar as ${c.pages} páginas de “${r.filename}” como revisadas por completo (nada falta em nenhuma)?`;
  if (confirm(asked)) run(() => markPages(r.id, null, !all));
  $("queue-list").focus();
}

async function markPages(reportId, pages, on) {
  try {
    const got = await api.markComplete(reportId, pages, on);
    if (state.report?.id === reportId) state.complete = got;
    const what = pages ? `Página ${pages.join(", ")}` : "Relatório todo";
    toast(`${what}: ${on ? "marcado como revisado por completo" : "marca de revisado por completo retirada"}.`);
  } catch (err) { failed(err); }
  renderCompleteness();
}

// ---------- keyboard ----------
const KEYS = {
  j: () => queue.move(1), ArrowDown: () => queue.move(1), ArrowRight: () => queue.move(1),
  k: () => queue.move(-1), ArrowUp: () => queue.move(-1), ArrowLeft: () => queue.move(-1),
  c: () => decide("confirm"), Enter: () => decide("confirm"), x: () => decide("reject"),
  e: openEditor, u: undo, " ": () => { const f = queue.current(); if (f) queue.toggle(f.id); },
  "+": () => viewer.zoom(1), "=": () => viewer.zoom(1), "-": () => viewer.zoom(-1), 0: () => viewer.zoom(0),
  "?": () => $("help-dialog").showModal(),
};

const DECISION_KEYS = new Set(["c", "Enter", "x"]); // checked when pressed (decide), not when run

function onKey(ev) {
  if ($("app").hidden || ev.ctrlKey || ev.metaKey || ev.altKey || document.querySelector("dialog[open]")) return;
  const t = ev.target;
  if (state.editor) {
    if (ev.key === "Escape") { ev.preventDefault(); closeEditor(); return; }
    if (state.editor.ui.handleKey(ev)) ev.preventDefault();
    return;
  }
  if (t.matches("input, select, textarea")) { if (ev.key === "Escape") $("queue-list").focus(); return; }
  if (t.matches("button, summary, a") && (ev.key === "Enter" || ev.key === " ")) return;
  if (t.id === "page-scroll" && ev.key.startsWith("Arrow")) return;
  const handler = KEYS[ev.key];
  if (!handler) return;
  ev.preventDefault();
  if (DECISION_KEYS.has(ev.key)) handler(); else run(handler);
}

// ---------- wiring ----------
function wire() {
  $("signin-form").addEventListener("submit", (ev) => { ev.preventDefault(); signIn($("token-input").value); });
  $("signout-button").addEventListener("click", () => signOut());
  $("report-select").addEventListener("change", (ev) => openReport(Number(ev.target.value))
    .then(() => $("queue-list").focus(), failed));
  // A filter chosen with the mouse hands the keys back to the queue (else `c` would change
  // the filter); from the keyboard, arrows keep browsing the options and Enter or Esc go back.
  for (const [name, select] of Object.entries(queue.selects)) {
    select.addEventListener("pointerdown", () => { select.dataset.pointer = "1"; });
    select.addEventListener("keydown", (ev) => {
      delete select.dataset.pointer;
      if (ev.key === "Enter") { ev.preventDefault(); $("queue-list").focus(); }
    });
    select.addEventListener("change", () => {
      if (name === "area") queue.refreshFilterOptions();
      queue.applyFilters();
      if (select.dataset.pointer) { delete select.dataset.pointer; $("queue-list").focus(); }
    });
  }
  $("select-visible").addEventListener("change", (ev) => {
    queue.toggleVisible(ev.target.checked);
    $("queue-list").focus();
  });
  $("bulk-confirm").addEventListener("click", bulkConfirm);
  $("confirm-unchanged").addEventListener("click", confirmUnchanged);
  $("apply-previous").addEventListener("click", applyPrevious);
  $("report-own-series").addEventListener("click", () => ownSeries().then(() => $("queue-list").focus()));
  addEventListener("pagehide", () => { // closing the tab: it stops showing the fact at once
    if (token.get()) api.presence({ tab: TAB, report_id: null, extraction_id: null }, true);
  });
  const click = (id, fn) => $(id).addEventListener("click", () => {
    run(fn);
    if (id !== "act-edit") $("queue-list").focus();
  });
  for (const [id, action] of [["act-confirm", "confirm"], ["act-reject", "reject"]]) {
    $(id).addEventListener("click", () => { decide(action); $("queue-list").focus(); });
  }
  click("act-edit", openEditor);
  $("act-reopen").addEventListener("click", () => {
    const id = decidable();
    if (id !== null) run(async () => { const f = queue.current(); if (f?.id === id) await review(f, { action: "reopen" }, { advance: false }); });
    $("queue-list").focus();
  });
  click("act-undo", undo);
  $("editor").addEventListener("submit", (ev) => { ev.preventDefault(); run(saveEditor); });
  $("editor-cancel").addEventListener("click", closeEditor);
  $("next-report").addEventListener("click", () => openReport(Number($("next-report").dataset.id))
    .then(() => $("queue-list").focus(), failed));
  $("add-fact").addEventListener("click", () => drawer.toggle());
  $("move-initiative").addEventListener("change", (ev) => { $("move-go").disabled = !ev.target.value; });
  $("move-form").addEventListener("submit", (ev) => { ev.preventDefault(); submitMove(); });
  $("page-complete").addEventListener("change", togglePage);
  $("report-complete").addEventListener("click", toggleReport);
  $("add-from-text").addEventListener("mousedown", (ev) => ev.preventDefault()); // keep the selection
  $("add-from-text").addEventListener("click", addFromText);
  $("zoom-in").addEventListener("click", () => viewer.zoom(1));
  $("zoom-out").addEventListener("click", () => viewer.zoom(-1));
  $("zoom-fit").addEventListener("click", () => viewer.zoom(0));
  $("help-button").addEventListener("click", () => $("help-dialog").showModal());
  $("banner-close").addEventListener("click", () => { $("banner").hidden = true; });
  $("banner-reload").addEventListener("click", () => reloadFact(Number($("banner-reload").dataset.id)));
  document.addEventListener("keydown", onKey);
}

wire();
if (matchMedia("(max-width: 1100px)").matches) document.querySelector(".filters").open = false;
if (token.get()) signIn(token.get()); else signOut();
