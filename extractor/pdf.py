"""Read a PDF into frozen pages of words. The only module that touches pdfplumber.

Each page's words carry font name, size and boldness, which is all the layout
and structure stages need. Pages are read one at a time and released after use
(``page.close()``), so memory stays flat on long PDFs. Chars are read from the
page's content stream by a lean pdfminer device (boxes as pdfplumber computes
them, without building layout objects or resolving colours and graphic state)
and grouped by pdfplumber's own word extractor (see :func:`_chars_and_images`).
Where a word ends is decided per line from the line's own char gaps relative to
its font size (see :class:`_WordGrouper`, thresholds in
``rules/layout.yaml``): letter-spaced text comes out whole (``Abaeté``, not
``A b a e t é``) and words the producer left no blank between are not glued. On
ordinary lines (letters touching, words a blank apart) the words are exactly those
of ``Page.extract_words``.

Errors a user can cause (not a PDF, empty, truncated, encrypted, scanned) become
:class:`~extractor.errors.BadPDF` with a one-line reason.

Hardening against hostile files (see tests/hostile/): pdfminer inflates streams
with an unbounded ``zlib.decompress`` (and a quadratic byte-by-byte retry for
damaged ones), so :mod:`extractor.pdfstreams` bounds every decoded stream; pages
whose declared size no PDF can have are refused; words per page are capped; a
file whose cross-reference table lies is re-read by scanning its objects.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from itertools import groupby
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import pdfplumber
from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.utils import apply_matrix_pt, apply_matrix_rect
from pdfplumber import table as plumber_table
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
from pdfplumber.utils.text import WordExtractor
from pydantic import ConfigDict, Field

from extractor import pdfcontent, pdfstreams, progress, rulebook
from extractor.errors import BadPDF

log = logging.getLogger(__name__)
pdfstreams.install()  # bounded stream decoding before any PDF is read (see extractor/pdfstreams.py)

_CID = re.compile(r"\(cid:\d+\)")
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold|,b\b|-b\b", re.IGNORECASE)
_HEADER_BYTES = 1024
# The largest page PDF 32000 allows is 14,400 units (200 in); more is a hostile or broken
# file, and rendering it for review would need absurd amounts of memory.
MAX_PAGE_PT = 14_400.0
# A slide has hundreds of words; past this a page is machine-made noise whose layout
# would take minutes (XY-cut and line grouping grow faster than linearly).
MAX_WORDS_PER_PAGE = 20_000
# What pdfminer (and the page) may raise on damaged structure; a page failing with one
# of these is skipped with a warning, an unopenable file becomes BadPDF("corrupt").
_DAMAGE = (PdfminerException, PDFSyntaxError, MalformedPDFException, RecursionError, ValueError,
           KeyError, TypeError, AttributeError, IndexError, AssertionError, EOFError,
           RuntimeError, ZeroDivisionError, OverflowError)
# Characters no text field may carry: C0/C1 controls (PostgreSQL refuses NUL in text)
# and lone UTF-16 surrogates from broken ToUnicode maps (JSON encoders refuse them).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Skew terms of a text matrix this small against its scale are float noise of the producer
# (b = -3.7e-08, c = -7.7e-11 at a scale of ~18 from one PowerPoint export): 1e-3 is a
# shear of 0.06 degree, invisible on the page. pdfminer calls a char upright only when
# b * c <= 0, so noise of one sign turns every char into a vertical "word" of its own.
SKEW_TOLERANCE = 1e-3
# A filled path no larger than this either way, drawn with more segments than a rectangle,
# is taken for a glyph drawn as an outline (a browser print with text converted to paths):
# text the text layer lacks. Glyphs of up to 50 pt type fit; table rules and cell shades are
# rectangles, and chart areas and banners are larger.
MAX_GLYPH_PT = 50.0
MIN_GLYPH_SEGMENTS = 7
# An image drawn at fewer pixels per inch than this holds no text to read (a stretched
# gradient, a one-pixel rule): it is not counted as a picture of the page.
MIN_PICTURE_DPI = 40.0
# Table rules: a filled rectangle no thicker than this is a drawn line (a cell border, as
# spreadsheet exports draw them); a stroked segment or rectangle side is one whatever its
# width. Cell shades (filled rectangles thicker than this) are not borders.
RULE_MAX_PT = 2.0
# Past this many rules on a page (a chart's ticks, a hatched map) no grid is looked for:
# finding a grid's cells grows with the square of its crossings.
MAX_RULES = 4000
# Tolerances of pdfplumber's table finder (its defaults): rules this close are one rule,
# and meet when they come this close.
GRID_SNAP_PT = 3.0
GRID_MIN_EDGE_PT = 3.0

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Word:
    """One word as printed: text, box in PDF points (top-left origin) and font."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    page: int

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Page:
    """A page's words in content-stream order, plus what we need to judge it."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    images: int
    unmapped: int = 0  # words dropped because their font has no Unicode map, e.g. (cid:12)
    # What the page shows besides its text layer, for the scan decision (extractor/ocr.py):
    # each image with pixels enough to hold text, as (its stream's object id, or None for
    # an inline image; square points on the page), and the square points of glyphs drawn
    # as vector outlines (see _CharDevice).
    pictures: tuple[tuple[int | None, float], ...] = ()
    outline_area: float = 0.0
    # Tables drawn with rules (cell borders): each grid as its cells' boxes (x0, top, x1,
    # bottom, as words), found from the page's rules by pdfplumber's table finder. The
    # layout stage reads a grid's words cell by cell (extractor/ruled_tables.py).
    grids: tuple[tuple[Box, ...], ...] = ()


def check_file(path: Path) -> None:
    """Fail fast on what needs no parser: unreadable, empty, or not a PDF at all."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_HEADER_BYTES)
    except OSError as exc:
        raise BadPDF(f"cannot read the file: {exc.strerror or exc}", code="unreadable") from exc
    if size == 0:
        raise BadPDF("the file is empty", code="empty")
    if b"%PDF-" not in head:
        raise BadPDF("not a PDF: the file does not start with a %PDF header", code="not_pdf")


