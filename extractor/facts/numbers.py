"""Find counts, percentages and amounts of money in an initiative's text.

A number is read with Brazilian conventions ("255.766" -> 255766, "28,79" -> 28.79,
"1,5 milhão" -> 1500000, "10 (DEZ)" -> 10, "mil vagas" -> 1000); what follows or
precedes it decides its kind ("%" / "por cento" -> percentage, "R$" / "reais" ->
money, else a count when it quantifies something). Ordinals ("2ª via", "1º
bimestre"), bare years ("em 2024"), articles ("um piloto") and numbers inside
identifiers (decrees, phases, list items, phones...) are never emitted.
All words come from ``rules/``; see numbers_rules, units and numbers_qualifiers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractor.facts import count_shapes as shapes
from extractor.facts.columns import is_scale_note
from extractor.facts.base import IDENTIFIERS_KEY, Candidate, FactContext
from extractor.facts.identifiers import identifier_spans
from extractor.geometry import merge_spans
from extractor.facts.label_lists import list_unit, panel_unit
from extractor.facts.number_words import parse_words, repeated_in_words, word_amounts
from extractor.facts.numbers_qualifiers import direct_cue, qualifier_for
from extractor.facts.numbers_rules import RULES, WORD, NumberPatterns
from extractor.facts.units import (TableHeaders, Unit, card_unit, count_cell_year, elided_unit, in_label_cell,
                                   sentence_before, table_headers, time_labelled, unit_after, unit_from_context,
                                   unit_of_range, value_cell)

if TYPE_CHECKING:  # a finder reads only its doc's text and user_data: no spaCy import
    from spacy.tokens import Doc

_REJECT_AFTER = re.compile(r"[.,/:\-–]\d|/[A-Za-z]")
_LETTERS_AFTER = re.compile(r"[A-Za-zµ²]+(?![\wÀ-ÿ])|[A-Za-zÀ-ÿ]")
# "10 (DEZ)", "01 (um)": a plain character class, no nested repeats (no backtracking blow-up).
_ALTERNATIVE_AFTER = re.compile(r"[ \t]+(?:ou|a)[ \t]+(?:dois|duas|tr[êe]s)\b", re.IGNORECASE)
_PLUS_AFTER = re.compile(r"\+(?=[ \t\n]|$)")  # a trailing "+" is "at least"
# "17 (dezessete)", the words wrapped to the next line as often as not: "constam 13\n(treze)"
_PAREN_WORDS = re.compile(r"[ \t]*\n?[ \t]*\(([A-Za-zÀ-ÖØ-öø-ÿ \t\n]{1,80})\)")
_YEAR = re.compile(r"(?:19|20)\d\d")
ELIDED_CONFIDENCE = 0.7  # a unit taken from the antecedent of an elided noun
_CENTS = re.compile(r"\d{1,3}(?:\.\d{3})*,\d\d")


@dataclass(frozen=True)
class _Number:
    """A number read from the text: its value and the span of what spells it."""

    start: int
    end: int
    value: float
    has_multiplier: bool
    is_year: bool
    unit: Unit | None = None
    plus: bool = False  # "30k+", "100+ municípios": at least that many
    money: bool = False  # "371 R$ milhões": the currency sign after the figure


def parse_numeral(digits: str, rules: NumberPatterns = RULES) -> float:
    """ "255.766" -> 255766, "28,79" -> 28.79, "4.774.499" -> 4774499."""
    n = rules.numbers
    return float(digits.replace(n.thousands_mark, "").replace(n.decimal_mark, "."))


def _read_numeral(text: str, m: re.Match[str], rules: NumberPatterns) -> _Number | None:
    """Value and extent of the digits at ``m`` with multiplier and "(DEZ)"; None if not a quantity."""
    end = m.end()
    value = parse_numeral(m.group(), rules)
    rate = shapes.rate_after(text, end)
    if rate:  # "23/dia", "23 por dia"
        return _Number(m.start(), rate[0], value, False, False, Unit(rate[1], rate[0], 0.85))
    if _REJECT_AFTER.match(text, end) or text[end : end + 1] in rules.numbers.ordinal_marks:
        return None
    glued = _LETTERS_AFTER.match(text, end)
    if glued and glued.group().lower() not in rules.numbers.multipliers:  # "30k", "3,7bi" multiply
        name = rules.units.attached.get(glued.group().lower())
        if not name:
            return None
        return _Number(m.start(), glued.end(), value, False, False, Unit(name, glued.end(), 0.9))
    signed = rules.sign_multiplier.match(text, end)
    if signed:  # a KPI's "371 R$ milhões", "Até 45 R$ milhões por projeto"
        scale = rules.numbers.multipliers[signed.group(1).lower()]
        return _Number(m.start(), signed.end(), value * scale, True, False, money=True)
    mult = rules.multiplier.match(text, end)
    if mult:
        value *= rules.numbers.multipliers[mult.group(1).lower()]
        end = mult.end()
    paren = _PAREN_WORDS.match(text, end)
    if paren and parse_words(paren.group(1), rules) == parse_numeral(m.group(), rules):
        end = paren.end()
    plus = _PLUS_AFTER.match(text, end)
    if plus:
        return _Number(m.start(), plus.end(), value, bool(mult), False, plus=True)
    is_year = not mult and bool(_YEAR.fullmatch(m.group()))
    return _Number(m.start(), end, value, bool(mult), is_year)


def _negative_percentage(text: str, m: re.Match[str], ctx: FactContext, rules: NumberPatterns) -> Candidate | None:
    """ "-2,49%": a share below zero (a fall, a loss); None when no percent sign follows."""
    pct = rules.percent_after.match(text, m.end())
    if not pct:
        return None
    value = -parse_numeral(m.group()[1:], rules)
    q = qualifier_for(text, m.start(), ctx, rules)
    return Candidate("percentage", m.start(), pct.end(), value, "rules.percentage", 0.9, qualifier=q)


def _money_start(text: str, start: int, rules: NumberPatterns) -> int | None:
    m = rules.currency_before.search(text, max(0, start - 6), start)
    return m.start() if m else None


def _special_kind(text: str, num: _Number, ctx: FactContext, rules: NumberPatterns) -> Candidate | None:
    """A percentage or money candidate for ``num``, if its signs say so."""
    pct = rules.percent_after.match(text, num.end)
    if pct and not num.unit:
        q = qualifier_for(text, num.start, ctx, rules)
        return Candidate("percentage", num.start, pct.end(), num.value, "rules.percentage", 0.95, qualifier=q)
    money_at = _money_start(text, num.start, rules)
    if money_at is not None and is_scale_note(text, money_at):
        return None  # "Em R$ 1,00": the table's unit, never an amount
    after = rules.currency_after.match(text, num.end)
    if (money_at is not None or after or num.money) and not num.unit:
        # the figure's own line holds the fact: "R$" ending the line (or page) before
        # it does not move it there
        start = money_at if money_at is not None and "\n" not in text[money_at:num.start] else num.start
        q = qualifier_for(text, start, ctx, rules)
        return Candidate("money", start, after.end() if after else num.end, num.value, "rules.money", 0.95, qualifier=q)
    return None


def _table_money(text: str, num: _Number, headers: TableHeaders, rules: NumberPatterns,
                 ctx: FactContext, speaks_money: bool) -> Candidate | None:
    """A figure with cents ("3.272.274,00") in a financial statement, or a table cell
    with cents in a text that speaks in R$: an amount of money whose currency sign sits
    in a header or caption (or nowhere: a balancete is in reais), not a count."""
    if num.unit is not None or not _CENTS.fullmatch(text[num.start:num.end]):
        return None
    if not ctx.statement and (not speaks_money or value_cell(text, num.start, num.end, headers) is None):
        return None
    q = qualifier_for(text, num.start, ctx, rules)
    return Candidate("money", num.start, num.end, num.value, "rules.money", 0.7, qualifier=q)


def _typed_cell(text: str, num: _Number, headers: TableHeaders, rules: NumberPatterns,
                ctx: FactContext) -> Candidate | None:
    """A table cell under a percentage column ("%", "Percentual") or a money column
    ("Valor (R$)", a table "Em R$ 1,00"): its column says its kind (guide, "Tables")."""
    if num.unit is not None:
        return None
    cell = value_cell(text, num.start, num.end, headers)
    if cell is None:
        return None
    row, _, col = cell
    kind = row.kind(col)
    if kind == "count" or col in row.index_columns:
        return None
    q = qualifier_for(text, num.start, ctx, rules)
    return Candidate(kind, num.start, num.end, num.value, f"rules.{kind}", 0.8, qualifier=q)


def _shaped_count(text: str, m: re.Match[str], ctx: FactContext, rules: NumberPatterns) -> Candidate | None:
    """A compound duration starting at ``m`` ("1min20s" -> 80 segundos), as one count."""
    found = shapes.compound_duration(text, m.start())
    if found is None:
        return None
    end, value, unit = found
    q = qualifier_for(text, m.start(), ctx, rules)
    return Candidate("count", m.start(), end, value, "rules.count", 0.9, unit=unit, qualifier=q)


def _year_blocked(text: str, num: _Number, rules: NumberPatterns) -> bool:
    """ "em 2024 foram", "a partir de 2021": a bare year preceded by a date word."""
    before = text[max(0, num.start - 12) : num.start].lower().split()
    return bool(before) and before[-1] in rules.units.year_prepositions


def _count(
    text: str, num: _Number, ctx: FactContext, rules: NumberPatterns, headers: TableHeaders | None,
    antecedent: str | None = None,
) -> Candidate | None:
    """A count for ``num`` if it quantifies something named in the text.

    ``headers`` (see :func:`table_headers`) enables units from context; number words
    pass None: spelled out, they count only with a noun right after them.
    ``antecedent`` is the noun of the count before, for a clause that leaves its
    noun out ("100 ingressos. Destes, 93 foram adquiridos").
    """
    words = headers is None
    times = shapes.times_unit(text, num.end)
    unit = num.unit or (Unit(times[1], times[0], 0.9) if times else None) or unit_after(
        text, num.end, rules, after_multiplier=num.has_multiplier)
    if unit and not num.unit:
        unit = elided_unit(text, num.start, unit, rules) or unit
    if num.is_year and unit is None and headers and count_cell_year(text, num.start, num.end, headers):
        num = _Number(num.start, num.end, num.value, num.has_multiplier, False)  # "SANTA LUZIA | 1987"
    if num.is_year and (unit is None or _year_blocked(text, num, rules)):
        return None
    if unit is None and not num.is_year:
        elided = shapes.elided_subject(text, num.start, num.end, sentence_before(text, num.start), antecedent)
        unit = Unit(elided[1], elided[0], ELIDED_CONFIDENCE) if elided else None
    unit = unit or unit_of_range(text, num.end, rules)
    listed = (list_unit(text, num.start, num.end) or panel_unit(text, num.start, num.end)
              if unit is None and not words else None)
    if listed is not None:  # "- Palhoça - 1" under "ÓBITOS POR MUNICÍPIO": what the caption counts
        unit = Unit(listed[0], listed[1], 0.7)
    if unit is None and not words:
        unit = unit_from_context(text, num.start, num.end, rules, headers)
    card = ctx.display.get(num.start) if unit is None and not words else None
    if card is not None and (name := card_unit(card, rules)) is not None:
        unit = Unit(name, num.end, 0.7)  # a headline figure under its card's label
    if unit is None and not words and not num.is_year and (
            shapes.unitless_cue(text, num.start) or shapes.formula_value(text, num.start)
            or time_labelled(text, num.start, num.end, rules)
            or value_cell(text, num.start, num.end, headers or {}) is not None
            or num.start in ctx.display):  # a headline figure whose label is an image
        unit = Unit("", num.end, 0.5)  # a count whose noun the text leaves out (every
        # numeric table cell is a count, guide)
    if unit is None:
        return None
    cue = direct_cue(text, num.start, rules)
    start = cue[1] if cue else num.start
    q = "at_least" if num.plus else qualifier_for(text, num.start, ctx, rules)
    confidence = min(unit.confidence, 0.75) if words else unit.confidence
    end = max(unit.end, num.end)
    return Candidate("count", start, end, num.value, "rules.count", confidence, unit=unit.name or None,
                     qualifier=q)


def _is_place_name(text: str, m: re.Match[str], rules: NumberPatterns) -> bool:
    """ "Sete Lagoas", "Três Pontas": a number word that is part of a place name."""
    nxt = re.match(rf"[ \t]+({WORD}+)", text[m.end() :])
    if not nxt:
        return False
    word = nxt.group(1)
    if word.lower() in rules.units.place_words:
        return True
    first = m.group()
    return first[:1].isupper() and not first.isupper() and word[:1].isupper()


def _word_candidate(text: str, m: re.Match[str], ctx: FactContext, rules: NumberPatterns) -> Candidate | None:
    """A number spelled in words that quantifies a noun ("quinze municípios", "mil vagas")."""
    tokens = m.group().lower().split()
    if len(tokens) == 1 and tokens[0] in rules.numbers.articles and not _ALTERNATIVE_AFTER.match(text, m.end()):
        return None  # "um piloto" is an article; "uma ou duas semanas" is a number
    if tokens[0] in rules.numbers.multipliers and tokens[0] != "mil":
        return None
    value = parse_words(m.group(), rules)
    if value is None or _is_place_name(text, m, rules):
        return None
    num = _Number(m.start(), m.end(), value, tokens[-1] in rules.numbers.multipliers, False)
    return _special_kind(text, num, ctx, rules) or _count(text, num, ctx, rules, None)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) meets any of ``spans`` (sorted, non-overlapping)."""
    i = bisect.bisect_left(spans, (end,))
    return i > 0 and spans[i - 1][1] > start


