// The "Qualidade" tab: extraction quality measured from reviewers' decisions, as
// GET /api/v1/quality gives it (precision per extractor, kind, series and report with 95 %
// intervals; facts added by hand; recall on pages marked complete; confidence against
// observed precision; refitted confidence; precision drops). Also the drops per report,
// which the reports table flags.

import { el, KIND_LABELS } from "./format.js";
import { opapi, explain } from "./opapi.js";

const $ = (id) => document.getElementById(id);
const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toLocaleString("pt-BR", { maximumFractionDigits: 1 })} %`);
const interval = (row) => (row.ci_low === null || row.ci_low === undefined ? "—" : `${pct(row.ci_low)} a ${pct(row.ci_high)}`);
const kindName = (key) => KIND_LABELS[key] || key;

function table(caption, head, rows, empty = "nenhuma decisão ainda") {
  return el("section", { class: "card" },
    el("h3", { text: caption }),
    rows.length
      ? el("div", { class: "table-wrap" }, el("table", { class: "op-table" },
        el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { scope: "col", class: i ? "num" : null, text: h })))),
        el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c, i) => (i
          ? el("td", { class: "num" }, c) : el("th", { scope: "row" }, c))))))))
      : el("p", { class: "hint", text: empty }));
}

const PRECISION_HEAD = ["", "decididos", "confirmados", "corrigidos", "rejeitados", "pendentes", "precisão", "IC 95 %"];
const precisionCells = (label, r) => [label, String(r.decided), String(r.confirmed), String(r.corrected),
  String(r.rejected), String(r.pending), pct(r.precision), interval(r)];

function dropText(d) {
  return `${d.extractor}: ${pct(d.precision)} neste relatório contra ${pct(d.running_precision)} antes ` +
    `(queda de ${pct(d.drop)}, ${d.decided} decididos)`;
}

function render(q) {
  const parts = [];
  parts.push(el("p", { class: "summary", text:
    `Precisão geral: ${pct(q.all.precision)} (IC 95 % ${interval(q.all)}) em ${q.all.decided} fatos decididos; ` +
    `${q.misses.all} fatos adicionados à mão. Calculado em ${new Date(q.generated_at).toLocaleString("pt-BR")}.` }));
  if (q.drift.length) {
    parts.push(el("section", { class: "card" }, el("h3", { text: "Quedas de precisão" }),
      el("ul", {}, q.drift.map((d) => el("li", { class: "drift", text: `Relatório nº ${d.report_id} — ${dropText(d)}` })))));
  }
  parts.push(table("Por extrator", ["extrator", ...PRECISION_HEAD.slice(1)], q.by_extractor.map((r) => precisionCells(r.key, r))));
  parts.push(table("Por tipo de fato", ["tipo", ...PRECISION_HEAD.slice(1)], q.by_kind.map((r) => precisionCells(kindName(r.key), r))));
  parts.push(table("Por série", ["série", ...PRECISION_HEAD.slice(1)], q.by_series.map((r) => precisionCells(r.key ?? "sem série", r))));
  parts.push(table("Por relatório", ["relatório", ...PRECISION_HEAD.slice(1), "adicionados", "queda"],
    q.by_report.map((r) => [...precisionCells(`nº ${r.report_id} · ${r.filename}`, r), String(r.added),
      r.drift.length ? el("span", { class: "flag drift", title: r.drift.map(dropText).join("; "), text: "queda de precisão" }) : "—"])));
  parts.push(table("Fatos que faltaram (adicionados à mão), por tipo", ["tipo", "adicionados"],
    q.misses.by_kind.map((m) => [kindName(m.key), String(m.added)]), "nenhum fato adicionado à mão"));
  const recall = (label, r) => [label, String(r.pages), String(r.found), String(r.corrected), String(r.added),
    String(r.pending), pct(r.recall), interval(r)];
  parts.push(table("Cobertura nas páginas revisadas por completo",
    ["escopo", "páginas", "achados", "corrigidos", "adicionados", "pendentes", "cobertura", "IC 95 %"],
    [recall("tudo", q.recall.all), ...q.recall.by_kind.map((r) => recall(kindName(r.key), r)),
      ...q.recall.by_report.map((r) => recall(`relatório nº ${r.report_id}`, r))].filter((row) => row[1] !== "0"),
    "nenhuma página marcada como revisada por completo"));
  parts.push(table(`Confiança da extração contra precisão observada (ECE ${pct(q.reliability.ece)})`,
    ["faixa de confiança", "decididos", "confirmados", "confiança média", "precisão", "IC 95 %"],
    q.reliability.bins.filter((b) => b.decided).map((b) => [`${pct(b.bin_low)} a ${pct(b.bin_high)}`, String(b.decided),
      String(b.confirmed), pct(b.mean_confidence), pct(b.precision), interval(b)])));
  parts.push(table(`Confiança reajustada pelas decisões (extratores com ${q.refit_min_decided} ou mais decididos)`,
    ["extrator", "decididos", "confirmados", "reajustado em"],
    q.refits.map((r) => [r.extractor, String(r.decided), String(r.confirmed),
      r.fitted_at ? new Date(r.fitted_at).toLocaleString("pt-BR") : "—"]),
    `nenhum extrator com ${q.refit_min_decided} decididos ainda`));
  $("quality-body").replaceChildren(...parts);
}

export async function showQuality() {
  $("quality-status").textContent = "carregando…";
  try {
    render(await opapi.quality());
    $("quality-status").textContent = "";
  } catch (err) {
    $("quality-body").replaceChildren();
    $("quality-status").textContent = explain(err);
  }
}

/** Report id -> its precision drops, as text (empty when the figures cannot be had: the
 * reports table must not fail with them). */
export async function driftByReport() {
  const out = new Map();
  try {
    const q = await opapi.quality();
    for (const d of q.drift) {
      if (!out.has(d.report_id)) out.set(d.report_id, []);
      out.get(d.report_id).push(dropText(d));
    }
  } catch {
    // the next refresh asks again
  }
  return out;
}