def _open(path: Path, warnings: list[str] | None = None) -> pdfplumber.PDF:
    """Open with pdfplumber, turning parser failures into readable reasons.

    A file that fails to open as damaged, or opens with no pages, is read once more
    with its cross-reference table ignored (pdfminer then finds objects by scanning,
    as PDF viewers do); if that fails too, the first reason is the one reported.
    """
    check_file(path)
    try:
        pdf = _open_source(path)
    except BadPDF as exc:
        if exc.code != "corrupt" or isinstance(exc, pdfstreams.StreamTooLarge):
            raise
        return _open_repaired(path, exc, warnings)
    if pdf.pages:
        return pdf
    pdf.close()
    return _open_repaired(path, None, warnings)


def _open_source(source: Path | io.BytesIO) -> pdfplumber.PDF:
    pdf, opened = None, False
    try:
        pdf = pdfplumber.open(source)
        _ = pdf.pages  # forces the page tree to be read now, not mid-extraction
        opened = True
        return pdf
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise BadPDF("the PDF is encrypted with a password; upload an unprotected copy",
                     code="encrypted") from exc
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, BadPDF):
            raise inner from exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise BadPDF("the PDF is encrypted with a password; upload an unprotected copy",
                         code="encrypted") from exc
        raise BadPDF(f"the PDF is damaged or truncated ({_short(inner)})", code="corrupt") from exc
    except BadPDF:
        raise
    except (*_DAMAGE, OSError) as exc:
        raise BadPDF(f"the PDF is damaged or truncated ({_short(exc)})", code="corrupt") from exc
    finally:
        if pdf is not None and not opened:
            pdf.stream.close()  # the page tree failed (pdf.close() would read it again)


def _open_repaired(path: Path, first: BadPDF | None, warnings: list[str] | None = None) -> pdfplumber.PDF:
    """Re-open with `startxref` hidden so pdfminer rebuilds the xref by scanning objects.

    pdfminer's scan stops at the first `trailer` it meets, so when the catalog can be
    found the old trailers are hidden too and one pointing at the (last) catalog is
    appended; this also repairs a file that lost its trailer.
    """
    hidden = path.read_bytes().replace(b"startxref", b"startxrex")
    catalogs = _CATALOG.findall(hidden)
    if catalogs:
        hidden = hidden.replace(b"trailer", b"trailex")
        hidden += b"\ntrailer\n<< /Root " + catalogs[-1] + b" 0 R >>\n"
    try:
        pdf = _open_source(io.BytesIO(hidden))
    except BadPDF:
        if first is not None:
            raise first from None
        raise BadPDF("the PDF has no pages", code="empty") from None
    if not pdf.pages:
        pdf.close()
        raise first or BadPDF("the PDF has no pages", code="empty")
    _warn(warnings, "the PDF's cross-reference table is damaged; it was rebuilt by scanning the file")
    return pdf


_CATALOG = re.compile(rb"(\d+)\s+\d+\s+obj\s*<<\s*/Type\s*/Catalog\b")


def _short(exc: object) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def probe_pdf(path: str | Path, *, max_pages: int | None = None) -> int:
    """Cheap check at upload time: a readable, unencrypted PDF; returns its page count."""
    with _open(Path(path)) as pdf:
        n = len(pdf.pages)
        if n == 0:
            raise BadPDF("the PDF has no pages", code="empty")
        if max_pages is not None and n > max_pages:
            raise BadPDF(f"the PDF has {n} pages; the limit is {max_pages}", code="too_many_pages")
        for i, page in enumerate(pdf.pages, start=1):
            _check_size(page, i)
    return n


