// The queue: filters, the list of facts (lowest confidence first: the refitted one where the
// extractor has one, as GET /api/v1/extractions?order=queue) and bulk selection.
// The list keeps what the filters chose until they change, so a fact you just
// confirmed stays in place (with its new status) and j/k still walk the same list.

import { KIND_LABELS, STATUS_LABELS, areaLabel, el, formatConfidence, previousDecision, queueConfidence } from "./format.js";

const ALL = "";
const NO_INITIATIVE = "(capa ou encerramento)";

export const areaKey = (fact) => (fact.initiative.area ? `${fact.initiative.area.number}|${fact.initiative.area.name}` : "-");
export const initiativeKey = (fact) => fact.initiative.title || NO_INITIATIVE;

function fillSelect(select, options, keep) {
  select.replaceChildren(...options.map(([value, label]) => el("option", { value, text: label })));
  select.value = options.some(([v]) => v === keep) ? keep : ALL;
}

export class Queue {
  constructor(doc, { onSelect }) {
    this.doc = doc;
    this.list = doc.getElementById("queue-list");
    this.summary = doc.getElementById("queue-summary");
    this.selectVisible = doc.getElementById("select-visible");
    this.bulkButton = doc.getElementById("bulk-confirm");
    this.selects = {
      area: doc.getElementById("filter-area"), initiative: doc.getElementById("filter-initiative"),
      kind: doc.getElementById("filter-kind"), status: doc.getElementById("filter-status"),
    };
    this.facts = [];
    this.visible = [];
    this.selected = new Set();
    this.currentId = null;
    this.ended = false; // past the last fact: "fila concluída", nothing to act on
    this.viewers = new Map(); // extraction id -> [{reviewer, yours}] of other live tabs
    this.onSelect = onSelect;
    fillSelect(this.selects.kind, [[ALL, "Todos os tipos"], ...Object.entries(KIND_LABELS)], ALL);
    fillSelect(this.selects.status, [[ALL, "Todas as situações"], ...Object.entries(STATUS_LABELS)], "pending");
    this.selects.status.value = "pending";
  }

  /** New facts (another report, or a reload): rebuild filter options and the list. */
  load(facts) {
    this.facts = facts;
    this.selected.clear();
    this.refreshFilterOptions();
    this.applyFilters();
  }

  refreshFilterOptions() {
    const areas = new Map(this.facts.map((f) => [areaKey(f), areaLabel(f.initiative.area)]));
    fillSelect(this.selects.area, [[ALL, "Todas as áreas"], ...[...areas].sort((a, b) => a[1].localeCompare(b[1], "pt-BR"))],
      this.selects.area.value);
    const area = this.selects.area.value;
    const titles = new Set(this.facts.filter((f) => !area || areaKey(f) === area).map(initiativeKey));
    fillSelect(this.selects.initiative, [[ALL, "Todas as iniciativas"], ...[...titles].sort().map((t) => [t, t])],
      this.selects.initiative.value);
  }

  applyFilters() {
    const { area, initiative, kind, status } = Object.fromEntries(
      Object.entries(this.selects).map(([k, s]) => [k, s.value]));
    this.visible = this.facts
      .filter((f) => (!area || areaKey(f) === area) && (!initiative || initiativeKey(f) === initiative)
        && (!kind || f.kind === kind) && (!status || f.status === status))
      .sort((a, b) => queueConfidence(a) - queueConfidence(b) || a.confidence - b.confidence || a.id - b.id);
    for (const id of [...this.selected]) if (!this.visible.some((f) => f.id === id)) this.selected.delete(id);
    this.ended = false;
    if (!this.visible.some((f) => f.id === this.currentId)) this.currentId = this.visible[0]?.id ?? null;
    this.render();
    this.onSelect(this.current());
  }

  current() {
    if (this.ended) return null;
    return this.visible.find((f) => f.id === this.currentId) || null;
  }

  /** Other tabs' open facts (PUT /presence): marked in their rows. */
  setViewers(viewers) {
    const next = new Map();
    for (const v of viewers) next.set(v.extraction_id, [...(next.get(v.extraction_id) || []), v]);
    const same = JSON.stringify([...next]) === JSON.stringify([...this.viewers]);
    this.viewers = next;
    if (!same) this.render();
  }

  /** A re-issue's pending facts whose twin in the edition it repeats was decided. */
  previousPending() {
    return this.facts.filter((f) => f.status === "pending" && f.assist?.previous_decision);
  }

  /** Pending facts the assist found unchanged since a confirmed earlier edition. */
  unchangedPending() {
    return this.facts.filter((f) => f.status === "pending" && f.assist?.unchanged_since);
  }

  replace(fact) {
    const swap = (arr) => { const i = arr.findIndex((f) => f.id === fact.id); if (i >= 0) arr[i] = fact; };
    swap(this.facts);
    swap(this.visible);
    this.render();
  }

  move(step) {
    if (this.ended) {
      if (step < 0 && this.visible.length) this.select(this.visible[this.visible.length - 1].id);
      return;
    }
    const i = this.visible.findIndex((f) => f.id === this.currentId);
    const next = this.visible[Math.min(this.visible.length - 1, Math.max(0, i + step))];
    if (next && next.id !== this.currentId) this.select(next.id);
  }

  neighbour(step) {
    const i = this.visible.findIndex((f) => f.id === this.currentId);
    return this.visible[i + step] || null;
  }

  /** Past the last fact: no current fact until k (or a click) goes back. */
  finish() {
    this.ended = true;
    this.render();
    this.onSelect(null);
  }

