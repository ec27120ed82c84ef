"""Tables drawn with rules, read cell by cell from their grid.

Spreadsheet and word-processor exports draw a table's cell borders. There the borders,
not the whitespace, say which words are one cell: a hospital's name over three lines,
a header "Total de / Leitos / Clínicos" over three, a municipality centred across the
four rows it spans. Whitespace cuts (layout.py's XY-cut) shred such a table into
columns of fragments; the grid (``Page.grids``, found by pdfplumber's table finder from
the page's rules in extractor/pdf.py) keeps each cell whole.

A grid is read into rows of cells, one cell per column of its (sub)table, so the text
stage sees the same tab-separated rows as for a table found by whitespace, and the
header of each column (every row above the first data row) types its figures
(extractor/facts/columns.py). A row whose one cell spans the whole grid ("CLÍNICO
PÚBLICO ESTADUAL ADULTO" over a table, a second table's title inside the same frame)
is a caption: it is read as a line of its own and starts a new table, whose columns
are its own. A cell spanning several rows (a municipality beside its hospitals) is
read in the first row it spans; a cell spanning several columns ("TOTAL") in its
first column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.geometry import rows_of
from extractor.pdf import Box, Word

# A grid is a table of figures when at least this many of its cells hold a figure and
# nothing else (a count, a percentage, an amount, a date); a grid of text boxes (two
# columns of list items, "1º bimestre: 17.282" items) is read as text, column by column.
MIN_FIGURE_CELLS = 2
_FIGURE = re.compile(r"^[(\-–]?(?:R\$)?[\d.,/%()\s–-]*\d[\d.,/%()\s–-]*$")
# Text this close (in its font sizes) beside a grid, level with two of its rows or more, is
# the rest of the table (a panel's one label beside its table is not): rules drawn only between columns and under rows close no cell round the outer
# columns, and the grid found is the table's middle. Such a table is left to the layout's
# whitespace reading.
OPEN_SIDE_SIZES = 4.0
EDGE_TOLERANCE = 2.0  # pt: cell edges this close are one column or row edge
INSIDE_TOLERANCE = 1.0  # pt: a word's centre this far outside a cell is still in it


@dataclass(frozen=True)
class GridRow:
    """One row of a ruled table: a cell per column (words in reading order, empty
    for an empty cell), or, for a caption, one cell."""

    cells: tuple[tuple[Word, ...], ...]
    caption: bool = False

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for c in self.cells for w in c)


@dataclass(frozen=True)
class GridReading:
    """A grid's rows in reading order, and the words they hold (by identity)."""

    bbox: Box
    rows: tuple[GridRow, ...]
    used: frozenset[int]


def _snap(values: Sequence[float]) -> list[float]:
    """Distinct values, those within EDGE_TOLERANCE of the previous kept one merged."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > EDGE_TOLERANCE:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    """The edge ``v`` snaps to (the last edge not right of it, with tolerance)."""
    i = 0
    for k, e in enumerate(edges):
        if e <= v + EDGE_TOLERANCE:
            i = k
    return i


def _in_reading_order(words: list[Word]) -> tuple[Word, ...]:
    """A cell's words line by line, left to right."""
    return tuple(w for row in rows_of(words) for w in row)


def _cell_of(word: Word, cells: Sequence[Box]) -> int | None:
    mx, my = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    t = INSIDE_TOLERANCE
    for i, (x0, top, x1, bottom) in enumerate(cells):
        if x0 - t <= mx <= x1 + t and top - t <= my <= bottom + t:
            return i
    return None


def read_grid(cells: Sequence[Box], words: Sequence[Word]) -> GridReading | None:
    """``words`` that fall in the grid's ``cells``, read as table rows; None when the
    grid is not a table of figures (no row holds text in two cells: a frame around a
    paragraph, a box of a slide; fewer than MIN_FIGURE_CELLS cells hold a figure
    alone: boxes of text laid out as a grid)."""
    x0 = min(c[0] for c in cells)
    x1 = max(c[2] for c in cells)
    held: dict[int, list[Word]] = {}
    for w in words:
        i = _cell_of(w, cells)
        if i is not None:
            held.setdefault(i, []).append(w)
    if len(held) < 2:
        return None
    top, bottom = min(c[1] for c in cells), max(c[3] for c in cells)
    inside = {id(w) for ws in held.values() for w in ws}
    beside: set[int] = set()  # the grid's cells that a word outside it stands level with
    for w in words:
        if id(w) in inside or not top <= (w.top + w.bottom) / 2 <= bottom:
            continue
        near = OPEN_SIDE_SIZES * w.size
        if 0 <= x0 - w.x1 <= near or 0 <= w.x0 - x1 <= near:
            mid = (w.top + w.bottom) / 2
            beside.update(i for i, c in enumerate(cells) if c[1] <= mid <= c[3])
    bands = _snap([c[1] for c in cells])  # the rows' top edges
    if len({_index(bands, cells[i][1]) for i in beside}) >= 2:
        return None  # rules between columns but none round the table: the grid is only its middle
    by_band: dict[int, list[int]] = {}
    for i, c in enumerate(cells):
        by_band.setdefault(_index(bands, c[1]), []).append(i)

    rows: list[GridRow] = []
    table: list[list[int]] = []  # the bands of the current (sub)table: cell indexes

    def close() -> None:
        if not table:
            return
        columns = _snap([cells[i][0] for band in table for i in band])
        for band in table:
            row: list[list[Word]] = [[] for _ in columns]
            for i in sorted(band, key=lambda i: cells[i][0]):
                if i in held:
                    row[_index(columns, cells[i][0])].extend(held[i])
            if any(row):
                rows.append(GridRow(tuple(_in_reading_order(c) for c in row)))
        table.clear()

    for b in sorted(by_band):
        band = by_band[b]
        filled = [i for i in band if i in held]
        spans_all = (len(filled) == 1 and cells[filled[0]][0] <= x0 + EDGE_TOLERANCE
                     and cells[filled[0]][2] >= x1 - EDGE_TOLERANCE)
        if spans_all:
            close()
            rows.append(GridRow((_in_reading_order(held[filled[0]]),), caption=True))
        elif filled:
            table.append(band)
    close()
    body = [r for r in rows if not r.caption]
    if not any(sum(bool(c) for c in r.cells) >= 2 for r in body):
        return None
    figures = sum(bool(c) and _FIGURE.match(" ".join(w.text for w in c)) is not None for r in body for c in r.cells)
    if figures < MIN_FIGURE_CELLS:
        return None  # boxes laid out as a grid (lists in two columns, "label: value" items)
    return GridReading((x0, top, x1, bottom), tuple(rows), frozenset(inside))