def find_numbers(doc: Doc, ctx: FactContext) -> list[Candidate]:
    """Counts, percentages and money in ``ctx.text`` (``doc`` is its blank-pt Doc)."""
    text, rules = ctx.text, RULES
    blocked = doc.user_data.get(IDENTIFIERS_KEY)
    if blocked is None:  # called on its own, not after the identifiers component
        blocked = identifier_spans(text)
    out: list[Candidate] = []
    read: list[tuple[int, int]] = []
    headers = table_headers(text)
    speaks_money = rules.currency_anywhere.search(text) is not None  # once per text, not per cell
    skip_until, antecedent = 0, None
    for m in rules.numeral.finditer(text):
        if m.start() < skip_until or _overlaps(m.start(), m.end(), blocked) or (
                in_label_cell(text, m.start(), headers) and _money_start(text, m.start(), rules) is None
                and list_unit(text, m.start(), m.end()) is None):
            continue  # "R$ 1.500.000,00" and "- Palhoça - 1" are figures, whatever words they hold
        signed = m.group()[0] in rules.numbers.minus_signs  # only a percentage takes a sign
        cand = _negative_percentage(text, m, ctx, rules) if signed else _shaped_count(text, m, ctx, rules)
        if cand is not None:
            out.append(cand)
            read.append((cand.start, cand.end))
            skip_until = cand.end
            continue
        if signed:
            continue
        scale_end = shapes.scale_range_end(text, m.start(), m.end())
        if scale_end is not None:  # "escala de 1 a 5": the instrument, not a measure
            read.append((m.start(), scale_end))
            skip_until = scale_end
            continue
        if shapes.is_age_limit(text, m.start(), m.end()):  # "idade igual ou superior a 35 anos"
            read.append((m.start(), m.end()))
            continue
        if shapes.is_denominator(text, m.start(), m.group()):  # "por 100 mil habitantes"
            mult = rules.multiplier.match(text, m.end())
            read.append((m.start(), mult.end() if mult else m.end()))
            continue
        num = _read_numeral(text, m, rules)
        if num is None:
            continue
        read.append((num.start, num.end))
        cand = (_special_kind(text, num, ctx, rules) or _typed_cell(text, num, headers, rules, ctx)
                or _table_money(text, num, headers, rules, ctx, speaks_money)
                or _count(text, num, ctx, rules, headers, antecedent))
        if cand is not None and shapes.bounds_a_band(text, cand.end):  # "em 80% ou mais das amostras"
            continue
        said_again = repeated_in_words(text, cand.end if cand else num.end, rules)
        if said_again is not None and said_again[1] and (cand is None or cand.kind == "count"):
            q = qualifier_for(text, num.start, ctx, rules)  # "64.298.492,83 (sessenta e quatro milhões, ... reais)"
            cand = Candidate("money", num.start, num.end, num.value, "rules.money", 0.9, qualifier=q)
        if cand:
            out.append(cand)
            if said_again is not None:  # "R$ 1.234,00 (mil duzentos e trinta e quatro reais)"
                read.append((cand.end, said_again[0]))
            if cand.kind == "count" and cand.unit and cand.confidence > ELIDED_CONFIDENCE:
                antecedent = cand.unit  # a noun the text wrote, not one it left out
    taken = merge_spans(read + blocked)
    amounts = [c for c in word_amounts(text, ctx, rules) if not _overlaps(c.start, c.end, taken)]
    out += amounts
    taken = merge_spans(taken + [c.span for c in amounts]) if amounts else taken
    for m in rules.word_number.finditer(text):
        if _overlaps(m.start(), m.end(), taken):
            continue
        cand = _word_candidate(text, m, ctx, rules)
        if cand:
            out.append(cand)
    return sorted(out, key=lambda c: c.start)
