// The operator page: upload many PDFs at once (a progress bar and an outcome per file), a
// reports table that keeps itself current, a report's detail (warnings, areas and
// initiatives, links, downloads) and actions behind a confirmation that names what changes;
// for admins, the tokens tab; for everyone, the quality measured from reviews.

import { el, formatWhen, isoReadable, areaLabel, KIND_LABELS } from "./format.js";
import { opapi, opToken, explain, refusal, uploadFile } from "./opapi.js";
import { showTokens } from "./optokens.js";
import { showQuality, driftByReport } from "./opquality.js";
import { ask, toast } from "./opui.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const LIVE_MS = Number(params.get("live_ms")) || 2500;
const QUALITY_MS = 30_000;
const PARALLEL_UPLOADS = 3;
const state = { me: null, reports: new Map(), selected: null, drift: new Map(), qualityAt: 0, timer: null };

// ---------- sign in ----------
async function signIn(event) {
  event?.preventDefault();
  const value = $("token-input").value.trim();
  if (value) opToken.set(value);
  try {
    const me = await opapi.me();
    if (me.role !== "operator" && me.role !== "admin") {
      opToken.clear();
      $("signin-error").textContent = "Este token não é de operador nem de administrador: a operação precisa de um deles.";
      return showSignIn();
    }
    state.me = me;
  } catch (err) {
    opToken.clear();
    $("signin-error").textContent = explain(err);
    return showSignIn();
  }
  $("token-input").value = "";
  $("signin").hidden = true;
  $("app").hidden = false;
  $("who").textContent = `${state.me.name} · ${state.me.role === "admin" ? "administrador" : "operador"}`;
  $("tab-tokens").hidden = state.me.role !== "admin";
  show(location.hash.slice(1) || "reports");
  poll();
}

function showSignIn() {
  clearTimeout(state.timer);
  $("app").hidden = true;
  $("signin").hidden = false;
  $("token-input").focus();
}

function signOut() {
  opToken.clear();
  state.me = null;
  showSignIn();
}

// ---------- tabs ----------
const VIEWS = ["reports", "quality", "tokens"];
function show(view) {
  if (!VIEWS.includes(view) || (view === "tokens" && state.me?.role !== "admin")) view = "reports";
  for (const name of VIEWS) {
    $(`view-${name}`).hidden = name !== view;
    if (name === view) $(`tab-${name}`).setAttribute("aria-current", "page");
    else $(`tab-${name}`).removeAttribute("aria-current");
  }
  history.replaceState(null, "", `${location.pathname}${location.search}#${view}`);
  if (view !== "tokens") { // a new token's secret is shown once: leaving the tab forgets it
    $("token-secret-value").value = "";
    $("token-secret").hidden = true;
  }
  if (view === "tokens") showTokens().catch((err) => toast(explain(err)));
  if (view === "quality") showQuality().catch((err) => toast(explain(err)));
}

// ---------- uploads ----------
function uploadRow(file) {
  const bar = el("progress", { max: "1", value: "0", "aria-label": `Envio de ${file.name}` });
  const outcome = el("td", { class: "outcome", text: "na espera" });
  const row = el("tr", {}, el("th", { scope: "row", text: file.name }), el("td", {}, bar), outcome);
  $("upload-rows").append(row);
  $("upload-table").hidden = false;
  return { row, bar, outcome };
}

async function sendOne(file, ui) {
  ui.outcome.textContent = "enviando…";
  const { status, body } = await uploadFile(file, (sent, total) => { ui.bar.value = total ? sent / total : 0; });
  ui.bar.value = 1;
  if (status === 202) {
    ui.outcome.className = "outcome outcome-new";
    ui.outcome.textContent = `novo (relatório ${body.id})`;
  } else if (status === 200) {
    ui.outcome.className = "outcome outcome-known";
    ui.outcome.textContent = `já conhecido (sha256 ${body.sha256.slice(0, 12)}…, relatório ${body.id})`;
    ui.outcome.title = `sha256 ${body.sha256}`;
  } else {
    ui.bar.value = 0;
    ui.outcome.className = "outcome outcome-refused";
    ui.outcome.textContent = `recusado: ${refusal(status, body?.detail)}`;
  }
  ui.row.dataset.outcome = status === 202 ? "new" : status === 200 ? "known" : "refused";
}

