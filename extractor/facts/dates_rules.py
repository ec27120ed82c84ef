"""Rules data for the date and period finder, validated and compiled once.

``rules/months.yaml`` holds month names; ``rules/periods.yaml`` holds parts of
the year, connectors and the cue words that make a number a year (or part of
an identifier). This module turns that data into compiled regexes; the finder
in :mod:`extractor.facts.dates` only wires them together. Patterns are built
once per process (:func:`patterns`) because the finder runs on every initiative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import ConfigDict, Field, model_validator

from extractor import cache, rulebook

MONTHS_FILE = "months.yaml"
PERIODS_FILE = "periods.yaml"


class MonthEntry(rulebook.RulesModel):
    """One month: full names (safe alone), variants and abbreviations (date shapes only)."""

    model_config = ConfigDict(extra="forbid")
    number: int = Field(ge=1, le=12)
    names: list[str] = Field(min_length=1)
    variants: list[str] = []
    abbrevs: list[str] = []


class MonthRules(rulebook.RulesModel):
    """``rules/months.yaml``: each month 1..12 exactly once."""

    model_config = ConfigDict(extra="forbid")
    months: list[MonthEntry]

    @model_validator(mode="after")
    def _all_twelve(self) -> "MonthRules":
        numbers = sorted(m.number for m in self.months)
        if numbers != list(range(1, 13)):
            raise ValueError(f"months must list 1..12 once each, got {numbers}")
        return self


class PeriodRules(rulebook.RulesModel):
    """``rules/periods.yaml``: parts of a year, connectors, year and identifier cues."""

    model_config = ConfigDict(extra="forbid")
    year_min: int
    year_max: int
    ordinal_suffixes: list[str] = Field(min_length=1)
    ordinal_words: dict[str, int]
    year_parts: dict[str, int]
    range_connectors: list[str] = Field(min_length=1)
    between_openers: list[str] = Field(min_length=1)
    between_connectors: list[str] = Field(min_length=1)
    coordination_connectors: list[str] = Field(min_length=1)
    coordination_window: int = Field(gt=0)
    point_cues: list[str]
    year_cues: list[str] = Field(min_length=1)
    year_followers_ok: list[str]
    label_bullets: list[str]
    identifier_cues: list[str]
    citation_cues: list[str]
    schedule_start_headers: list[str] = Field(min_length=1)
    schedule_end_headers: list[str] = Field(min_length=1)
    weekdays: list[str] = Field(min_length=1)
    numeric_year_part: str
    part_year_links: list[str] = Field(min_length=1)
    current_year_words: list[str] = Field(min_length=1)
    short_year_span_max: int = Field(ge=1, le=99)

    @model_validator(mode="after")
    def _parts_divide_year(self) -> "PeriodRules":
        bad = {k: v for k, v in self.year_parts.items() if v <= 0 or 12 % v}
        if bad:
            raise ValueError(f"year_parts must divide 12 months: {bad}")
        if self.numeric_year_part not in self.year_parts:
            raise ValueError(f"numeric_year_part {self.numeric_year_part!r} is not one of year_parts")
        return self


@dataclass(frozen=True)
class DatePatterns:
    """Everything the finder needs, compiled: regexes plus lookup tables."""

    month_of: dict[str, int]  # lower-case name / variant / abbreviation -> 1..12
    abbrevs: frozenset[str]
    ordinal_of: dict[str, int]
    part_len: dict[str, int]
    numeric_part_len: int  # months of the part a bare "2021/1" names
    short_span_max: int  # "2020/21": the second year at most this many years later
    year_min: int
    year_max: int
    coordination_window: int
    followers_ok: frozenset[str]
    atoms: tuple[tuple[str, re.Pattern[str]], ...]  # (shape name, pattern), by priority
    range_gap: re.Pattern[str]
    between_gap: re.Pattern[str]
    between_opener: re.Pattern[str]
    coordination_gap: re.Pattern[str]
    year_cue_before: re.Pattern[str]
    point_cue_before: re.Pattern[str]
    identifier_before: re.Pattern[str]
    acronym_before: re.Pattern[str]
    label_before: re.Pattern[str]
    label_after: re.Pattern[str]
    citation_before: re.Pattern[str]
    citation_after: re.Pattern[str]
    closing_before: re.Pattern[str]
    chain_gap: re.Pattern[str]
    dm_range_before: re.Pattern[str]
    dm_opener_before: re.Pattern[str]
    dm_range_after: re.Pattern[str]
    proper_name_before: re.Pattern[str]
    weekday_before: re.Pattern[str]
    cell_gap: re.Pattern[str]
    schedule_starts: frozenset[str]
    schedule_ends: frozenset[str]


def _alt(words: list[str] | set[str]) -> str:
    """A regex alternation, longest first so "maio" wins over "mai"."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _words(words: list[str]) -> str:
    """Alternation led by a first-letter lookahead, so most positions fail at once."""
    first = "".join(sorted({w[0] for w in words} | {w[0].upper() for w in words}))
    return f"(?=[{re.escape(first)}])(?:{_alt(words)})"


