"""Counts written in shapes beyond "number + noun": durations, rates, scales, elisions.

Reports from other bodies write "Robô: 1min20s", "cerca de 23/dia", "tempo médio
p/ 1 operação", "(escala de 1 a 5)", "5 X mais rápido" and "100 ingressos.
Destes, 93 foram adquiridos". EXTRACTION-GUIDE.md ("Reports from any publisher")
says which of these are counts and how; the words live in ``rules/counts.yaml``
and the number finder (:mod:`extractor.facts.numbers`) asks this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import ConfigDict, Field

from extractor import cache, rulebook
from extractor.facts.numbers_rules import NOT_WORD_AFTER, NOT_WORD_BEFORE, WORD, alternation
from extractor.facts.numbers_rules import RULES as NUMBER_RULES


class DurationUnit(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    forms: list[str] = Field(min_length=1)
    seconds: int = Field(gt=0)
    name: str


class CountShapeRules(rulebook.RulesModel):
    """Schema of ``rules/counts.yaml``."""

    model_config = ConfigDict(extra="forbid")
    durations: list[DurationUnit] = Field(min_length=2)
    rate_periods: dict[str, str]
    denominator_cues: list[str]
    per_words: list[str]
    scale_cues: list[str]
    times_words: list[str]
    comparatives: list[str]
    anaphors: list[str]
    partitive_openers: list[str]
    predicate_verbs: list[str]
    negation: str
    unitless_cues: list[str]
    display_figure_ratio: float = Field(gt=1)
    age_limit_cues: list[str] = Field(min_length=1)
    age_limit_tails: list[str] = Field(min_length=1)
    band_tails: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class CountShapes:
    """The rules compiled once: one regex per shape."""

    rules: CountShapeRules
    duration: re.Pattern[str]
    duration_part: re.Pattern[str]
    seconds_of: dict[str, DurationUnit]
    rate: re.Pattern[str]
    denominator: re.Pattern[str]
    per_word: re.Pattern[str]
    scale_before: re.Pattern[str]
    range_after: re.Pattern[str]
    times_after: re.Pattern[str]
    anaphor_before: re.Pattern[str]
    partitive_before: re.Pattern[str]
    predicate_after: re.Pattern[str]
    unitless_before: re.Pattern[str]
    age_limit_before: re.Pattern[str]
    age_limit_after: re.Pattern[str]
    band_after: re.Pattern[str]


_NUMBER = r"\d+(?:,\d+)?"
_POWER_OF_TEN = re.compile(r"1(?:\.?0{3}|0)*")


def compile_shapes(r: CountShapeRules) -> CountShapes:
    forms = alternation([f for d in r.durations for f in d.forms])
    part = rf"({_NUMBER})[ ]?({forms})(?![A-Za-zÀ-ÿ])"
    return CountShapes(
        rules=r,
        duration=re.compile(rf"(?i:{part}(?:[ ]?{part})+)"),
        duration_part=re.compile(rf"(?i:{part})"),
        seconds_of={f.lower(): d for d in r.durations for f in d.forms},
        rate=re.compile(rf"(?i:[ ]?(?:/|por[ ]+)({alternation(list(r.rate_periods))})){NOT_WORD_AFTER}"),
        denominator=re.compile(rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(r.denominator_cues)}))[ ]*$"),
        per_word=re.compile(rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(r.per_words)}))[ ]+$"),
        scale_before=re.compile(rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(r.scale_cues)}))[ ]+$"),
        range_after=re.compile(r"[ ]*(?:a|até|-|–)[ ]*(\d+(?:,\d+)?)(?!\d)"),
        times_after=re.compile(
            rf"(?i:[ ]*({alternation(r.times_words)})[ ]+({alternation(r.comparatives)})[ ]+({WORD}+))"),
        anaphor_before=re.compile(
            rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(r.anaphors)})),?(?:\s+{WORD}+){{0,3}}\s*$"),
        partitive_before=re.compile(
            rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(r.partitive_openers)}))\s+({WORD}+)(?:\s+{WORD}+)?,\s*$"),
        predicate_after=re.compile(
            rf"(?i:[ ]+(?:({re.escape(r.negation)})[ ]+)?({alternation(r.predicate_verbs)})"
            rf"(?:[ ]+({WORD}+))?){NOT_WORD_AFTER}"),
        unitless_before=re.compile(rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(r.unitless_cues)}))\s+$"),
        age_limit_before=re.compile(rf"(?i:{NOT_WORD_BEFORE}(?:{alternation(r.age_limit_cues)}))\s+$"),
        age_limit_after=re.compile(rf"(?i:\s+(?:{alternation(r.age_limit_tails)})){NOT_WORD_AFTER}"),
        band_after=re.compile(rf"(?i:[ \t]*(?:{alternation(r.band_tails)})){NOT_WORD_AFTER}"),
    )


@lru_cache(maxsize=1)
def shapes() -> CountShapes:
    """Compiled once per rules version: the entry keeps the patterns' programs."""
    return cache.cached("count-shapes", rulebook.rules_dir(),
                        lambda: compile_shapes(rulebook.load("counts.yaml", CountShapeRules)))


def _float(digits: str) -> float:
    return float(digits.replace(",", "."))