async function sendAll(files) {
  const queue = [...files].map((file) => ({ file, ui: uploadRow(file) }));
  const workers = Array.from({ length: Math.min(PARALLEL_UPLOADS, queue.length) }, async () => {
    while (queue.length) {
      const { file, ui } = queue.shift();
      await sendOne(file, ui);
    }
  });
  await Promise.all(workers);
  refresh();
}

function wireDropZone() {
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer?.files?.length) sendAll(e.dataTransfer.files);
  });
  $("file-input").addEventListener("change", (e) => {
    const files = [...e.target.files];
    e.target.value = "";
    if (files.length) sendAll(files);
  });
}

// ---------- the reports table ----------
// A re-extraction runs beside a done report (its facts stay reviewable): the row says both.
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

function reextractionText(r) {
  const job = r.reextraction;
  if (r.status !== "done" || !job) return "";
  if (job.state === "queued") return "re-extração na fila";
  if (job.state === "processing" && r.stalled) {
    return "re-extração parada: o processo que a fazia parou sem avisar; outro vai retomá-la (ou marcá-la como falha)";
  }
  if (job.state === "processing") {
    const step = r.progress ? ` (${r.progress})` : "";
    return `re-extraindo${step}${job.attempts > 1 ? ` (tentativa ${job.attempts})` : ""}`;
  }
  if (job.state === "failed") return `a re-extração falhou: ${job.error || "sem motivo registrado"}; os fatos ficaram como estavam`;
  return "";
}

function outcomeText(job) {
  const o = job.outcome;
  const when = job.finished_at ? formatWhen(job.finished_at) : "";
  const by = job.requested_by ? `, pedida por ${job.requested_by}` : "";
  return `Última re-extração (${when}${by}): ${plural(o.kept, "fato reencontrado", "fatos reencontrados")} ` +
    `(${o.changed} com valor novo), ${plural(o.added, "novo", "novos")}, ${plural(o.orphaned, "órfão", "órfãos")}, ` +
    `${plural(o.restored, "deixou de ser órfão", "deixaram de ser órfãos")}.`;
}

function statusText(r) {
  if (r.status === "queued") return r.attempts ? `na fila (tentativa ${r.attempts + 1})` : "na fila";
  if (r.status === "processing" && r.stalled) {
    return "parado: o processo que extraía parou sem avisar; outro vai retomá-lo (ou marcá-lo como falho)";
  }
  if (r.status === "processing") {
    const step = r.progress ? ` (${r.progress})` : "";
    return `processando${step}${r.attempts > 1 ? ` (tentativa ${r.attempts})` : ""}`;
  }
  if (r.status === "done") return ["concluído", reextractionText(r)].filter(Boolean).join(" · ");
  return `falhou: ${r.error || "sem motivo registrado"}`;
}

function statusClass(r) {
  const job = r.status === "done" && r.reextraction;
  if (r.stalled) return "status-stalled";
  if (job && job.state === "failed") return "status-failed";
  return job && (job.state === "queued" || job.state === "processing") ? `status-${job.state}` : `status-${r.status}`;
}

function kindsText(r) {
  const parts = Object.entries(r.facts_by_kind || {}).sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => { const label = KIND_LABELS[kind] || kind; return `${label[0].toLowerCase()}${label.slice(1)} ${n}`; });
  return parts.length ? parts.join(" · ") : "—";
}

function reviewCell(r) {
  const c = r.counts;
  const total = c.pending + c.confirmed + c.corrected + c.rejected;
  const decided = total - c.pending;
  const cell = el("td", {},
    el("progress", { max: String(total || 1), value: String(decided), "aria-label": `Revisão de ${r.filename}` }),
    ` ${decided}/${total}`);
  if (r.pages && r.pages_complete) cell.append(el("div", { class: "hint", text: `${r.pages_complete}/${r.pages} páginas revisadas por completo` }));
  return cell;
}

function seriesCell(r) {
  const cell = el("td", {}, r.series || "—");
  if (r.status_date) cell.append(el("div", { class: "hint", text: `edição ${isoReadable(r.status_date)}` }));
  if (r.reissue_of) cell.append(el("span", { class: "flag", text: `reedição do nº ${r.reissue_of}` }));
  return cell;
}

