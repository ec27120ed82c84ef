"""Words -> lines in reading order: columns, tables, running headers and footers.

Reading order comes from a recursive XY-cut: a region is split at its widest
whitespace gap, across or down, so two text boxes side by side are read one
after the other instead of line by line interleaved. A split whose two sides
line up row by row with short cells is a table, not columns: it is read row by
row and its cells are kept apart (``Line.cells``).

Running headers/footers (the same text in the page margins on many pages) and
page numbers are removed here, once, for every later stage.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from extractor.geometry import interval_gaps, median, merge_bboxes, rows_of
from extractor.pdf import Box, Page, Word
from extractor.ruled_tables import GridReading, read_grid

COLUMN_GAP = 1.0        # an x-gap this many font sizes wide may separate columns
TABLE_COLUMN_GAP = 0.5  # inside a table, a gap every body row leaves free this wide is a column
TABLE_MIN_BODY_ROWS = 4  # ... when the table has at least this many body rows
SIDE_SIZE_RATIO = 1.25  # a block beside a table set this much larger or smaller is not a column
MAX_XY_WORDS = 4000     # beyond this many words on a page, skip XY-cut (plain rows)
MAX_DEPTH = 60          # deeper than this, a region is read as plain rows
MARGIN = 0.1            # top/bottom share of the page where headers/footers live
# A short dated line printed at the same place on most pages (a bulletin's masthead
# date under its banner) is a running header this far into the page, on this many
# pages, of at most this many words (a longer line is a caption of the page's table).
MASTHEAD_MARGIN = 0.2
MASTHEAD_PAGES = 3
MASTHEAD_WORDS = 6
PLACE_TOLERANCE = 2.0   # pt: "the same place" on two pages
LONE_LABEL_WORDS = 6    # a row label beside a lone number is a short phrase
GRID_MIN_COLUMNS = 3    # a region cut by this many gutters top to bottom may be a table ...
GRID_MIN_FIGURE_ROWS = 2  # ... when this many rows hold figures in two columns or more
GRID_MAX_ROWS = 20      # longer regions with gutters are more often lists in columns
GRID_CELL_WORDS = 6     # a table's cells are short; longer runs are prose in columns
_FIGURE = re.compile(r"^[(\-–]?(?:R\$)?[\d.,/%()\s–-]*\d[\d.,/%()\s–-]*$")
_PAGE_NUMBER = re.compile(r"^(p[áa]g(ina)?\.?\s*)?\d{1,4}(\s*(de|/|of)\s*\d{1,4})?$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Line:
    """Words on one baseline of one block; ``cells`` is set for table rows.

    Derived values are cached: structure asks for a line's size and weight often.
    """

    words: tuple[Word, ...]
    page: int
    block: int
    cells: tuple[tuple[Word, ...], ...] = ()

    @cached_property
    def text(self) -> str:
        if self.cells:
            return "\t".join(" ".join(w.text for w in c) for c in self.cells)
        return " ".join(w.text for w in self.words)

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        return merge_bboxes(self.words)

    @cached_property
    def size(self) -> float:
        """The font size most of the line's characters are set in."""
        weights: Counter[float] = Counter()
        for w in self.words:
            weights[w.size] += len(w.text)
        return weights.most_common(1)[0][0]

    @cached_property
    def bold(self) -> bool:
        total = sum(len(w.text) for w in self.words)
        return sum(len(w.text) for w in self.words if w.bold) * 2 > total

    @cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @cached_property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)


@dataclass
class PageLayout:
    """A page's lines in reading order, and what was set aside as page furniture."""

    number: int
    width: float
    height: float
    lines: list[Line]
    furniture: list[Line] = field(default_factory=list)
    images: int = 0


def _best_gap(words: Sequence[Word], size: float) -> tuple[str, float] | None:
    """Where to cut the region: its widest gap across (``y``) or down (``x``).

    Gaps are scaled by font size. A cut across wins unless the widest gap down is
    more than twice as wide, so a heading above two columns is split off first.
    One cut at a time: a sub-region may then show columns its parent did not.
    """
    y = max((((hi - lo) / size, (lo + hi) / 2)
             for lo, hi in interval_gaps([(w.top, w.bottom) for w in words])), default=None)
    x = max((((hi - lo) / size, (lo + hi) / 2)
             for lo, hi in interval_gaps([(w.x0, w.x1) for w in words])), default=None)
    if x is not None and x[0] < COLUMN_GAP:
        x = None
    if x is not None and (y is None or x[0] > 2 * y[0]):
        return "x", x[1]
    return ("y", y[1]) if y is not None else None


