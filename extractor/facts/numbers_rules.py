"""Load the number, qualifier and unit rules and compile them into regexes once.

The words live in ``rules/numbers.yaml``, ``rules/qualifiers.yaml`` and
``rules/units.yaml``; this module validates them (unknown keys fail loudly) and
builds the regexes the number finder uses, so the finder itself holds no word lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ConfigDict, Field

from extractor import cache, rulebook
from extractor.model import Qualifier

WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ]"
NOT_WORD_BEFORE = r"(?<![\wÀ-ÿ])"
NOT_WORD_AFTER = r"(?![\wÀ-ÿ])"


class NumberRules(rulebook.RulesModel):
    """Schema of ``rules/numbers.yaml``."""

    model_config = ConfigDict(extra="forbid")
    decimal_mark: str
    thousands_mark: str
    words: dict[str, int]
    multipliers: dict[str, int]
    articles: list[str]
    joiner: str
    ordinal_marks: list[str]
    percent_signs: list[str]
    minus_signs: list[str] = Field(min_length=1)
    currency_before: list[str]
    currency_after: list[str]
    amount_words: list[str]
    amount_currency: list[str]
    amount_cents: list[str]


class DirectCues(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    at_least: list[str]
    approx: list[str]
    at_most: list[str]
    target: list[str]


class SentenceCues(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    target: list[str]
    approx: list[str]


class GoalTitle(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    infinitive_endings: list[str]
    not_infinitives: list[str]
    deadline_words: list[str]


class QualifierRules(rulebook.RulesModel):
    """Schema of ``rules/qualifiers.yaml``."""

    model_config = ConfigDict(extra="forbid")
    direct: DirectCues
    sentence: SentenceCues
    goal_title: GoalTitle


class UnitRules(rulebook.RulesModel):
    """Schema of ``rules/units.yaml``."""

    model_config = ConfigDict(extra="forbid")
    skip_before_unit: list[str]
    before_noun: list[str]
    not_units: list[str]
    verb_endings: list[str]
    complement_endings: list[str]
    generic_heads: list[str]
    attached: dict[str, str]
    measure_heads: list[str]
    intro_heads: list[str]
    time_label_words: list[str]
    year_prepositions: list[str]
    measure_links: list[str]
    ellipsis_links: list[str]
    participles: list[str]
    place_words: list[str]
    caption_heads: list[str]
    caption_stops: list[str]
    caption_category_cues: list[str]
    caption_category_words: list[str]
    kind_headers: list[str]
    value_labels: list[str]
    item_heads: list[str]


def alternation(words: list[str]) -> str:
    """Regex alternation, longest first; a space in a phrase matches any run of spaces."""
    escaped = (re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))
    return "|".join(escaped)


@dataclass(frozen=True)
class NumberPatterns:
    """Everything the number finder needs, compiled once per rules load."""

    numbers: NumberRules
    qualifiers: QualifierRules
    units: UnitRules
    numeral: re.Pattern[str]
    multiplier: re.Pattern[str]
    sign_multiplier: re.Pattern[str]  # "371 R$ milhões": the currency between figure and multiplier
    word_number: re.Pattern[str]
    percent_after: re.Pattern[str]
    currency_before: re.Pattern[str]
    currency_after: re.Pattern[str]
    currency_anywhere: re.Pattern[str]
    direct: tuple[tuple[Qualifier, re.Pattern[str]], ...]
    sentence: tuple[tuple[Qualifier, re.Pattern[str]], ...]
    deadline: re.Pattern[str]
    intro: re.Pattern[str]
    measure: re.Pattern[str]
    measure_link: re.Pattern[str]
    ellipsis_link: re.Pattern[str]
    not_units: frozenset[str]
    skip_before_unit: frozenset[str]
    word_amount: re.Pattern[str]
    paren_words: frozenset[str]


def _numeral(r: NumberRules) -> re.Pattern[str]:
    """Digits with Brazilian grouping: 255.766 · 28,79 · 4.774.499 · 1785 · 0,75."""
    t, d = re.escape(r.thousands_mark), re.escape(r.decimal_mark)
    minus = "".join(re.escape(c) for c in r.minus_signs)
    # a minus sign glued to the digits is kept in the match (the caller reads it only
    # before a percent sign); a dash after a digit or a mark is a range, never a sign
    return re.compile(rf"(?<![\wÀ-ÿ.,/\-−{minus}])[{minus}]?(?<![\wÀ-ÿ.,/])(?:\d{{1,3}}(?:{t}\d{{3}})++|\d++)"
                      rf"(?:{d}\d+)?(?![\d])")


def _cue_patterns(groups: dict[str, list[str]], *, anchored: bool) -> tuple[tuple[Qualifier, re.Pattern[str]], ...]:
    out = []
    for kind, cues in groups.items():
        tail = r"\s*$" if anchored else NOT_WORD_AFTER
        out.append((kind, re.compile(rf"(?i:(?<![\wÀ-ÿ])(?:{alternation(cues)}))(?:{tail})")))
    return tuple(out)


def compile_rules(n: NumberRules, q: QualifierRules, u: UnitRules) -> NumberPatterns:
    """Build every regex from the validated rules."""
    word_alt = alternation(list(n.words) + list(n.multipliers))
    joiner = re.escape(n.joiner)
    word_number = rf"{NOT_WORD_BEFORE}(?i:(?:{word_alt})(?:[ \t]+(?:{joiner}[ \t]+)?(?:{word_alt}))*){NOT_WORD_AFTER}"
    direct = q.direct.model_dump()
    return NumberPatterns(
        numbers=n,
        qualifiers=q,
        units=u,
        numeral=_numeral(n),
        multiplier=re.compile(rf"[ \t]*(?:\n[ \t]*)?(?i:({alternation(list(n.multipliers))})){NOT_WORD_AFTER}"),
        sign_multiplier=re.compile(rf"[ \t]*(?:{alternation(n.currency_before)})[ \t]*(?:\n[ \t]*)?"
                                   rf"(?i:({alternation(list(n.multipliers))})){NOT_WORD_AFTER}"),
        word_number=re.compile(word_number),
        percent_after=re.compile(rf"(?:[ \t]|[ ]*\n[ ]*)?(?i:{alternation(n.percent_signs)})"),
        currency_before=re.compile(rf"(?:{alternation(n.currency_before)})\s*$"),
        currency_after=re.compile(rf"\s+(?i:{alternation(n.currency_after)}){NOT_WORD_AFTER}"),
        currency_anywhere=re.compile(rf"{alternation(n.currency_before)}|(?i:{NOT_WORD_BEFORE}(?:{alternation(n.currency_after)}){NOT_WORD_AFTER})"),
        direct=_cue_patterns({k: direct[k] for k in ("at_least", "at_most", "approx", "target")}, anchored=True),
        sentence=_cue_patterns(q.sentence.model_dump(), anchored=False),
        deadline=re.compile(rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(q.goal_title.deadline_words)})\s+(?:{WORD}+(?:/|\s+de\s+|\s+))?(?:19|20)\d\d\b)"),
        intro=re.compile(rf"(?i:\b(?:{alternation(u.intro_heads)})\s+de\s+)({WORD}[\wÀ-ÿ'’-]*)"),
        measure=re.compile(
            rf"(?i:\b({alternation(u.measure_heads)})(?:\s+(?!d[aeo]\b){WORD}+)?(?:\s+(de|da|do)\s+({WORD}[\wÀ-ÿ-]*))?)"
        ),
        measure_link=re.compile(rf"(?i:(?:{NOT_WORD_BEFORE}|(?<=\s))(?:{alternation(u.measure_links)}))\s*$"),
        ellipsis_link=re.compile(rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(u.ellipsis_links)}))\s+$"),
        not_units=frozenset(u.not_units),
        skip_before_unit=frozenset(u.skip_before_unit),
        word_amount=_word_amount(n),
        paren_words=frozenset([*n.words, *n.multipliers, n.joiner, *n.amount_words]),
    )


def _word_amount(n: NumberRules) -> re.Pattern[str]:
    """An amount written only in words: number words that may run over commas and line
    breaks after a multiplier, then the currency word, then maybe "e ... centavos".
    Groups: ``reais`` (the words of the whole amount) and ``cents`` (of the cents)."""
    word, mult = alternation(list(n.words)), alternation(list(n.multipliers))
    j = re.escape(n.joiner)
    # a multiplier may take a comma; plain words may not (one way to read each token)
    seq = (rf"(?:(?:(?:{mult}){NOT_WORD_AFTER},?\s+|(?:{word}){NOT_WORD_AFTER}\s+)(?:{j}\s+)?)*"
           rf"(?:{word}|{mult}){NOT_WORD_AFTER}")
    return re.compile(
        rf"{NOT_WORD_BEFORE}(?i:(?P<reais>{seq})\s+(?:{alternation(n.amount_currency)}){NOT_WORD_AFTER}"
        rf"(?:\s+{j}\s+(?P<cents>{seq})\s+(?:{alternation(n.amount_cents)}){NOT_WORD_AFTER})?)")


def load_rules() -> NumberPatterns:
    """Read, validate and compile the three rules files (uncached: tests swap the dir)."""
    return compile_rules(
        rulebook.load("numbers.yaml", NumberRules),
        rulebook.load("qualifiers.yaml", QualifierRules),
        rulebook.load("units.yaml", UnitRules),
    )


# compiled once per rules version: the entry keeps the patterns' programs (extractor/cache.py)
RULES = cache.cached("number-patterns", rulebook.rules_dir(), load_rules)
