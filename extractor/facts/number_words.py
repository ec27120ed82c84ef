"""Amounts written in words (EXTRACTION-GUIDE.md, "Amounts in words").

Two cases the plain word-number reader gets wrong, because it stops at a comma or a
line break and reads any "... reais" tail as money of its own:

- words that repeat a figure, in parentheses right after it ("R$ 2.801.233,75 (dois
  milhões, oitocentos e um mil, duzentos e trinta e três reais e setenta e cinco
  centavos)", "25,00% (vinte e cinco por cento)") are the same fact as the figure:
  :func:`repeated_in_words` gives their extent so nothing inside is read;
- an amount written only in words is read whole, over commas and line breaks
  ("um milhão, trezentos e noventa e cinco mil, / setecentos e trinta e nove
  reais" is R$ 1.395.739, not R$ 739): :func:`word_amounts`.

The word lists are data in ``rules/numbers.yaml``.
"""

from __future__ import annotations

import re

from extractor.facts.base import Candidate, FactContext
from extractor.facts.numbers_qualifiers import qualifier_for
from extractor.facts.numbers_rules import RULES, WORD, NumberPatterns

_PAREN = re.compile(r"[ \t]*\n?[ \t]*\(([^()\d]{1,400})\)")
_TOKEN = re.compile(rf"{WORD}+")
EXTRACTOR = "rules.money_words"


def repeated_in_words(text: str, end: int, rules: NumberPatterns) -> tuple[int, bool] | None:
    """Where a parenthesis right after a figure ends, if it holds only number words
    (with "reais", "centavos", "por cento"): the figure said again, whatever the value
    (words that contradict the figure are not a second amount either). The flag
    says whether the words name the currency ("... reais e trinta centavos"), which
    makes the figure money even where its "R$" sits on the page before."""
    hit = _PAREN.match(text, end)
    if not hit:
        return None
    tokens = [t.lower() for t in _TOKEN.findall(hit.group(1))]
    numbers = rules.numbers
    if not any(t in numbers.words or t in numbers.multipliers for t in tokens):
        return None
    if not all(t in rules.paren_words for t in tokens):
        return None
    currency = {w for c in (*numbers.amount_currency, *numbers.amount_cents) for w in c.split()} - {"de"}
    return hit.end(), any(t in currency for t in tokens)


def parse_words(words: str, rules: NumberPatterns = RULES) -> float | None:
    """ "dez" -> 10, "cento e vinte" -> 120, "dois mil e quinhentos" -> 2500."""
    n = rules.numbers
    total, group, seen = 0, 0, False
    for token in words.lower().split():
        if token == n.joiner:
            continue
        if token in n.words:
            group += n.words[token]
        elif token in n.multipliers:
            total += (group or 1) * n.multipliers[token]
            group = 0
        else:
            return None
        seen = True
    return float(total + group) if seen else None


def _words_value(words: str, rules: NumberPatterns) -> float | None:
    return parse_words(" ".join(_TOKEN.findall(words)), rules)


def word_amounts(text: str, ctx: FactContext, rules: NumberPatterns) -> list[Candidate]:
    """Money written only in words, read whole; cents in words add to it."""
    out: list[Candidate] = []
    for hit in rules.word_amount.finditer(text):
        value = _words_value(hit.group("reais"), rules)
        if not value:
            continue
        if hit.group("cents"):
            value += (_words_value(hit.group("cents"), rules) or 0) / 100
        q = qualifier_for(text, hit.start(), ctx, rules)
        out.append(Candidate("money", hit.start(), hit.end(), value, EXTRACTOR, 0.9, qualifier=q))
    return out