def _is_table(left: Sequence[Word], right: Sequence[Word], size: float) -> bool:
    """Two sides of an x-gap form a table when their rows line up and cells are short."""
    lrows, rrows = rows_of(left), rows_of(right)
    if len(lrows) < 2 or len(rrows) < 2:
        return False
    tol = size * 0.4

    def aligned(a: list[list[Word]], b: list[list[Word]]) -> float:
        tops = [r[0].top for r in b]
        return sum(any(abs(r[0].top - t) <= tol for t in tops) for r in a) / len(a)

    short = median([len(r) for r in lrows + rrows]) <= 4
    return short and aligned(lrows, rrows) >= 0.7 and aligned(rrows, lrows) >= 0.7


def _is_grid(words: Sequence[Word], size: float, across: float | None = None, *, labelled: bool = False) -> bool:
    """A region cut down at ``across`` whose columns run top to bottom is a table, though
    its two sides fail the row-by-row test of :func:`_is_table`.

    That test fails when row labels wrap around their figures ("TáxiGov" / figures /
    "DF") or a header is set over two or three lines. Such a region is a table when
    gutters every row leaves free split it into three columns or more, each column
    holds text in two rows or more, cells are short, and two rows or more hold figures
    in the same two columns or more, with figure columns on both sides of the cut (two
    tables side by side whose rows do not line up are not one table). ``labelled``
    asks each figure row for a label cell too (a chart's value labels in a row name
    nothing).
    """
    rows = rows_of(words)
    if not 3 <= len(rows) <= GRID_MAX_ROWS:
        return False
    cuts = [(lo + hi) / 2 for lo, hi in interval_gaps([(w.x0, w.x1) for w in words])
            if (hi - lo) / size >= COLUMN_GAP]
    if len(cuts) + 1 < GRID_MIN_COLUMNS:
        return False
    edges = [float("-inf"), *cuts, float("inf")]
    filled = [0] * (len(cuts) + 1)
    figure_rows, common = 0, None
    for row in rows:
        cells: list[list[str]] = [[] for _ in filled]
        for w in row:
            mid = (w.x0 + w.x1) / 2
            cells[next(i for i in range(len(filled)) if edges[i] <= mid < edges[i + 1])].append(w.text)
        if any(len(c) > GRID_CELL_WORDS for c in cells):
            return False
        for i, c in enumerate(cells):
            filled[i] += bool(c)
        figures = {i for i, c in enumerate(cells) if c and _FIGURE.match(" ".join(c))}
        if len(figures) >= 2 and (not labelled or any(c and i not in figures for i, c in enumerate(cells))):
            figure_rows += 1
            common = figures if common is None else common & figures
    # the figures stand in the same columns row after row (not labels scattered over a chart)
    sides = {edges[i] < across for i in common or ()} if across is not None else {True, False}
    return (min(filled) >= 2 and figure_rows >= GRID_MIN_FIGURE_ROWS and len(common or ()) >= 2
            and len(sides) == 2)


def _header_rows(rows: list[list[Word]]) -> int:
    """How many rows at the top of a table hold no digit: its header rows."""
    n = 0
    for row in rows:
        if any(ch.isdigit() for w in row for ch in w.text):
            break
        n += 1
    return n if n < len(rows) else 0


def _column_cuts(rows: list[list[Word]], size: float) -> list[float]:
    """x positions between a table's columns, read from its body rows.

    Header cells are often centred over, or wider than, the column below them
    ("CASOS ÓBITOS" over two numeric columns), so they would bridge the gap;
    with enough body rows the columns show as whitespace every body row leaves
    free, which may be narrower than the gap between text columns (a row number
    and the name beside it). Fewer rows than that cannot tell a column gap from
    a word space, so the wider gap is required.
    """
    body = rows[_header_rows(rows):]
    min_gap = TABLE_COLUMN_GAP if len(body) >= TABLE_MIN_BODY_ROWS else COLUMN_GAP
    spans = [(w.x0, w.x1) for row in body for w in row]
    return [(lo + hi) / 2 for lo, hi in interval_gaps(spans) if (hi - lo) / size >= min_gap]


