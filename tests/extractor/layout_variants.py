"""Re-render the dev report's source text in layouts the extractor has never seen.

The dev report's source text (../shared/corpus/dev/seed-2025-10.source.txt) and its gold
are layout-independent: any faithful rendering of that text must score the same. This
module parses the text into slides and draws it with reportlab in six other layouts
(Title Case titles set only by size, area headings below the title or in a side band,
running footers, two-column A4 flow, justified A4 with a ruled table, a three-line cover
title with "Situação em:", two text boxes per slide). It is read in place at test
time and never copied into the repository.

Source format (as the file is written): "ÁREA TEMÁTICA N NAME" applies to the title
that follows it; a title is an ALL-CAPS line and opens a slide, a repeated title is a
continuation slide; "- "/"• " lines are bullets, other lines paragraphs, a line that
starts with a space continues the previous one; "<u>…</u>" is underline markup. The
cover runs up to the "ÁREAS TEMÁTICAS" index heading, the closing colophon starts at
"GOVERNO DO ESTADO …".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (BaseDocTemplate, Frame, NextPageTemplate, PageBreak,
                                PageTemplate, Paragraph, Spacer, Table, TableStyle)

from extractor.text import fold

rl_config.invariant = 1
_FONTS = Path(reportlab.__file__).parent / "fonts"
for _name, _file in (("Vera", "Vera.ttf"), ("VeraBd", "VeraBd.ttf"), ("VeraIt", "VeraIt.ttf")):
    pdfmetrics.registerFont(TTFont(_name, str(_FONTS / _file)))

SLIDE = (960.0, 540.0)
_AREA = re.compile(r"^ÁREA TEMÁTICA (\d+) (.+)$")
_STATUS = re.compile(r"\s*(STATUS:.*)$")
_BIMESTRE = re.compile(r"^(\d[°º] bimestre):\s*([\d.]+)$")
_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.*)$")
_SMALL = {"a", "o", "e", "de", "do", "da", "dos", "das", "em", "no", "na", "nos", "nas", "para",
          "com", "à", "ao", "ou", "por", "pelos", "pelas", "até", "di"}


@dataclass
class Block:
    kind: str   # "p" | "bullet"
    text: str


@dataclass
class Slide:
    title: str
    area: tuple[int, str] | None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Source:
    cover: list[str]
    index_title: str
    slides: list[Slide]
    closing: list[str]

    @property
    def report_title(self) -> str:
        return _STATUS.sub("", self.cover[-1]).strip()

    def merged(self) -> list[Slide]:
        """Continuation slides joined: one entry per initiative, as a flowing report prints it."""
        out: list[Slide] = []
        for s in self.slides:
            if out and out[-1].title == s.title:
                out[-1] = Slide(s.title, out[-1].area, out[-1].blocks + s.blocks)
            else:
                out.append(Slide(s.title, s.area, list(s.blocks)))
        return out


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.lower() != c.upper()]   # cased letters: "ª" is not one
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def parse_source(path: Path) -> Source:
    """Slides, cover and closing of the source text (see the module docstring)."""
    src = Source([], "", [], [])
    state, area = "cover", None
    for raw in path.read_text(encoding="utf-8").splitlines():
        raw = re.sub(r"</?u>", "", raw.rstrip())
        line = raw.strip()
        if not line:
            continue
        if state == "cover":
            if _is_caps(line) and fold(line).startswith("areas tem"):
                src.index_title, state = line, "slides"
            else:
                src.cover.append(line)
        elif state == "closing" or (_is_caps(line) and line.startswith("GOVERNO D")):
            state = "closing"
            src.closing.append(line)
        elif raw[0].isspace() and src.slides and src.slides[-1].blocks:
            src.slides[-1].blocks[-1].text += " " + line
        elif m := _AREA.match(line):
            area = (int(m.group(1)), m.group(2))
        elif _is_caps(line):
            src.slides.append(Slide(line, area))
            area = None
        elif line[:2] in ("- ", "• "):
            src.slides[-1].blocks.append(Block("bullet", line[2:].strip()))
        else:
            src.slides[-1].blocks.append(Block("p", line))
    return src


def title_case(text: str) -> str:
    """"EXPANSÃO DO BALCÃO GOV.BR" -> "Expansão do Balcão GOV.BR" (codes and acronyms kept)."""
    out = []
    for i, word in enumerate(text.split()):
        core = word.strip("(),:;")
        if any(c.isdigit() for c in core) or "." in core or "!" in core or (
                len(core) <= 3 and core.lower() not in _SMALL):
            out.append(word)
        elif i and core.lower() in _SMALL:
            out.append(word.lower())
        else:
            lead = len(word) - len(word.lstrip("("))
            out.append(word[:lead + 1] + word[lead + 1:].lower())
    return " ".join(out)


# ---------------------------------------------------------------- slide decks


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    out: list[str] = []
    line = ""
    for word in text.split():
        cand = f"{line} {word}" if line else word
        if line and pdfmetrics.stringWidth(cand, font, size) > width:
            out.append(line)
            line = word
        else:
            line = cand
    return out + [line] if line else out


def body_lines(blocks: list[Block], font: str, size: float, width: float
               ) -> list[tuple[float, str, float, str]]:
    """(dx, text, gap before, glyph) per printed line; a bullet's first line carries "•"."""
    out: list[tuple[float, str, float, str]] = []
    for b in blocks:
        ind = size * 1.3 if b.kind == "bullet" else 0.0
        for k, s in enumerate(wrap(b.text, font, size, width - ind)):
            gap = size * 0.5 if k == 0 and out else 0.0
            out.append((ind, s, gap, "•" if k == 0 and b.kind == "bullet" else ""))
    return out


