"""Tables of contents: their numbers are page numbers, never figures of the report.

A contents page ("SUMÁRIO" / "1. FINALIDADE ..... 3" / "Tema 1 - Operacional  6") reads
like a table of labels and counts, so without this step every entry's page number
becomes a count. An entry is a line that ends in a page number: a whole number no
larger than the document's page count, not smaller than the entry before it, after
optional dot leaders. Entries are looked for under a contents heading
(``rules/contents.yaml``), or, without one, in a run of lines with dot leaders. The
page number (and its leaders) is taken out of the line; the entry's title stays, as
the document's text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import ConfigDict, Field

from extractor import rulebook
from extractor.layout import Line, PageLayout
from extractor.pdf import Word
from extractor.text import fold

CONTENTS_FILE = "contents.yaml"
_PAGE_NUMBER = re.compile(r"^\d{1,4}$")
_LEADER = re.compile(r"^[.…·_ ]{2,}$|^[.…·_]+$")
_LEADER_END = re.compile(r"[.…·_]{3,}$")  # "Introdução......" glued to its leaders
_TRAILING_NUMBER = re.compile(r"\s+\d{1,4}$")


class ContentsRules(rulebook.RulesModel):
    """Schema of ``rules/contents.yaml``."""

    model_config = ConfigDict(extra="forbid")
    headings: list[str]
    min_leader_entries: int = Field(ge=2)
    max_gap_lines: int = Field(ge=0)


@lru_cache(maxsize=1)
def _rules() -> ContentsRules:
    rules = rulebook.load(CONTENTS_FILE, ContentsRules)
    return rules.model_copy(update={"headings": [fold(h) for h in rules.headings]})


def _words_in_order(line: Line) -> list[Word]:
    return [w for cell in line.cells for w in cell] if line.cells else list(line.words)


def _entry(line: Line, pages: int) -> tuple[int, list[Word], bool] | None:
    """(page number, the words that print it and its leaders, whether it had leaders) when
    ``line`` ends in a page number, else None."""
    words = _words_in_order(line)
    if len(words) < 2 or not _PAGE_NUMBER.match(words[-1].text):
        return None
    number = int(words[-1].text)
    if not 1 <= number <= pages:
        return None
    taken = [words[-1]]
    for w in reversed(words[:-1]):
        if not _LEADER.match(w.text):
            break
        taken.append(w)
    leaders = len(taken) > 1 or bool(_LEADER_END.search(words[-2].text))
    if len(taken) == len(words):
        return None  # only leaders and a number: not an entry with a title
    return number, taken, leaders


def _without(line: Line, drop: list[Word]) -> Line:
    gone = {id(w) for w in drop}
    words = tuple(w for w in line.words if id(w) not in gone)
    if not line.cells:
        return Line(words=words, page=line.page, block=line.block)
    cells = tuple(tuple(w for w in c if id(w) not in gone) for c in line.cells)
    return Line(words=words, page=line.page, block=line.block, cells=cells)


def _is_heading(line: Line) -> bool:
    text = _TRAILING_NUMBER.sub("", " ".join(w.text for w in _words_in_order(line)))
    return fold(text.strip(" .:")) in _rules().headings


def _entries(lines: list[Line], start: int, pages: int, *, need_leaders: bool) -> dict[int, list[Word]]:
    """Line index -> words to drop, for the run of entries from ``start`` on."""
    rules = _rules()
    found: dict[int, list[Word]] = {}
    last, gap = 0, 0
    for i in range(start, len(lines)):
        entry = _entry(lines[i], pages)
        if entry is None or entry[0] < last or (need_leaders and not entry[2]):
            gap += 1
            if gap > rules.max_gap_lines:
                break
            continue
        found[i], last, gap = entry[1], entry[0], 0
    return found


def strip_page_numbers(pages: list[PageLayout]) -> None:
    """Take the page numbers out of every table of contents (in place)."""
    rules = _rules()
    total = len(pages)
    for page in pages:
        lines = page.lines
        drop: dict[int, list[Word]] = {}
        for i, line in enumerate(lines):
            if i in drop:
                continue
            if _is_heading(line):
                drop.update(_entries(lines, i + 1, total, need_leaders=False))
                heading = _entry(line, total)  # "SUMÁRIO  2": the heading's own page number
                if heading is not None:
                    drop[i] = heading[1]
            else:
                run = _entries(lines, i, total, need_leaders=True)
                if len(run) >= rules.min_leader_entries:
                    drop.update(run)
        if drop:
            page.lines = [_without(ln, drop[i]) if i in drop else ln for i, ln in enumerate(lines)]
