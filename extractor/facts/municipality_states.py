"""Which state a municipality name means, when several states have one so named.

The guide's order (EXTRACTION-GUIDE.md, "municipality", "Which state"): the
state the text writes beside the name ("Viçosa (RN)", "Viçosa/AL"), else the
state the name's own table or list is about (its other rows are municipalities
of one state, or its caption says "municípios do Rio Grande do Norte"), else
the document's state (its publisher: :mod:`extractor.facts.publisher_state`),
else Minas Gerais. A short name ("Sítio Novo") is the document state's
municipality whose name it begins before an exact namesake elsewhere.

A :class:`StateScene` holds what one text says about states; :func:`resolve`
picks a municipality for one match and says whether the text speaks of that
state at all (a name of a state the text does not speak of needs a place cue).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from extractor.facts.gazetteer import HOME_UF, Municipality
from extractor.facts.municipality_rules import Key, PlaceRules
from extractor.facts.municipality_text import Piece

CAPTION_WORDS = frozenset({"municipio", "municipios"})
MIN_RUN_VOTES = 2


@dataclass(frozen=True)
class StateScene:
    """What one text says about states."""

    home: str  # the document's state, else MG
    runs: dict[int, str]  # list or column run -> the state its municipalities are of
    captions: tuple[tuple[int, str], ...]  # (offset, state) of "municípios do <state>" lines
    majority: str | None  # the state most unambiguous names are of, when it outvotes home


@dataclass(frozen=True)
class Resolved:
    municipality: Municipality
    spoken_of: bool  # the text speaks of this state (suffix, table, caption, document)
    short: bool = False  # written short ("Sítio Novo"): needs a place cue or a list, like a word


def _winner(votes: Counter[str], minimum: int) -> str | None:
    top = votes.most_common(2)
    if not top or top[0][1] < minimum or (len(top) > 1 and top[1][1] == top[0][1]):
        return None
    return top[0][0]


def _line_has(pieces: list[Piece], starts: list[int], text: str, at: int, words: frozenset[str]) -> bool:
    """One of ``words`` is on the line of piece ``at`` (``starts``: the pieces' offsets)."""
    lo, hi = text.rfind("\n", 0, pieces[at].start) + 1, text.find("\n", pieces[at].end)
    hi = len(text) if hi < 0 else hi
    return any(p.key in words for p in pieces[bisect_left(starts, lo) : bisect_left(starts, hi)])


def build_scene(text: str, pieces: list[Piece], states_of: list[tuple[int, int, frozenset[str]]],
                state_mentions: list[tuple[int, str]], runs_of: dict[tuple[int, int], int],
                home: str | None) -> StateScene:
    """``states_of``: (start, end, states) of every capitalised name match;
    ``state_mentions``: (piece index, state) of every state's name;
    ``runs_of``: the run of each whole list item or table cell, by span;
    ``home``: the document's state, if known. Only when it is not does the
    state most of the text's unambiguous names are of outvote MG (a list of
    Rondônia's towns in a text of unknown origin makes its "Buritis" RO's)."""
    run_votes: dict[int, Counter[str]] = {}
    seen: dict[str, set[str]] = {}
    for start, end, ufs in states_of:
        if len(ufs) != 1:
            continue
        uf = next(iter(ufs))
        seen.setdefault(uf, set()).add(text[start:end].casefold())
        run = runs_of.get((start, end))
        if run is not None:
            run_votes.setdefault(run, Counter())[uf] += 1
    runs = {run: uf for run, votes in run_votes.items() if (uf := _winner(votes, MIN_RUN_VOTES))}
    counts = Counter({uf: len(names) for uf, names in seen.items()})
    majority = _winner(counts, MIN_RUN_VOTES) if home is None else None
    if majority is not None and counts[majority] <= counts.get(HOME_UF, 0):
        majority = None
    starts = [p.start for p in pieces] if state_mentions else []  # most texts name no state
    captions = tuple((pieces[i].start, uf) for i, uf in state_mentions
                     if _line_has(pieces, starts, text, i, CAPTION_WORDS))
    return StateScene(home or HOME_UF, runs, captions, majority)


def _caption_state(scene: StateScene, offset: int) -> str | None:
    before = [uf for at, uf in scene.captions if at <= offset]
    return before[-1] if before else None


def resolve(key: Key, candidates: tuple[Municipality, ...], suffix: str | None, run: int | None,
            offset: int, scene: StateScene, short: dict[tuple[str, Key], Municipality]) -> Resolved | None:
    """The municipality a name at ``offset`` means, or ``None`` (a state suffix
    naming a state that has no such municipality, or a name of several other states)."""
    by_uf = {m.uf: m for m in candidates}
    if suffix is not None:
        return Resolved(by_uf[suffix], True) if suffix in by_uf else None
    local = [scene.runs.get(run) if run is not None else None, _caption_state(scene, offset),
             scene.majority, scene.home]
    for uf in local:
        if uf is not None and uf in by_uf:
            return Resolved(by_uf[uf], True)
    if (scene.home, key) in short:
        return Resolved(short[(scene.home, key)], True, short=True)
    if HOME_UF in by_uf:
        return Resolved(by_uf[HOME_UF], scene.home == HOME_UF)
    if len(by_uf) == 1:
        return Resolved(next(iter(by_uf.values())), False)
    return None


def is_admin_region(key: Key, scene: StateScene, rules: PlaceRules) -> bool:
    """A region of the document's own state that is no municipality (DF's Taguatinga)."""
    return key in rules.administrative_regions.get(scene.home, frozenset())