def draw_body(c: canvas.Canvas, lines: list[tuple[float, str, float, str]], font: str,
              size: float, x: float, y: float) -> None:
    """Draw laid-out lines from baseline ``y`` down."""
    c.setFont(font, size)
    for k, (dx, text, gap, glyph) in enumerate(lines):
        if k:
            y -= gap + size * 1.25
        if glyph:  # drawn in a TTF: reportlab's core-font "•" has no Unicode map
            c.setFont("Vera", size)
            c.drawString(x, y, glyph)
            c.setFont(font, size)
        c.drawString(x + dx, y, text)


def fit(blocks: list[Block], font: str, width: float, height: float,
        sizes: tuple[float, ...]) -> tuple[float, list[tuple[float, str, float, str]]]:
    """The largest body size whose lines fit the box."""
    for size in sizes:
        lines = body_lines(blocks, font, size, width)
        if sum(size * 1.25 + ln[2] for ln in lines) <= height:
            return size, lines
    raise ValueError(f"body does not fit a {width:.0f}x{height:.0f} box: {blocks[0].text[:40]}")


def halves(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """Split a body in two text boxes of similar length (one paragraph: at a sentence)."""
    if len(blocks) == 1:
        parts = re.split(r"(?<=[.;:])\s+(?=[A-ZÁÉÍÓÚÂÊÔÃÕÇ0-9])", blocks[0].text)
        if len(parts) < 2:
            return blocks, []
        blocks = [Block(blocks[0].kind if i == 0 else "p", p) for i, p in enumerate(parts)]
    total = sum(len(b.text) for b in blocks)
    best = min(range(1, len(blocks)),
               key=lambda k: abs(2 * sum(len(b.text) for b in blocks[:k]) - total))
    return blocks[:best], blocks[best:]


@dataclass(frozen=True)
class DeckStyle:
    title_font: str = "VeraBd"
    title_size: float = 24
    title_text: Callable[[str], str] = staticmethod(lambda s: s)
    body_font: str = "Vera"
    body_sizes: tuple[float, ...] = (18, 16, 14, 12, 11, 10, 9, 8, 7)
    area_font: str = "VeraBd"
    area_text: Callable[[int, str], str] = staticmethod(lambda n, s: f"ÁREA TEMÁTICA {n} {s}")
    area_place: str = "above"          # above | below | band (odd slides band, even below)
    boxes: int = 1
    footer: Callable[[int], str] | None = None
    cover: Callable[[canvas.Canvas, Source, DeckStyle], None] | None = None
    size: tuple[float, float] = SLIDE


def _centred(c: canvas.Canvas, lines: list[tuple[str, str, float]], y: float, w: float) -> None:
    for text, font, size in lines:
        for s in wrap(text, font, size, w - 120):
            c.setFont(font, size)
            c.drawCentredString(w / 2, y, s)
            y -= size * 1.3


def _end_page(c: canvas.Canvas, st: DeckStyle, n: int) -> None:
    w = st.size[0]
    c.setFont("Vera", 9)
    if st.footer:
        c.drawString(40, 18, st.footer(n))
    else:
        c.drawRightString(w - 28, 18, str(n))
    c.showPage()


def _slide(c: canvas.Canvas, s: Slide, st: DeckStyle, n: int) -> None:
    w, h = st.size
    x, width = 43.0, w - 86
    band = st.area_place == "band" and s.area is not None and n % 2
    if band:
        c.setFillColorRGB(0.85, 0.9, 0.95)
        c.rect(0, 0, 200, h, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.setFont(st.area_font, 13)
        for k, part in enumerate(wrap(st.area_text(*s.area), st.area_font, 13, 160)):
            c.drawString(20, h - 60 - 17 * k, part)
        x, width = 230.0, w - 273
    y = h - 40
    if s.area is not None and st.area_place == "above":
        c.setFont(st.area_font, 13)
        c.drawString(x, y, st.area_text(*s.area))
    y = h - 85
    title = st.title_text(s.title)
    for part in wrap(title, st.title_font, st.title_size, width):
        c.setFont(st.title_font, st.title_size)
        c.drawString(x, y, part)
        y -= st.title_size * 1.2
    if s.area is not None and st.area_place in ("below", "band") and not band:
        c.setFont(st.area_font, 14)
        c.drawString(x, y - 4, st.area_text(*s.area))
        y -= 26
    y -= 40
    gap = 30.0
    parts = halves(s.blocks) if st.boxes == 2 else (s.blocks, [])
    boxw = (width - gap) / 2 if st.boxes == 2 else width
    size = min(fit(p, st.body_font, boxw, y - 50, st.body_sizes)[0] for p in parts if p)
    for k, part in enumerate(parts):
        if part:
            draw_body(c, body_lines(part, st.body_font, size, boxw), st.body_font, size,
                      x + k * (boxw + gap), y)
    _end_page(c, st, n)


def render_deck(src: Source, path: Path, st: DeckStyle) -> Path:
    """Cover, index heading, one slide per source slide, closing colophon."""
    w, h = st.size
    c = canvas.Canvas(str(path), pagesize=st.size, invariant=1)
    (st.cover or _plain_cover)(c, src, st)
    _end_page(c, st, 1)
    _centred(c, [(st.title_text(src.index_title), st.title_font, 28)], h - 90, w)
    _end_page(c, st, 2)
    for n, s in enumerate(src.slides, start=3):
        _slide(c, s, st, n)
    _centred(c, [(t, st.title_font, 22) for t in src.closing], h - 80, w)
    _end_page(c, st, len(src.slides) + 3)
    c.save()
    return path


def _plain_cover(c: canvas.Canvas, src: Source, st: DeckStyle) -> None:
    status = _STATUS.search(src.cover[-1]).group(1)
    _centred(c, [(src.cover[0], st.title_font, 40), (st.title_text(src.report_title),
                                                      st.title_font, 30),
                 (st.title_text(status), st.body_font, 22)], st.size[1] - 160, st.size[0])


def _three_line_cover(c: canvas.Canvas, src: Source, st: DeckStyle) -> None:
    """The title broken over three lines by hand, the status as "Situação em: mês de ano"."""
    words = src.report_title.split()
    third = [" ".join(words[:2]), " ".join(words[2:4]), " ".join(words[4:])]
    month, year = _STATUS.search(src.cover[-1]).group(1).split(":")[1].split()
    lines = [(src.cover[0], "Vera", 20)] + [(t, "VeraBd", 40) for t in third]
    lines.append((f"Situação em: {month.lower()} de {year}", "Vera", 18))
    _centred(c, lines, st.size[1] - 120, st.size[0])


# ---------------------------------------------------------------- A4 flows (platypus)


def _styles(font: str, bold: str, justify: bool, title: float) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12, spaceAfter=4,
                          alignment=TA_JUSTIFY if justify else 0)
    return {
        "body": body,
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=2,
                                 bulletFontName="Vera"),
        "sub": ParagraphStyle("sub", parent=body, leftIndent=28, bulletIndent=16,
                              bulletFontName="Vera"),
        "title": ParagraphStyle("title", fontName=bold, fontSize=title, leading=title * 1.25,
                                spaceBefore=14, spaceAfter=6, keepWithNext=1),
        "area": ParagraphStyle("area", fontName=bold, fontSize=10.5, leading=13,
                               spaceBefore=16, keepWithNext=1),
        "cover": ParagraphStyle("cover", fontName=bold, fontSize=22, leading=28,
                                alignment=TA_CENTER),
        "status": ParagraphStyle("status", fontName=font, fontSize=14, leading=20,
                                 alignment=TA_CENTER, spaceBefore=18),
    }


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    return Paragraph(escape(text), style, bulletText=bullet)