def compound_duration(text: str, start: int) -> tuple[int, float, str] | None:
    """ "1min20s" at ``start`` -> (end, 80.0, "segundos"): one count in its smallest unit."""
    s = shapes()
    m = s.duration.match(text, start)
    if not m or m.group(1).startswith("0") and len(m.group(1)) == 2:
        return None  # "09 h47min" is a time of day, not a duration
    parts = [(_float(p.group(1)), s.seconds_of[p.group(2).lower()])
             for p in s.duration_part.finditer(m.group())]
    units = [u for _, u in parts]
    if any(a.seconds <= b.seconds for a, b in zip(units, units[1:])):
        return None  # "2 h 3 h" is no compound: each part must be smaller than the last
    smallest = units[-1]
    total = sum(v * u.seconds for v, u in parts) / smallest.seconds
    return m.end(), total, smallest.name


def rate_after(text: str, end: int) -> tuple[int, str] | None:
    """ "23/dia", "23 por dia" after a number ending at ``end`` -> (end, "por dia")."""
    s = shapes()
    m = s.rate.match(text, end)
    if not m:
        return None
    return m.end(), f"por {s.rules.rate_periods[m.group(1).lower()]}"


def is_denominator(text: str, start: int, digits: str) -> bool:
    """ "p/ 1 operação", "por 100 mil habitantes": the denominator of a rate."""
    s = shapes()
    before = text[max(0, start - 20) : start]
    if s.denominator.search(before):
        return True
    return bool(s.per_word.search(before)) and bool(_POWER_OF_TEN.fullmatch(digits))


def scale_range_end(text: str, start: int, end: int) -> int | None:
    """End of "1 a 5" when the number at ``start`` opens a scale ("escala de 1 a 5")."""
    s = shapes()
    if not s.scale_before.search(text[max(0, start - 25) : start]):
        return None
    m = s.range_after.match(text, end)
    return m.end() if m else None


def is_age_limit(text: str, start: int, end: int) -> bool:
    """ "idade igual ou superior a 35 anos", "60 anos ou mais": an age that bounds a group."""
    s = shapes()
    return bool(s.age_limit_before.search(text[max(0, start - 40) : start]) or s.age_limit_after.match(text, end))


def bounds_a_band(text: str, end: int) -> bool:
    """ "80% ou mais", "10 dias ou menos": the figure ending at ``end`` is a bound."""
    return shapes().band_after.match(text, end) is not None


def times_unit(text: str, end: int) -> tuple[int, str] | None:
    """ "5 X mais rápido" -> (end, "x mais rápido")."""
    m = shapes().times_after.match(text, end)
    if not m:
        return None
    return m.end(), " ".join(g.lower() for g in m.groups())


def unitless_cue(text: str, start: int) -> bool:
    """Whether a comparator such as "cerca de" stands right before ``start``."""
    return bool(shapes().unitless_before.search(text[max(0, start - 25) : start]))


# A variable of a formula set in an equation editor's math letters ("𝐹 𝑇 = 0,497", Unicode
# Mathematical Alphanumeric Symbols, subscripts apart): the value is a measure of its own.
_FORMULA_BEFORE = re.compile(r"[\U0001D400-\U0001D7FF][\U0001D400-\U0001D7FF_ ]{0,8}=[ ]*$")


def formula_value(text: str, start: int) -> bool:
    """Whether ``start`` is the value of a formula variable ("𝐹 𝑇 = 0,497"): a count whose
    unit, named where the formula is defined, is left to the reviewer."""
    return bool(_FORMULA_BEFORE.search(text[max(0, start - 20) : start]))


def elided_subject(text: str, start: int, end: int, sentence: str,
                   antecedent: str | None) -> tuple[int, str] | None:
    """The unit of a bare number that is the subject of a clause whose noun is elided.

    "Destes, 93 foram adquiridos e 7 não foram retirados" (``antecedent`` is the
    previous count's noun, "ingressos") -> "ingressos adquiridos", "ingressos não
    retirados"; "Dos participantes inscritos, 67 estiveram presentes" ->
    "participantes presentes". ``sentence`` is the sentence up to ``start``.
    """
    s = shapes()
    opening = _clause_opening(sentence)
    partitive = s.partitive_before.search(opening)
    if partitive:
        noun = partitive.group(1).lower()
    elif s.anaphor_before.search(opening) and antecedent:
        noun = antecedent
    else:
        return None
    pred = s.predicate_after.match(text, end)
    if pred is None:  # "Deste total, foram registrados 1.224 nas últimas 24 horas"
        return end, noun
    negation, _verb, complement = pred.groups()
    if complement and complement.lower() not in s.rules.predicate_verbs and _describes(complement):
        words = [noun, *([negation.lower()] if negation else []), complement.lower()]
        return pred.end(), " ".join(words)
    return end, noun


def _describes(word: str) -> bool:
    """A participle or adjective completing the unit ("adquiridos", "presentes"), not an
    article or preposition starting the verb's object ("concluíram o curso")."""
    return len(word) > 3 and word.lower() not in NUMBER_RULES.not_units


# "93 foram adquiridos e " before "7 não foram retirados": a coordinated clause that
# shares the opener ("Destes, ") of the one before it.
_PREVIOUS_CLAUSE = re.compile(r"\d[\d.,]*(?:[ ]+[A-Za-zÀ-ÿ]+){1,4}[ ]+e[ ]*$")


def _clause_opening(sentence: str) -> str:
    """The sentence up to where its first elided clause starts."""
    out = sentence
    for _ in range(4):
        m = _PREVIOUS_CLAUSE.search(out)
        if not m:
            break
        out = out[: m.start()]
    return out
