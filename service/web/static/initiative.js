// An initiative's page (/review/initiatives/{key}): its counts over the editions of its
// report series (one chart row per unit), every edition's facts with a thumbnail of
// where each was printed, what changed against the previous edition, and the reviewer's
// link corrections: split one edition off, or merge another initiative in, each after a
// confirmation. Everything is built with DOM calls and textContent, never innerHTML.

import { api, ApiError, describeError, token } from "./api.js";
import { KIND_LABELS, STATUS_LABELS, el, formatValue } from "./format.js";
import { diffList, seriesChart } from "./series.js";

const $ = (id) => document.getElementById(id);
const key = decodeURIComponent(location.pathname.split("/").pop() || "");
const THUMB_W = 300; // CSS pixels
const THUMB_PAD = { x: 36, y: 14 }; // points of page around the fact
const THUMB_MIN_PT = 300; // page width shown at least (about 1 CSS px per point)
const pages = new Map(); // "report:page" -> Promise<HTMLImageElement>

function message(text, { error = false } = {}) {
  $("ini-message").textContent = text;
  $("ini-message").classList.toggle("error", error);
}

function pageImage(reportId, page) {
  const id = `${reportId}:${page}`;
  if (!pages.has(id)) {
    pages.set(id, api.pageImage(reportId, page, null).then((url) => new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = reject;
      img.src = url;
    })));
  }
  return pages.get(id);
}

/** A canvas with the part of the page around the fact, each printed line of it boxed. */
function thumbnail(fact) {
  const canvas = el("canvas", { class: "thumb", role: "img", width: THUMB_W, height: 60,
    "aria-label": `Trecho da página ${fact.page} com “${fact.text}” destacado` });
  if (!fact.page_width || !fact.page_height) return canvas;
  pageImage(fact.report_id, fact.page).then((img) => {
    const scale = img.naturalWidth / fact.page_width; // image pixels per point
    const boxes = fact.lines?.length > 1 ? fact.lines : [fact.bbox];
    // at least THUMB_MIN_PT of page across, centred on the fact, so a short word keeps its context
    const [left, right] = [Math.min(...boxes.map((b) => b[0])), Math.max(...boxes.map((b) => b[2]))];
    const across = Math.min(fact.page_width, Math.max(THUMB_MIN_PT, right - left + 2 * THUMB_PAD.x));
    const x0 = Math.min(Math.max(0, (left + right) / 2 - across / 2), fact.page_width - across);
    const x1 = x0 + across;
    const y0 = Math.max(0, Math.min(...boxes.map((b) => b[1])) - THUMB_PAD.y);
    const y1 = Math.min(fact.page_height, Math.max(...boxes.map((b) => b[3])) + THUMB_PAD.y);
    const ratio = window.devicePixelRatio || 1;
    const fit = THUMB_W / (x1 - x0); // CSS px per point
    const cssH = Math.min(140, Math.max(24, (y1 - y0) * fit));
    canvas.width = THUMB_W * ratio;
    canvas.height = cssH * ratio;
    canvas.style.height = `${cssH}px`;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, THUMB_W, cssH);
    ctx.drawImage(img, x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale,
      0, 0, (x1 - x0) * fit, (y1 - y0) * fit);
    ctx.strokeStyle = "#e63c00";
    ctx.lineWidth = 2;
    for (const [bx0, btop, bx1, bbottom] of boxes) {
      ctx.strokeRect((bx0 - x0 - 1.5) * fit, (btop - y0 - 1.5) * fit, (bx1 - bx0 + 3) * fit, (bbottom - btop + 3) * fit);
    }
    canvas.dataset.drawn = String(boxes.length);
  }, () => { canvas.dataset.drawn = "0"; });
  return canvas;
}

