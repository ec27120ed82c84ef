// Correction editors, one per kind of fact. Nothing is parsed here: what the
// reviewer types goes to POST /api/v1/parse (the extractor's own rules) and the
// municipality picker searches GET /api/v1/municipalities.

import { api, ApiError } from "./api.js";
import { KIND_LABELS, QUALIFIER_LABELS, el, editableText, formatValue } from "./format.js";

const HINTS = {
  date: "Como no relatório: nov/24, 06/11/2024, novembro de 2024 — ou ISO 2024-11",
  period: "Como no relatório: dez/23 a out/25, 1º bimestre de 2025 — ou 2024-01 a 2024-03",
  count: "Ex.: 255.766, 1,5 milhão, mais de 5.000 links",
  percentage: "De 0 a 100. Ex.: 68%, 28,79",
  money: "Ex.: R$ 1,2 milhão, 38,6 milhões",
};
const NUMERIC = new Set(["count", "percentage", "money"]);
/** Limits the review API enforces too (service/review/values.py PERCENT_RANGE): said before saving. */
const RANGES = { percentage: [0, 100] };
const outOfRange = (kind, value) => kind in RANGES && typeof value === "number"
  && (value < RANGES[kind][0] || value > RANGES[kind][1]);
/** Most characters a typed value or a unit may have (the API's limit for a unit, MAX_UNIT). */
export const MAX_TYPED = 200;

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function qualifierSelect(current) {
  const select = el("select", { id: "edit-qualifier" },
    el("option", { value: "", text: "— sem qualificador —" }),
    Object.entries(QUALIFIER_LABELS).map(([value, label]) => el("option", { value, text: label })));
  select.value = current || "";
  return el("label", {}, "Qualificador ", select);
}

/** Editor for kinds typed as text (dates, periods, numbers): parse as you type, show the ISO/number. */
function textEditor(container, fact, statusDate) {
  const input = el("input", {
    id: "edit-text", type: "text", spellcheck: "false", maxlength: MAX_TYPED,
    "aria-describedby": "edit-hint edit-parsed editor-error",
  });
  input.value = editableText(fact.kind, fact.value); // the CURRENT value, not the extracted text
  const parsed = el("output", { id: "edit-parsed", class: "parsed", "aria-live": "polite", for: "edit-text" });
  container.append(
    el("label", { for: "edit-text" }, "Novo valor"), input,
    el("p", { id: "edit-hint", class: "hint", text: HINTS[fact.kind] }), parsed);
  let unit = null;
  if (fact.kind === "count") {
    unit = el("input", { id: "edit-unit", type: "text", maxlength: MAX_TYPED });
    unit.value = fact.unit || "";
    container.append(el("label", {}, "Unidade ", unit));
  }
  if (NUMERIC.has(fact.kind)) container.append(qualifierSelect(fact.qualifier));
  // What the reviewer set by hand is never overwritten by what the parser reads in the value:
  // a unit typed before the value stays, and the qualifier stays unless the value's own words
  // name another one ("mais de 500" → pelo menos; a plain "600 mil" keeps "meta").
  const touched = { unit: false, qualifier: false };
  unit?.addEventListener("input", () => { touched.unit = true; });
  container.querySelector("#edit-qualifier")?.addEventListener("change", () => { touched.qualifier = true; });
  const qualifierNow = () => container.querySelector("#edit-qualifier")?.value || "";
  let latest = null; // {text, promise}
  let typed = false; // the reviewer has changed the value's text
  const run = () => {
    const text = input.value.trim();
    const promise = text ? api.parse(fact.kind, text, statusDate) : Promise.reject(new ApiError(422, ""));
    latest = { text, promise };
    promise.then((r) => {
      if (latest.promise !== promise || !input.isConnected) return; // the editor may have closed
      if (typed && unit && r.unit && !touched.unit) unit.value = r.unit;
      if (typed && r.qualifier && r.qualifier !== "exact" && !touched.qualifier) {
        container.querySelector("#edit-qualifier").value = r.qualifier;
      }
      const q = qualifierNow();
      parsed.textContent = `→ ${formatValue(fact.kind, r.value)}${q ? ` (${QUALIFIER_LABELS[q]})` : ""}`;
      parsed.classList.remove("bad");
      input.setAttribute("aria-invalid", "false");
    }, (err) => {
      if (latest.promise !== promise || !input.isConnected) return;
      const kind = (KIND_LABELS[fact.kind] || "valor").toLowerCase();
      const range = RANGES[fact.kind] ? ` (de ${RANGES[fact.kind][0]} a ${RANGES[fact.kind][1]})` : "";
      parsed.textContent = text ? `Não entendi “${text}” como ${kind}${range}: veja os exemplos acima.` : "Digite um valor.";
      parsed.classList.add("bad");
      input.setAttribute("aria-invalid", "true");
      if (!(err instanceof ApiError)) throw err;
    });
    return promise;
  };
  const later = debounce(() => { if (input.isConnected) run().catch(() => {}); }, 200);
  input.addEventListener("input", () => { typed = true; later(); });
  container.querySelector("#edit-qualifier")?.addEventListener("change", () => {
    if (latest) latest.promise.then((r) => { parsed.textContent = `→ ${formatValue(fact.kind, r.value)}`
      + `${qualifierNow() ? ` (${QUALIFIER_LABELS[qualifierNow()]})` : ""}`; }, () => {});
  });
  run().catch(() => {});
  return {
    focus: () => { input.focus(); input.select(); },
    async result() {
      const text = input.value.trim();
      const r = await (latest && latest.text === text ? latest.promise : run()).catch((err) => {
        input.setAttribute("aria-invalid", "true");
        throw err;
      });
      if (outOfRange(fact.kind, r.value)) {
        input.setAttribute("aria-invalid", "true");
        throw Object.assign(new ApiError(422, `Um percentual vai de ${RANGES[fact.kind][0]} a ${RANGES[fact.kind][1]}; `
          + `${formatValue(fact.kind, r.value)} não é aceito. Nada foi salvo.`), { forReviewer: true });
      }
      const out = { value: r.value };
      if (unit) out.unit = unit.value.trim() || null;
      const q = container.querySelector("#edit-qualifier");
      if (q) out.qualifier = q.value || null;
      return out;
    },
    handleKey: () => false,
  };
}

