// The page image: fetched with the bearer header (an <img src> could not send it),
// shown from a blob: URL, zoomable, scrolled so the highlighted fact is in view.
// A fact wrapped over lines (`lines`: one box per printed line) gets one mark per line
// on the plain page, not one box over both lines and the unrelated text between them.

import { api } from "./api.js";

const CACHE_SIZE = 40;
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4];
const PAD_PT = 2; // the server draws its highlight this much outside the bbox

export class PageViewer {
  constructor(doc) {
    this.scroll = doc.getElementById("page-scroll");
    this.frame = doc.getElementById("page-frame");
    this.image = doc.getElementById("page-image");
    this.mark = doc.getElementById("page-mark");
    this.label = doc.getElementById("page-label");
    this.empty = doc.getElementById("page-empty");
    this.zoomOut = doc.getElementById("zoom-level");
    this.cache = new Map(); // extraction id (or report:page for a plain page) -> Promise<blob URL>
    this.marks = [this.mark]; // #page-mark, then one more per extra line of a wrapped fact
    this.zoomIndex = ZOOMS.indexOf(1);
    this.shown = null;
    this.frame.hidden = true;
  }

  /** The page image: highlighted by the server for a one-line fact, plain for a wrapped
   * one (the page draws its line marks; the server's highlight is a single box). */
  url(fact) {
    const wrapped = Array.isArray(fact.lines) && fact.lines.length > 1;
    const key = wrapped ? `${fact.report_id}:${fact.page}` : fact.id;
    if (!this.cache.has(key)) {
      const promise = api.pageImage(fact.report_id, fact.page, wrapped ? null : fact.id);
      promise.catch(() => this.cache.delete(key));
      this.cache.set(key, promise);
      const keep = this.shown && (this.shown.lines?.length > 1 ? `${this.shown.report_id}:${this.shown.page}` : this.shown.id);
      while (this.cache.size > CACHE_SIZE) {
        const [oldest, old] = this.cache.entries().next().value;
        if (oldest === keep) break;
        this.cache.delete(oldest);
        old.then((u) => URL.revokeObjectURL(u), () => {});
      }
    }
    return this.cache.get(key);
  }

  prefetch(fact) {
    if (fact) this.url(fact).catch(() => {});
  }

  clear() {
    this.shown = null;
    this.scroll.setAttribute("aria-busy", "false");
    this.frame.classList.remove("stale");
    this.frame.hidden = true;
    this.empty.hidden = false;
    this.label.textContent = "";
  }

  /** Until `fact`'s page arrives: the previous page is dimmed, its mark hidden, "carregando". */
  loading(fact) {
    this.shown = fact;
    this.label.textContent = `Página ${fact.page} — carregando…`;
    this.scroll.setAttribute("aria-busy", "true");
    this.frame.classList.add("stale");
    this.marks.forEach((m) => { m.hidden = true; });
  }

  /** Show `fact`'s page; `source` (from /source) gives the page size to place the mark. */
  async show(fact, source) {
    this.shown = fact;
    this.source = source;
    this.label.textContent = `Página ${fact.page}`;
    const url = await this.url(fact);
    if (this.shown !== fact) return;
    this.empty.hidden = true;
    this.frame.hidden = false;
    this.image.alt = `Página ${fact.page} do relatório, com “${fact.text}” destacado`;
    if (this.image.src !== url) {
      this.image.src = url;
      await this.image.decode().catch(() => {});
    }
    if (this.shown !== fact) return;
    this.label.textContent = `Página ${fact.page}`;
    this.scroll.setAttribute("aria-busy", "false");
    this.frame.classList.remove("stale");
    this.placeMark(fact, source);
    this.apply();
  }

  /** One mark per printed line of the fact (its `lines`), or one over its `bbox`. */
  placeMark(fact, source) {
    const w = source?.page_width, h = source?.page_height;
    const boxes = !w || !h || !fact.bbox ? [] : fact.lines?.length > 1 ? fact.lines : [fact.bbox];
    while (this.marks.length < boxes.length) {
      const extra = this.mark.cloneNode(false);
      extra.removeAttribute("id");
      extra.classList.add("page-mark-line");
      this.frame.append(extra);
      this.marks.push(extra);
    }
    this.marks.forEach((mark, i) => {
      mark.hidden = i >= boxes.length;
      if (mark.hidden) return;
      const [x0, top, x1, bottom] = boxes[i];
      Object.assign(mark.style, {
        left: `${((x0 - PAD_PT) / w) * 100}%`, top: `${((top - PAD_PT) / h) * 100}%`,
        width: `${((x1 - x0 + 2 * PAD_PT) / w) * 100}%`, height: `${((bottom - top + 2 * PAD_PT) / h) * 100}%`,
      });
    });
    this.frame.dataset.marks = String(boxes.length);
  }

  /** The page on screen and its size in PDF points (to turn a drawn box into a bbox). */
  pageSize() {
    return { page: this.shown?.page, width: this.source?.page_width, height: this.source?.page_height };
  }

  zoom(step) {
    this.zoomIndex = step === 0 ? ZOOMS.indexOf(1) : Math.min(ZOOMS.length - 1, Math.max(0, this.zoomIndex + step));
    this.apply();
  }

  apply() {
    const zoom = ZOOMS[this.zoomIndex];
    this.frame.style.width = `${zoom * 100}%`;
    this.zoomOut.textContent = `${Math.round(zoom * 100)}%`;
    if (this.mark.hidden) return;
    requestAnimationFrame(() => this.reveal());
  }

  /** Scroll the marks into view: centred on each axis where all of them fit, else with
   * the first line's start in view (a centred box wider than the view lost both ends). */
  reveal() {
    const shown = this.marks.filter((m) => !m.hidden).map((m) => m.getBoundingClientRect());
    if (!shown.length) return;
    const s = this.scroll.getBoundingClientRect();
    const view = { left: s.left + this.scroll.clientLeft, top: s.top + this.scroll.clientTop,
      width: this.scroll.clientWidth, height: this.scroll.clientHeight };
    const margin = 16;
    const axis = (lo, hi, size, viewLo, viewSize) => {
      const first = shown[0];
      const [a, b] = [Math.min(...shown.map((r) => r[lo])), Math.max(...shown.map((r) => r[lo] + r[size]))];
      if (b - a + 2 * margin <= viewSize) return (a + b) / 2 - (viewLo + viewSize / 2);
      if (first[size] + 2 * margin <= viewSize) return first[lo] + first[size] / 2 - (viewLo + viewSize / 2);
      return first[lo] - margin - viewLo;
    };
    this.scroll.scrollBy({
      left: axis("left", "right", "width", view.left, view.width),
      top: axis("top", "bottom", "height", view.top, view.height),
    });
  }
}