def _table_lines(words: Sequence[Word], size: float, page: int, block: int) -> list[Line]:
    """Rows of a table, each split into cells at the table's column cuts.

    Every row has one cell per column, empty ones included, so a cell's index is
    its column for every row, header rows too (a header word goes to the column
    it overlaps most).
    """
    rows = rows_of(words)
    cuts = _column_cuts(rows, size)
    edges = [float("-inf"), *cuts, float("inf")]
    lines = []
    for row in rows:
        cells: list[list[Word]] = [[] for _ in range(len(cuts) + 1)]
        for w in row:
            overlap = [min(w.x1, hi) - max(w.x0, lo) for lo, hi in zip(edges, edges[1:])]
            cells[max(range(len(overlap)), key=overlap.__getitem__)].append(w)
        lines.append(Line(words=tuple(row), page=page, block=block,
                          cells=tuple(tuple(c) for c in cells)))
    return lines


def _number_rows(rows: list[list[Word]], table_at: float) -> list[list[Word]]:
    """The rows holding a number right of the table's gap at ``table_at``."""
    return [row for row in rows
            if any((v.x0 + v.x1) / 2 >= table_at and _DIGIT.search(v.text) for v in row)]


def _side_block_cut(numbered: list[list[Word]], size: float, table_at: float) -> float | None:
    """An x-gap that sets a text block apart from a table beside it, if any.

    A chart's caption printed to the left of its labelled values ("GRÁFICO 2.
    Distribuição dos novos casos…" beside "0 a 9 anos  108") shares rows with the
    table, so the widest gap (labels | values, at ``table_at``) makes the whole
    region look like one table with the caption in its label cells. Looking only
    at the rows that hold a number right of that gap (a source line below the
    table may run across everything: ``numbered`` is :func:`_number_rows`), a narrower
    gap whose two sides are not a table themselves and are set in clearly different
    font sizes is the edge of such a block: cutting there first reads the caption,
    then the table.
    """
    core = [w for row in numbered for w in row]
    for lo, hi in interval_gaps([(w.x0, w.x1) for w in core]):
        at = (lo + hi) / 2
        if (hi - lo) / size < COLUMN_GAP or at >= table_at:
            continue
        left = [w for w in core if (w.x0 + w.x1) / 2 < at]
        right = [w for w in core if (w.x0 + w.x1) / 2 >= at]
        a, b = median([w.size for w in left]), median([w.size for w in right])
        if max(a, b) >= SIDE_SIZE_RATIO * min(a, b) and not _is_table(left, right, size):
            return at
    return None


def _split_beside(rows: list[list[Word]], numbered_rows: list[list[Word]], side: float) -> list[list[Word]]:
    """The region's parts in reading order when a block stands beside its table at
    ``side``: lines running across both above, the block, the table, lines across below.

    Rows of the table are split word by word (the block's lines share them); other
    rows go whole to the side they lie on, or above/below when they run across.
    """
    numbered = {id(r) for r in numbered_rows}
    tops = [r[0].top for r in rows if id(r) in numbered]
    above: list[Word] = []
    left: list[Word] = []
    right: list[Word] = []
    below: list[Word] = []
    for row in rows:
        mids = [(w.x0 + w.x1) / 2 for w in row]
        if id(row) in numbered:
            for w, m in zip(row, mids):
                (left if m < side else right).append(w)
        elif all(m < side for m in mids):
            left.extend(row)
        elif all(m >= side for m in mids):
            right.extend(row)
        else:
            (above if row[0].top < min(tops) else below).extend(row)
    return [part for part in (above, left, right, below) if part]


