"""Decide the qualifier of a number: exact, at_least, approx, target or at_most.

Order matters (EXTRACTION-GUIDE.md): an explicit comparator written right before
the number ("mais de", "até", "cerca de") wins over a goal; a number in a goal
title ("IMPLANTAR ... 10 (DEZ) SERVIÇOS", "7 MILHÕES ... ATÉ 2026") is a target;
then a goal or estimate cue earlier in the same sentence; else exact.
"""

from __future__ import annotations

import re

from extractor.facts.base import FactContext
from extractor.facts.numbers_rules import RULES, NumberPatterns
from extractor.model import Qualifier

_SENTENCE_END = re.compile(r"[.!?;](?=\s+[A-ZÀ-Ý\"“(•-])|\n|[.!?]$")
_FIRST_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
_DIRECT_WINDOW = 40
_SENTENCE_WINDOW = 200


def direct_cue(text: str, start: int, rules: NumberPatterns = RULES) -> tuple[Qualifier, int] | None:
    """The comparator written right before ``start`` and where it starts, if any."""
    line_start = text.rfind("\n", 0, start) + 1
    lo = max(line_start, start - _DIRECT_WINDOW)
    before = text[lo:start]
    for kind, pattern in rules.direct:
        m = pattern.search(before)
        if m:
            return kind, lo + m.start()
    return None


def is_goal_title(title: str, rules: NumberPatterns = RULES) -> bool:
    """A title states a goal if it starts with an infinitive or sets a deadline year."""
    goal = rules.qualifiers.goal_title
    first = _FIRST_WORD.search(title)
    if first:
        word = first.group().lower()
        if word not in goal.not_infinitives and any(word.endswith(e) for e in goal.infinitive_endings):
            return True
    return bool(rules.deadline.search(title))


def sentence_start(text: str, start: int) -> int:
    """Offset where the sentence holding ``start`` begins (within a bounded window)."""
    lo = max(0, start - _SENTENCE_WINDOW)
    last = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        last = m.end()
    return last


def qualifier_for(text: str, start: int, ctx: FactContext, rules: NumberPatterns = RULES) -> Qualifier:
    """Qualifier of the number starting at ``start`` in ``text`` (== ctx.text)."""
    direct = direct_cue(text, start, rules)
    if direct:
        return direct[0]
    if start < ctx.title_end and is_goal_title(text[: ctx.title_end], rules):
        return "target"
    sentence = text[sentence_start(text, start) : start]
    for kind, pattern in rules.sentence:
        if pattern.search(sentence):
            return kind
    return "exact"