def _flow_body(blocks: list[Block], st: dict[str, ParagraphStyle], glyphs: bool,
               table: bool) -> list:
    """Paragraphs and bullets; with ``glyphs``: "•" items, "–" sub-items after a "...:"
    item, "1)" for numbered items; with ``table``: "Nº bimestre: N" runs as a ruled table."""
    out: list = []
    rows: list[list[str]] = []
    sub = False
    for b in blocks:
        m = _BIMESTRE.match(b.text)
        if table and m:
            rows.append([m.group(1), m.group(2)])
            continue
        if rows:
            out.append(_ruled(sorted(rows), st["body"].fontName))
            rows = []
        num = _NUMBERED.match(b.text)
        if b.kind != "bullet":
            out.append(_p(b.text, st["body"]))
            sub = False
        elif glyphs and num:
            out.append(_p(num.group(2), st["bullet"], f"{num.group(1)})"))
        elif glyphs and sub and not b.text.endswith(":"):
            out.append(_p(b.text, st["sub"], "–"))
        else:
            out.append(_p(b.text, st["bullet"], "•"))
            sub = glyphs and b.text.endswith(":")
    if rows:
        out.append(_ruled(sorted(rows), st["body"].fontName))
    return out


def _ruled(rows: list[list[str]], font: str) -> Table:
    t = Table(rows, colWidths=[110, 80], hAlign="LEFT")
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, (0, 0, 0)),
                           ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                           ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return t