def page_sizes(path: str | Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page, from the page tree (repaired if need be);
    for files a renderer refuses but the text reader could repair."""
    with _open(Path(path)) as pdf:
        return [(float(page.width), float(page.height)) for page in pdf.pages]


def _check_size(page: pdfplumber.page.Page, number: int) -> None:
    """Refuse a page larger than any PDF page can be (BadPDF "corrupt")."""
    try:
        width, height = float(page.width), float(page.height)
    except _DAMAGE as exc:
        raise BadPDF(f"page {number} has no usable size ({_short(exc)})", code="corrupt") from exc
    if not (0 < width <= MAX_PAGE_PT + 1 and 0 < height <= MAX_PAGE_PT + 1):
        raise BadPDF(f"page {number} declares a size of {width:g} x {height:g} points; a PDF page "
                     f"can be at most {MAX_PAGE_PT:g} (200 inches)", code="corrupt")


def _clean(text: str) -> str:
    """Printable text only: controls and lone surrogates out, NFC so accents compare equal."""
    return unicodedata.normalize("NFC", _UNPRINTABLE.sub("", text)).strip()


@lru_cache(maxsize=65536)
def _word_text(raw: str) -> str:
    """A word's printable text without unmapped glyph codes; words repeat, so cached."""
    return _clean(_CID.sub("", raw))


@lru_cache(maxsize=4096)
def _is_bold(fontname: str) -> bool:
    return bool(_BOLD.search(fontname))


def _word(raw: dict, page: int) -> Word | None:
    text = _word_text(raw["text"])
    if not text:
        return None
    return Word(text=text, x0=float(raw["x0"]), top=float(raw["top"]), x1=float(raw["x1"]),
                bottom=float(raw["bottom"]), size=round(float(raw.get("size") or 0.0), 1),
                bold=_is_bold(raw.get("fontname") or ""), page=page)


class _CharDevice(PDFTextDevice):
    """A pdfminer device that keeps only what word grouping needs.

    pdfplumber's ``Page.layout`` builds an ``LTChar`` per char (matrix maths,
    colour space, graphic state), an ``LTCurve`` per path and marked-content tags,
    then ``Page.chars`` resolves every attribute of every char: most of the
    reading time on a dense page. This device computes each char's box with
    the same arithmetic as ``LTChar`` (so boxes are equal to the last bit) and
    stores it as the few fields words need. Images are counted and their boxes
    kept, and filled paths shaped like glyphs add up their area, for the scan
    decision (``Page.pictures``, ``Page.outline_area``); no other path is looked at. Chars come in
    content order, figures included, as pdfplumber walks them; the pin is
    tests/extractor/test_pdf_words.py. Unlike pdfminer, a char whose text matrix
    has skew terms below ``SKEW_TOLERANCE`` of its scale is upright.
    """

    def __init__(self, rsrcmgr: PDFResourceManager) -> None:
        super().__init__(rsrcmgr)
        self.raw: list[tuple] = []
        self.images = 0
        self.pictures: list[tuple[int | None, tuple[float, float, float, float]]] = []
        self.outline_area = 0.0  # square points of glyph-like filled paths
        self.rules: list[Box] = []  # drawn lines, (x0, y0, x1, y1) in device space, x0 == x1 or y0 == y1
        self._fonts: dict[int, tuple[str, bool, float]] = {}

    def render_image(self, name: str, stream: object) -> None:
        """Count the image, and keep its box when it has pixels enough to show text."""
        self.images += 1
        x0, y0, x1, y1 = apply_matrix_rect(self.ctm, (0, 0, 1, 1))
        x0, x1 = min(x0, x1), max(x0, x1)
        y0, y1 = min(y0, y1), max(y0, y1)
        get = getattr(stream, "get", None)
        try:
            px_w = float(get("Width") or get("W") or 0) if get else 0.0
            px_h = float(get("Height") or get("H") or 0) if get else 0.0
        except (TypeError, ValueError):
            return
        if x1 - x0 <= 0 or y1 - y0 <= 0:
            return
        if min(px_w * 72 / (x1 - x0), px_h * 72 / (y1 - y0)) >= MIN_PICTURE_DPI:
            self.pictures.append((getattr(stream, "objid", None), (x0, y0, x1, y1)))

    def paint_path(self, gstate: object, stroke: bool, fill: bool, evenodd: bool,
                   path: list) -> None:
        """Keep the table rules a short path draws (:func:`_rules_of`: cell borders, for
        ``Page.grids``), and add the area of a filled path shaped like a glyph (see
        MAX_GLYPH_PT): text drawn as outlines, which the page-scan decision weighs
        against the text layer."""
        if len(path) <= MAX_RULE_SEGMENTS and len(self.rules) <= MAX_RULES:
            self.rules.extend(_rules_of(path, self.ctm, stroke, fill))
        if not fill or len(path) < MIN_GLYPH_SEGMENTS:
            return
        xs = [seg[-2] for seg in path if len(seg) >= 3]
        ys = [seg[-1] for seg in path if len(seg) >= 3]
        if not xs:
            return
        x0, y0, x1, y1 = apply_matrix_rect(self.ctm, (min(xs), min(ys), max(xs), max(ys)))
        w, h = abs(x1 - x0), abs(y1 - y0)
        if w <= MAX_GLYPH_PT and h <= MAX_GLYPH_PT:
            self.outline_area += w * h

    def _font_meta(self, font: PDFFont) -> tuple[str, bool, float]:
        meta = self._fonts.get(id(font))
        if meta is None:
            name = font.fontname
            meta = self._fonts[id(font)] = (
                name.decode("latin-1") if isinstance(name, bytes) else name,
                font.is_vertical(), font.get_descent())
        return meta

    def render_string_horizontal(self, seq: list, matrix: tuple, pos: tuple, font: PDFFont,
                                 fontsize: float, scaling: float, charspace: float,
                                 wordspace: float, rise: float, dxscale: float, ncs: object,
                                 graphicstate: object) -> tuple[float, float]:
        """pdfminer's loop over a string's chars with :meth:`render_char` inlined: the
        same arithmetic in the same order (``translate_matrix``, then
        ``apply_matrix_rect`` with the terms that are the same for every char of the
        string computed once), so boxes are equal to the last bit, without a matrix
        tuple, a rectangle and three calls per char. Each font's chars (text, width)
        are looked up once per font, not once per char."""
        x, y = pos
        a, b, c, d_, e, f = matrix
        fontname, _, descent = self._font_meta(font)
        glyphs = _glyphs(font)
        d = descent * fontsize
        by0, by1 = d + rise, d + rise + fontsize
        # render_char's upright test and skew clean-up depend on the matrix alone
        mb, mc = b, c
        if not (b or c):
            upright = a * d_ * scaling > 0
        elif abs(b) <= SKEW_TOLERANCE * abs(a) and abs(c) <= SKEW_TOLERANCE * abs(d_):
            mb, mc = 0, 0
            upright = a * d_ * scaling > 0
        elif abs(a) <= SKEW_TOLERANCE * abs(b) and abs(d_) <= SKEW_TOLERANCE * abs(c):
            upright = False
        else:
            upright = a * d_ * scaling > 0 and b * c <= 0
        # apply_matrix_rect(m, (0, by0, adv, by1)): each corner is (a*x + c*y) + e and
        # (b*x + d*y) + f; the corners at x = 0 do not depend on the char
        left_bottom_x, left_top_x = a * 0 + mc * by0, a * 0 + mc * by1
        left_bottom_y, left_top_y = mb * 0 + d_ * by0, mb * 0 + d_ * by1
        append = self.raw.append
        needcharspace = False
        for obj in seq:
            if isinstance(obj, (int, float)):
                x -= obj * dxscale
                needcharspace = True
            elif isinstance(obj, bytes):
                for cid in font.decode(obj):
                    if needcharspace:
                        x += charspace
                    glyph = glyphs.get(cid)
                    if glyph is None:
                        glyph = glyphs[cid] = _glyph(font, cid)
                    text, width = glyph
                    adv = width * fontsize * scaling
                    te = x * a + y * c + e  # translate_matrix(matrix, (x, y))
                    tf = x * b + y * d_ + f
                    left1, bottom1 = left_bottom_x + te, left_bottom_y + tf
                    right1, bottom2 = a * adv + mc * by0 + te, mb * adv + d_ * by0 + tf
                    right2, top1 = a * adv + mc * by1 + te, mb * adv + d_ * by1 + tf
                    left2, top2 = left_top_x + te, left_top_y + tf
                    # min() and max() of the four corners, spelled out (no call per char):
                    # the first of equal values wins, as in the builtins
                    x0 = x1 = left1
                    if left2 < x0:
                        x0 = left2
                    if right1 < x0:
                        x0 = right1
                    if right2 < x0:
                        x0 = right2
                    if left2 > x1:
                        x1 = left2
                    if right1 > x1:
                        x1 = right1
                    if right2 > x1:
                        x1 = right2
                    y0 = y1 = bottom1
                    if bottom2 < y0:
                        y0 = bottom2
                    if top1 < y0:
                        y0 = top1
                    if top2 < y0:
                        y0 = top2
                    if bottom2 > y1:
                        y1 = bottom2
                    if top1 > y1:
                        y1 = top1
                    if top2 > y1:
                        y1 = top2
                    append((text, x0, y0, x1, y1, upright, round(y1 - y0, 3), fontname))
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
            else:
                log.warning("Cannot render horizontal string because %r is not a valid "
                            "int, float or bytes.", obj)
        return (x, y)

    def render_char(self, matrix: tuple, font: PDFFont, fontsize: float, scaling: float,
                    rise: float, cid: int, ncs: object, graphicstate: object) -> float:
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = f"(cid:{cid})"
        fontname, vertical, descent = self._font_meta(font)
        adv = font.char_width(cid) * fontsize * scaling
        if vertical:
            vx, vy = font.char_disp(cid)  # type: ignore[misc]
            vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
            vy = (1000 - vy) * fontsize * 0.001
            bx0, by0, bx1, by1 = -vx, vy + rise + adv, -vx + fontsize, vy + rise
        else:
            d = descent * fontsize
            bx0, by0, bx1, by1 = 0, d + rise, adv, d + rise + fontsize
        a, b, c, d_, e, f = matrix
        if not (b or c):
            upright = a * d_ * scaling > 0
        elif abs(b) <= SKEW_TOLERANCE * abs(a) and abs(c) <= SKEW_TOLERANCE * abs(d_):
            # skew terms that are noise (SKEW_TOLERANCE): upright, and the box without
            # them, so that every char of a line has the same height (words keep whole)
            matrix = (a, 0, 0, d_, e, f)
            upright = a * d_ * scaling > 0
        elif abs(a) <= SKEW_TOLERANCE * abs(b) and abs(d_) <= SKEW_TOLERANCE * abs(c):
            upright = False  # a quarter turn whose scale terms are noise
        else:
            upright = a * d_ * scaling > 0 and b * c <= 0
        x0, y0, x1, y1 = apply_matrix_rect(matrix, (bx0, by0, bx1, by1))
        if x1 < x0:
            x0, x1 = x1, x0
        if y1 < y0:
            y0, y1 = y1, y0
        # the size to a thousandth of a point: a box's height carries float noise of its
        # position (7.000000000000057 beside 7.0), and a size change breaks a word
        self.raw.append((text, x0, y0, x1, y1, upright,
                         round((x1 - x0) if vertical else (y1 - y0), 3), fontname))
        return adv


# A path of more segments than this is a drawing (a chart, a map), not table rules: a
# rectangle is five, a polyline of borders a few dozen.
MAX_RULE_SEGMENTS = 64
_ALIGNED = 0.5  # pt: a segment this close to level or plumb is one


def _rules_of(path: list, ctm: tuple, stroke: bool, fill: bool) -> list[Box]:
    """The table rules a path draws, in device space: its level and plumb segments when
    stroked; when filled, a rectangle thin enough to be a line (RULE_MAX_PT), as its
    centre line. A path with curves draws no rule."""
    subpaths: list[list[tuple[float, float]]] = []
    for seg in path:
        op = seg[0]
        if op == "m" and len(seg) >= 3:
            subpaths.append([apply_matrix_pt(ctm, (seg[1], seg[2]))])
        elif op == "l" and len(seg) >= 3 and subpaths:
            subpaths[-1].append(apply_matrix_pt(ctm, (seg[1], seg[2])))
        elif op == "h" and subpaths and len(subpaths[-1]) > 1:
            subpaths[-1].append(subpaths[-1][0])
        elif op not in ("m", "l", "h"):
            return []
    out: list[Box] = []
    for pts in subpaths:
        if len(pts) < 2:
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        segments = list(zip(pts, pts[1:]))
        level = all(abs(a[0] - b[0]) <= _ALIGNED or abs(a[1] - b[1]) <= _ALIGNED for a, b in segments)
        if not level:
            continue
        if fill and len(pts) >= 4 and min(x1 - x0, y1 - y0) <= RULE_MAX_PT < max(x1 - x0, y1 - y0):
            if x1 - x0 >= y1 - y0:
                out.append((x0, (y0 + y1) / 2, x1, (y0 + y1) / 2))
            else:
                out.append(((x0 + x1) / 2, y0, (x0 + x1) / 2, y1))
            continue
        if not stroke:
            continue
        for a, b in segments:
            if abs(a[1] - b[1]) <= _ALIGNED and abs(a[0] - b[0]) > _ALIGNED:
                out.append((min(a[0], b[0]), a[1], max(a[0], b[0]), a[1]))
            elif abs(a[0] - b[0]) <= _ALIGNED and abs(a[1] - b[1]) > _ALIGNED:
                out.append((a[0], min(a[1], b[1]), a[0], max(a[1], b[1])))
    return out


def _grids(page: pdfplumber.page.Page, rules: list[Box]) -> tuple[tuple[Box, ...], ...]:
    """Tables drawn with rules: pdfplumber's table finder (edges merged, crossings, the
    smallest cells they close, cells grouped by shared corners) on the page's rules
    alone, so a text line's shaded background never cuts a cell. Boxes in the words'
    coordinates (top-left origin, MediaBox-adjusted)."""
    if len(rules) < 4 or len(rules) > MAX_RULES:
        return ()
    height, (mb_x0, mb_top) = float(page.height), page.mediabox[:2]
    edges = []
    for x0, y0, x1, y1 in rules:
        top, bottom = height - y1 + mb_top, height - y0 + mb_top
        edges.append({"x0": x0 + mb_x0, "x1": x1 + mb_x0, "top": top, "bottom": bottom, "doctop": top,
                      "width": x1 - x0, "height": bottom - top, "orientation": "v" if x0 == x1 else "h"})
    if not {"v", "h"} <= {e["orientation"] for e in edges}:
        return ()
    edges = plumber_table.merge_edges(edges, GRID_SNAP_PT, GRID_SNAP_PT, GRID_SNAP_PT, GRID_SNAP_PT)
    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= GRID_MIN_EDGE_PT]
    crossings = plumber_table.edges_to_intersections(edges, GRID_SNAP_PT, GRID_SNAP_PT)
    cells = plumber_table.intersections_to_cells(crossings)
    return tuple(tuple(tuple(map(float, c)) for c in t)  # type: ignore[misc]
                 for t in plumber_table.cells_to_tables(cells))


