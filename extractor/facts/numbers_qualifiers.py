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
from extractor.facts.units import sentence_before
from extractor.model import Qualifier

_FIRST_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DIRECT_WINDOW = 40


def direct_cue(text: str, start: int, rules: NumberPatterns = RULES) -> tuple[Qualifier, int] | None:
    """The comparator written right before ``start`` (a line break may wrap it), if any."""
    lo = max(0, start - _DIRECT_WINDOW)
    tab = text.rfind("\t", lo, start)
    lo = tab + 1 if tab >= 0 else lo
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


def qualifier_for(text: str, start: int, ctx: FactContext, rules: NumberPatterns = RULES) -> Qualifier:
    """Qualifier of the number starting at ``start`` in ``text`` (== ctx.text)."""
    direct = direct_cue(text, start, rules)
    if direct:
        return direct[0]
    if start < ctx.title_end and is_goal_title(text[: ctx.title_end], rules):
        return "target"
    sentence = sentence_before(text, start)
    for kind, pattern in rules.sentence:
        cues = list(pattern.finditer(sentence))
        if cues and not _numbers_between(sentence[cues[-1].end() :], rules):
            return kind
    return "exact"


def _numbers_between(between: str, rules: NumberPatterns) -> bool:
    """A cue qualifies the first number after it: "economia estimada de R$ 14,8 milhões
    ao longo de 5 anos" -> the 5 years are exact. Years do not count as numbers here."""
    return any(not _YEAR.fullmatch(m.group()) for m in rules.numeral.finditer(between))
