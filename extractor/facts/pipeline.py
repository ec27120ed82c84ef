"""The pipeline of rule components that finds facts, and the one place that turns them into facts.

Four rule components run in order over one text, each a finder whose patterns
live in ``rules/``: identifiers (spans that are never facts: decree numbers,
list numbering, phone numbers …), dates and periods, counts/percentages/money,
and municipalities. Each gets a :class:`FactDoc` (the text, and what earlier
components left in ``user_data``, as a spaCy ``Doc`` would carry it: the finders
also accept a blank-pt ``Doc``). spaCy itself is never loaded: the municipality
finder tokenizes as spaCy's blank-pt tokenizer does from rules exported once into
the start-up cache (extractor/facts/tokenizer.py). Finders only *find*; :func:`resolve` decides between overlapping
candidates, and :mod:`extractor.evidence` attaches page and bbox.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extractor.facts.base import IDENTIFIERS_KEY, Candidate, FactContext
from extractor.facts.dates import find_dates
from extractor.facts.identifiers import find_identifiers
from extractor.facts.municipalities import find_municipalities
from extractor.facts.numbers import find_numbers
from extractor.geometry import merge_spans

CTX = "relato.context"
CANDIDATES = "relato.candidates"
BLOCKED = IDENTIFIERS_KEY

# Between overlapping candidates of these kinds the earlier kind wins
# ("R$ 1,2 milhão" is money, not a count; "2024 - 2026" a period, not two dates).
PRIORITY = {"money": 0, "percentage": 1, "period": 2, "date": 3, "count": 4}


@dataclass
class FactDoc:
    """What a component reads and writes: the text, and ``user_data`` for the next ones."""

    text: str
    user_data: dict[str, Any] = field(default_factory=dict)


def _ctx(doc: FactDoc) -> FactContext:
    return doc.user_data.get(CTX) or FactContext(text=doc.text)


def identifiers_component(doc: FactDoc) -> FactDoc:
    doc.user_data[BLOCKED] = find_identifiers(doc, _ctx(doc))  # type: ignore[arg-type]
    return doc


def _finder_component(finder: Callable[..., list[Candidate]]) -> Callable[[FactDoc], FactDoc]:
    def component(doc: FactDoc) -> FactDoc:
        doc.user_data.setdefault(CANDIDATES, []).extend(finder(doc, _ctx(doc)))
        return doc
    return component


COMPONENTS: tuple[tuple[str, Callable[[FactDoc], FactDoc]], ...] = (
    ("relato_identifiers", identifiers_component),
    ("relato_dates", _finder_component(find_dates)),
    ("relato_numbers", _finder_component(find_numbers)),
    ("relato_municipalities", _finder_component(find_municipalities)),
)


class _Taken:
    """Accepted spans, kept sorted so an overlap check is a bisect, not a scan."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end)  # spans starting before our end ...
        return i == 0 or self.ends[i - 1] <= start  # ... the nearest must end before us

    def take(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _first_come(candidates: list[Candidate]) -> list[Candidate]:
    """Keep candidates in the given order unless they overlap one already kept."""
    taken, kept = _Taken(), []
    for c in candidates:
        if taken.free(c.start, c.end):
            taken.take(c.start, c.end)
            kept.append(c)
    return kept


def resolve(candidates: list[Candidate], blocked: list[tuple[int, int]]) -> list[Candidate]:
    """Drop candidates inside identifiers and lower-priority overlaps; keep text order."""
    walls = _Taken()
    for s, e in merge_spans(blocked):
        walls.take(s, e)
    numeric = [c for c in candidates if c.kind in PRIORITY and walls.free(c.start, c.end)]
    numeric.sort(key=lambda c: (PRIORITY[c.kind], -(c.end - c.start), c.start))
    places = sorted((c for c in candidates if c.kind == "municipality"),
                    key=lambda c: (-(c.end - c.start), c.start))
    return sorted(_first_come(numeric) + _first_come(places), key=lambda c: (c.start, c.end))


def find_facts(ctx: FactContext) -> list[Candidate]:
    """Every fact candidate in ``ctx.text``, overlaps resolved, in text order."""
    doc = FactDoc(ctx.text)
    doc.user_data[CTX] = ctx
    for _, component in COMPONENTS:
        doc = component(doc)
    return resolve(doc.user_data.get(CANDIDATES, []), doc.user_data.get(BLOCKED, []))


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def reference_end(phrase: str | None) -> str | None:
    """The month a named reference period ends in ("ciclo 2020-2024" -> "2024-12").

    A period gives its end, a date its month, a year alone its December; a part of a
    year written apart from its year ("2013 / 6º Bimestre") takes the phrase's year.
    """
    if not phrase:
        return None
    year = _YEAR.search(phrase)
    for c in find_facts(FactContext(text=phrase, status_date=f"{year.group()}-01" if year else None)):
        if c.kind not in ("period", "date"):
            continue
        value = str(c.value["end"] if c.kind == "period" else c.value)
        if not value.startswith("--"):
            return value[:7] if len(value) >= 7 else f"{value[:4]}-12"
    return None


def status_date(phrase: str | None, *, need_month: bool = False) -> str | None:
    """The report's status month from its status phrase ("OUTUBRO 2025" -> "2025-10").

    A period ("4º bimestre de 2025") gives its last month; a full date its month.
    With ``need_month``, dates written as a year alone are passed over (a cover's
    "2024 - 2026" is no status month).
    """
    if not phrase:
        return None
    for c in find_facts(FactContext(text=phrase)):
        if c.kind not in ("period", "date"):
            continue
        value = str(c.value["end"] if c.kind == "period" else c.value)
        if value.startswith("--") or (need_month and len(value) < 7):  # a year is needed
            continue
        return value[:7]
    return None