_GLYPHS = "_relato_glyphs"


def _glyphs(font: PDFFont) -> dict[int, tuple[str, float]]:
    """The font's cid -> (text, width) table, kept on the font: pdfminer shares a font
    between the pages that use it, and a char's text and width never change."""
    table = font.__dict__.get(_GLYPHS)
    if table is None:
        table = font.__dict__[_GLYPHS] = {}
    return table


def _glyph(font: PDFFont, cid: int) -> tuple[str, float]:
    try:
        text = font.to_unichr(cid)
    except PDFUnicodeNotDefined:
        text = f"(cid:{cid})"
    return text, font.char_width(cid)


def _chars_and_images(page: pdfplumber.page.Page) -> tuple[list[dict], int]:
    """The page's chars as the few fields word grouping needs, and its image count."""
    chars, device = _read_content(page)
    return chars, device.images


def _pictures(page: pdfplumber.page.Page, device: _CharDevice) -> tuple[tuple[int | None, float], ...]:
    """Each picture the device kept as (object id, square points of it on the page)."""
    width, height = float(page.width), float(page.height)
    out = []
    for key, (x0, y0, x1, y1) in device.pictures:  # device space starts at the page's corner
        w, h = min(x1, width) - max(x0, 0.0), min(y1, height) - max(y0, 0.0)
        if w > 0 and h > 0:
            out.append((key, w * h))
    return tuple(out)