function reportRow(r) {
  const drift = state.drift.get(r.id) || [];
  const name = el("th", { scope: "row" }, el("span", { text: r.filename }), el("div", { class: "hint", text: `nº ${r.id}` }));
  if (drift.length) {
    name.append(el("span", { class: "flag drift", title: drift.join("; "), text: "queda de precisão" }));
  }
  return [
    name,
    el("td", { class: statusClass(r), text: statusText(r) }),
    el("td", { class: "num", text: r.pages ?? "—" }),
    el("td", { class: "num", text: r.status === "done" ? String(r.ocr_pages) : "—" }),
    el("td", { text: r.status_date ? isoReadable(r.status_date) : "—" }),
    seriesCell(r),
    el("td", { class: "kinds", text: kindsText(r) }),
    reviewCell(r),
    el("td", {}, el("button", { type: "button", "aria-label": `Detalhes de ${r.filename}`, onclick: () => openDetail(r.id) },
      "Detalhes")),
  ];
}

function render(reports) {
  const body = $("report-rows");
  const seen = new Set();
  reports.forEach((r, index) => {
    const id = `r-${r.id}`;
    seen.add(id);
    const signature = JSON.stringify([r, state.drift.get(r.id) || []]);
    let row = $(id);
    if (!row) {
      row = el("tr", { id });
      row.dataset.id = r.id;
    }
    if (row.dataset.signature !== signature) {
      const focused = row.contains(document.activeElement);
      row.replaceChildren(...reportRow(r));
      row.dataset.signature = signature;
      row.dataset.status = r.stalled ? "stalled" : r.status;
      row.dataset.reextraction = r.reextraction?.state || "";
      if (focused) row.querySelector("button")?.focus();
    }
    row.classList.toggle("selected", state.selected === r.id);
    if (body.children[index] !== row) body.insertBefore(row, body.children[index] || null);
  });
  for (const row of [...body.children]) if (!seen.has(row.id)) row.remove();
  $("reports-empty").hidden = reports.length > 0;
  $("list-updated").textContent = `· atualizado às ${new Date().toLocaleTimeString("pt-BR")}`;
}

async function refresh() {
  try {
    const reports = await opapi.reports();
    const was = state.reports.get(state.selected)?.reextraction?.state;
    state.reports = new Map(reports.map((r) => [r.id, r]));
    if (Date.now() - state.qualityAt > QUALITY_MS) {
      state.qualityAt = Date.now();
      state.drift = await driftByReport();
    }
    render(reports);
    if (state.selected && state.reports.has(state.selected)) {
      const now = state.reports.get(state.selected);
      fillStatus(now);
      // a re-extraction just ended: its areas and counts are new
      if (["queued", "processing"].includes(was) && now.reextraction?.state === "done") openDetail(state.selected);
    }
  } catch (err) {
    if (err.status === 401) return signOut();
    $("list-updated").textContent = `· ${explain(err)}`;
  }
}

function poll() {
  clearTimeout(state.timer);
  refresh().finally(() => { if (state.me) state.timer = setTimeout(poll, LIVE_MS); });
}

// ---------- a report's detail ----------
function fillStatus(r) {
  $("detail-status").textContent = `Situação: ${statusText(r)}${r.title ? ` · ${r.title}` : ""}`;
  $("action-retry").hidden = r.status !== "failed";
  const pending = ["queued", "processing"].includes(r.reextraction?.state);
  $("action-reextract").hidden = r.status !== "done" || pending;
  const outcome = r.reextraction?.state === "done" && r.reextraction.outcome;
  $("detail-reextraction").hidden = !outcome;
  $("detail-reextraction").textContent = outcome ? outcomeText(r.reextraction) : "";
  $("action-series").hidden = !r.reissue_of;
}