function factRow(fact) {
  const review = `/review?${new URLSearchParams({ report: fact.report_id, status: "", fact: fact.id })}`;
  return el("li", { class: `ini-fact status-${fact.status}`, "data-id": fact.id },
    el("a", { href: review, class: "thumb-link", title: "Abrir este fato na revisão" }, thumbnail(fact)),
    el("div", { class: "ini-fact-text" },
      el("span", { class: `kind kind-${fact.kind}`, text: KIND_LABELS[fact.kind] || fact.kind }),
      el("strong", { text: ` ${formatValue(fact.kind, fact.value, fact.name)}` }),
      fact.unit ? ` ${fact.unit}` : "",
      el("div", { class: "hint", text: `“${fact.text}” · p. ${fact.page}` }),
      el("span", { class: `badge ${fact.status}`, text: STATUS_LABELS[fact.status] || fact.status }),
      " ", el("a", { href: review, text: "Rever na fila" })));
}

function editionItem(edition, { reports, diff, canSplit, index }) {
  const report = reports.get(edition.report_id);
  const name = report ? report.filename : `relatório ${edition.report_id}`;
  const heading = el("h3", {}, `${edition.status_date || "sem data"} — ${name}`);
  const item = el("li", { class: "ini-edition", id: `edition-${edition.report_id}` }, heading,
    el("p", { class: "hint", text: `Título nesta edição: ${edition.title}` }));
  if (diff && diff.entry) item.append(el("h4", { text: `Mudanças desde ${diff.against || "a edição anterior"}` }),
    diffList(diff.entry, diff.against));
  else if (diff && diff.isNew) item.append(el("p", { class: "diff-new", text: "Primeira edição com esta iniciativa." }));
  else if (index === 0) item.append(el("p", { class: "hint", text: "Primeira edição da série com esta iniciativa." }));
  item.append(edition.facts.length
    ? el("ul", { class: "ini-facts", "aria-label": `Fatos de ${edition.status_date || "sem data"}` }, edition.facts.map(factRow))
    : el("p", { class: "hint", text: "Nenhum fato nesta edição (todos rejeitados)." }));
  if (canSplit) {
    item.append(el("button", { type: "button", class: "split-button", "data-initiative": edition.initiative_id,
      text: "Não é a mesma iniciativa: separar esta edição…",
      onclick: () => askSplit(edition, name) }));
  }
  return item;
}

/** For each edition but the first: its report's diff with the previous edition, this key's entry. */
async function diffsFor(series) {
  const out = new Map();
  await Promise.all(series.editions.slice(1).map(async (e) => {
    const diff = await api.diff(e.report_id).catch(() => null);
    if (!diff) return;
    out.set(e.report_id, { entry: diff.initiatives.find((i) => i.key === key), against: diff.against_status_date,
      isNew: diff.added.some((i) => i.key === key) });
  }));
  return out;
}

let summary = null;