@dataclass
class _Cutter:
    """Recursive XY-cut of one page, appending lines in reading order."""

    page: int
    out: list[Line] = field(default_factory=list)
    blocks: int = 0

    def emit(self, lines: list[Line]) -> None:
        self.out.extend(lines)
        self.blocks += 1

    def rows(self, words: Sequence[Word]) -> None:
        self.emit([Line(words=tuple(r), page=self.page, block=self.blocks) for r in rows_of(words)])

    def cut(self, words: Sequence[Word], depth: int = 0) -> None:
        size = median([w.size for w in words]) or 10.0
        gap = _best_gap(words, size) if depth < MAX_DEPTH else None
        if gap is None:
            self.rows(words)
            return
        axis, at = gap
        if axis == "x":
            first = [w for w in words if (w.x0 + w.x1) / 2 < at]
            rest = [w for w in words if (w.x0 + w.x1) / 2 >= at]
            if _is_table(first, rest, size):
                rows = rows_of(words)
                numbered = _number_rows(rows, at)
                side = _side_block_cut(numbered, size, at)
                if side is None:
                    self.emit(_table_lines(words, size, self.page, self.blocks))
                    return
                for part in _split_beside(rows, numbered, side):
                    self.cut(part, depth + 1)
                return
            if _is_grid(words, size, across=at):
                self.emit(_table_lines(words, size, self.page, self.blocks))
                return
        else:
            first = [w for w in words if (w.top + w.bottom) / 2 < at]
            rest = [w for w in words if (w.top + w.bottom) / 2 >= at]
        self.cut(first, depth + 1)
        self.cut(rest, depth + 1)


_GRID_MARK = "\x00grid"


def _ruled_tables(page: Page) -> tuple[list[Word], dict[int, GridReading]]:
    """The page's words with each ruled table (``Page.grids``) replaced by one
    placeholder word covering it, and the tables' readings by placeholder. XY-cut then
    places each table in reading order (a table in one of two columns stays there)
    without cutting through its cells."""
    words: list[Word] = list(page.words)
    readings: dict[int, GridReading] = {}
    boxes = [_grid_box(g) for g in page.grids]
    for k, grid in enumerate(page.grids):
        if any(j != k and _contains(boxes[k], b) for j, b in enumerate(boxes)):
            continue  # a frame around other tables (a panel of figures and a table in it)
        reading = read_grid(grid, words)
        if reading is None:
            continue
        inside = [w for w in words if id(w) in reading.used]
        words = [w for w in words if id(w) not in reading.used]
        x0, top, x1, bottom = reading.bbox
        mark = Word(text=f"{_GRID_MARK}{len(readings)}", x0=x0, top=top, x1=x1, bottom=bottom,
                    size=median([w.size for w in inside]) or 10.0, bold=False, page=page.number)
        readings[id(mark)] = reading
        words.append(mark)
    return words, readings


def _grid_box(grid: tuple[Box, ...]) -> Box:
    return (min(c[0] for c in grid), min(c[1] for c in grid), max(c[2] for c in grid), max(c[3] for c in grid))


def _contains(outer: Box, inner: Box) -> bool:
    t = 1.0
    return (outer[0] - t <= inner[0] and outer[1] - t <= inner[1] and inner[2] <= outer[2] + t
            and inner[3] <= outer[3] + t and outer != inner)


def _grid_lines(reading: GridReading, page: int, block: int) -> list[Line]:
    """A ruled table's rows as lines: a caption as a plain line (it ends the table
    before it, as a title line does), every other row as a table row with its cells."""
    return [Line(words=row.words, page=page, block=block) if row.caption
            else Line(words=row.words, page=page, block=block, cells=row.cells)
            for row in reading.rows]


def page_lines(page: Page) -> list[Line]:
    """All lines of one page in reading order."""
    if not page.words:
        return []
    words, readings = _ruled_tables(page) if page.grids else (list(page.words), {})
    cutter = _Cutter(page=page.number)
    if len(words) > MAX_XY_WORDS:
        cutter.rows(words)
    else:
        cutter.cut(words)
    lines = cutter.out
    if readings:
        lines = []
        for ln in cutter.out:
            marks = [w for w in ln.words if id(w) in readings]
            if not marks:
                lines.append(ln)
                continue
            rest = tuple(w for w in ln.words if id(w) not in readings)
            if rest:
                lines.append(Line(words=rest, page=ln.page, block=ln.block))
            for mark in marks:
                cutter.blocks += 1
                lines.extend(_grid_lines(readings[id(mark)], page.number, cutter.blocks))
    return pair_lone_values(lines)