async function openDetail(id) {
  const r = state.reports.get(id);
  if (!r) return;
  state.selected = id;
  $("detail").hidden = false;
  $("detail-title").textContent = `Relatório nº ${r.id} · ${r.filename}`;
  $("detail-review").href = `/review?report=${r.id}`;
  fillStatus(r);
  for (const row of $("report-rows").children) row.classList.toggle("selected", Number(row.dataset.id) === id);
  $("detail-warnings").replaceChildren(el("li", { text: "carregando…" }));
  $("detail-areas").replaceChildren();
  try {
    const outline = await opapi.outline(id);
    if (state.selected !== id) return;
    $("detail-warnings").replaceChildren(...(outline.warnings.length
      ? outline.warnings.map((w) => el("li", { text: w })) : [el("li", { text: "nenhum aviso" })]));
    const areas = outline.areas.map((a) => el("div", { class: "area" },
      el("h5", { text: areaLabel(a.area) }),
      el("ul", {}, a.initiatives.map((i) => el("li", {},
        i.key ? el("a", { href: `/review/initiatives/${encodeURIComponent(i.key)}`, text: i.title }) : i.title,
        ` — ${i.facts} ${i.facts === 1 ? "fato" : "fatos"}, ${i.pending} ${i.pending === 1 ? "pendente" : "pendentes"}`)))));
    if (outline.outside_facts) areas.push(el("p", { class: "hint", text: `${outline.outside_facts} fatos fora de iniciativas (capa, encerramento)` }));
    $("detail-areas").replaceChildren(...(areas.length ? areas : [el("p", { class: "hint", text: "nenhuma iniciativa extraída" })]));
  } catch (err) { toast(explain(err)); }
  $("detail").scrollIntoView({ block: "nearest" });
}

async function download(format) {
  const r = state.reports.get(state.selected);
  try {
    const response = await opapi.records(r.id, format);
    const url = URL.createObjectURL(await response.blob());
    const stem = r.filename.replace(/\.pdf$/i, "");
    const link = el("a", { href: url, download: `${stem}-confirmados.${format}` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) { toast(explain(err)); }
}

async function act(kind) {
  const r = state.reports.get(state.selected);
  if (!r) return;
  const name = `“${r.filename}”`;
  const plans = {
    reextract: ["Re-extrair o relatório?",
      `${name} será lido de novo do PDF guardado, com as regras atuais. Os fatos reencontrados mantêm as decisões dos ` +
      "revisores; um fato com valor novo volta a pendente; um fato não reencontrado fica marcado como órfão, com sua " +
      "decisão, até ser revisto; fatos novos entram como pendentes. A re-extração entra na fila dos extratores; até ela " +
      "terminar os fatos continuam como estão e podem ser revisados.", "Re-extrair",
      () => opapi.reextract(r.id),
      () => "Re-extração na fila: a lista mostra a página em que está; o resultado aparece aqui ao terminar."],
    retry: ["Tentar de novo?",
      `${name} volta para a fila de extração, com as tentativas contadas do zero. O motivo da falha anterior deixa de ` +
      "aparecer na lista.", "Colocar na fila", () => opapi.retry(r.id), () => "O relatório voltou para a fila."],
    series: ["Tratar como série própria?",
      `${name} hoje é uma reedição do relatório nº ${r.reissue_of} (mesma série, mesma data de status) e fica fora dos ` +
      "gráficos e comparações. Como série própria, passa a ser a primeira edição de uma série nova, separada da original.",
      "Tratar como série própria",
      () => opapi.ownSeries(r.id, `${r.title || "relatório"} — ${r.filename} (#${r.id})`.slice(0, 500)),
      () => "O relatório agora é uma série própria."],
  };
  const [title, text, go, run, done] = plans[kind];
  if (!(await ask(title, text, go))) return;
  toast("Enviando…");
  try {
    const out = await run();
    toast(done(out));
  } catch (err) { toast(explain(err)); }
  await refresh();
  openDetail(r.id);
}

// ---------- start ----------
function wire() {
  $("signin-form").addEventListener("submit", signIn);
  $("signout-button").addEventListener("click", signOut);
  for (const name of VIEWS) $(`tab-${name}`).addEventListener("click", () => show(name));
  $("detail-close").addEventListener("click", () => { state.selected = null; $("detail").hidden = true; render([...state.reports.values()]); });
  $("download-csv").addEventListener("click", () => download("csv"));
  $("download-json").addEventListener("click", () => download("json"));
  $("action-reextract").addEventListener("click", () => act("reextract"));
  $("action-retry").addEventListener("click", () => act("retry"));
  $("action-series").addEventListener("click", () => act("series"));
  wireDropZone();
}

wire();
if (opToken.get()) signIn(); else showSignIn();