def _read_content(page: pdfplumber.page.Page) -> tuple[list[dict], _CharDevice]:
    """The page's chars as the few fields word grouping needs, and the device that read
    them (image count, picture boxes, outline area).

    Read by :class:`_CharDevice` from the page's content stream, coordinates as
    pdfplumber's ``Page.process_object`` sets them (MediaBox-adjusted), so that
    pdfplumber's own word extractor gives exactly ``extract_words``. Failures are
    wrapped as ``Page.layout`` wraps them (:class:`PdfminerException`).
    """
    device = _CharDevice(page.pdf.rsrcmgr)
    try:
        pdfcontent.Interpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    except Exception as exc:
        raise PdfminerException(exc) from exc
    height, (mb_x0, mb_top) = float(page.height), page.mediabox[:2]
    doctop = page.initial_doctop
    chars = []
    for i, (text, x0, y0, x1, y1, upright, size, fontname) in enumerate(device.raw):
        top = height - y1 + mb_top
        chars.append({"text": text, "x0": x0 + mb_x0, "x1": x1 + mb_x0, "top": top,
                      "bottom": height - y0 + mb_top, "doctop": doctop + top,
                      "upright": upright, "size": size, "fontname": fontname, "i": i})
    return chars, device


LAYOUT_FILE = "layout.yaml"


