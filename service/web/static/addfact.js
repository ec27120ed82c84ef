// Adding a fact the extraction missed: the reviewer drags a box around the printed text on
// the page image (or selects a span of the fact's source text); the words printed there are
// read from the page as the extraction read them (GET .../pages/{n}/text, OCR on a scan) and
// parsed by POST /parse into a value of the kind the reviewer picks, shown in the preview;
// saved with POST /api/v1/extractions: stored confirmed, extractor "reviewer", with history.

import { api } from "./api.js";
import { KIND_LABELS, QUALIFIER_LABELS, el, formatValue } from "./format.js";

const $ = (id) => document.getElementById(id);
const MIN_BOX_PX = 6; // a click, not a drag

/** Drawing on the page frame; `onBox({page, bbox})` gets the box in PDF points. */
export class BoxDrawer {
  constructor(viewer, onBox) {
    this.viewer = viewer;
    this.onBox = onBox;
    this.frame = $("page-frame");
    this.box = el("div", { id: "draw-box", class: "draw-box", hidden: true });
    this.frame.append(this.box);
    this.start = null;
    this.frame.addEventListener("pointerdown", (ev) => this.down(ev));
    this.frame.addEventListener("pointermove", (ev) => this.move(ev));
    this.frame.addEventListener("pointerup", (ev) => this.up(ev));
  }

  get on() { return this.frame.classList.contains("drawing"); }

  toggle(on = !this.on) {
    this.frame.classList.toggle("drawing", on);
    $("add-fact").setAttribute("aria-pressed", String(on));
    if (!on) { this.box.hidden = true; this.start = null; }
  }

  point(ev) {
    const r = this.frame.getBoundingClientRect();
    return { x: Math.min(Math.max(ev.clientX - r.left, 0), r.width), y: Math.min(Math.max(ev.clientY - r.top, 0), r.height) };
  }

  down(ev) {
    if (!this.on) return;
    ev.preventDefault();
    this.frame.setPointerCapture?.(ev.pointerId);
    this.start = this.point(ev);
    this.draw(this.start);
    this.box.hidden = false;
  }

  move(ev) { if (this.on && this.start) this.draw(this.point(ev)); }

  draw(p) {
    const s = this.start;
    Object.assign(this.box.style, {
      left: `${Math.min(s.x, p.x)}px`, top: `${Math.min(s.y, p.y)}px`,
      width: `${Math.abs(p.x - s.x)}px`, height: `${Math.abs(p.y - s.y)}px`,
    });
  }

  up(ev) {
    if (!this.on || !this.start) return;
    const s = this.start, p = this.point(ev);
    this.start = null;
    if (Math.abs(p.x - s.x) < MIN_BOX_PX || Math.abs(p.y - s.y) < MIN_BOX_PX) { this.box.hidden = true; return; }
    const { page, width, height } = this.viewer.pageSize();
    const r = this.frame.getBoundingClientRect();
    const sx = width / r.width, sy = height / r.height;
    const round = (v) => Math.round(v * 10) / 10;
    const bbox = [Math.min(s.x, p.x) * sx, Math.min(s.y, p.y) * sy, Math.max(s.x, p.x) * sx, Math.max(s.y, p.y) * sy].map(round);
    this.frame.classList.remove("drawing");
    this.onBox({ page, bbox });
  }
}

/** The report's initiatives (GET /reports/{id}/initiatives) as <option>s, the ones printed on
 * `page` first: the likeliest home of a fact printed there. `except` (an id) is left out. */
export function initiativeOptions(initiatives, page, { except = null } = {}) {
  return initiatives.filter((i) => i.pages.includes(page)).concat(initiatives.filter((i) => !i.pages.includes(page)))
    .filter((i) => i.id !== except).map((i) => el("option", { value: i.id, text: i.title }));
}

/** The form that reads the value and saves the new fact; `saved(fact)` gets what the API stored. */
export function openAddForm({ report, page, bbox, initiatives, statusDate, saved, printed }) {
  const form = $("add-form");
  const kind = $("add-kind"), text = $("add-value"), unit = $("add-unit"), qualifier = $("add-qualifier");
  const initiative = $("add-initiative"), preview = $("add-preview"), error = $("add-error");
  kind.replaceChildren(...Object.entries(KIND_LABELS).map(([k, label]) => el("option", { value: k, text: label })));
  kind.value = "count";
  qualifier.replaceChildren(...Object.entries(QUALIFIER_LABELS).map(([q, label]) => el("option", { value: q, text: label })));
  qualifier.value = "exact";
  initiative.replaceChildren(el("option", { value: "", text: "— fora de uma iniciativa —" }),
    ...initiativeOptions(initiatives, page));
  const here = initiatives.find((i) => i.pages.includes(page));
  initiative.value = here ? String(here.id) : "";
  text.value = ""; unit.value = ""; error.textContent = ""; preview.textContent = "";
  $("add-where").textContent = `Página ${page}, caixa [${bbox.join(", ")}] pt`;
  form.hidden = false;
  text.focus();
  let parsed = null;
  const countOnly = () => { for (const n of form.querySelectorAll(".count-only")) n.hidden = kind.value !== "count"; };
  countOnly();
  const read = async () => {
    parsed = null;
    const typed = text.value.trim();
    if (!typed) { preview.textContent = ""; return; }
    try {
      const r = await api.parse(kind.value, typed, statusDate);
      if (text.value.trim() !== typed) return;
      parsed = r;
      if (kind.value === "count" && r.unit && !unit.value.trim()) unit.value = r.unit;
      if (kind.value === "count" && r.qualifier && r.qualifier !== "exact") qualifier.value = r.qualifier;
      preview.textContent = `→ ${formatValue(kind.value, r.value, r.name)}`
        + (kind.value === "count" ? ` (${QUALIFIER_LABELS[qualifier.value]})` : "");
    } catch {
      if (text.value.trim() === typed) preview.textContent = `Não entendi “${typed.slice(0, 60)}” como ${KIND_LABELS[kind.value].toLowerCase()}.`;
    }
  };
  text.oninput = read;
  if (printed) { // the words under the box, read from the page as the extraction read them
    preview.textContent = "Lendo o texto impresso na caixa…";
    printed.then((words) => {
      if (form.hidden || text.value.trim()) return; // closed, or the reviewer typed first
      if (!words) { preview.textContent = "Nenhum texto impresso nesta caixa: digite o valor como impresso."; return; }
      text.value = words;
      read();
    }, () => { if (!text.value.trim()) preview.textContent = "Não consegui ler o texto da caixa: digite o valor como impresso."; });
  }
  kind.onchange = () => { countOnly(); read(); };
  $("add-cancel").onclick = () => { form.hidden = true; $("draw-box").hidden = true; };
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    await read();
    if (!parsed) { error.textContent = "Digite um valor que se leia como o tipo escolhido. Nada foi salvo."; return; }
    const body = {
      report_id: report.id, page, bbox, kind: kind.value, value: parsed.value, text: text.value.trim(),
      initiative_id: initiative.value ? Number(initiative.value) : null, note: $("add-note").value.trim() || null,
    };
    if (kind.value === "count") { body.unit = unit.value.trim() || null; body.qualifier = qualifier.value; }
    try {
      const fact = await api.addFact(body);
      form.hidden = true;
      $("draw-box").hidden = true;
      saved(fact);
    } catch (err) {
      error.textContent = err.detail || "O serviço recusou o fato. Nada foi salvo.";
    }
  };
}