@dataclass(frozen=True)
class FlowStyle:
    font: str
    bold: str
    columns: int
    justify: bool = False
    glyphs: bool = False
    table: bool = False
    title_size: float = 13
    area_text: Callable[[int, str], str] = staticmethod(lambda n, s: f"ÁREA TEMÁTICA {n} {s}")
    header: str = "Estratégia Estadual de Governo Digital — relatório de acompanhamento"


def _story(src: Source, fs: FlowStyle, st: dict[str, ParagraphStyle]) -> list:
    month_year = _STATUS.search(src.cover[-1]).group(1).split(":")[1].strip()
    story: list = [Spacer(1, 180), _p(src.cover[0], st["status"]),
                   _p(src.report_title, st["cover"]), _p(f"STATUS: {month_year}", st["status"]),
                   NextPageTemplate("body"), PageBreak()]
    for s in src.merged():
        if s.area is not None:
            story.append(_p(fs.area_text(*s.area), st["area"]))
        story.append(_p(s.title, st["title"]))
        story += _flow_body(s.blocks, st, fs.glyphs, fs.table)
    story += [NextPageTemplate("cover"), PageBreak(), Spacer(1, 120)]
    story += [_p(t, st["cover"]) for t in src.closing]
    return story


def render_flow(src: Source, path: Path, fs: FlowStyle) -> Path:
    """A4 report: cover, initiatives flowing in ``fs.columns`` columns, closing page;
    running header and "Página N de M" on body pages. Built twice to know M."""
    st = _styles(fs.font, fs.bold, fs.justify, fs.title_size)
    total = [0]

    def furniture(c: canvas.Canvas, doc: BaseDocTemplate) -> None:
        c.setFont(fs.font, 8)
        c.drawString(56, A4[1] - 36, fs.header)
        c.drawRightString(A4[0] - 56, 28, f"Página {doc.page} de {total[0] or 99}")

    for _ in range(2):
        doc = BaseDocTemplate(str(path), pagesize=A4, invariant=1, leftMargin=56,
                              rightMargin=56, topMargin=60, bottomMargin=56)
        colw = (doc.width - 18 * (fs.columns - 1)) / fs.columns
        frames = [Frame(doc.leftMargin + k * (colw + 18), doc.bottomMargin, colw, doc.height,
                        id=f"c{k}") for k in range(fs.columns)]
        doc.addPageTemplates([
            PageTemplate("cover", [Frame(doc.leftMargin, doc.bottomMargin, doc.width,
                                         doc.height)]),
            PageTemplate("body", frames, onPage=furniture)])
        doc.build(_story(src, fs, st))
        total[0] = doc.page
    return path


