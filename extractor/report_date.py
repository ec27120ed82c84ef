"""The report's status month: a named reference period, else cover and masthead dates.

EXTRACTION-GUIDE.md, "Reports from any publisher": when a report names the period
its figures refer to ("receita do 2º bimestre de 2017", "indicadores aferidos até
2022", "ciclo 2020-2024"), the end of that period is the status date, over the
issue or signing date (:func:`reference_status`, cues in ``rules/report_date.yaml``).
Otherwise the status date is the month the report speaks as of (a status phrase,
read by the structure stage); failing that, the date on the cover or in the masthead
(``04/12/2025`` on a deck's cover -> ``2025-12``; a bulletin's issue date); null
when the document prints no date. A masthead repeated on every page is a running
header: layout sets it aside as furniture, and its date counts once, as a fact of
the report on its first page.

Covers are not always page 1 (a results report may put two slides before its
cover), so the first few pages are read too, but there only a cover-like page
(a handful of lines) whose date stands on a line of its own counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from pydantic import ConfigDict, Field

from extractor import rulebook
from extractor.layout import MASTHEAD_MARGIN, Line, PageLayout

COVER_PAGES = 3       # a cover is one of the first pages
COVER_MAX_LINES = 8   # a cover prints a title, a subtitle, a body name and a date

DateFinder = Callable[[str], str | None]
REFERENCE_FILE = "report_date.yaml"


class ReferenceRules(rulebook.RulesModel):
    """``rules/report_date.yaml``: cues that name the period a report's figures refer to."""

    model_config = ConfigDict(extra="forbid")
    reference_patterns: list[str] = Field(min_length=1)
    first_pages: int = Field(ge=1)
    stamp_patterns: list[str] = Field(min_length=1)
    issue_patterns: list[str] = Field(min_length=1)


@lru_cache(maxsize=1)
def _rules() -> ReferenceRules:
    return rulebook.load(REFERENCE_FILE, ReferenceRules)


@lru_cache(maxsize=1)
def reference_rules() -> tuple[tuple[re.Pattern[str], ...], int]:
    """The cue regexes, compiled once, and how many first pages come before the rest."""
    return tuple(re.compile(p, re.IGNORECASE) for p in _rules().reference_patterns), _rules().first_pages


@lru_cache(maxsize=1)
def issue_rules() -> tuple[re.Pattern[str], ...]:
    """Signature stamps and datelines (case matters: a dateline starts with a capital)."""
    return tuple(re.compile(p) for p in _rules().issue_patterns)


@lru_cache(maxsize=1)
def stamp_rule() -> re.Pattern[str]:
    """One regex for the printing and emission stamp cues."""
    return re.compile("|".join(f"(?:{p})" for p in _rules().stamp_patterns), re.IGNORECASE)


def reference_status(pages: Sequence[PageLayout], period_end: DateFinder, *,
                     first: bool) -> tuple[str | None, list[Line]]:
    """The end month of the first reference period named on the first pages
    (``first``) or on the pages after them, and the line it was read from.

    ``period_end`` reads the text after a cue and returns the ``YYYY-MM`` its period
    ends in (a year alone ends in December). Mastheads and footers are read with
    the body: a balancete prints its period in the running header.
    """
    patterns, count = reference_rules()
    return _first_cued(pages[:count] if first else pages[count:], patterns, period_end)


def issue_status(pages: Sequence[PageLayout], month_of: DateFinder) -> tuple[str | None, list[Line]]:
    """The month of the first signature stamp or dateline, and its line: the issue date."""
    return _first_cued(pages, issue_rules(), month_of)


def _first_cued(pages: Sequence[PageLayout], patterns: Sequence[re.Pattern[str]],
                read: DateFinder) -> tuple[str | None, list[Line]]:
    """The first line where a cue's ``rest`` reads as a month, and that line."""
    for p in pages:
        for ln in (*p.furniture, *p.lines):
            for pat in patterns:
                hit = pat.search(ln.text)
                found = read(hit.group("rest")) if hit else None
                if found:
                    return found, [ln]
    return None, []


def masthead(page: PageLayout) -> list[Line]:
    """Running-header lines set aside in the page's top margin (the bulletin's masthead)."""
    return [ln for ln in page.furniture if ln.bottom <= page.height * MASTHEAD_MARGIN]


def running_lines(pages: Sequence[PageLayout]) -> list[Line]:
    """The masthead and the stamp lines of the first page that has running lines.

    Their dates count once, as facts of the report on that page (guide: a masthead
    repeated on every page, or a printing or emission stamp, "Emitido em: 12/ago/2019
    10h e 05m", gives one date, on its first page), whatever gave the status month.
    Other footer lines (a signature notice citing an act's date) stay furniture.
    """
    first = next((p for p in pages if p.furniture), None)
    if first is None:
        return []
    stamp = stamp_rule()
    head = masthead(first)
    return head + [ln for ln in first.furniture if ln not in head and stamp.search(ln.text)]


def cover_status(pages: Sequence[PageLayout], month_of: DateFinder) -> tuple[str | None, list[Line]]:
    """The month of the first cover or masthead date, and the lines it was read from.

    ``month_of`` reads a text and returns the ``YYYY-MM`` of its first date that has
    a month and a year (it is the facts pipeline's status-date reader). The lines
    are returned so that the date is also recorded as a fact of the report.
    """
    first = next((p for p in pages if p.lines or p.furniture), None)
    if first is None:
        return None, []
    head = masthead(first)
    found = month_of("\n".join(ln.text for ln in head))
    if found:
        return found, head
    for i, p in enumerate(pages[:COVER_PAGES]):
        if p is not first and (not p.lines or len(p.lines) > COVER_MAX_LINES):
            continue
        for ln in p.lines:
            found = month_of(ln.text)
            if found and (p is first or _stands_alone(ln.text)):
                return found, [ln]
    return None, []


def _stands_alone(text: str) -> bool:
    """A cover's date is its own line: few words besides the date ("Novembro de 2023")."""
    return len(text.split()) <= 5
