// One initiative over the editions of its report series: a small SVG chart of its
// counts (one row per unit) and what changed since the previous edition.
// Self-contained: give it an element and either the data (renderInitiativeHistory)
// or a way to fetch it (showInitiativeHistory). Everything is built with DOM calls
// and textContent, never innerHTML, so report text cannot inject markup.

import { QUALIFIER_LABELS } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const ROW_H = 46;
const WIDTH = 300;
const PAD = { left: 8, right: 8, top: 14, bottom: 6 };
const NUMBER = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 2 });

function h(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function s(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function show(value) {
  if (typeof value === "number") return NUMBER.format(value);
  if (value && typeof value === "object" && "start" in value) return `${value.start} a ${value.end}`;
  return String(value ?? "");
}

/** Rows of the chart: per count series, its points by edition (status dates, oldest first). */
function chartRows(series) {
  const editions = series.editions.map((e) => e.status_date);
  return series.counts
    .filter((c) => c.points.length > 0)
    .map((c) => ({
      label: [c.unit || "(sem unidade)",
        c.qualifier && c.qualifier !== "exact" ? `(${QUALIFIER_LABELS[c.qualifier] || "qualificado"})` : ""].join(" ").trim(),
      points: c.points.map((p) => ({ x: editions.indexOf(p.status_date), value: Number(p.value), date: p.status_date })),
    }));
}

function drawRow(svg, row, index, columns) {
  const top = index * ROW_H + PAD.top;
  const values = row.points.map((p) => p.value);
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const span = WIDTH - PAD.left - PAD.right;
  const x = (col) => PAD.left + (columns > 1 ? (col / (columns - 1)) * span : span / 2);
  const y = (v) => top + (ROW_H - PAD.top - PAD.bottom) * (hi === lo ? 0.5 : 1 - (v - lo) / (hi - lo));
  svg.append(s("text", { x: PAD.left, y: top - 3, class: "series-label", "font-size": 10 }, row.label));
  const single = new Set(row.points.map((p) => p.x)).size === row.points.length;
  if (single && row.points.length > 1) {
    const sorted = [...row.points].sort((a, b) => a.x - b.x);
    for (let i = 1; i < sorted.length; i += 1) {
      const [a, b] = [sorted[i - 1], sorted[i]];
      const fell = b.value < a.value;
      svg.append(s("line", {
        x1: x(a.x), y1: y(a.value), x2: x(b.x), y2: y(b.value),
        class: fell ? "series-line series-fell" : "series-line",
        stroke: fell ? "#b3261e" : "#1f5fa8", "stroke-width": 2,
      }));
    }
  }
  for (const p of row.points) {
    const dot = s("circle", { cx: x(p.x), cy: y(p.value), r: 3, class: "series-dot", fill: "#1f5fa8" });
    dot.append(s("title", {}, `${p.date}: ${show(p.value)}`));
    svg.append(dot);
  }
  const last = row.points.reduce((a, b) => (b.x >= a.x ? b : a));
  svg.append(s("text", { x: WIDTH - PAD.right, y: top - 3, "text-anchor": "end", class: "series-value", "font-size": 10 },
    show(last.value)));
}

/** An SVG chart of the initiative's count series (one row per unit), or null without counts. */
export function seriesChart(series) {
  const rows = chartRows(series);
  if (rows.length === 0) return null;
  const columns = series.editions.length;
  const height = rows.length * ROW_H + 16;
  const svg = s("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "img", class: "series-chart",
    "aria-label": `Contagens por edição: ${rows.map((r) => r.label).join(", ")}`,
  });
  rows.forEach((row, i) => drawRow(svg, row, i, columns));
  series.editions.forEach((e, i) => {
    const x = PAD.left + (columns > 1 ? (i / (columns - 1)) * (WIDTH - PAD.left - PAD.right) : (WIDTH - PAD.left - PAD.right) / 2);
    svg.append(s("text", { x, y: height - 2, "text-anchor": i === 0 ? "start" : i === columns - 1 ? "end" : "middle",
      class: "series-axis", "font-size": 9 }, e.status_date || "?"));
  });
  return svg;
}

function factLine(prefix, fact) {
  const unit = fact.unit ? ` ${fact.unit}` : "";
  return h("li", { class: `diff-${prefix}` }, `${{ added: "+", removed: "−" }[prefix]} ${fact.text} (${show(fact.value)}${unit}; p. ${fact.page})`);
}

/** A list of what changed in one initiative since the other edition (an entry of /diff). */
export function diffList(entry, againstDate) {
  const list = h("ul", { class: "diff-list", "aria-label": `Mudanças desde ${againstDate || "a edição anterior"}` });
  if (entry.renamed) list.append(h("li", { class: "diff-renamed" }, `Título antes: ${entry.previous_title}`));
  for (const change of entry.facts_changed) {
    const fell = typeof change.after.value === "number" && change.after.value < change.before.value;
    list.append(h("li", { class: fell ? "diff-changed diff-fell" : "diff-changed" },
      `~ ${change.after.text}: ${show(change.before.value)} → ${show(change.after.value)} (p. ${change.before.page} → ${change.after.page})`));
  }
  entry.facts_added.forEach((f) => list.append(factLine("added", f)));
  entry.facts_removed.forEach((f) => list.append(factLine("removed", f)));
  list.append(h("li", { class: "diff-unchanged" }, `${entry.unchanged} ${entry.unchanged === 1 ? "fato" : "fatos"} sem mudança`));
  return list;
}

/** The review assist of one fact (from its `assist` field) as a sentence, or null. */
export function assistNote(fact) {
  const assist = fact && fact.assist;
  if (!assist) return null;
  if (assist.moved_backwards) {
    return h("p", { class: "assist assist-backwards", role: "note" },
      `Atenção: a contagem caiu desde a edição anterior (antes: ${show(assist.previous_value)}).`);
  }
  if (assist.unchanged_since) {
    return h("p", { class: "assist assist-unchanged", role: "note" },
      `Sem mudança desde ${assist.unchanged_since} (confirmado).`);
  }
  return null;
}

/** Render the chart and the diff into `element` (replacing its content). */
export function renderInitiativeHistory(element, { series, diffEntry, againstDate, isNew, fact }) {
  element.replaceChildren();
  const note = assistNote(fact);
  if (note) element.append(note);
  const chart = series ? seriesChart(series) : null;
  if (chart) element.append(chart);
  else element.append(h("p", { class: "series-empty" }, "Sem contagens confirmadas em outras edições."));
  if (diffEntry) element.append(diffList(diffEntry, againstDate));
  else if (isNew) element.append(h("p", { class: "diff-new" }, "Iniciativa nova nesta edição."));
}

const diffs = new Map();

/** Fetch (with `getJson(path)`, which adds the token) and render one initiative's history. */
export async function showInitiativeHistory(element, { key, reportId, getJson, fact, mayHavePrevious = true }) {
  if (!key) {
    element.replaceChildren(h("p", { class: "series-empty" }, "Fato fora de iniciativa, ou iniciativa ainda sem vínculo."));
    return;
  }
  const series = await getJson(`/api/v1/initiatives/${encodeURIComponent(key)}/series?facts=all`);
  // A first edition has no diff (404): ask only when the initiative was in an earlier edition,
  // or the caller knows of an earlier report that may be one.
  const seen = series.editions.findIndex((e) => e.report_id === reportId);
  const diff = seen > 0 || mayHavePrevious ? await diffFor(reportId, getJson) : null;
  const diffEntry = diff ? diff.initiatives.find((i) => i.key === key) : null;
  const isNew = diff ? diff.added.some((i) => i.key === key) : false;
  renderInitiativeHistory(element, { series, diffEntry, againstDate: diff && diff.against_status_date, isNew, fact });
}

function diffFor(reportId, getJson) {
  if (!diffs.has(reportId)) {
    diffs.set(reportId, getJson(`/api/v1/reports/${reportId}/diff?against=previous`).catch(() => null));
  }
  return diffs.get(reportId);
}

/** Forget cached diffs (after a review changed a report). */
export function clearHistoryCache() {
  diffs.clear();
}
