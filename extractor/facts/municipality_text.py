"""Text views the municipality finder matches on: folded pieces, list items, table cells.

Names are matched on *pieces*: tokens of spaCy's blank-pt tokenizer (run without
spaCy, by extractor/facts/tokenizer.py) split at hyphens and apostrophes,
folded (lower case, no accents), with spaces and line breaks dropped. So
"Pingo-d'Água", "Pingo d'Agua" and "PINGO D'ÁGUA" all read ``pingo d agua``,
"São João del-Rei" and "Sao Joao del Rei" both read ``sao joao del rei``, and a
name broken over two lines still matches. Tabs stay as pieces so a match never
runs from one table cell into the next. Each piece keeps its character offsets,
so a match maps straight back to ``ctx.text``.

Lists and tables are found on the raw text: items are what lies between commas,
semicolons, "e"/"ou", line breaks and tabs; a list (*run*) ends at a colon, a
full stop, a bracket or a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractor.facts.tokenizer import pt_tokenizer
from extractor.text import fold

TAB = "\t"
_PART = re.compile(r"[^\-‐‑'’‘´`]+")
_RUN_BREAK = re.compile(r":|\.(?=\s|$)|\n[ \t]*\n|[()\[\]]")
# A line break separates items only where the next line starts a new bullet:
# a wrapped list ("Lagoa da Prata, Bom\nDespacho e Abaeté") keeps its items whole.
_ITEM_SEP = re.compile(r"[,;\t]|\n(?=[ \t]*[-–—•*·▪►\d])|\s(?:[eE]|[oO][uU])\s")
_ITEM_STRIP = " \t\n-–—•*·▪►"
# A row or list number before a name in the same cell or item ("107 ALMAS", "3) Lavras").
_NUMBERING = re.compile(r"\d{1,4}[.)ºª°-]?[ \t]+(?=[^\W\d_])")
# A figure after a dash that ends an item ("- Palhoça - 1", "* Blumenau - 194"): a
# bulletin's list of places with their counts; the place is the item.
_FIGURE_AFTER = re.compile(r"[ \t]+[-–—][ \t]*[\d][\d.,]*$")


@dataclass(frozen=True)
class Piece:
    """A folded fragment of a token and where it sits in the text."""

    key: str
    start: int
    end: int
    text: str

    @property
    def is_word(self) -> bool:
        return self.key[:1].isalnum()

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True)
class Item:
    """One list item or table cell, stripped of blanks and bullets."""

    start: int
    end: int
    run: int  # items of the same list share a run number


@lru_cache(maxsize=65536)
def _fold(part: str) -> str:
    """Folding is the finder's hot spot; words repeat, so cache it."""
    return fold(part)


@lru_cache(maxsize=65536)
def _token_parts(tok: str) -> tuple[tuple[str, int, int, str], ...]:
    """A token's (key, start, end, text) parts, relative to the token: words repeat."""
    if tok.isspace():
        return ((TAB, 0, len(tok), tok),) if TAB in tok else ()
    parts = []
    for part in _PART.finditer(tok):
        word = part.group()
        key = _fold(word)
        if key:
            parts.append((key, part.start(), part.end(), word))
    return tuple(parts)


def text_pieces(text: str) -> list[Piece]:
    """Pieces of a plain text, tokenized like spaCy's blank-pt tokenizer does."""
    out: list[Piece] = []
    for start, end in pt_tokenizer()(text):
        for key, s, e, word in _token_parts(text[start:end]):
            out.append(Piece(key, start + s, start + e, word))
    return out


def phrase_key(text: str) -> tuple[str, ...]:
    """Piece keys of a phrase, tokenized exactly like the documents."""
    return tuple(p.key for p in text_pieces(text))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _ITEM_STRIP:
        start += 1
    numbering = _NUMBERING.match(text, start, end)
    if numbering is not None:
        start = numbering.end()
    while end > start and text[end - 1] in _ITEM_STRIP:
        end -= 1
    figure = _FIGURE_AFTER.search(text, start, end)
    if figure is not None:
        end = figure.start()
    return start, end


def _split(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    spans, pos = [], start
    for sep in pattern.finditer(text, start, end):
        spans.append((pos, sep.start()))
        pos = sep.end()
    spans.append((pos, end))
    return spans


def _table_breaks(text: str) -> list[int]:
    """Offsets of the line breaks that end or start a table row (a line with a
    tab): there a line break parts two cells, whatever the next line starts with."""
    breaks, offset, previous_tab = [], 0, False
    for line in text.split("\n"):
        has_tab = TAB in line
        if offset and (has_tab or previous_tab):
            breaks.append(offset - 1)
        previous_tab = has_tab
        offset += len(line) + 1
    return breaks


def _cut(spans: list[tuple[int, int]], cuts: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    k = 0
    for start, end in spans:
        while k < len(cuts) and cuts[k] < start:
            k += 1
        pos = start
        while k < len(cuts) and cuts[k] < end:
            out.append((pos, cuts[k]))
            pos = cuts[k] + 1
            k += 1
        out.append((pos, end))
    return out


def list_items(text: str) -> list[Item]:
    """Every list item of ``text``, numbered by the run (list) it belongs to."""
    items: list[Item] = []
    breaks = _table_breaks(text)
    for run, (r_start, r_end) in enumerate(_split(text, 0, len(text), _RUN_BREAK)):
        for i_start, i_end in _cut(_split(text, r_start, r_end, _ITEM_SEP), breaks):
            start, end = _strip(text, i_start, i_end)
            if start < end:
                items.append(Item(start, end, run))
    return items


def _tab_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Consecutive lines containing a tab, as (offset, line) lists."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if TAB in line:
            current.append((offset, line))
        elif current:
            blocks.append(current)
            current = []
        offset += len(line) + 1
    if current:
        blocks.append(current)
    return blocks


def column_cells(text: str, headers: set[tuple[str, ...]]) -> list[Item]:
    """Cells of table columns whose header is one of ``headers``: the header row is
    the block's first row that has one (a caption may be read as the row above)."""
    cells: list[Item] = []
    for number, block in enumerate(_tab_blocks(text)):
        wanted: set[int] = set()
        for at, (_, row) in enumerate(block):
            wanted = {i for i, cell in enumerate(row.split(TAB)) if phrase_key(cell.strip()) in headers}
            if wanted:
                break
        for offset, line in block[at + 1:]:
            pos = offset
            for i, cell in enumerate(line.split(TAB)):
                start, end = _strip(text, pos, pos + len(cell))
                if i in wanted and start < end:
                    cells.append(Item(start, end, -1 - number))
                pos += len(cell) + 1
    return cells