_LONE_VALUE = re.compile(r"^[\d.,]+\s?%?$")


def pair_lone_values(lines: list[Line]) -> list[Line]:
    """Put a number that XY-cut left alone back beside its row label.

    A "Órgão | Qtde" panel set with wide gaps, or drawn over an image, is cut into
    a column of labels and a column of numbers, each number a block of its own. A
    lone number whose row (vertical middle within half a font size) holds a short
    label line to its left (words without digits, alone in its block too) is that
    label's value: the two
    become one table row (label cell, number cell) where the label was read.
    """
    blocks = Counter(ln.block for ln in lines)
    lone = [i for i, ln in enumerate(lines)
            if blocks[ln.block] == 1 and _LONE_VALUE.match(ln.text)]
    if not lone:
        return lines
    out = list(lines)
    used: set[int] = set()
    for i in lone:
        value = lines[i]
        mid = (value.top + value.bottom) / 2
        best = None
        for j, ln in enumerate(lines):
            if j == i or j in used or ln.cells or blocks[ln.block] != 1 or _DIGIT.search(ln.text):
                continue
            if ln.bbox[2] > value.x0 or abs((ln.top + ln.bottom) / 2 - mid) > value.size / 2:
                continue
            if best is None or ln.bbox[2] > lines[best].bbox[2]:
                best = j
        if best is None or len(lines[best].words) > LONE_LABEL_WORDS:
            continue
        label = lines[best]
        used.update((i, best))
        out[best] = Line(words=label.words + value.words, page=label.page, block=label.block,
                         cells=(label.words, value.words))
        out[i] = None  # type: ignore[call-overload]
    return [ln for ln in out if ln is not None]


def _furniture_key(line: Line) -> str:
    return _DIGITS.sub("#", " ".join(line.text.lower().split()))


def _in_margin(line: Line, height: float) -> bool:
    return line.bottom <= height * MARGIN or line.top >= height * (1 - MARGIN)


def _place_key(line: Line) -> tuple[str, int, int]:
    """A dated line's exact text (a masthead prints the same date on every page) and where
    it sits, in steps of ``PLACE_TOLERANCE``."""
    return (" ".join(line.text.lower().split()), round(line.top / PLACE_TOLERANCE),
            round(line.bbox[0] / PLACE_TOLERANCE))


def _masthead_band(line: Line, height: float) -> bool:
    return bool(_DIGIT.search(line.text)) and len(line.words) <= MASTHEAD_WORDS and (
        line.bottom <= height * MASTHEAD_MARGIN or line.top >= height * (1 - MASTHEAD_MARGIN))


def remove_furniture(pages: list[PageLayout]) -> None:
    """Move running headers, footers and page numbers out of ``lines`` (in place).

    Past the margins, a dated line printed at the same place on most pages (the date
    under a bulletin's banner) is a running header too: its date counts once."""
    seen: Counter[str] = Counter()
    placed: Counter[tuple[str, int, int]] = Counter()
    for p in pages:
        seen.update({_furniture_key(ln) for ln in p.lines if _in_margin(ln, p.height)})
        placed.update({_place_key(ln) for ln in p.lines if _masthead_band(ln, p.height)})
    with_text = sum(1 for p in pages if p.lines)
    repeated = {k for k, n in seen.items() if n >= 2 and n * 2 >= with_text}
    at_place = {k for k, n in placed.items() if n >= MASTHEAD_PAGES and n * 2 >= with_text}
    for p in pages:
        keep: list[Line] = []
        for ln in p.lines:
            margin = _in_margin(ln, p.height)
            if (margin and (_furniture_key(ln) in repeated or _PAGE_NUMBER.match(ln.text.strip()))) or (
                    _masthead_band(ln, p.height) and _place_key(ln) in at_place):
                p.furniture.append(ln)
            else:
                keep.append(ln)
        p.lines = keep


def layout_pages(pages: list[Page]) -> list[PageLayout]:
    """Lines in reading order for every page, page furniture set aside."""
    out = [PageLayout(number=p.number, width=p.width, height=p.height, lines=page_lines(p),
                      images=p.images) for p in pages]
    remove_furniture(out)
    return out