/** Municipality picker: a combobox over Brazil's 5,570 municipalities (fuzzy, each with its
 * state, the report's state first), name -> IBGE code. Enter takes a municipality only when
 * the reviewer picked it with ↑/↓ or the text names exactly one (accents and case aside, or a
 * known alias): a fuzzy best match is never saved ("São Paulo" is not Monsenhor Paulo). */
function municipalityEditor(container, fact) {
  const input = el("input", {
    id: "edit-muni", type: "text", role: "combobox", "aria-autocomplete": "list", maxlength: MAX_TYPED,
    "aria-expanded": "false", "aria-controls": "muni-options", spellcheck: "false",
  });
  input.value = fact.name || fact.text;
  const list = el("ul", { id: "muni-options", role: "listbox", class: "options", "aria-label": "Municípios" });
  const chosenOut = el("output", { class: "parsed", "aria-live": "polite" });
  container.append(el("label", { for: "edit-muni" }, "Município"), input, list,
    el("p", { class: "hint", text: "Digite o nome (acentos e maiúsculas não importam); ↑/↓ e Enter escolhem na lista. "
      + "Só um nome exato é aceito sem escolher." }),
    chosenOut);
  let options = [];
  let active = -1;
  let chosen = null;
  const show = () => {
    list.replaceChildren(...options.map((m, i) => el("li", {
      id: `muni-${m.code}`, role: "option", "aria-selected": String(i === active),
      class: i === active ? "active" : "", onmousedown: (ev) => { ev.preventDefault(); pick(i); },
    }, el("span", { text: `${m.name} – ${m.uf}` }), el("small", { text: ` IBGE ${m.code}` }))));
    input.setAttribute("aria-expanded", String(options.length > 0));
    if (active >= 0) input.setAttribute("aria-activedescendant", `muni-${options[active].code}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const pick = (i) => {
    chosen = options[i];
    input.value = chosen.name;
    chosenOut.textContent = `→ ${chosen.name} – ${chosen.uf} (IBGE ${chosen.code})`;
    options = []; active = -1; show();
  };
  let asked = 0; // only the answer to the latest query is shown
  const search = debounce(async () => {
    const ticket = ++asked;
    const found = await api.municipalities(input.value.trim().slice(0, MAX_TYPED), 8).catch(() => null);
    if (ticket !== asked || !input.isConnected || !found) return;
    options = found;
    // pre-selected (Enter takes it) only when it is the one exact match
    active = options.filter((m) => m.exact).length === 1 && options[0].exact ? 0 : -1;
    show();
  }, 150);
  input.addEventListener("input", () => {
    // what was listed for the previous text is no longer an answer: Enter must not take it
    chosen = null; options = []; active = -1; asked += 1;
    input.removeAttribute("aria-invalid");
    chosenOut.textContent = "";
    show();
    search();
  });
  if (fact.value) chosenOut.textContent = `Atual: ${formatValue("municipality", fact.value, fact.name)}`;
  return {
    focus: () => { input.focus(); input.select(); },
    handleKey(ev) {
      if (ev.target !== input || !options.length) return false;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        active = (active + (ev.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
        show();
        return true;
      }
      if (ev.key === "Enter" && active >= 0) pick(active); // the form then submits with it
      return false;
    },
    async result() {
      if (chosen) return { value: chosen.code };
      const text = input.value.trim();
      const r = await api.parse("municipality", text.slice(0, MAX_TYPED) || "-").catch((err) => {
        if (!(err instanceof ApiError) || err.status !== 422) throw err;
        input.setAttribute("aria-invalid", "true");
        throw Object.assign(new ApiError(422, text
          ? `“${text.length > 60 ? `${text.slice(0, 60)}…` : text}” não é o nome exato de um só município: `
            + "escolha um na lista (↑/↓ e Enter). Nada foi salvo."
          : "Digite o nome de um município. Nada foi salvo."), { forReviewer: true });
      });
      return { value: r.value };
    },
  };
}

/** Fill `container` with the editor for `fact`'s kind; returns {focus, result, handleKey}. */
export function buildEditor(container, fact, statusDate) {
  container.replaceChildren();
  return fact.kind === "municipality" ? municipalityEditor(container, fact) : textEditor(container, fact, statusDate);
}
