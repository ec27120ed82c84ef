"""Draw parsed corpus sources as PDFs with reportlab, deterministically.

Two layouts mimic the reports relato reads: a landscape 960x540 slide deck (one
initiative per slide, 13pt bold area heading at the top, 24pt bold title, 18/16pt
body, page number bottom right) and an A4 follow-up report (running header,
"Página N de M" footer, 13pt bold area headings, 11pt bold Title Case titles,
9.5pt body, ruled tables). Text is laid out as Line objects first, so a deck
slide and an A4 flow share the same block code and A4 pagination knows the page
count before drawing. Fonts are the Bitstream Vera TTFs shipped inside reportlab,
so no system font is needed; reportlab's invariant mode makes output byte-stable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from srcformat import Block, Doc, Entry

rl_config.invariant = 1
_FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
pdfmetrics.registerFont(TTFont("Vera", os.path.join(_FONT_DIR, "Vera.ttf")))
pdfmetrics.registerFont(TTFont("VeraBd", os.path.join(_FONT_DIR, "VeraBd.ttf")))
REG, BOLD = "Vera", "VeraBd"
DECK = (960.0, 540.0)
A4 = (595.2756, 841.8898)
NAVY = (0.08, 0.2, 0.4)


@dataclass
class Line:
    """One baseline: `gap` above it, `height` of its own, draw ops relative to (x, baseline)."""
    height: float
    ops: list[tuple] = field(default_factory=list)   # ("text", font, size, dx, s) | ("rect", dx, dy, w, h)
    gap: float = 0.0
    keep_next: bool = False


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; "\\n" in text forces a break."""
    out: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split():
            cand = f"{line} {word}" if line else word
            if line and pdfmetrics.stringWidth(cand, font, size) > width:
                out.append(line)
                line = word
            else:
                line = cand
        out.append(line)
    return out


def text_lines(text: str, font: str, size: float, width: float, dx: float = 0.0,
               lead: float = 1.25) -> list[Line]:
    return [Line(size * lead, [("text", font, size, dx, s)]) for s in wrap(text, font, size, width)]


def block_lines(blocks: list[Block], size: float, width: float, para_gap: float) -> list[Line]:
    """Lay out body blocks (paragraphs, bullets, tables, two columns) as lines."""
    out: list[Line] = []
    for n, b in enumerate(blocks):
        after_table = n > 0 and blocks[n - 1].kind == "table"
        if b.kind == "p":
            lines = text_lines(b.run.text, REG, size, width)
        elif b.kind == "bullet":
            ind = size * 1.1
            lines = text_lines(b.run.text, REG, size, width - ind, dx=ind)
            lines[0].ops.insert(0, ("text", REG, size, 0.0, "•"))
        elif b.kind == "table":
            lines = table_lines(b, size, width)
            for ln in lines[:-1]:
                ln.keep_next = True      # a table moves to the next page whole
        else:
            lines = column_lines(b, size, width, para_gap)
        lines[0].gap = para_gap + (size if after_table else 0)
        out += lines
    return out


def column_lines(b: Block, size: float, width: float, para_gap: float) -> list[Line]:
    """Two side-by-side text boxes drawn on shared baselines (their lines must not be merged)."""
    colw = (width - 40) / 2
    left = block_lines(b.cols[0], size, colw, 0)
    right = block_lines(b.cols[1], size, colw, 0)
    out = []
    for i in range(max(len(left), len(right))):
        ops = list(left[i].ops) if i < len(left) else []
        if i < len(right):
            ops += [(*op[:3], op[3] + colw + 40, op[4]) for op in right[i].ops]
        out.append(Line(size * 1.25, ops))
    return out


