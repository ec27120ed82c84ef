"""The one shape every fact finder returns, and the context it is given.

A finder *finds*; :mod:`extractor.facts.pipeline` *writes* (spaCy's
``match`` / ``set_annotations`` split): it resolves overlaps between kinds,
drops candidates inside identifiers, and attaches page and bbox evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from extractor.model import FactKind, Qualifier


# Where the identifiers component leaves its spans on the Doc, so later finders
# (numbers) reuse them instead of computing them again.
IDENTIFIERS_KEY = "relato.identifiers"


@dataclass(frozen=True)
class FactContext:
    """What a finder may know besides the text.

    ``text`` is the initiative's title, a blank line, then its body in reading
    order across all its pages (lines joined by ``\\n``; table cells joined by
    ``\\t``, header row first). ``title_end`` is the offset where the title ends.
    ``status_date`` is the report's status month (``YYYY-MM``) or ``None``;
    nothing reads the clock. ``statement`` says the report is a financial statement
    (balancete, RREO …; :func:`extractor.facts.columns.is_financial_statement`):
    its figures written with cents are money. ``home_uf`` is the state the whole document speaks
    of (its publisher's, :mod:`extractor.facts.publisher_state`), or ``None``.
    ``display`` maps the offsets in ``text`` where a figure set in display type starts
    (a dashboard's headline number, far larger than the document's body text,
    :mod:`extractor.headline`) to its card's label, or None: the label may be drawn
    in an image, but the figure is a count all the same. (The document's context holds
    them by place on the page, :func:`extractor.headline.headline_figures`, until its
    text is known.)
    """

    text: str
    title_end: int = 0
    status_date: str | None = None
    statement: bool = False
    home_uf: str | None = None
    display: Mapping[Any, str | None] = field(default_factory=dict)


@dataclass
class Candidate:
    """A fact found at ``text[start:end]``.

    ``value`` follows EXTRACTION-GUIDE.md: ISO string for ``date``,
    ``{"start", "end"}`` for ``period``, a number for ``count``/``percentage``/
    ``money``, a 7-digit IBGE code string for ``municipality``.
    ``confidence`` is lower where the rule is less sure (bare month, fuzzy
    municipality match, unit taken from context).
    """

    kind: FactKind
    start: int
    end: int
    value: Any
    extractor: str
    confidence: float
    unit: str | None = None
    qualifier: Qualifier | None = None
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end