async function load() {
  message("");
  let series, reports, others;
  try {
    [summary, series, reports] = await Promise.all([api.initiative(key), api.series(key), api.reports()]);
    others = await api.mergeCandidates(key); // only merges the service accepts: none shares an edition
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { signInForm("Token desconhecido ou revogado."); return; }
    if (err instanceof ApiError && err.status === 403) {
      token.clear(); // another token may see it: ask for one
      signInForm("Este token não pode ver iniciativas: entre com um token de revisor ou de consumidor.");
      return;
    }
    for (const section of document.querySelectorAll(".ini-section")) section.hidden = true; // nothing to show in them
    $("ini-title").textContent = err instanceof ApiError && err.status === 404
      ? "Iniciativa não encontrada" : "Não foi possível carregar a iniciativa";
    message(err instanceof ApiError && err.status === 404
      ? `Nenhuma iniciativa tem a chave “${key}”: ela pode ter sido juntada a outra. Volte à revisão.` : describeError(err),
    { error: true });
    return;
  }
  for (const section of document.querySelectorAll(".ini-section")) section.hidden = false;
  document.title = `${summary.title} — relato`;
  $("ini-title").textContent = summary.title;
  const renamed = [...new Set(summary.titles.map((t) => t.title))].length > 1;
  $("ini-meta").textContent = `Série “${summary.series}” · ${series.editions.length} `
    + `${series.editions.length === 1 ? "edição" : "edições"}: ${summary.editions.join(", ")}`
    + (summary.area ? ` · Área ${summary.area.number ?? ""} ${summary.area.name}` : "")
    + (renamed ? " · mudou de título entre as edições" : "")
    + (summary.pinned ? " · vínculo ajustado por um revisor" : "");
  const chart = seriesChart(series);
  $("ini-chart").replaceChildren(chart || el("p", { class: "series-empty", text: "Nenhuma contagem nas edições." }));
  const byId = new Map(reports.map((r) => [r.id, r]));
  const diffs = await diffsFor(series);
  $("ini-editions").replaceChildren(...[...series.editions].map((e, index) => editionItem(e, {
    reports: byId, diff: diffs.get(e.report_id), canSplit: series.editions.length > 1, index,
  })).reverse());
  $("merge-select").replaceChildren(...(others.length ? others.map((o) => el("option", { value: o.key,
    text: `${o.title} (${o.editions.join(", ")})` })) : [el("option", { value: "", text: "Nenhuma outra iniciativa da série pode ser juntada (todas aparecem nas mesmas edições)" })]));
  $("merge-button").disabled = others.length === 0;
  $("ini-body").dataset.ready = "1";
}

/** Confirm in the dialog, then run `go` with the note; resolves after the page reloads. */
function ask(title, text, go) {
  const dialog = $("link-dialog");
  $("link-dialog-title").textContent = title;
  $("link-dialog-text").textContent = text;
  $("link-note").value = "";
  dialog.returnValue = "";
  dialog.showModal();
  $("link-go").focus();
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "go") { message("Nada foi mudado."); return; }
    try {
      await go($("link-note").value.trim() || null);
    } catch (err) {
      const refused = err instanceof ApiError && (err.status === 409 || err.status === 422);
      message(refused ? "O serviço recusou a mudança (as duas aparecem numa mesma edição, são de séries diferentes, "
        + "ou uma delas é uma reedição): nada foi mudado." : describeError(err), { error: true });
      if (err instanceof ApiError && err.detail) console.warn(err.detail);
    }
  }, { once: true });
}

function askSplit(edition, name) {
  ask("Separar esta edição", `“${edition.title}” em ${edition.status_date || "sem data"} (${name}) não é a mesma `
    + `iniciativa que as outras edições de “${summary.title}”? Ela ganha uma chave própria, e as próximas edições `
    + "que se parecerem com ela a seguem. Dá para desfazer juntando de novo.", async (note) => {
    const created = await api.split(key, edition.initiative_id, note);
    await load();
    message(`Separada: “${created.title}” (${created.editions.join(", ")}) agora tem a chave “${created.key}”.`);
    $("ini-message").append(" ", el("a", { href: `/review/initiatives/${encodeURIComponent(created.key)}`,
      text: "Abrir a iniciativa separada" }));
  });
}

function askMerge() {
  const other = $("merge-select").value;
  if (!other) return;
  const label = $("merge-select").selectedOptions[0].textContent;
  ask("Juntar iniciativas", `${label} é a mesma iniciativa que “${summary.title}”? As edições dela passam a ser `
    + "desta página, e as próximas edições seguem a junção. Dá para desfazer separando a edição de novo.", async (note) => {
    await api.merge(key, other, note);
    await load();
    message(`Juntada: ${label} agora faz parte desta iniciativa.`);
  });
}

function signInForm(error = "") {
  $("ini-body").hidden = true;
  $("ini-signin").hidden = false;
  $("ini-signin-error").textContent = error;
  $("ini-token").focus();
}

function start() {
  $("ini-signin").hidden = true;
  $("ini-body").hidden = false;
  load();
}

$("ini-signin").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token.set($("ini-token").value.trim());
  start();
});
$("merge-button").addEventListener("click", askMerge);
if (token.get()) start(); else signInForm();
