"""Rules data for the municipality finder, validated and compiled once.

``rules/municipalities/context.yaml`` holds cue words, organisation and river
heads, regions, state names and table headers; ``ambiguous_words.yaml`` holds
MG names that are also ordinary words, people or other places. Both are
hand-edited and corpus-independent; this module turns them into piece-key
tuples (see :mod:`extractor.facts.municipality_text`) so the finder only
compares tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor import rulebook
from extractor.errors import RulesError
from extractor.facts.gazetteer import HOME_UF, gazetteer
from extractor.facts.municipality_text import phrase_key

CONTEXT_FILE = "municipalities/context.yaml"
AMBIGUOUS_FILE = "municipalities/ambiguous_words.yaml"

Key = tuple[str, ...]


class ContextRules(BaseModel):
    """``context.yaml``."""

    model_config = ConfigDict(extra="forbid")
    place_cues: list[str] = Field(min_length=1)
    organisation_heads: list[str]
    geographic_heads: list[str]
    regions: list[str]
    state_names: list[str] = Field(min_length=1)
    state_suffix_marks: list[str] = Field(min_length=1)
    table_headers: list[str]
    connectors: list[str]
    fuzzy_min_score: float = Field(ge=50, le=100)
    fuzzy_min_length: int = Field(ge=1)
    fuzzy_min_list_support: int = Field(ge=1)


class AmbiguousWords(BaseModel):
    """``ambiguous_words.yaml``: MG names that need a place context, by reason."""

    model_config = ConfigDict(extra="forbid")
    common_words: list[str]
    common_phrases: list[str]
    rivers: list[str]
    people: list[str]
    other_places: list[str]

    def all_names(self) -> list[str]:
        return [*self.common_words, *self.common_phrases, *self.rivers, *self.people, *self.other_places]


@dataclass(frozen=True)
class PlaceRules:
    """Compiled rules: every phrase as a tuple of piece keys."""

    place_cues: frozenset[Key]
    organisation_heads: frozenset[str]
    geographic_heads: frozenset[str]
    blockers: frozenset[Key]  # regions and state names
    suffix_marks: tuple[str, ...]
    table_headers: frozenset[Key]
    connectors: frozenset[str]
    ambiguous: frozenset[Key]
    fuzzy_min_score: float
    fuzzy_min_length: int
    fuzzy_min_list_support: int

    @property
    def max_cue_len(self) -> int:
        return max(len(c) for c in self.place_cues)


def _keys(phrases: list[str]) -> frozenset[Key]:
    return frozenset(phrase_key(p) for p in phrases)


def _words(phrases: list[str]) -> frozenset[str]:
    return frozenset(" ".join(phrase_key(p)) for p in phrases)


def _ambiguous_keys() -> frozenset[Key]:
    """Keys of ambiguous names; each must be an MG municipality (or alias)."""
    names = rulebook.load(AMBIGUOUS_FILE, AmbiguousWords).all_names()
    home = {phrase_key(m.name) for m in gazetteer().home}
    home |= {phrase_key(a) for a in gazetteer().aliases}
    unknown = [n for n in names if phrase_key(n) not in home]
    if unknown:
        raise RulesError(
            f"{rulebook.rules_dir() / AMBIGUOUS_FILE}: not {HOME_UF} municipalities: {unknown}"
        )
    return frozenset(phrase_key(n) for n in names)


@lru_cache(maxsize=None)
def place_rules() -> PlaceRules:
    """Load, validate and compile both files once per process."""
    ctx = rulebook.load(CONTEXT_FILE, ContextRules)
    return PlaceRules(
        place_cues=_keys(ctx.place_cues),
        organisation_heads=_words(ctx.organisation_heads),
        geographic_heads=_words(ctx.geographic_heads),
        blockers=_keys(ctx.regions + ctx.state_names),
        suffix_marks=tuple(ctx.state_suffix_marks),
        table_headers=_keys(ctx.table_headers),
        connectors=_words(ctx.connectors),
        ambiguous=_ambiguous_keys(),
        fuzzy_min_score=ctx.fuzzy_min_score,
        fuzzy_min_length=ctx.fuzzy_min_length,
        fuzzy_min_list_support=ctx.fuzzy_min_list_support,
    )
