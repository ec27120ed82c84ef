"""Find the Minas Gerais municipalities an initiative's text means as places.

Exact names are found by a spaCy ``PhraseMatcher`` over folded pieces (see
:mod:`extractor.facts.municipality_text`), so case, accents, hyphens and
``d'Oeste``/``D'Oeste`` do not matter. The matcher holds every municipality of
Brazil plus regions and state names: the longest match wins, so "Monte Santo de
Minas" beats "Monte Santo" and "Santa Luzia D'Oeste" (RO) beats "Santa Luzia".
Each match is then judged by its context (:func:`_judge`): lower-case words,
organisations ("Fundação João Pinheiro"), rivers and regions ("Vale do Rio
Doce") and other states ("Santa Luzia/BA") are dropped; names that are also
ordinary words ("Luz", "Passos") need a place cue, a list of municipalities or
a Município column. Items of such lists and columns that match no name exactly
are tried with rapidfuzz (small typos: "Teofilo Otonni"); prose never is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from spacy.lang.pt.stop_words import STOP_WORDS
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.facts.base import Candidate, FactContext
from extractor.facts.gazetteer import HOME_UF, Municipality, gazetteer
from extractor.facts.municipality_rules import Key, PlaceRules, place_rules
from extractor.facts.municipality_text import Item, Piece, column_cells, doc_pieces, list_items, phrase_key
from extractor.text import fold

EXTRACTOR = "ner.municipality"
FUZZY_EXTRACTOR = "ner.municipality.fuzzy"
CONFIDENCE = {"exact": 0.95, "case": 0.9, "folded": 0.85}
AMBIGUOUS_PENALTY = 0.1
FUZZY_CONFIDENCE = (0.5, 0.75)  # at the minimum score, at a perfect score
ACRONYM_MAX = 5  # "UAI de ...", "SRE de ..."
HEAD_WALK = 8  # how many pieces to walk back looking for an organisation head
NAME, BLOCK = "NAME", "BLOCK"
_STOP = frozenset(fold(w) for w in STOP_WORDS)
_UF = re.compile(r"\s*([A-Z]{2})(?![A-Za-zÀ-ÿ])")


@dataclass(frozen=True)
class PlaceMatcher:
    """The compiled matcher and what each matched key means."""

    vocab: Vocab
    matcher: PhraseMatcher
    by_key: dict[Key, tuple[Municipality, ...]]
    spellings: frozenset[str]  # MG spellings (official or alias), hyphens and apostrophes as spaces
    casefolded: frozenset[str]  # the same, case-folded
    home_choices: dict[str, Municipality]  # folded MG name -> municipality, for fuzzy matching
    ufs: frozenset[str]


@dataclass(frozen=True)
class Match:
    i: int  # first piece
    j: int  # piece after the last
    key: Key
    label: str

    def overlaps(self, other: "Match") -> bool:
        return self.i < other.j and other.i < self.j

    def contains(self, other: "Match") -> bool:
        return self.i <= other.i and other.j <= self.j


@lru_cache(maxsize=1)
def place_matcher() -> PlaceMatcher:
    """Build the matcher once per process (all 5,570 names, regions, state names)."""
    gaz, rules = gazetteer(), place_rules()
    by_key: dict[Key, list[Municipality]] = {}
    for spelling, munis in gaz.spellings().items():
        entries = by_key.setdefault(phrase_key(spelling), [])
        entries.extend(m for m in munis if m not in entries)
    vocab = Vocab()
    matcher = PhraseMatcher(vocab)
    matcher.add(NAME, [Doc(vocab, words=list(k)) for k in by_key])
    matcher.add(BLOCK, [Doc(vocab, words=list(k)) for k in rules.blockers])
    spellings = frozenset(_spelling(s) for s, ms in gaz.spellings().items() if any(m.uf == HOME_UF for m in ms))
    home = {" ".join(phrase_key(m.name)): m for m in gaz.home}
    ufs = frozenset(m.uf for m in gaz.municipalities)
    return PlaceMatcher(vocab, matcher, {k: tuple(v) for k, v in by_key.items()}, spellings,
                        frozenset(s.casefold() for s in spellings), home, ufs)


def _matches(pieces: list[Piece], pm: PlaceMatcher) -> tuple[list[Match], list[Match]]:
    """Longest-leftmost name matches, and all region/state-name matches."""
    doc = Doc(pm.vocab, words=[p.key for p in pieces])
    found = [
        Match(i, j, tuple(p.key for p in pieces[i:j]), pm.vocab.strings[mid])
        for mid, i, j in pm.matcher(doc)
    ]
    names = sorted((m for m in found if m.label == NAME), key=lambda m: (m.i - m.j, m.i))
    chosen: list[Match] = []
    used = [False] * len(pieces)
    for m in names:
        if not any(used[m.i : m.j]):
            chosen.append(m)
            used[m.i : m.j] = [True] * (m.j - m.i)
    return sorted(chosen, key=lambda m: m.i), [m for m in found if m.label == BLOCK]


def _is_name_word(piece: Piece, rules: PlaceRules) -> bool:
    return piece.is_word and piece.key not in rules.connectors


def _capitalised(pieces: list[Piece], rules: PlaceRules) -> bool:
    """Every word of the name, connectors aside, starts with a capital letter."""
    return all(p.is_capitalised for p in pieces if _is_name_word(p, rules))


def _has_cue(pieces: list[Piece], i: int, rules: PlaceRules) -> bool:
    """A place cue ("município de", "em") ends right before piece ``i``."""
    return any(
        tuple(p.key for p in pieces[i - n : i]) in rules.place_cues
        for n in range(1, min(i, rules.max_cue_len) + 1)
    )


def _headed(pieces: list[Piece], i: int, rules: PlaceRules) -> bool:
    """The match follows "rio"/"Vale do", or sits in an organisation's name."""
    words = [p for p in reversed(pieces[max(i - HEAD_WALK, 0) : i]) if p.key not in rules.connectors]
    if words and words[0].is_word and words[0].key in rules.geographic_heads:
        return True
    for p in words:
        if not p.is_word or not p.is_capitalised or p.key in _STOP:
            return False
        if p.key in rules.organisation_heads:
            return True
    return False


