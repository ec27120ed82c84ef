// Labels and value formatting in pt-BR. Values stay as the API gives them;
// this only decides how a person reads them.

export const KIND_LABELS = {
  date: "Data", period: "Período", count: "Contagem", percentage: "Percentual",
  money: "Valor em R$", municipality: "Município",
};
export const STATUS_LABELS = {
  pending: "Pendente", confirmed: "Confirmado", corrected: "Corrigido", rejected: "Rejeitado",
};
export const ACTION_LABELS = {
  confirm: "confirmou", correct: "corrigiu", reject: "rejeitou", reopen: "reabriu", revert: "desfez",
  create: "adicionou", move: "moveu de iniciativa", reextract: "reextraiu", orphan: "não reencontrou",
};
export const QUALIFIER_LABELS = {
  exact: "exato", at_least: "pelo menos", approx: "aproximado", target: "meta", at_most: "no máximo",
};
/** The extractor that found a fact ("rules.count", "ner.municipality") as a reviewer reads it;
 * a trailing mark says how its text was read ("rules.count.ocr": the text came from OCR). */
const EXTRACTOR_METHODS = { rules: "regras de texto", ner: "reconhecimento de nomes", table: "tabela" };
const EXTRACTOR_MARKS = { ocr: "texto lido por OCR", fuzzy: "grafia aproximada" };
export function extractorLabel(name) {
  const [method, kind, ...marks] = String(name || "").split(".");
  const how = EXTRACTOR_METHODS[method] || "extrator automático";
  const label = kind && KIND_LABELS[kind] ? `${how} (${KIND_LABELS[kind].toLowerCase()})` : how;
  const notes = marks.map((m) => EXTRACTOR_MARKS[m]).filter(Boolean);
  return notes.length ? `${label}, ${notes.join(", ")}` : label;
}
const MONTHS = ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"];
const number = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 4 });
const money = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });
const when = new Intl.DateTimeFormat("pt-BR", { dateStyle: "short", timeStyle: "short" });

/** "2024-11" -> "nov/2024", "2024-11-06" -> "06/11/2024", "2024" -> "2024". */
export function isoReadable(iso) {
  const [y, m, d] = String(iso).split("-");
  if (d) return `${d}/${m}/${y}`;
  if (m) return `${MONTHS[Number(m) - 1] || m}/${y}`;
  return y;
}

export function formatValue(kind, value, name) {
  if (value === null || value === undefined) return "—";
  switch (kind) {
    case "date": return `${value} (${isoReadable(value)})`;
    case "period": return `${value.start} a ${value.end} (${isoReadable(value.start)} a ${isoReadable(value.end)})`;
    case "count": return number.format(value);
    case "percentage": return `${number.format(value)}%`;
    case "money": return money.format(value);
    case "municipality": return name ? `${name} (IBGE ${value})` : `IBGE ${value}`;
    default: return JSON.stringify(value);
  }
}

/** A value as the editor's input shows it: text that POST /parse reads back to the same value
 * (the editor starts from the fact's current value, not from the extracted text). */
export function editableText(kind, value) {
  if (value === null || value === undefined) return "";
  switch (kind) {
    case "date": return String(value);
    case "period": return `${value.start} a ${value.end}`;
    case "count": return number.format(value);
    case "percentage": return `${number.format(value)}%`;
    case "money": return `R$ ${number.format(value)}`;
    default: return String(value);
  }
}

export function formatSnapshot(kind, snap) {
  if (!snap) return "—";
  const parts = [STATUS_LABELS[snap.status] || snap.status, formatValue(kind, snap.value, snap.name)];
  if (snap.unit) parts.push(snap.unit);
  if (snap.qualifier && snap.qualifier !== "exact") parts.push(QUALIFIER_LABELS[snap.qualifier] || snap.qualifier);
  return parts.join(" · ");
}

export const formatWhen = (iso) => when.format(new Date(iso));
export const formatConfidence = (c) => `${Math.round(c * 100)}%`;
/** What the queue orders by: the confidence refitted on this deployment's decisions once the
 * fact's extractor has enough of them, else the extraction's. */
export const queueConfidence = (f) => f.refitted_confidence ?? f.confidence;
export const areaLabel = (area) => (area ? `Área ${area.number ?? "—"} · ${area.name}` : "Sem área");

/** Build an element: el("li", {class: "x", onclick: f}, child, "text"). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** A re-issue's suggestion: "Igual à decisão em relatório 4: corrigido para 13.000 · pessoas." */
export function previousDecision(kind, previous) {
  const value = [formatValue(kind, previous.value, previous.name), previous.unit,
    previous.qualifier && previous.qualifier !== "exact" ? QUALIFIER_LABELS[previous.qualifier] : null];
  const what = previous.status === "corrected" ? `corrigido para ${value.filter(Boolean).join(" · ")}`
    : (STATUS_LABELS[previous.status] || previous.status).toLowerCase();
  return `Igual à decisão em relatório ${previous.report_id}: ${what}.`;
}