def _phrases(words: list[str]) -> str:
    """Alternation of cue phrases whose inner spaces may be any whitespace."""
    escaped = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in escaped)


def _atoms(months: MonthRules, per: PeriodRules) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The atomic shapes: one date, one month pair, one part of a year, one year."""
    full = _words([n.lower() for m in months.months for n in m.names])
    abbr = _words([a.lower() for m in months.months for a in m.abbrevs])
    any_m = _words([w.lower() for m in months.months for w in (*m.names, *m.variants, *m.abbrevs)])
    y4 = r"(?:19|20|21)\d\d"
    yend = r"(?!\d|[.,/:]\d|\s*%|[º°ª])"
    ords = _alt(list(per.ordinal_suffixes))
    parts = _alt(list(per.year_parts))
    owords = _words([w.lower() for w in per.ordinal_words])
    links = _phrases(per.part_year_links)
    current = _phrases(per.current_year_words)
    shapes = {
        "dmy_text": rf"\b(?P<d>\d{{1,2}})(?:º|°|o)?\s+de\s+(?P<m>{any_m})\.?(?:\s+de\s+|\s*[,/]\s*|\s+)(?P<y>{y4}){yend}",
        # "Acesso em: 1 maio 2020": day, month name and year with spaces only
        "dmy_bare": rf"\b(?P<d>\d{{1,2}})(?:º|°)?[ ]+(?P<m>{full})[ ]+(?P<y>{y4}){yend}",
        "dmy_abbr": rf"(?<![\w./,-])(?P<d>\d{{1,2}})(?P<s>[/.-])(?P<m>{any_m})(?P=s)(?P<y>{y4}|\d\d)(?!\w|[./-]\d)",
        "dmy_num": rf"(?<![\w./,-])(?P<d>\d{{1,2}})(?P<s>[/.-])(?P<m>\d{{1,2}})(?P=s)(?P<y>\d{{4}}|\d{{2}})(?!\w|[./-]\d)",
        "pair": rf"\b(?P<m1>{any_m})\.?\s*/\s*(?P<m2>{any_m})\b\.?(?:\s*[/-]\s*(?P<y>{y4}|\d\d)(?!\d)|\s+(?:de\s+)?(?P<yd>{y4})(?!\d))?",
        # "1º e 2º semestre", "primeiro e segundo semestres": the first part borrows the noun
        "part_elided": rf"(?:\b(?P<ow>{owords})|(?<![\w.,])(?P<od>\d{{1,2}})(?:{ords}))(?=\s*(?:,|e|ou)\s*(?:[nd]?[oa]s?\s+)?"
                       rf"(?:{owords}|\d{{1,2}}(?:{ords}))\s*(?P<u>{parts})s?\b)",
        "part": rf"(?:\b(?P<ow>{owords})|(?<![\w.,])(?P<od>\d{{1,2}})(?:{ords}))\s*(?P<u>{parts})s?\b(?:(?:\s+(?:{links})\s+|\s*[/-]\s*|\s+)(?P<y>{y4}){yend}|\s+(?P<cur>{current})\b|\s*/\s*(?P<y2>\d\d)(?!\d))?",
        "my_text": rf"\b(?P<m>{any_m})(?:\.?\s*[/-]\s*|\.?\s+de\s+|\.?\s+)(?P<y>{y4}){yend}",
        "my_short": rf"\b(?P<m>{any_m})\.?\s*[/-]\s*(?P<y>\d\d)(?!\d|[/.,]\d)",
        "dm_text": rf"\b(?P<d>\d{{1,2}})(?:º|°|o)?\s+de\s+(?P<m>{full})\b",
        "my_num": rf"(?<![\w./,:-])(?P<m>0?[1-9]|1[0-2])/(?P<y>{y4}){yend}",
        "dm_num": rf"(?<![\w./,-])(?P<d>\d{{1,2}})/(?P<m>\d\d)(?!\w|[/.,-]?\d)",
        # "2021/1: 1.322 alvarás", "Valor executado 2024.1": a numbered part after its year
        "part_num": rf"(?<![\w./,:-])(?P<y>{y4})[/.](?P<od>[1-9])(?![\w%º°ª]|[.,/:-]\d)",
        # "2020/21", "Ciclo 2023/24": two years, the second written short
        "year_short": rf"(?<![\w./,:-])(?P<y1>{y4})/(?P<y2s>\d\d)(?![\w%º°ª]|[.,/:-]\d)",
        "year_range": rf"(?<![\w./,:-])(?P<y1>{y4})\s*[-–—/]\s*(?P<y2>{y4}){yend}",
        "abbr_label": rf"^[ \t]*(?:[-–—•*·▪●]\s*)?(?P<m>{abbr})\.?[ \t]*:",
        "month": rf"\b(?P<m>{full})\b",
        "year": rf"(?<![\w./,:º°ª-])(?P<y>{y4}){yend}",
    }
    flags = re.IGNORECASE | re.MULTILINE
    return tuple((name, re.compile(rx, flags)) for name, rx in shapes.items())


def _compile(months: MonthRules, per: PeriodRules) -> DatePatterns:
    """Build every regex from the two rules files."""
    i = re.IGNORECASE
    month_of = {w.lower(): m.number for m in months.months for w in (*m.names, *m.variants, *m.abbrevs)}
    bullets = _alt(per.label_bullets) or "-"
    joins = f"{_alt(per.range_connectors)}|{_alt(per.between_connectors)}"
    openers = f"{_phrases(per.between_openers)}|{_phrases(per.point_cues)}|de"
    return DatePatterns(
        month_of=month_of,
        abbrevs=frozenset(a.lower() for m in months.months for a in m.abbrevs),
        ordinal_of={k.lower(): v for k, v in per.ordinal_words.items()},
        part_len={k.lower(): v for k, v in per.year_parts.items()},
        numeric_part_len=per.year_parts[per.numeric_year_part],
        short_span_max=per.short_year_span_max,
        year_min=per.year_min,
        year_max=per.year_max,
        coordination_window=per.coordination_window,
        followers_ok=frozenset(w.lower() for w in per.year_followers_ok),
        atoms=_atoms(months, per),
        range_gap=re.compile(rf"\s*(?:{_alt(per.range_connectors)})\s*", i),
        between_gap=re.compile(rf"\s+(?:{_alt(per.between_connectors)})\s+", i),
        between_opener=re.compile(rf"(?:^|(?<=\W))(?:{_phrases(per.between_openers)})\s+$", i),
        coordination_gap=re.compile(rf"[\s,]*(?:{_alt(per.coordination_connectors)})\b[^.;!?]*", i),
        year_cue_before=re.compile(rf"(?:^|(?<=\W))(?:{_phrases(per.year_cues)})\s+$", i),
        point_cue_before=re.compile(rf"(?:^|(?<=\W))(?:{_phrases(per.point_cues)})\s+$", i),
        identifier_before=re.compile(rf"(?:^|(?<=\W))(?:{_phrases(per.identifier_cues)})\s*(?:n[º°o.]\.?\s*)?$", i),
        acronym_before=re.compile(r"\b[A-Z]{2,}[A-Z0-9-]*\s+$"),
        label_before=re.compile(rf"(?:^|\n)[ \t]*(?:(?:{bullets})\s*)?$"),
        label_after=re.compile(r"[ \t]*(?::|\t|\n|$)"),
        citation_before=re.compile(rf"(?:^|(?<=\W))(?:{_phrases(per.citation_cues)})\s*:[^\n:]{{1,80}}?,\s*$", i),
        citation_after=re.compile(r"[ \t]*(?:[.;)]|\t|\n|$)"),
        closing_before=re.compile(r"^[^\d\n]{12,},[ \t]*$"),
        chain_gap=re.compile(r"\s*(?:,|\be\b|\bou\b)\s*", i),
        dm_range_before=re.compile(rf"(?:^|(?<=\W))(?:{openers})\s+\d{{1,2}}/\d\d\s*(?:{joins})\s*$", i),
        dm_opener_before=re.compile(rf"(?:^|(?<=\W))(?:{openers})\s+$", i),
        dm_range_after=re.compile(rf"\s*(?:{joins})\s*\d{{1,2}}/\d", i),
        proper_name_before=re.compile(r"(?:^|(?<=\W))[A-ZÀ-Ý][a-zà-ÿ]+\s+de\s+$"),
        weekday_before=re.compile(rf"(?:^|(?<=\W))(?:{_phrases(per.weekdays)})\s*[,(–-]?\s*$", i),
        cell_gap=re.compile(r"[ ]*\t[ \t]*"),
        schedule_starts=frozenset(per.schedule_start_headers),
        schedule_ends=frozenset(per.schedule_end_headers),
    )


@lru_cache(maxsize=1)
def patterns() -> DatePatterns:
    """Load both rules files and compile them (once per process, and once per rules
    version: the cache entry keeps the patterns' programs, see extractor/cache.py)."""
    return cache.cached("date-patterns", rulebook.rules_dir(), lambda: _compile(
        rulebook.load(MONTHS_FILE, MonthRules), rulebook.load(PERIODS_FILE, PeriodRules)))