def table_lines(b: Block, size: float, width: float) -> list[Line]:
    """A ruled table: first row is the bold header; each cell is a stroked rectangle."""
    ncol = len(b.rows[0])
    widths = [width * 0.45] + [width * 0.2] * (ncol - 1)
    if ncol > 2:  # wider tables: each column as wide as its longest cell, spread to fit
        need = [max(pdfmetrics.stringWidth(r[c].text, BOLD, size) for r in b.rows) + 12 for c in range(ncol)]
        widths = [w * min(width / sum(need), 1.25) for w in need]
    rowh = size * 1.8
    out = []
    for r, row in enumerate(b.rows):
        ops, x = [], 0.0
        for c, cell in enumerate(row):
            if b.style != "plain":
                ops.append(("rect", x, -size * 0.55, widths[c], rowh))
            ops.append(("text", BOLD if r == 0 else REG, size, x + 5, cell.text))
            x += widths[c]
        out.append(Line(rowh, ops))
    return out


def draw_line(c: canvas.Canvas, line: Line, x: float, y: float) -> None:
    for op in line.ops:
        if op[0] == "rect":
            c.rect(x + op[1], y + op[2], op[3], op[4], stroke=1, fill=0)
        else:
            c.setFont(op[1], op[2])
            c.drawString(x + op[3], y, op[4])


