// The current fact: where it comes from, its value, and its history.

import {
  ACTION_LABELS, KIND_LABELS, QUALIFIER_LABELS, STATUS_LABELS, areaLabel, el, extractorLabel, formatConfidence,
  formatSnapshot, formatValue, formatWhen, previousDecision,
} from "./format.js";

const $ = (id) => document.getElementById(id);

export function renderFact(fact) {
  $("fact-empty").hidden = Boolean(fact);
  $("fact-body").hidden = !fact;
  if (!fact) return;
  $("fact-area").textContent = fact.initiative.title ? areaLabel(fact.initiative.area) : "Fora das iniciativas";
  const title = fact.initiative.title || "Capa, apresentação ou encerramento do relatório";
  $("fact-initiative").replaceChildren(fact.initiative.key
    ? el("a", { href: `/review/initiatives/${encodeURIComponent(fact.initiative.key)}`, text: title,
      title: "Página da iniciativa: todas as edições, gráfico, mudanças, juntar ou separar" })
    : title);
  $("fact-kind").textContent = KIND_LABELS[fact.kind] || fact.kind;
  $("fact-value").textContent = formatValue(fact.kind, fact.value, fact.name);
  $("fact-unit").textContent = fact.unit || "—";
  $("fact-qualifier").textContent = fact.qualifier ? QUALIFIER_LABELS[fact.qualifier] || fact.qualifier : "—";
  $("fact-extractor").textContent = extractorLabel(fact.extractor);
  $("fact-extractor").title = `Extrator: ${extractorLabel(fact.extractor)}`;
  $("fact-confidence").textContent = formatConfidence(fact.confidence);
  $("fact-refitted").textContent = fact.refitted_confidence == null
    ? "— (menos de 50 decisões deste extrator)" : formatConfidence(fact.refitted_confidence);
  const previous = fact.assist?.previous_decision;
  $("fact-previous").hidden = !previous;
  $("fact-previous").textContent = previous ? `${previousDecision(fact.kind, previous)}${fact.status === "pending" ? ""
    : " (já decidido aqui)"}` : "";
  const status = $("fact-status");
  status.replaceChildren(el("span", { class: `badge ${fact.status}`, text: STATUS_LABELS[fact.status] }),
    ` versão ${fact.version}` + (fact.reviewed_by ? ` · ${fact.reviewed_by}` : ""));
}

/** The source sentence with the fact's words marked; the fact's text alone if it was not found. */
export function renderSentence(fact, source) {
  const box = $("fact-sentence");
  if (!source || source.sentence === null || source.mark_start === null) {
    box.replaceChildren(el("mark", { text: fact.text }),
      el("small", { class: "hint", text: " (frase de origem não encontrada no texto da iniciativa)" }));
    return;
  }
  const s = source.sentence;
  box.replaceChildren(s.slice(0, source.mark_start), el("mark", { text: s.slice(source.mark_start, source.mark_end) }),
    s.slice(source.mark_end));
}

/** `titleOf(initiativeId)` names a move's initiatives (a move changes only that). */
export function renderHistory(fact, events, titleOf = null) {
  const list = $("history-list");
  if (!events.length) {
    list.replaceChildren(el("li", { class: "hint", text: "Ainda não revisado." }));
    return;
  }
  list.replaceChildren(...[...events].reverse().map((e) => el("li", {},
    el("div", { class: "who" }, el("strong", { text: e.actor }), ` ${ACTION_LABELS[e.action] || e.action} · `,
      el("time", { datetime: e.at, text: formatWhen(e.at) })),
    e.action === "move" && titleOf
      ? el("div", { class: "change" }, el("span", { text: titleOf(e.before?.initiative_id ?? null) }), " → ",
        el("span", { text: titleOf(e.after?.initiative_id ?? null) }))
      : el("div", { class: "change" }, el("span", { text: formatSnapshot(fact.kind, e.before) }), " → ",
        el("span", { text: formatSnapshot(fact.kind, e.after) })),
    e.note ? el("div", { class: "note", text: `“${e.note}”` }) : null)));
}