  select(id) {
    this.ended = false;
    this.currentId = id;
    this.render();
    this.onSelect(this.current());
  }

  toggle(id, on = !this.selected.has(id)) {
    if (on) this.selected.add(id); else this.selected.delete(id);
    this.render();
  }

  toggleVisible(on) {
    this.selected = new Set(on ? this.visible.filter((f) => f.status !== "confirmed").map((f) => f.id) : []);
    this.render();
  }

  /** The selected facts that a bulk confirm would change. */
  bulkTargets() {
    return this.visible.filter((f) => this.selected.has(f.id) && f.status !== "confirmed");
  }

  render() {
    const items = this.visible.map((f) => this.item(f));
    this.list.replaceChildren(...items);
    const n = this.bulkTargets().length;
    this.bulkButton.textContent = `Confirmar (${n})`;
    this.bulkButton.setAttribute("aria-label", n === 1 ? "Confirmar o fato selecionado" : `Confirmar os ${n} fatos selecionados`);
    this.bulkButton.disabled = n === 0;
    const open = this.visible.filter((f) => f.status !== "confirmed");
    this.selectVisible.checked = open.length > 0 && open.every((f) => this.selected.has(f.id));
    this.summary.textContent = `${this.visible.length} de ${this.facts.length} ${this.facts.length === 1 ? "fato" : "fatos"} com estes filtros`
      + (this.selected.size ? ` · ${this.selected.size} ${this.selected.size === 1 ? "selecionado" : "selecionados"}` : "");
    const unchanged = this.unchangedPending().length;
    const button = this.doc.getElementById("confirm-unchanged");
    if (button) {
      button.hidden = unchanged === 0;
      button.textContent = `Confirmar sem mudança (${unchanged})`;
      button.setAttribute("aria-label", unchanged === 1 ? "Confirmar o fato sem mudança desde a edição anterior"
        : `Confirmar os ${unchanged} fatos sem mudança desde a edição anterior`);
    }
    const previous = this.previousPending().length;
    const apply = this.doc.getElementById("apply-previous");
    if (apply) {
      apply.hidden = previous === 0;
      apply.textContent = `Aplicar as decisões anteriores (${previous})`;
      apply.setAttribute("aria-label", previous === 1 ? "Aplicar ao fato pendente a decisão tomada antes na mesma edição"
        : `Aplicar aos ${previous} fatos pendentes as decisões tomadas antes na mesma edição`);
    }
    if (this.currentId !== null && !this.ended) {
      this.list.setAttribute("aria-activedescendant", `q-${this.currentId}`);
      this.list.querySelector(`#q-${this.currentId}`)?.scrollIntoView({ block: "nearest" });
    } else {
      this.list.removeAttribute("aria-activedescendant");
    }
  }

  item(f) {
    // The bulk-selection box is drawn, not an <input>: a control inside an option is an
    // interactive element nested in another (axe "nested-interactive"). The option itself
    // says whether it is marked (aria-checked); Space or a click on the box toggles it.
    const marked = this.selected.has(f.id);
    const box = el("span", {
      class: `q-check${marked ? " on" : ""}`, "aria-hidden": "true", title: "Marcar para confirmação em lote (Espaço)",
      onclick: (ev) => { ev.stopPropagation(); this.toggle(f.id); },
    });
    return el("li", {
      id: `q-${f.id}`, role: "option", "aria-selected": String(f.id === this.currentId && !this.ended),
      "aria-checked": String(marked),
      class: `q-item status-${f.status}${f.id === this.currentId && !this.ended ? " current" : ""}`,
      "data-id": f.id, onclick: () => this.select(f.id),
    },
    box,
    el("span", { class: `kind kind-${f.kind}`, text: KIND_LABELS[f.kind] }),
    el("span", { class: "q-text", text: f.text, title: f.initiative.title || NO_INITIATIVE }),
    el("span", { class: "q-meta" },
      el("span", { class: `badge ${f.status}`, text: STATUS_LABELS[f.status] }),
      assistFlag(f), presenceFlag(this.viewers.get(f.id)),
      el("span", { class: "conf", text: formatConfidence(queueConfidence(f)),
        "aria-label": `confiança ${formatConfidence(queueConfidence(f))}${f.refitted_confidence == null ? "" : " pelas revisões"}` }),
      el("span", { class: "q-initiative", text: f.initiative.title || NO_INITIATIVE })));
  }
}

/** The review assist in a row: "sem mudança" (same as a confirmed earlier edition) or
 * "contagem caiu" (a running total that went down: look twice). */
function assistFlag(f) {
  if (f.assist?.moved_backwards) {
    return el("span", { class: "flag flag-fell", text: "contagem caiu",
      title: `A contagem caiu desde a edição anterior (antes: ${f.assist.previous_value})` });
  }
  if (f.assist?.previous_decision) {
    return el("span", { class: "flag flag-same", text: "decidido antes",
      title: previousDecision(f.kind, f.assist.previous_decision) });
  }
  if (f.assist?.unchanged_since) {
    return el("span", { class: "flag flag-same", text: "sem mudança",
      title: `Igual à edição de ${f.assist.unchanged_since}, já confirmada` });
  }
  return null;
}

/** Another live tab shows this fact: someone else's, or one of yours. */
function presenceFlag(viewers) {
  if (!viewers?.length) return null;
  const others = viewers.filter((v) => !v.yours).map((v) => v.reviewer);
  const text = others.length ? `em revisão por ${[...new Set(others)].join(", ")}` : "aberto em outra aba sua";
  return el("span", { class: others.length ? "flag flag-busy" : "flag flag-mine", text, title: text });
}
