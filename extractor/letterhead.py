"""A letterhead municipality counts once, on its first page.

EXTRACTION-GUIDE.md ("More settled cases"): a letterhead or masthead
municipality repeated on every page counts once, on its first page. Running
headers in the page margins are already set aside as furniture by
:mod:`extractor.layout`; a letterhead printed inside the body (a process's
header block, a form's title lines) is not, so its municipality would be a
fact on every page. This pass finds the body lines printed on several pages
(digits aside: a page or sheet number may change) and keeps a municipality read
from such a line only on the first page that prints it. Table rows (lines with
cells) never count as a letterhead: a municipality table may well go on over
pages and repeat a row.
"""

from __future__ import annotations

import re
from collections import defaultdict

from extractor.layout import Line, PageLayout
from extractor.model import Extraction, Initiative
from extractor.text import fold

KIND = "municipality"
MIN_PAGES = 2
_DIGITS = re.compile(r"\d+")


def _key(line: Line) -> str:
    return _DIGITS.sub("#", fold(line.text))


def repeated_lines(layouts: list[PageLayout]) -> dict[tuple[int, str], int]:
    """(page, key) of every body line printed on ``MIN_PAGES`` pages or more ->
    the first page that prints it."""
    pages: dict[str, set[int]] = defaultdict(set)
    for p in layouts:
        for ln in p.lines:
            if not ln.cells and any(c.isalpha() for c in ln.text):
                pages[_key(ln)].add(ln.page)
    first = {k: min(v) for k, v in pages.items() if len(v) >= MIN_PAGES}
    return {(ln.page, _key(ln)): first[_key(ln)] for p in layouts for ln in p.lines
            if not ln.cells and _key(ln) in first}


def _inside(box: tuple[float, float, float, float], line: Line) -> bool:
    x0, top, x1, bottom = line.bbox
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def later_copies(facts: list[Extraction], layouts: list[PageLayout]) -> set[int]:
    """``id()`` of the municipality facts read from a repeated line on a page after
    the first that prints it."""
    repeated = repeated_lines(layouts)
    if not repeated:
        return set()
    lines_by_page = {p.number: [ln for ln in p.lines if (ln.page, _key(ln)) in repeated] for p in layouts}
    drop: set[int] = set()
    for e in facts:
        if e.kind != KIND:
            continue
        for ln in lines_by_page.get(e.page, ()):
            if _inside(tuple(e.bbox), ln) and repeated[(ln.page, _key(ln))] < e.page:
                drop.add(id(e))
                break
    return drop


def once(initiatives: list[Initiative], report: list[Extraction], layouts: list[PageLayout]) -> list[Extraction]:
    """Drop the later copies from the initiatives (in place) and from ``report``
    (returned)."""
    drop = later_copies([*report, *(e for it in initiatives for e in it.extractions)], layouts)
    if not drop:
        return report
    for it in initiatives:
        it.extractions = [e for e in it.extractions if id(e) not in drop]
    return [e for e in report if id(e) not in drop]