class WordSpacing(rulebook.RulesModel):
    """How a line's char gaps decide its word breaks; every distance in em (a
    fraction of the line's font size). ``rules/layout.yaml`` says why each value."""

    model_config = ConfigDict(extra="forbid")
    min_gaps: int = Field(ge=1)
    letter_quantile: float = Field(ge=0, lt=1)
    max_letter_gap: float = Field(gt=0)
    letter_spread: float = Field(ge=0)
    min_letter_share: float = Field(gt=0, le=1)
    word_gap: float = Field(gt=0)
    max_overlap: float = Field(ge=0)
    phantom_blank: float = Field(ge=0)
    min_phantom_run: int = Field(ge=1)
    overprint: float = Field(ge=0, lt=0.2)


class LayoutRules(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    word_spacing: WordSpacing


class _WordGrouper(WordExtractor):
    """pdfplumber's word extractor with word breaks decided per line.

    pdfplumber hands each line (chars of one font and size sharing a top, sorted
    left to right) to :meth:`iter_chars_to_words`. Here the line is measured
    first: its *letter gap* is a low quantile of the gaps between consecutive
    non-blank chars, kept only when most gaps sit near it (a tracked line) and
    it is no wider than tracking ever is; otherwise it is 0. Then:

    - a gap wider than letter gap + ``word_gap`` breaks the word, so a tracked
      line's letters stay together and its (wider) word gaps still break, and a
      word gap the producer printed without a blank is not glued;
    - a blank breaks the word, unless it is *phantom* (its neighbours are no
      farther apart than letter gap + ``phantom_blank``: it takes no room on
      the page) and one of at least ``min_phantom_run`` in a row, as when a
      producer spaces a URL or a date out with blanks and kerns each one back;
    - a line whose char boxes all overlap by more than ``max_overlap`` has widths
      that do not match positions; it is split as pdfplumber does;
    - a glyph drawn again within ``overprint`` of itself (fake bold) is read once, and
      a string printed over another (a cell under its row label) is read apart.

    Rotated and vertical lines are left to pdfplumber.
    """

    def __init__(self, spacing: WordSpacing) -> None:
        super().__init__(extra_attrs=["fontname", "size"], keep_blank_chars=False)
        self.spacing = spacing

    def iter_chars_to_lines(self, chars):  # type: ignore[no-untyped-def,override]
        """pdfplumber's lines of upright chars, without its generic clustering helpers:
        distinct tops sorted and cut where one is more than ``y_tolerance`` below the
        previous, chars in line order (stable), each line by ``x0`` (stable), as
        ``cluster_objects`` and the ``ltr`` sort key do it. Other directions are
        pdfplumber's own."""
        chars = list(chars)
        tol = self.y_tolerance
        if not chars[0]["upright"] or self.line_dir != "ttb" or self.get_char_dir(True) != "ltr" or not tol:
            yield from super().iter_chars_to_lines(chars)
            return
        tops = sorted({c["top"] for c in chars})
        line_of: dict[float, int] = {}
        n, last = 0, tops[0]
        for top in tops:
            if top > last + tol:
                n += 1
            line_of[top] = n
            last = top
        get = line_of.get
        keyed = sorted([(get(c["top"]), c) for c in chars], key=_FIRST)
        for _, line in groupby(keyed, _FIRST):
            yield sorted([c for _, c in line], key=_X0), "ltr"

    def merge_chars(self, ordered_chars):  # type: ignore[no-untyped-def,override]
        """pdfplumber's word dict of a word's chars, in one pass per field (its bbox
        helpers zip the chars' boxes first): the same min and max in the same order."""
        first = ordered_chars[0]
        if len(ordered_chars) == 1:
            x0, top, x1, bottom = first["x0"], first["top"], first["x1"], first["bottom"]
        else:
            x0 = min([c["x0"] for c in ordered_chars])
            top = min([c["top"] for c in ordered_chars])
            x1 = max([c["x1"] for c in ordered_chars])
            bottom = max([c["bottom"] for c in ordered_chars])
        upright = first["upright"]
        expansions = self.expansions
        word = {
            "text": "".join([expansions.get(c["text"], c["text"] or "") for c in ordered_chars]),
            "x0": x0, "x1": x1, "top": top, "doctop": top + (first["doctop"] - first["top"]),
            "bottom": bottom, "upright": upright, "height": bottom - top, "width": x1 - x0,
            "direction": self.get_char_dir(upright),
        }
        for key in self.extra_attrs:
            word[key] = first[key]
        return word

    def letter_gap(self, gaps: list[float], size: float) -> float | None:
        """The line's letter gap in points (0 when untracked), or None when its
        char boxes overlap too much for gaps to mean anything."""
        sp = self.spacing
        if len(gaps) < sp.min_gaps:
            return 0.0
        ordered = sorted(gaps)
        q = ordered[int(len(ordered) * sp.letter_quantile)]
        if q < -sp.max_overlap * size:
            return None
        if q <= 0 or q > sp.max_letter_gap * size:
            return 0.0
        lo, hi = q - sp.letter_spread * size, q + sp.letter_spread * size
        near = sum(1 for g in gaps if lo <= g <= hi)
        return q if near >= sp.min_letter_share * len(gaps) else 0.0

    def iter_chars_to_words(self, ordered_chars, direction):  # type: ignore[override]
        chars = ordered_chars if isinstance(ordered_chars, list) else list(ordered_chars)
        size = chars[0]["size"] if chars else 0
        if direction != "ltr" or not size or size <= 0:
            yield from super().iter_chars_to_words(chars, direction)
            return
        sp = self.spacing
        ink = [c for c in chars if not c["text"].isspace()]
        if not ink:
            return
        gaps = [b["x0"] - a["x1"] for a, b in zip(ink, ink[1:])]
        if gaps and min(gaps) < -sp.overprint * size:  # a glyph may be printed over itself
            chars, ink = _drop_overprints(chars, sp.overprint * size)
            gaps = [b["x0"] - a["x1"] for a, b in zip(ink, ink[1:])]
            runs = _overprinted_runs(chars) if gaps and min(gaps) < -sp.overprint * size else None
            if runs is not None:  # a string printed over another: each read on its own
                for run in runs:
                    yield from self.iter_chars_to_words(sorted(run, key=_X0), direction)
                return
        letter = self.letter_gap(gaps, size)
        if letter is None:
            yield from super().iter_chars_to_words(chars, direction)
            return
        word_tol = letter + sp.word_gap * size
        phantom_tol = letter + sp.phantom_blank * size
        y_tol = self.y_tolerance
        # words in order, and whether each follows the previous across a phantom blank
        words: list[list[dict]] = []
        phantom: list[bool] = []
        word: list[dict] = []
        prev: dict | None = None
        blank = False
        for c in chars:
            if c["text"].isspace():
                blank = True
                continue
            if prev is None:
                word = [c]
            else:
                gap = c["x0"] - prev["x1"]
                if c["x0"] < prev["x0"] or abs(c["top"] - prev["top"]) > y_tol:
                    words.append(word), phantom.append(False)
                    word = [c]
                elif blank:
                    phantom.append(gap <= phantom_tol)
                    words.append(word)
                    word = [c]
                elif gap > word_tol:
                    words.append(word), phantom.append(False)
                    word = [c]
                else:
                    word.append(c)
            prev, blank = c, False
        words.append(word)
        if sp.min_phantom_run > len(words) - 1 or not any(phantom):
            yield from words
            return
        yield from _join_phantom_runs(words, phantom, sp.min_phantom_run)


def _drop_overprints(chars: list[dict], tol: float) -> tuple[list[dict], list[dict]]:
    """A line's chars (left to right) without glyphs drawn again over themselves, and
    its non-blank ones. Fake bold prints each glyph two to four times a fraction of a
    point apart (``SSSSUUUUBBBB``); sorted by x the copies are neighbours, so a char
    equal to the last one kept, within ``tol`` of it both ways, is a copy. Only lines
    with a char overlapping the one before by more than ``tol`` are looked at (a copy
    overlaps its glyph by nearly its width)."""
    kept: list[dict] = []
    ink: list[dict] = []
    prev: dict | None = None
    for c in chars:
        if (prev is not None and c["text"] == prev["text"] and abs(c["x0"] - prev["x0"]) <= tol
                and abs(c["top"] - prev["top"]) <= tol):
            continue
        kept.append(c)
        if not c["text"].isspace():
            ink.append(c)
        prev = c
    return kept, ink


_X0 = itemgetter("x0")
_FIRST = itemgetter(0)
MAX_OVERPRINTED_RUNS = 3


def _overprinted_runs(chars: list[dict]) -> list[list[dict]] | None:
    """The runs of a line printed over one another (a table cell overprinted by its row
    label: ``(2.31..528) 7+.250,00``), or None when it is not so. In content order a
    string's chars go left to right; where the next char starts left of the previous
    one, another string begins. Two or three runs of two chars or more are overprinted
    strings; anything else (chars placed in any order) is left as it is."""
    ordered = sorted(chars, key=_INDEX)
    runs: list[list[dict]] = [[ordered[0]]]
    for c in ordered[1:]:
        if c["x0"] < runs[-1][-1]["x0"]:
            if len(runs) == MAX_OVERPRINTED_RUNS:
                return None
            runs.append([c])
        else:
            runs[-1].append(c)
    if len(runs) < 2 or any(len(r) < 2 for r in runs):
        return None
    return runs


_INDEX = itemgetter("i")


def _join_phantom_runs(words: list[list[dict]], phantom: list[bool],
                       min_run: int) -> Iterator[list[dict]]:
    """Join words split only by phantom blanks, where at least ``min_run`` such
    blanks come in a row; ``phantom[i]`` says whether words[i+1] follows words[i]
    across one."""
    i, n = 0, len(words)
    while i < n:
        j = i
        while j < n - 1 and phantom[j]:
            j += 1
        if j - i >= min_run:
            yield [c for w in words[i:j + 1] for c in w]
        else:
            yield from words[i:j + 1]
        i = j + 1


@lru_cache(maxsize=1)
def _grouper() -> _WordGrouper:
    return _WordGrouper(rulebook.load(LAYOUT_FILE, LayoutRules).word_spacing)


def group_words(chars: list[dict]) -> list[dict]:
    """A page's chars (as :func:`_chars_and_images` gives them) grouped into
    pdfplumber word dicts (text, box, fontname, size), line by line."""
    return _grouper().extract_words(chars)


def _read_page(page: pdfplumber.page.Page, number: int, warnings: list[str] | None) -> Page:
    _check_size(page, number)
    chars, device = _read_content(page)
    raw = group_words(chars)
    if len(raw) > MAX_WORDS_PER_PAGE:
        _warn(warnings, f"page {number}: {len(raw)} words; only the first {MAX_WORDS_PER_PAGE} were read")
        raw = raw[:MAX_WORDS_PER_PAGE]
    words = tuple(w for w in (_word(r, number) for r in raw) if w is not None)
    unmapped = sum(1 for r in raw if "(cid:" in r["text"] and _CID.search(r["text"]) and not _word_text(r["text"]))
    return Page(number=number, width=float(page.width), height=float(page.height),
                words=words, images=device.images, unmapped=unmapped,
                pictures=_pictures(page, device), outline_area=device.outline_area,
                grids=_grids(page, device.rules) if words else ())


def _warn(warnings: list[str] | None, msg: str) -> None:
    log.warning(msg)
    if warnings is not None:
        warnings.append(msg)


def read_pages(path: str | Path, warnings: list[str] | None = None) -> Iterator[Page]:
    """Yield each page's words, releasing pdfplumber's caches after each page.

    A page that fails to parse is skipped with a warning (a partial result beats
    none); a file that cannot be opened raises :class:`BadPDF`.
    """
    pdf = _open(Path(path), warnings)
    with pdf:
        for i, page in enumerate(pdf.pages, start=1):
            progress.report(f"Leitura: página {i} de {len(pdf.pages)}")
            try:
                yield _read_page(page, i, warnings)
            except BadPDF:
                raise  # a bomb or an impossible page size: the whole file is refused
            except PdfminerException as exc:  # pdfplumber wraps what pdfminer raised
                inner = exc.args[0] if exc.args else None
                if isinstance(inner, BadPDF):
                    raise inner from exc
                _warn(warnings, f"page {i}: could not be read ({_short(inner or exc)})")
            except _DAMAGE as exc:
                _warn(warnings, f"page {i}: could not be read ({_short(exc)})")
            finally:
                page.close()
