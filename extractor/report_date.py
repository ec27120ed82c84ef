"""The report's status month when no status phrase gives it: cover and masthead dates.

EXTRACTION-GUIDE.md, "Reports from any publisher": the status date is the month
the report speaks as of; failing that, the date on the cover or in the masthead
(``04/12/2025`` on a deck's cover -> ``2025-12``; a bulletin's issue date); null
when the document prints no date. A masthead repeated on every page is a running
header: layout sets it aside as furniture, and its date counts once, as a fact of
the report on its first page.

Covers are not always page 1 (a results report may put two slides before its
cover), so the first few pages are read too, but there only a cover-like page
(a handful of lines) whose date stands on a line of its own counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from extractor.layout import MARGIN, Line, PageLayout

COVER_PAGES = 3       # a cover is one of the first pages
COVER_MAX_LINES = 8   # a cover prints a title, a subtitle, a body name and a date

DateFinder = Callable[[str], str | None]


def masthead(page: PageLayout) -> list[Line]:
    """Running-header lines set aside in the page's top margin (the bulletin's masthead)."""
    return [ln for ln in page.furniture if ln.bottom <= page.height * MARGIN]


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