def new_canvas(path: str, size: tuple[float, float], title: str) -> canvas.Canvas:
    c = canvas.Canvas(path, pagesize=size, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("relato sample corpus")
    c.setLineWidth(0.6)
    return c


def centered(c: canvas.Canvas, lines: list[tuple[str, float]], y: float, pagew: float,
             maxw: float) -> float:
    """Draw centred bold lines (text, size), wrapping each; return the next baseline."""
    for text, size in lines:
        for s in wrap(text, BOLD, size, maxw):
            c.setFont(BOLD, size)
            c.drawCentredString(pagew / 2, y, s)
            y -= size * 1.3
    return y


# ---------------------------------------------------------------- deck


def deck_cover(c: canvas.Canvas, doc: Doc) -> None:
    c.setFillColorRGB(*NAVY)
    c.rect(0, 0, 28, DECK[1], stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    sizes = [34] + [22] * (len(doc.cover) - 1)
    centered(c, list(zip(doc.cover, sizes)), 340, DECK[0], 800)
    c.showPage()


def deck_index(c: canvas.Canvas, doc: Doc, pageno: int) -> None:
    centered(c, [("ÁREAS TEMÁTICAS", 22)], DECK[1] - 90, DECK[0], 800)
    for i, (num, name) in enumerate(sorted(doc.areas.items())):
        x, y = 90 + (i % 2) * 410, DECK[1] - 170 - (i // 2) * 82
        c.roundRect(x, y - 22, 380, 62, 8, stroke=1, fill=0)
        c.setFont(BOLD, 26)
        c.drawString(x + 14, y, str(num))
        for k, s in enumerate(wrap(name, REG, 14, 300)):
            c.setFont(REG, 14)
            c.drawString(x + 60, y + 8 - k * 17, s)
    page_number(c, pageno)
    c.showPage()


def page_number(c: canvas.Canvas, pageno: int) -> None:
    c.setFont(REG, 10)
    c.drawRightString(DECK[0] - 28, 22, str(pageno))


def deck_slide(c: canvas.Canvas, e: Entry, areas: dict[int, str], pageno: int,
               title_suffix: str = "") -> None:
    """One initiative slide: optional area heading, wrapped title, body shrunk to fit."""
    w, h = DECK
    c.setFillColorRGB(*NAVY)
    c.rect(0, h - 12, w, 12, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    if e.area is not None:
        c.setFont(BOLD, 13)
        c.drawString(43, h - 40, f"ÁREA TEMÁTICA {e.area} {areas[e.area]}")
    y = h - 85
    for s in wrap(e.title.text + title_suffix, BOLD, 24, 874):
        c.setFont(BOLD, 24)
        c.drawString(43, y, s)
        y -= 29
    y = min(y - 30, h - 165)
    for size in (18, 16, 14, 12):
        lines = block_lines(e.blocks, size, 874, size * 0.6)
        if sum(ln.height + ln.gap for ln in lines) <= y - 45:
            break
    for i, ln in enumerate(lines):
        y -= (ln.gap if i else 0) + (ln.height if i else 0)
        draw_line(c, ln, 43, y)
    page_number(c, pageno)
    c.showPage()


def deck_closing(c: canvas.Canvas, doc: Doc, pageno: int) -> None:
    centered(c, [(s, 20) for s in doc.closing], DECK[1] - 110, DECK[0], 820)
    page_number(c, pageno)
    c.showPage()


def render_deck(doc: Doc, path: str) -> None:
    c = new_canvas(path, DECK, doc.cover[0])
    deck_cover(c, doc)
    deck_index(c, doc, 2)
    pageno = 3
    for e in doc.entries:
        deck_slide(c, e, doc.areas, pageno)
        pageno += 1
    deck_closing(c, doc, pageno)
    c.save()


# ---------------------------------------------------------------- a4

A4_TOP, A4_BOTTOM, A4_X, A4_W = A4[1] - 70, 62, 63.0, 469.0


def a4_flow(doc: Doc) -> list[Line]:
    """Area headings, titles and bodies as one stream of lines for pagination."""
    out: list[Line] = []
    for e in doc.entries:
        if e.kind == "area":
            lines = text_lines(e.heading, BOLD, 13, A4_W, lead=1.3)
            gap = 16
        else:
            lines = text_lines(e.title.text, BOLD, 11, A4_W, lead=1.3)
            gap = 12
        lines[0].gap = gap
        for ln in lines:
            ln.keep_next = True
        out += lines
        if e.kind == "init":
            out += block_lines(e.blocks, 9.5, A4_W, 4.5)
    return out


def paginate(lines: list[Line], top: float, bottom: float) -> list[list[tuple[Line, float]]]:
    """Place lines on pages; headings/titles stay with the two lines that follow them."""
    pages: list[list[tuple[Line, float]]] = [[]]
    y = top
    for i, ln in enumerate(lines):
        need = ln.gap + ln.height
        if ln.keep_next:
            j = i
            while j < len(lines) and lines[j].keep_next:
                j += 1
            need = sum(x.gap + x.height for x in lines[i:j + 2])
        if pages[-1] and y - need < bottom:
            pages.append([])
            y = top
        y -= (ln.gap if pages[-1] else 0) + ln.height
        pages[-1].append((ln, y))
    return pages


def a4_furniture(c: canvas.Canvas, doc: Doc, pageno: int, total: int) -> None:
    c.setFont(REG, 8)
    c.drawString(A4_X, A4[1] - 36, doc.header)
    c.line(A4_X, A4[1] - 42, A4_X + A4_W, A4[1] - 42)
    c.drawRightString(A4_X + A4_W, 30, f"Página {pageno} de {total}")


def a4_cover(c: canvas.Canvas, doc: Doc, total: int) -> None:
    sizes = [20] + [14] * (len(doc.cover) - 1)
    y = centered(c, list(zip(doc.cover, sizes)), A4[1] - 220, A4[0], A4_W)
    lines = text_lines(doc.intro_title, BOLD, 13, A4_W) + block_lines(doc.intro, 9.5, A4_W, 4.5)
    y -= 40
    for ln in lines:
        y -= ln.gap + ln.height
        draw_line(c, ln, A4_X, y)
    a4_furniture(c, doc, 1, total)
    c.showPage()


def render_a4(doc: Doc, path: str) -> None:
    pages = paginate(a4_flow(doc), A4_TOP, A4_BOTTOM)
    total = len(pages) + 1
    c = new_canvas(path, A4, doc.cover[0])
    a4_cover(c, doc, total)
    for n, page in enumerate(pages, start=2):
        for ln, y in page:
            draw_line(c, ln, A4_X, y)
        a4_furniture(c, doc, n, total)
        c.showPage()
    c.save()
