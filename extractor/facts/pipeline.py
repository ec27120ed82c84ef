"""The spaCy pipeline that finds facts, and the one place that turns them into facts.

``spacy.blank("pt")`` with four rule components, each a finder whose patterns
live in ``rules/``: identifiers (spans that are never facts: decree numbers,
list numbering, phone numbers …), dates and periods, counts/percentages/money,
and municipalities. Finders only *find*; :func:`resolve` decides between
overlapping candidates, and :mod:`extractor.evidence` attaches page and bbox.
"""

from __future__ import annotations

import re

from bisect import bisect_left
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

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


def _ctx(doc: Doc) -> FactContext:
    return doc.user_data.get(CTX) or FactContext(text=doc.text)


@Language.component("relato_identifiers")
def identifiers_component(doc: Doc) -> Doc:
    doc.user_data[BLOCKED] = find_identifiers(doc, _ctx(doc))
    return doc


def _finder_component(finder):  # type: ignore[no-untyped-def]
    def component(doc: Doc) -> Doc:
        doc.user_data.setdefault(CANDIDATES, []).extend(finder(doc, _ctx(doc)))
        return doc
    return component


Language.component("relato_dates", func=_finder_component(find_dates))
Language.component("relato_numbers", func=_finder_component(find_numbers))
Language.component("relato_municipalities", func=_finder_component(find_municipalities))


@lru_cache(maxsize=1)
def nlp() -> Language:
    """The blank Portuguese pipeline with relato's rule components, built once."""
    pipeline = spacy.blank("pt")
    for name in ("relato_identifiers", "relato_dates", "relato_numbers",
                 "relato_municipalities"):
        pipeline.add_pipe(name)
    return pipeline


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
    pipeline = nlp()
    doc = pipeline.make_doc(ctx.text)
    doc.user_data[CTX] = ctx
    for _, proc in pipeline.pipeline:
        doc = proc(doc)
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