# ---------------------------------------------------------------- the variants


def _caps_area(n: int, name: str) -> str:
    return f"ÁREA TEMÁTICA {n} {name}"


def _dash_area(n: int, name: str) -> str:
    return f"Área Temática {n} – {title_case(name)}"


VARIANTS: dict[str, tuple[Callable[[Source, Path], Path], bool]] = {
    # name: (renderer, whether the gold's per-page area semantics can hold)
    "titlecase-regular-titles": (lambda s, p: render_deck(s, p, DeckStyle(
        title_font="Vera", title_size=28, title_text=title_case, body_sizes=(16, 14, 12, 11, 10, 9, 8),
        area_font="Vera", area_text=lambda n, a: title_case(_caps_area(n, a)))), True),
    "area-below-or-band-footer": (lambda s, p: render_deck(s, p, DeckStyle(
        area_place="band", area_font="VeraIt", area_text=_dash_area,
        footer=lambda n: f"Governo de Minas Gerais | Status outubro 2025 | p. {n}")), True),
    "a4-two-columns": (lambda s, p: render_flow(s, p, FlowStyle(
        "Times-Roman", "Times-Bold", columns=2)), False),
    "a4-justified-glyphs-table": (lambda s, p: render_flow(s, p, FlowStyle(
        "Helvetica", "Helvetica-Bold", columns=1, justify=True, glyphs=True, table=True,
        title_size=17, area_text=_dash_area)), False),
    "cover-three-lines-situacao": (lambda s, p: render_deck(s, p, DeckStyle(
        cover=_three_line_cover)), True),
    "two-text-boxes": (lambda s, p: render_deck(s, p, DeckStyle(
        title_font="Helvetica-Bold", body_font="Helvetica", area_font="Helvetica-Bold",
        boxes=2)), True),
}