def _neighbour(pieces: list[Piece], k: int, step: int, rules: PlaceRules) -> int | None:
    """Index of the first non-connector piece from ``k`` going ``step`` (-1 or +1)."""
    while 0 <= k < len(pieces):
        if pieces[k].key not in rules.connectors:
            return k
        k += step
    return None


def _touches(pieces: list[Piece], m: Match, at: int, text: str) -> bool:
    """Piece ``at`` is on the same line as the match, joined by a connector at most.
    A short all-caps acronym before "de" ("UAI de Juiz de Fora") names a branch
    in the municipality, not a longer name."""
    before = at < m.i
    lo, hi = (pieces[at].end, pieces[m.i].start) if before else (pieces[m.j - 1].end, pieces[at].start)
    if "\n" in text[lo:hi]:
        return False
    p = pieces[at]
    acronym = p.text.isupper() and len(p.text) <= ACRONYM_MAX and not _line_is_caps(text, p.start)
    return not (before and acronym and at + 1 < m.i)


def _line_is_caps(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    letters = [c for c in text[line_start : line_end if line_end >= 0 else len(text)] if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _embedded(m: Match, pieces: list[Piece], text: str, bounds: tuple[set[int], set[int]],
              pm: PlaceMatcher) -> bool:
    """A capitalised word that is no name, cue or state touches the match:
    it is part of a longer name ("RENATA GONÇALVES PAULINO", "Campus Lavras Norte")."""
    rules, (starts, ends) = place_rules(), bounds
    for k, step in ((m.i - 1, -1), (m.j, 1)):
        at = _neighbour(pieces, k, step, rules)
        if at is None or (at + 1 in ends if step < 0 else at in starts):
            continue
        p = pieces[at]
        if not p.is_word or not p.is_capitalised or p.key in _STOP or p.key.upper() in pm.ufs:
            continue
        if _touches(pieces, m, at, text):
            return True
    return False


def state_suffix(text: str, end: int, pm: PlaceMatcher, rules: PlaceRules) -> str | None:
    """The state written right after a name: "Salvador/BA" -> "BA"."""
    rest = text[end : end + 8].lstrip(" ")
    if not rest or rest[0] not in rules.suffix_marks:
        return None
    uf = _UF.match(rest, 1)
    return uf.group(1) if uf and uf.group(1) in pm.ufs else None


def _single_state_votes(names: list[Match], pieces: list[Piece], pm: PlaceMatcher) -> dict[str, int]:
    """Per state: how many distinct capitalised names in the text exist only there."""
    votes: dict[str, set[Key]] = {}
    for m in names:
        ufs = {x.uf for x in pm.by_key[m.key]}
        if len(ufs) == 1 and pieces[m.i].is_capitalised:
            votes.setdefault(ufs.pop(), set()).add(m.key)
    return {uf: len(keys) for uf, keys in votes.items()}


def _outvoted(m: Match, votes: dict[str, int], pm: PlaceMatcher) -> bool:
    """A name shared by MG and another state is that state's when the text names
    more municipalities only of that state than only of MG (a Rondônia bulletin's
    "Buritis" is Buritis/RO)."""
    ufs = {x.uf for x in pm.by_key[m.key]} - {HOME_UF}
    home = votes.get(HOME_UF, 0)
    return any(votes.get(uf, 0) > home for uf in ufs)


def _spelling(text: str) -> str:
    return " ".join(re.sub(r"[-‐‑'’]", " ", text).split())


def _confidence(written: str, pm: PlaceMatcher) -> float:
    """Exact spelling (hyphens aside) > other case > accents differ."""
    written = _spelling(written)
    if written in pm.spellings:
        return CONFIDENCE["exact"]
    if written.casefold() in pm.casefolded:
        return CONFIDENCE["case"]
    return CONFIDENCE["folded"]


@dataclass(frozen=True)
class Verdict:
    match: Match
    municipality: Municipality
    confidence: float
    needs_context: bool  # an ambiguous name without a cue: only in a list or a column


def _judge(m: Match, pieces: list[Piece], text: str, pm: PlaceMatcher,
           bounds: tuple[set[int], set[int]]) -> Verdict | None:
    """Decide one exact match from its own context; ``None`` drops it."""
    rules = place_rules()
    home = [x for x in pm.by_key[m.key] if x.uf == HOME_UF]
    span = pieces[m.i : m.j]
    if not home or not _capitalised(span, rules):
        return None
    uf = state_suffix(text, span[-1].end, pm, rules)
    if uf not in (None, HOME_UF):
        return None
    cue = _has_cue(pieces, m.i, rules) or uf == HOME_UF
    if not cue and (_headed(pieces, m.i, rules) or _embedded(m, pieces, text, bounds, pm)):
        return None
    confidence = _confidence(text[span[0].start : span[-1].end], pm)
    ambiguous = m.key in rules.ambiguous and not cue
    if ambiguous:
        confidence -= AMBIGUOUS_PENALTY
    return Verdict(m, home[0], round(confidence, 2), ambiguous)


def _span(v: Verdict, pieces: list[Piece]) -> tuple[int, int]:
    return pieces[v.match.i].start, pieces[v.match.j - 1].end


def _is_item(span: tuple[int, int], item: Item, text: str, pm: PlaceMatcher) -> bool:
    """The match is the whole item, give or take a state suffix ("Lavras/MG")."""
    if span[0] != item.start or span[1] > item.end:
        return False
    rest = text[span[1] : item.end].strip(" /-–()")
    return rest == "" or rest in pm.ufs


def _list_support(verdicts: list[Verdict], items: list[Item], pieces: list[Piece], text: str,
                  pm: PlaceMatcher) -> dict[int, int]:
    """Per list (run): how many items are, or end with, an unambiguous municipality.

    "… torres em Araçuaí e Salinas": the first item ends with a sure name, so
    the coordinated "Salinas" is read as a place too.
    """
    sure = [_span(v, pieces) for v in verdicts if not v.needs_context]
    by_start = {item.start: item for item in items}
    by_end = {item.end: item for item in items}
    support: dict[int, int] = {}
    for span in sure:
        whole = by_start.get(span[0])
        if whole is not None and _is_item(span, whole, text, pm):
            support[whole.run] = support.get(whole.run, 0) + 1
            continue
        tail = by_end.get(span[1])
        if tail is not None and tail.start <= span[0]:
            support[tail.run] = support.get(tail.run, 0) + 1
    return support


def _in_context(v: Verdict, pieces: list[Piece], items: list[Item], support: dict[int, int],
                cells: list[Item]) -> bool:
    """An ambiguous name is a place as a whole item of a municipality list or column."""
    span = _span(v, pieces)
    if any((c.start, c.end) == span for c in cells):
        return True
    return any((it.start, it.end) == span and support.get(it.run, 0) >= 1 for it in items)


def _fuzzy_items(items: list[Item], support: dict[int, int], cells: list[Item],
                 rules: PlaceRules) -> list[Item]:
    listed = [it for it in items if support.get(it.run, 0) >= rules.fuzzy_min_list_support]
    return listed + cells


def _fuzzy(item: Item, pieces: list[Piece], starts: list[int], pm: PlaceMatcher,
           rules: PlaceRules) -> Candidate | None:
    """A capitalised list item or cell that is a small typo away from one MG name."""
    first = bisect_left(starts, item.start)
    words = [p for p in pieces[first : bisect_left(starts, item.end)] if p.end <= item.end]
    names = [p for p in words if _is_name_word(p, rules)]
    if not names or len(names) > 6 or not all(p.is_word for p in words):
        return None
    if not _capitalised(words, rules):
        return None
    query = " ".join(p.key for p in words)
    if len(query) < rules.fuzzy_min_length:
        return None
    best = process.extractOne(query, pm.home_choices.keys(), scorer=fuzz.ratio,
                              score_cutoff=rules.fuzzy_min_score)
    if best is None:
        return None
    low, high = FUZZY_CONFIDENCE
    score = (best[1] - rules.fuzzy_min_score) / (100 - rules.fuzzy_min_score)
    muni = pm.home_choices[best[0]]
    return _candidate(muni, words[0].start, words[-1].end, FUZZY_EXTRACTOR, low + (high - low) * score)


def _candidate(muni: Municipality, start: int, end: int, extractor: str, confidence: float) -> Candidate:
    return Candidate(kind="municipality", start=start, end=end, value=muni.code, extractor=extractor,
                     confidence=round(confidence, 2), name=muni.name, extra={"uf": muni.uf})


def find_municipalities(doc: Doc, ctx: FactContext) -> list[Candidate]:
    """Every MG municipality ``ctx.text`` means as a place, as IBGE-code candidates."""
    pm, rules, text = place_matcher(), place_rules(), ctx.text
    pieces = doc_pieces(doc)
    found, blocks = _matches(pieces, pm)
    votes = _single_state_votes(found, pieces, pm)
    names = [m for m in found if not any(b.overlaps(m) and not m.contains(b) for b in blocks)
             and not _outvoted(m, votes, pm)]
    bounds = ({m.i for m in names}, {m.j for m in names})
    verdicts = [v for m in names if (v := _judge(m, pieces, text, pm, bounds)) is not None]
    items, cells = list_items(text), column_cells(text, rules.table_headers)
    support = _list_support(verdicts, items, pieces, text, pm)
    kept = [v for v in verdicts if not v.needs_context or _in_context(v, pieces, items, support, cells)]
    out = [_candidate(v.municipality, *_span(v, pieces), EXTRACTOR, v.confidence) for v in kept]
    taken = [(pieces[m.i].start, pieces[m.j - 1].end) for m in found + blocks]
    starts = [p.start for p in pieces]
    for item in _fuzzy_items(items, support, cells, rules):
        if not any(s < item.end and item.start < e for s, e in taken):
            if (cand := _fuzzy(item, pieces, starts, pm, rules)) is not None:
                out.append(cand)
                taken.append((cand.start, cand.end))
    return sorted(out, key=lambda c: c.start)
