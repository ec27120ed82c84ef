"""Find dates and periods in an initiative's text (EXTRACTION-GUIDE.md, "date", "period").

Three passes over the atomic hits of :mod:`extractor.facts.dates_atoms`:

1. join two adjacent hits into a period when a range connector sits between
   them ("dez/23 a out/25", "de janeiro a março de 2025") or "e" follows an
   opener ("entre setembro/24 e outubro/25", "entre 2024 e 2025");
2. keep a bare four-digit number as a year only in a year context (a cue word
   such as "em", "até", "a partir de"; a list label "- 2024:"; coordination
   "em 2024 e 2025"), so "1785 processos" and "Lei 13.709/2018" are not dates;
3. give a month without a year its year by the guide's rule: the month+year it
   is coordinated with, else the nearest explicit year before it in the
   initiative (title first), else the report's status date.

The finder works on ``ctx.text`` with regexes compiled once from ``rules/``;
the spaCy ``doc`` is accepted for the common finder signature (its text is
``ctx.text``) but tokens add nothing that the character patterns lack.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from extractor.facts.base import Candidate, FactContext
from extractor.facts.dates_atoms import Item, Point, find_atoms
from extractor.facts.dates_rules import DatePatterns, patterns
from extractor.facts.units import table_headers
from extractor.text import fold

if TYPE_CHECKING:  # a finder reads only its doc's text and user_data: no spaCy import
    from spacy.tokens import Doc

DATE_EXTRACTOR = "rules.date"
PERIOD_EXTRACTOR = "rules.period"
# How sure a value is, by where its year came from (guide, year rule 1..3).
YEAR_SOURCE_CONFIDENCE = {"coordination": 0.85, "preceding": 0.8, "status": 0.75}
YEARLESS_CONFIDENCE = 0.6
_PART_SHAPES = ("part", "part_num")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")


def find_dates(doc: Doc, ctx: FactContext) -> list[Candidate]:
    """Date and period candidates in ``ctx.text`` with values per the guide."""
    text = ctx.text
    pat = patterns()
    items = _join_periods(text, find_atoms(text, pat), pat)
    items = _accept_years(text, items, pat)
    status_year = int(ctx.status_date[:4]) if ctx.status_date else None
    _resolve_years(text, items, status_year, pat)
    return [c for c in (_candidate(it) for it in items) if c is not None]


# --- pass 1: periods from two adjacent hits ------------------------------------


def _join_periods(text: str, items: list[Item], pat: DatePatterns) -> list[Item]:
    """Replace each joinable pair of neighbours by one period item."""
    out: list[Item] = []
    header_end = _schedule_header(text, pat)
    i = 0
    while i < len(items):
        joined = _join(text, items[i], items[i + 1], header_end, pat) if i + 1 < len(items) else None
        out.append(joined or items[i])
        i += 2 if joined else 1
    return out


def _join(text: str, a: Item, b: Item, header_end: int | None, pat: DatePatterns) -> Item | None:
    """``a`` CONNECTOR ``b`` as a period, or None if they are not one span.

    A span one of whose ends does not exist ("31/04/2021 a 10/05/2021") is joined
    as a void item: the guide lists neither the date nor the period it bounds.
    """
    gap = text[a.end : b.start]
    if a.kind == "period" or b.kind == "period":
        return _join_parts(text, a, b, gap, pat)
    if not (pat.range_gap.fullmatch(gap) or _schedule_cells(text, a, b, header_end, pat)):
        opener = pat.between_opener.search(text[max(0, a.start - 40) : a.start])
        if not (opener and pat.between_gap.fullmatch(gap)):
            return None
    if a.kind == "void" or b.kind == "void":
        return Item("void", a.start, b.end, a.a)
    start, end = _fill_pair(replace(a.a), replace(b.a))
    if start is None or end is None:
        return None
    conf = min(a.confidence, b.confidence)
    return Item("period", a.start, b.end, start, end, shape="range", confidence=conf)


def _join_parts(text: str, a: Item, b: Item, gap: str, pat: DatePatterns) -> Item | None:
    """ "entre o segundo semestre de 2022 e o segundo semestre de 2023": two parts of a
    year joined as a span make one period, from the first's start to the second's end."""
    if a.shape not in _PART_SHAPES or b.shape not in _PART_SHAPES or a.b is None or b.b is None:
        return None
    opener = pat.between_opener.search(text[max(0, a.start - 40) : a.start])
    if not (opener and pat.between_gap.fullmatch(gap)) and not pat.range_gap.fullmatch(gap):
        return None
    if a.a.y is None or b.b.y is None or not a.a.key() < b.b.key():
        return None
    conf = min(a.confidence, b.confidence)
    return Item("period", a.start, b.end, replace(a.a), replace(b.b), shape="range", confidence=conf)


def _schedule_header(text: str, pat: DatePatterns) -> int | None:
    """Where the first schedule header line ends: a line whose tab-separated cells
    name a start column before an end column ("Tarefa | Início | Fim"), or None."""
    if "\t" not in text:
        return None
    pos = 0
    for line in text.split("\n"):
        pos += len(line) + 1
        if "\t" not in line:
            continue
        cells = [fold(c) for c in line.split("\t")]
        starts = [i for i, c in enumerate(cells) if c in pat.schedule_starts]
        ends = [i for i, c in enumerate(cells) if c in pat.schedule_ends]
        if starts and ends and min(starts) < max(ends):
            return pos
    return None


def _schedule_cells(text: str, a: Item, b: Item, header_end: int | None, pat: DatePatterns) -> bool:
    """Two full dates in neighbouring cells of a row below a schedule header.

    A schedule table ("Tarefa | Início | Fim") puts a task's ends in two cells; the
    row's text holds them tab-separated. The table model's column types are not
    needed, so this works on any row text under such a header.
    """
    if header_end is None or a.start < header_end or a.a.d is None or b.a.d is None:
        return False
    return pat.cell_gap.fullmatch(text[a.end : b.start]) is not None


def _fill_pair(a: Point, b: Point) -> tuple[Point | None, Point | None]:
    """One endpoint lends its year to the other ("de janeiro a março de 2025")."""
    if (a.y is None or b.y is None) and (a.m is None or b.m is None):
        return None, None
    if a.y is None and b.y is not None:
        a.y, a.explicit = b.y - (1 if (a.m, a.d or 0) > (b.m, b.d or 0) else 0), False
    elif b.y is None and a.y is not None:
        b.y, b.explicit = a.y + (1 if (b.m, b.d or 0) < (a.m, a.d or 0) else 0), False
    if a.y is not None and b.y is not None and not _before(a, b):
        return None, None
    return a, b


def _before(a: Point, b: Point) -> bool:
    """``a`` starts no later than ``b`` ends, comparing at the coarser precision.

    Equal days are a span ("05/03/2014 a 05/03/2014": a one-day task is a period
    whose ends are equal); equal years or months are not ("2024 - 2024").
    """
    if a.m is None or b.m is None:
        return (a.y or 0) < (b.y or 0)
    if a.d is not None and b.d is not None:
        return a.key() <= b.key()
    return a.key() < b.key()


# --- pass 2: which bare four-digit numbers are years ---------------------------


def _accept_years(text: str, items: list[Item], pat: DatePatterns) -> list[Item]:
    """Turn bare years with a year context into dates; drop the rest."""
    out: list[Item] = []
    for it in items:
        if it.kind != "year":
            out.append(it)
            continue
        how = _year_context(text, it, out[-1] if out else None, pat)
        if how:
            it.kind, it.shape = "date", f"year_{how}"
            it.confidence = 0.9 if how == "cue" else 0.85
            out.append(it)
    return out


def _year_context(text: str, it: Item, prev: Item | None, pat: DatePatterns) -> str | None:
    """Why ``it`` is a year ("cue", "label", "citation", "closing", "chain"), or None.

    "closing": the year closes a line of words after a comma, as a caption or a
    citation does ("CASOS SEGUNDO LOCAL DE RESIDÊNCIA, MINAS GERAIS, 2020").
    """
    s, e = it.start, it.end
    line_start = text.rfind("\n", 0, s) + 1
    if pat.label_before.search(text[line_start:s]) and pat.label_after.match(text, e):
        return "label"
    if pat.citation_before.search(text[line_start:s]) and pat.citation_after.match(text, e):
        return "citation"
    if pat.closing_before.search(text[line_start:s]) and pat.citation_after.match(text, e):
        return "closing"  # "CASOS POR LOCAL DE RESIDÊNCIA, MINAS GERAIS, 2020": a caption's year
    if _plural_noun_follows(text, e, pat):
        return None
    if _year_header_cell(text, s, e, line_start):
        return "header"
    if pat.year_cue_before.search(text[max(0, s - 40) : s]):
        return "cue"
    if prev is not None and prev.kind == "date" and prev.a.m is None and prev.b is None:
        if pat.chain_gap.fullmatch(text[prev.end : s]):
            return "chain"
    return None


MAX_HEADER_YEAR_STEP = 5
_YEAR_CELL = re.compile(r"\s*(?:19|20)\d\d(?:\s*[/-]\s*(?:\d\d|(?:19|20)\d\d))?\s*")


def _year_header_cell(text: str, start: int, end: int, line_start: int) -> bool:
    """A year that is a whole cell of a table row holding two year cells or more
    ("| 2020/21 | 2022 | 2023 | 2024"): the years the columns are about, dates."""
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if "\t" not in line:
        return False
    cell_start = text.rfind("\t", line_start, start) + 1 or line_start
    cell_end = text.find("\t", end, line_start + len(line))
    cell = text[max(cell_start, line_start) : cell_end if cell_end >= 0 else line_start + len(line)]
    if cell.strip() != text[start:end]:
        return False
    years = [int(c.strip()[:4]) for c in line.split("\t") if _YEAR_CELL.fullmatch(c)]
    steps = [b - a for a, b in zip(years, years[1:])]
    # the years a table's columns are about run in order ("2020/21 | 2022 | 2023"); figures
    # that look like years ("1987 | 2001") do not
    if len(years) < 2 or not (all(0 < d <= MAX_HEADER_YEAR_STEP for d in steps)
                              or all(0 < -d <= MAX_HEADER_YEAR_STEP for d in steps)):
        return False
    row = table_headers(text).get(line_start)  # a header row, not data ("SANTA LUZIA | 1987 | 2031")
    return row is not None and row.above_body(line_start)


def _plural_noun_follows(text: str, end: int, pat: DatePatterns) -> bool:
    """ "até 2000 vagas": a plural word after the number makes it a count."""
    hit = _NEXT_WORD.match(text, end)
    if not hit:
        return False
    word = hit.group(1)
    return word[0].islower() and len(word) > 2 and word.endswith("s") and word not in pat.followers_ok


# --- pass 3: years for months written without one ------------------------------


def _resolve_years(text: str, items: list[Item], status_year: int | None, pat: DatePatterns) -> None:
    """Fill missing years in reading order: coordination, preceding year, status date."""
    last_year: int | None = None
    for idx, it in enumerate(items):
        if it.needs_year() and it.extra.get("current_year") and status_year is not None:
            _fill_year(it, status_year)  # "do exercício atual": the report's own year
            it.year_source = "status"
            it.confidence = min(it.confidence, YEAR_SOURCE_CONFIDENCE["status"])
        if it.needs_year():
            year, source = _coordinated_year(text, items, idx, pat), "coordination"
            if year is None:
                year, source = last_year, "preceding"
            if year is None:
                year, source = status_year, "status"
            if year is not None:
                _fill_year(it, year)
                it.year_source = source
                it.confidence = min(it.confidence, YEAR_SOURCE_CONFIDENCE[source])
        explicit = it.last_explicit_year()
        if explicit is not None:
            last_year = explicit


def _coordinated_year(text: str, items: list[Item], idx: int, pat: DatePatterns) -> int | None:
    """The year of a month+year joined to ``items[idx]`` by "e"/"ou" in one construction."""
    if idx + 1 >= len(items):
        return None
    it, nxt = items[idx], items[idx + 1]
    if nxt.start - it.end > pat.coordination_window:
        return None
    if not any(p.m is not None for p in nxt.points()) or nxt.needs_year():
        return None
    if not pat.coordination_gap.fullmatch(text[it.end : nxt.start]):
        return None
    years = [p.y for p in nxt.points() if p.explicit and p.y is not None]
    return years[0] if years else None


def _fill_year(it: Item, year: int) -> None:
    """Give the yearless points of ``it`` the year; a wrapping span ends a year later."""
    if it.a.y is None:
        it.a.y = year
    if it.b is not None and it.b.y is None:
        wraps = (it.b.m or 0, it.b.d or 0) < (it.a.m or 0, it.a.d or 0)
        it.b.y = it.a.y + (1 if wraps else 0)
        it.b.explicit = False


def _candidate(it: Item) -> Candidate | None:
    """The finder's output for one item.

    A date whose year nothing gives (no year before it, no status date) keeps its
    month as ``--MM`` (guide: a month with no year anywhere), less surely; a
    period with an endpoint left so is dropped.
    """
    if it.kind == "void":
        return None
    if it.needs_year():
        if it.b is not None or it.a.m is None:
            return None
        it.confidence, it.year_source = min(it.confidence, YEARLESS_CONFIDENCE), "none"
    extra = {"shape": it.shape, "year_source": it.year_source}
    if it.b is None:
        return Candidate("date", it.start, it.end, it.a.iso(), DATE_EXTRACTOR, it.confidence, extra=extra)
    value = {"start": it.a.iso(), "end": it.b.iso()}
    return Candidate("period", it.start, it.end, value, PERIOD_EXTRACTOR, it.confidence, extra=extra)
