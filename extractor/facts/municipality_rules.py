"""Rules data for the municipality finder, validated and compiled once.

``rules/municipalities/context.yaml`` holds cue words, organisation and river
heads, regions, state names and table headers; ``ambiguous_words.yaml`` holds
names that are also ordinary words, people or other places; ``states.yaml``
the states, publisher cues, administrative regions, time-zone cues and
countries. All are hand-edited and corpus-independent; this module turns them into piece-key
tuples (see :mod:`extractor.facts.municipality_text`) so the finder only
compares tuples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import ConfigDict, Field, field_validator

from extractor import cache, rulebook
from extractor.errors import RulesError
from extractor.facts.gazetteer import HOME_UF, gazetteer
from extractor.facts.municipality_text import phrase_key
from extractor.text import fold

CONTEXT_FILE = "municipalities/context.yaml"
AMBIGUOUS_FILE = "municipalities/ambiguous_words.yaml"
STATES_FILE = "municipalities/states.yaml"

Key = tuple[str, ...]


class ContextRules(rulebook.RulesModel):
    """``context.yaml``."""

    model_config = ConfigDict(extra="forbid")
    place_cues: list[str] = Field(min_length=1)
    weak_place_cues: list[str]
    organisation_heads: list[str]
    geographic_heads: list[str]
    regions: list[str]
    state_names: list[str] = Field(min_length=1)
    state_suffix_marks: list[str] = Field(min_length=1)
    table_headers: list[str]
    organisation_inner_words: list[str]
    connectors: list[str]
    fuzzy_min_score: float = Field(ge=50, le=100)
    fuzzy_min_length: int = Field(ge=1)
    fuzzy_min_list_support: int = Field(ge=1)


class AmbiguousWords(rulebook.RulesModel):
    """``ambiguous_words.yaml``: names that need a place context, by reason."""

    model_config = ConfigDict(extra="forbid")
    common_words: list[str]
    common_phrases: list[str]
    rivers: list[str]
    people: list[str]
    other_places: list[str]
    common_words_elsewhere: list[str]
    people_elsewhere: list[str]

    def elsewhere_names(self) -> list[str]:
        return [*self.common_words_elsewhere, *self.people_elsewhere]

    def home_names(self) -> list[str]:
        return [*self.common_words, *self.common_phrases, *self.rivers, *self.people, *self.other_places]


class StatesRules(rulebook.RulesModel):
    """``states.yaml``: the states, publisher cues, administrative regions, time zones."""

    model_config = ConfigDict(extra="forbid")
    states: dict[str, list[str]] = Field(min_length=27, max_length=27)
    publisher_heads: list[str] = Field(min_length=1)
    publisher_gap: int = Field(ge=0, le=10)
    municipal_words: list[str]
    municipal_publisher_cues: list[str] = Field(min_length=1)
    majority_min_names: int = Field(ge=1)
    administrative_regions: dict[str, list[str]]
    non_place_cues: list[str]
    countries: list[str] = Field(min_length=1)
    capitals: list[str] = Field(min_length=27, max_length=27)

    @field_validator("states", "administrative_regions")
    @classmethod
    def _abbreviations(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = [uf for uf in value if not (len(uf) == 2 and uf.isupper())]
        if bad:
            raise ValueError(f"not state abbreviations: {bad}")
        return value


@dataclass(frozen=True)
class PlaceRules:
    """Compiled rules: every phrase as a tuple of piece keys."""

    place_cues: frozenset[Key]
    weak_place_cues: frozenset[Key]
    organisation_heads: frozenset[str]
    geographic_heads: frozenset[str]
    blockers: frozenset[Key]  # regions and state names
    state_names: dict[Key, str]  # a state's name -> its abbreviation
    administrative_regions: dict[str, frozenset[Key]]  # state -> its non-municipal regions
    non_place_cues: frozenset[Key]
    abroad: re.Pattern[str]  # after a name: ", Portugal", "(Argentina)", ", na Espanha"
    capitals: frozenset[Key]
    suffix_marks: tuple[str, ...]
    table_headers: frozenset[Key]
    connectors: frozenset[str]
    organisation_inner_words: frozenset[str]
    ambiguous: frozenset[Key]
    fuzzy_min_score: float
    fuzzy_min_length: int
    fuzzy_min_list_support: int
    stop_words: frozenset[str]  # spaCy's Portuguese stop words, folded

    @property
    def max_cue_len(self) -> int:
        return max(len(c) for c in (*self.place_cues, *self.non_place_cues))


def _keys(phrases: list[str]) -> frozenset[Key]:
    return frozenset(phrase_key(p) for p in phrases)


def _words(phrases: list[str]) -> frozenset[str]:
    return frozenset(" ".join(phrase_key(p)) for p in phrases)


def _ambiguous_keys() -> frozenset[Key]:
    """Keys of ambiguous names: the MG sections must name MG municipalities (or
    aliases), the ``*_elsewhere`` ones municipalities of any other state."""
    words = rulebook.load(AMBIGUOUS_FILE, AmbiguousWords)
    home = {phrase_key(m.name) for m in gazetteer().home}
    home |= {phrase_key(a) for a in gazetteer().aliases}
    elsewhere = {phrase_key(m.name) for m in gazetteer().municipalities if m.uf != HOME_UF}
    unknown = [n for n in words.home_names() if phrase_key(n) not in home]
    if unknown:
        raise RulesError(
            f"{rulebook.rules_dir() / AMBIGUOUS_FILE}: not {HOME_UF} municipalities: {unknown}"
        )
    unknown = [n for n in words.elsewhere_names() if phrase_key(n) not in elsewhere]
    if unknown:
        raise RulesError(
            f"{rulebook.rules_dir() / AMBIGUOUS_FILE}: not municipalities outside {HOME_UF}: {unknown}"
        )
    return frozenset(phrase_key(n) for n in [*words.home_names(), *words.elsewhere_names()])


@lru_cache(maxsize=None)
def states_rules() -> StatesRules:
    """``states.yaml``, validated once per process."""
    return rulebook.load(STATES_FILE, StatesRules)


def _abroad(countries: list[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(fold(c)) for c in sorted(countries, key=len, reverse=True))
    return re.compile(r"\s*[,(/–-]?\s*(?:(?:em|na|no|nos|nas)\s+)?(?:" + names + r")\b")


def _state_names(rules: StatesRules) -> dict[Key, str]:
    return {phrase_key(name): uf for uf, names in rules.states.items() for name in names}


@lru_cache(maxsize=None)
def place_rules() -> PlaceRules:
    """Load, validate and compile the files once per process (from the on-disk
    cache when the rules and the code are unchanged: extractor/cache.py)."""
    return cache.cached("place_rules", rulebook.rules_dir(), _compile)


def _stop_words() -> frozenset[str]:
    """spaCy's Portuguese stop words, folded. Only on a cache miss: the set is part of
    the cached ``PlaceRules``, so extraction with a warm cache never imports spaCy."""
    from spacy.lang.pt.stop_words import STOP_WORDS

    return frozenset(fold(w) for w in STOP_WORDS)


def _compile() -> PlaceRules:
    ctx = rulebook.load(CONTEXT_FILE, ContextRules)
    states = states_rules()
    state_names = _state_names(states)
    return PlaceRules(
        place_cues=_keys(ctx.place_cues),
        weak_place_cues=_keys(ctx.weak_place_cues),
        organisation_heads=_words(ctx.organisation_heads),
        geographic_heads=_words(ctx.geographic_heads),
        blockers=_keys(ctx.regions + ctx.state_names) | frozenset(state_names),
        state_names=state_names,
        administrative_regions={uf: _keys(names) for uf, names in states.administrative_regions.items()},
        non_place_cues=_keys(states.non_place_cues),
        abroad=_abroad(states.countries),
        capitals=_keys(states.capitals),
        suffix_marks=tuple(ctx.state_suffix_marks),
        table_headers=_keys(ctx.table_headers),
        connectors=_words(ctx.connectors),
        organisation_inner_words=_words(ctx.organisation_inner_words),
        ambiguous=_ambiguous_keys(),
        fuzzy_min_score=ctx.fuzzy_min_score,
        fuzzy_min_length=ctx.fuzzy_min_length,
        fuzzy_min_list_support=ctx.fuzzy_min_list_support,
        stop_words=_stop_words(),
    )
