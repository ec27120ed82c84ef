// The page image: fetched with the bearer header (an <img src> could not send it),
// shown from a blob: URL, zoomable, scrolled so the highlighted fact is in view.

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
    this.cache = new Map(); // extraction id -> Promise<blob URL>
    this.zoomIndex = ZOOMS.indexOf(1);
    this.shown = null;
    this.frame.hidden = true;
  }

  url(fact) {
    if (!this.cache.has(fact.id)) {
      const promise = api.pageImage(fact.report_id, fact.page, fact.id);
      promise.catch(() => this.cache.delete(fact.id));
      this.cache.set(fact.id, promise);
      while (this.cache.size > CACHE_SIZE) {
        const [oldest, old] = this.cache.entries().next().value;
        if (oldest === this.shown?.id) break;
        this.cache.delete(oldest);
        old.then((u) => URL.revokeObjectURL(u), () => {});
      }
    }
    return this.cache.get(fact.id);
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
    this.mark.hidden = true;
  }

  /** Show `fact`'s page; `source` (from /source) gives the page size to place the mark. */
  async show(fact, source) {
    this.shown = fact;
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

  placeMark(fact, source) {
    const w = source?.page_width, h = source?.page_height;
    if (!w || !h || !fact.bbox) { this.mark.hidden = true; return; }
    const [x0, top, x1, bottom] = fact.bbox;
    Object.assign(this.mark.style, {
      left: `${((x0 - PAD_PT) / w) * 100}%`, top: `${((top - PAD_PT) / h) * 100}%`,
      width: `${((x1 - x0 + 2 * PAD_PT) / w) * 100}%`, height: `${((bottom - top + 2 * PAD_PT) / h) * 100}%`,
    });
    this.mark.hidden = false;
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
    requestAnimationFrame(() => {
      const m = this.mark.getBoundingClientRect(), s = this.scroll.getBoundingClientRect();
      this.scroll.scrollBy({
        left: m.left + m.width / 2 - (s.left + s.width / 2),
        top: m.top + m.height / 2 - (s.top + s.height / 2),
      });
    });
  }
}
