"""Find the municipalities, of any state, an initiative's text means as places.

Exact names are found by looking runs of folded pieces (see
:mod:`extractor.facts.municipality_text`) up among the names' keys, so case,
accents, hyphens and ``d'Oeste``/``D'Oeste`` do not matter. The matcher holds every municipality of
Brazil plus regions and state names: the longest match wins, so "Monte Santo de
Minas" beats "Monte Santo" and "Santa Luzia D'Oeste" (RO) beats "Santa Luzia".
Each match is then judged by its context (:func:`_judge`): lower-case words,
offices and organisations ("Prefeitura Municipal de Coqueiral", "Fundação João
Pinheiro"), rivers and regions ("Vale do Rio Doce"), states' names, time zones
and cities abroad are dropped. A name several states share is resolved by
:mod:`extractor.facts.municipality_states` (suffix, its table or list, caption,
the document's state ``ctx.home_uf``, MG). Names that are also ordinary words
("Luz", "Saúde"), short names, and names of a state the text does not speak of
need a place cue, a list beside sure municipalities, or a Município column.
Items of such lists and columns that match no name exactly are tried with
rapidfuzz against the names of their state (small typos: "Teofilo Otonni");
prose never is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from typing import TYPE_CHECKING

from extractor import cache, rulebook
from extractor.facts.base import Candidate, FactContext
from extractor.facts.gazetteer import Municipality, gazetteer
from extractor.facts.municipality_rules import Key, PlaceRules, place_rules
from extractor.facts.municipality_states import Resolved, StateScene, build_scene, is_admin_region, resolve
from extractor.facts.municipality_text import Item, Piece, column_cells, list_items, phrase_key, text_pieces
from extractor.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc

EXTRACTOR = "ner.municipality"
FUZZY_EXTRACTOR = "ner.municipality.fuzzy"
CONFIDENCE = {"exact": 0.95, "case": 0.9, "folded": 0.85}
AMBIGUOUS_PENALTY = 0.1
FUZZY_CONFIDENCE = (0.5, 0.75)  # at the minimum score, at a perfect score
ACRONYM_MAX = 5  # "UAI de ...", "SRE de ..."
HEAD_WALK = 8  # how many pieces to walk back looking for an organisation head
NAME, BLOCK = "NAME", "BLOCK"
_LETTERS = re.compile(r"[^\W\d_]+")
_UF = re.compile(r"\s*([A-Z]{2})(?![A-Za-zÀ-ÿ])")
_STATE_NAME_CHARS = 24  # "Mato Grosso do Sul" after a mark and spaces


@dataclass(frozen=True)
class PlaceMatcher:
    """The compiled matcher and what each matched key means.

    Plain data, so it is pickled in the on-disk cache (extractor/cache.py): a
    phrase is matched by looking its piece keys up in ``labels``, which gives what
    a spaCy ``PhraseMatcher`` over the same keys gives, without building one.
    """

    labels: dict[Key, tuple[str, ...]]  # name or region/state-name key -> NAME and/or BLOCK
    longest: int  # pieces in the longest key
    heads: frozenset[str]  # first pieces of every key and table header
    head_lengths: tuple[int, ...] | None  # their lengths, ascending; None: some head is not all letters
    by_key: dict[Key, tuple[Municipality, ...]]
    spellings: frozenset[str]  # official names and aliases, hyphens and apostrophes as spaces
    casefolded: frozenset[str]  # the same, case-folded
    choices: dict[str, dict[str, Municipality]]  # state -> folded name -> municipality (fuzzy)
    short: dict[tuple[str, Key], Municipality]  # (state, short name) -> the name it begins
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


def _short_names(gaz_munis: tuple[Municipality, ...], by_key: dict[Key, list[Municipality]],
                 connectors: frozenset[str], capitals: frozenset[Key]) -> dict[tuple[str, Key], Municipality]:
    """(state, short name) -> the state's one municipality whose name begins with
    an exact namesake of another state and goes on with "do/da/de …"
    ("Sítio Novo" -> Sítio Novo do Tocantins in TO). Two such in one state, or
    an exact one there, make the short name no short name in that state; a
    state capital is never one ("Brasília" is not Brasília de Minas)."""
    found: dict[tuple[str, Key], list[Municipality]] = {}
    for m in gaz_munis:
        key = phrase_key(m.name)
        for cut in range(2, len(key) - 1):
            if key[cut] in connectors and key[:cut] in by_key:
                found.setdefault((m.uf, key[:cut]), []).append(m)
    return {k: v[0] for k, v in found.items()
            if len(v) == 1 and not any(x.uf == k[0] for x in by_key[k[1]]) and k[1] not in capitals}


@lru_cache(maxsize=1)
def place_matcher() -> PlaceMatcher:
    """Build the matcher once per process (all 5,570 names, regions, state names), or
    read it from the on-disk cache when the rules and the code are unchanged."""
    return cache.cached("place_matcher", rulebook.rules_dir(), _build_matcher)


def _build_matcher() -> PlaceMatcher:
    gaz, rules = gazetteer(), place_rules()
    by_key: dict[Key, list[Municipality]] = {}
    for spelling, munis in gaz.spellings().items():
        entries = by_key.setdefault(phrase_key(spelling), [])
        entries.extend(m for m in munis if m not in entries)
    labels: dict[Key, tuple[str, ...]] = {k: (NAME,) for k in by_key}
    for k in rules.blockers:
        labels[k] = (*labels.get(k, ()), BLOCK)
    labels = {k: v for k, v in labels.items() if k}
    heads = frozenset(k[0] for k in (*labels, *rules.table_headers) if k)
    letters = all(_LETTERS.fullmatch(h) for h in heads)
    spellings = frozenset(_spelling(s) for s in gaz.spellings())
    choices: dict[str, dict[str, Municipality]] = {}
    for m in gaz.municipalities:
        choices.setdefault(m.uf, {})[" ".join(phrase_key(m.name))] = m
    short = _short_names(gaz.municipalities, by_key, rules.connectors, rules.capitals)
    return PlaceMatcher(labels, max(map(len, labels)), heads,
                        tuple(sorted({len(h) for h in heads})) if letters else None,
                        {k: tuple(v) for k, v in by_key.items()}, spellings,
                        frozenset(s.casefold() for s in spellings), choices, short,
                        frozenset(choices))


@dataclass(frozen=True)
class PlaceHeads:
    """The first pieces of every key and table header: all a text is checked
    against before the matcher is loaded (:func:`may_name_place`)."""

    heads: frozenset[str]
    lengths: tuple[int, ...] | None  # ascending; None: some head is not all letters


@lru_cache(maxsize=1)
def place_heads() -> PlaceHeads:
    """A small cache entry of its own, so a text that names no place never loads the matcher."""
    return cache.cached("place_heads", rulebook.rules_dir(),
                        lambda: PlaceHeads(place_matcher().heads, place_matcher().head_lengths))


def may_name_place(text: str) -> bool:
    """False only when no name, region, state name or Município header can match in
    ``text``: then no piece of it is any key's first piece. A piece's key is the
    folded text of part of a token, so a head (all letters) it equals lies inside one
    run of letters of the folded text; looking heads up in those runs needs neither
    spaCy's tokenizer nor the matcher."""
    ph = place_heads()
    if ph.lengths is None:
        return True
    for run in set(_LETTERS.findall(fold(text))):
        for a in range(len(run)):
            for n in ph.lengths:
                if a + n > len(run):
                    break
                if run[a : a + n] in ph.heads:
                    return True
    return False


def matches(pieces: list[Piece], pm: PlaceMatcher) -> tuple[list[Match], list[Match]]:
    """Longest-leftmost name matches, and all region/state-name matches."""
    keys = [p.key for p in pieces]
    found = []
    for i, head in enumerate(keys):
        if head not in pm.heads:
            continue
        for j in range(i + 1, min(i + pm.longest, len(keys)) + 1):
            key = tuple(keys[i:j])
            found += [Match(i, j, key, label) for label in pm.labels.get(key, ())]
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


def _preceded(pieces: list[Piece], i: int, phrases: frozenset[Key], longest: int) -> bool:
    """One of ``phrases`` ends right before piece ``i``."""
    return any(tuple(p.key for p in pieces[i - n : i]) in phrases for n in range(1, min(i, longest) + 1))


def _has_cue(pieces: list[Piece], i: int, rules: PlaceRules, strong_only: bool = False) -> bool:
    """A place cue ("município de", "em") ends right before piece ``i``; with
    ``strong_only`` a weak one ("em") does not count."""
    cues = rules.place_cues - rules.weak_place_cues if strong_only else rules.place_cues
    return _preceded(pieces, i, cues, rules.max_cue_len)


def _geo_headed(pieces: list[Piece], i: int, rules: PlaceRules) -> bool:
    """The match follows "rio"/"Vale do" (connectors skipped, any case)."""
    words = [p for p in reversed(pieces[max(i - HEAD_WALK, 0) : i]) if p.key not in rules.connectors]
    return bool(words) and words[0].is_word and words[0].key in rules.geographic_heads


def _org_headed(pieces: list[Piece], i: int, rules: PlaceRules) -> bool:
    """The match sits in a capitalised organisation's name ("Prefeitura Municipal
    de Coqueiral", "Universidade Federal de Lavras"): the office, not the place."""
    skip = rules.connectors | rules.organisation_inner_words
    words = [p for p in reversed(pieces[max(i - HEAD_WALK, 0) : i]) if p.key not in skip]
    for p in words:
        if not p.is_word or not p.is_capitalised or p.key in rules.stop_words:
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
        if not p.is_word or not p.is_capitalised or p.key in rules.stop_words or p.key.upper() in pm.ufs:
            continue
        if _touches(pieces, m, at, text):
            return True
    return False


def state_suffix(text: str, end: int, pm: PlaceMatcher, rules: PlaceRules,
                 ufs: Collection[str] = ()) -> str | None:
    """The state written right after a name: "Salvador/BA" -> "BA".

    A state named in full ("Salvador - Bahia", "Salvador, Bahia") counts only when it
    is one of ``ufs``, the states that have a municipality of that name: otherwise the
    name is more likely an item of a list ("Curitiba, São Paulo, Rio de Janeiro").
    """
    rest = text[end : end + 8].lstrip(" ")
    if not rest or rest[0] not in rules.suffix_marks:
        return None
    uf = _UF.match(rest, 1)
    if uf:
        return uf.group(1) if uf.group(1) in pm.ufs else None
    keys = tuple(p.key for p in text_pieces(text[end + 1 : end + 1 + _STATE_NAME_CHARS].lstrip(" -–—(,/"))[:4])
    for n in range(len(keys), 0, -1):
        named = rules.state_names.get(keys[:n])
        if named is not None:
            return named if named in ufs else None
    return None


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
    needs_context: bool  # ambiguous, or of a state the text does not speak of, without a cue
    ambiguous: bool  # a name that is also an ordinary word: never support for a list


@dataclass(frozen=True)
class Surroundings:
    """What one text gives every match: its pieces, lists and states."""

    pieces: list[Piece]
    text: str
    bounds: tuple[set[int], set[int]]  # starts and ends of all name matches
    runs_of: dict[tuple[int, int], int]  # whole list items and table cells -> their run
    cells: frozenset[tuple[int, int]]  # spans of Município-column cells
    scene: StateScene
    home_known: bool  # the document's state came from the document, not the MG default


def _state_name_kept(suffix: str | None, resolved: Resolved, s: Surroundings, span: tuple[int, int]) -> bool:
    """A state's name is the state, unless a suffix or a Município column of a
    table of that municipality's state makes it the municipality (a "Tocantins"
    row of a table of MG municipalities; "Goiás | Estadual" stays the state)."""
    return suffix is not None or (span in s.cells and resolved.spoken_of)


def _judge(m: Match, pm: PlaceMatcher, s: Surroundings) -> Verdict | None:
    """Decide one exact match from its own context; ``None`` drops it."""
    rules, pieces, text = place_rules(), s.pieces, s.text
    span = pieces[m.i : m.j]
    if not _capitalised(span, rules) or _preceded(pieces, m.i, rules.non_place_cues, rules.max_cue_len):
        return None
    if _org_headed(pieces, m.i, rules):
        return None
    suffix = state_suffix(text, span[-1].end, pm, rules, {x.uf for x in pm.by_key[m.key]})
    where = (span[0].start, span[-1].end)
    if rules.abroad.match(fold(text[where[1] : where[1] + 40])):
        return None
    if suffix is None and is_admin_region(m.key, s.scene, rules):
        return None
    resolved = resolve(m.key, pm.by_key[m.key], suffix, s.runs_of.get(where), where[0], s.scene, pm.short)
    if resolved is None:
        return None
    if m.key in rules.state_names and not _state_name_kept(suffix, resolved, s, where):
        return None
    # "em Saúde": a weak cue does not make an ordinary word a place in capitals,
    # nor one of a state the text does not speak of
    weak = m.key in rules.ambiguous and (not resolved.spoken_of or _line_is_caps(text, span[0].start))
    cue = _has_cue(pieces, m.i, rules, weak) or suffix is not None
    if not cue and (_geo_headed(pieces, m.i, rules) or _embedded(m, pieces, text, s.bounds, pm)):
        return None
    confidence = _confidence(text[where[0] : where[1]], pm)
    # a short name is sure where a publisher says the state, a word-like name otherwise
    short_unsure = resolved.short and s.home_known is False
    ambiguous = (m.key in rules.ambiguous or short_unsure) and not cue
    needs_context = ambiguous or (not resolved.spoken_of and not cue)
    if needs_context:
        confidence -= AMBIGUOUS_PENALTY
    return Verdict(m, resolved.municipality, round(confidence, 2), needs_context, ambiguous)


def _span(v: Verdict, pieces: list[Piece]) -> tuple[int, int]:
    return pieces[v.match.i].start, pieces[v.match.j - 1].end


def _is_item(span: tuple[int, int], item: Item, text: str, pm: PlaceMatcher) -> bool:
    """The match is the whole item, give or take a state suffix ("Lavras/MG")."""
    if span[0] != item.start or span[1] > item.end:
        return False
    rest = text[span[1] : item.end].strip(" /-–()")
    return rest == "" or rest in pm.ufs


def _list_support(verdicts: list[Verdict], items: list[Item], pieces: list[Piece], text: str,
                  pm: PlaceMatcher) -> dict[int, set[int]]:
    """Per list (run): the indices of items that are, or end with, a sure
    municipality: no ordinary word, and of a state the text speaks of.

    "… torres em Araçuaí e Salinas": the first item ends with a sure name, so
    the coordinated "Salinas" is read as a place too. Names of states the text
    does not speak of never vouch for each other (a list of a town's
    neighbourhoods, "São José, Santo Antônio e Vera Cruz", is no list of
    municipalities); several of one state make the list that state's
    (:mod:`extractor.facts.municipality_states`), and so sure.
    """
    by_start = {item.start: k for k, item in enumerate(items)}
    by_end = {item.end: k for k, item in enumerate(items)}
    support: dict[int, set[int]] = {}
    for v in verdicts:
        if v.needs_context:
            continue
        span = _span(v, pieces)
        k = by_start.get(span[0])
        if k is None or not _is_item(span, items[k], text, pm):
            k = by_end.get(span[1])
            if k is None or items[k].start > span[0]:
                continue
            k = -1 - k  # an item that only ends with the name: support for what follows it
        support.setdefault(items[_index(k)].run, set()).add(k)
    return support


def _index(k: int) -> int:
    return k if k >= 0 else -1 - k


def _worded_neighbours(k: int, items: list[Item], text: str) -> tuple[int | None, int | None]:
    """The nearest items before and after item ``k`` in its run that hold a letter
    (a table row's numbers between two names are passed over)."""
    out: list[int | None] = []
    for step in (-1, 1):
        n, found = k + step, None
        while 0 <= n < len(items) and items[n].run == items[k].run:
            if any(c.isalpha() for c in text[items[n].start : items[n].end]):
                found = n
                break
            n += step
        out.append(found)
    return out[0], out[1]


def _placed_items(verdicts: list[Verdict], items: list[Item], pieces: list[Piece], text: str,
                  support: dict[int, set[int]]) -> set[tuple[int, int]]:
    """Spans of the whole list items that are places by their list: a name of a
    state the text does not speak of, when another item of its list is a sure
    municipality; an ordinary word ("Campanha"), when the item next to it is one
    or is itself placed so ("Lavras, Campanha, Formiga e Cristais")."""
    index = {(it.start, it.end): k for k, it in enumerate(items)}
    waiting = {}
    placed: set[tuple[int, int]] = set()
    for v in verdicts:
        span = _span(v, pieces)
        k = index.get(span)
        if not v.needs_context or k is None:
            continue
        if not v.ambiguous and {_index(n) for n in support.get(items[k].run, set())} - {k}:
            placed.add(span)
        elif v.ambiguous:
            waiting[k] = span
    sure = {k for ks in support.values() for k in ks if k >= 0}
    tails = {-1 - k for ks in support.values() for k in ks if k < 0}
    grown = True
    while grown:
        grown = False
        for k, span in list(waiting.items()):
            before, after = _worded_neighbours(k, items, text)
            if before in sure or before in tails or after in sure:
                sure.add(k)
                placed.add(span)
                del waiting[k]
                grown = True
    return placed


def _fuzzy_items(items: list[Item], support: dict[int, set[int]], cells: list[Item],
                 rules: PlaceRules) -> list[Item]:
    listed = [it for it in items if len(support.get(it.run, ())) >= rules.fuzzy_min_list_support]
    return listed + cells


def _fuzzy(item: Item, pieces: list[Piece], starts: list[int], choices: dict[str, Municipality],
           rules: PlaceRules) -> Candidate | None:
    """A capitalised list item or cell that is a small typo away from one name of
    the state its list is about (``choices``)."""
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
    from rapidfuzz import fuzz, process  # only for list items and cells that match no name

    best = process.extractOne(query, choices.keys(), scorer=fuzz.ratio,
                              score_cutoff=rules.fuzzy_min_score)
    if best is None:
        return None
    low, high = FUZZY_CONFIDENCE
    score = (best[1] - rules.fuzzy_min_score) / (100 - rules.fuzzy_min_score)
    muni = choices[best[0]]
    return _candidate(muni, words[0].start, words[-1].end, FUZZY_EXTRACTOR, low + (high - low) * score)


def _candidate(muni: Municipality, start: int, end: int, extractor: str, confidence: float) -> Candidate:
    return Candidate(kind="municipality", start=start, end=end, value=muni.code, extractor=extractor,
                     confidence=round(confidence, 2), name=muni.name, extra={"uf": muni.uf})


def _runs_of(names: list[Match], pieces: list[Piece], text: str, items: list[Item],
             cells: list[Item], pm: PlaceMatcher) -> dict[tuple[int, int], int]:
    """The run of every match that is a whole list item or table cell (a cell's
    table wins over the list the same text also reads as)."""
    starts: dict[int, Item] = {it.start: it for it in items}
    starts.update({c.start: c for c in cells})
    out: dict[tuple[int, int], int] = {}
    for m in names:
        span = (pieces[m.i].start, pieces[m.j - 1].end)
        item = starts.get(span[0])
        if item is not None and _is_item(span, item, text, pm):
            out[span] = item.run
    return out


def _surroundings(text: str, pieces: list[Piece], names: list[Match], blocks: list[Match],
                  home: str | None, pm: PlaceMatcher, rules: PlaceRules) -> tuple[Surroundings, list[Item], list[Item]]:
    items, cells = list_items(text), column_cells(text, rules.table_headers)
    runs_of = _runs_of(names, pieces, text, items, cells, pm)
    states_of = [(pieces[m.i].start, pieces[m.j - 1].end, frozenset(x.uf for x in pm.by_key[m.key]))
                 for m in names if pieces[m.i].is_capitalised and m.key not in rules.state_names]
    mentions = [(b.i, rules.state_names[b.key]) for b in blocks if b.key in rules.state_names]
    mentions += [(m.i, rules.state_names[m.key]) for m in names if m.key in rules.state_names]
    scene = build_scene(text, pieces, states_of, sorted(mentions), runs_of, home)
    bounds = ({m.i for m in names}, {m.j for m in names})
    surroundings = Surroundings(pieces, text, bounds, runs_of, frozenset((c.start, c.end) for c in cells), scene,
                                home is not None)
    return surroundings, items, cells


def find_municipalities(doc: Doc, ctx: FactContext) -> list[Candidate]:
    """Every municipality ``ctx.text`` means as a place, as IBGE-code candidates;
    a shared name resolves in the state the text says, else ``ctx.home_uf``, else MG."""
    if not may_name_place(ctx.text):
        return []
    pm, rules, text = place_matcher(), place_rules(), ctx.text
    pieces = text_pieces(text)  # the doc's text, tokenized as a blank-pt Doc is
    found, blocks = matches(pieces, pm)
    names = [m for m in found if not any(b.overlaps(m) and not m.contains(b) for b in blocks)]
    s, items, cells = _surroundings(text, pieces, names, blocks, ctx.home_uf, pm, rules)
    verdicts = [v for m in names if (v := _judge(m, pm, s)) is not None]
    support = _list_support(verdicts, items, pieces, text, pm)
    placed = _placed_items(verdicts, items, pieces, text, support) | s.cells
    kept = [v for v in verdicts if not v.needs_context or _span(v, pieces) in placed]
    out = [_candidate(v.municipality, *_span(v, pieces), EXTRACTOR, v.confidence) for v in kept]
    taken = [(pieces[m.i].start, pieces[m.j - 1].end) for m in found + blocks]
    starts = [p.start for p in pieces]
    for item in _fuzzy_items(items, support, cells, rules):
        if not any(a < item.end and item.start < b for a, b in taken):
            choices = pm.choices[s.scene.runs.get(item.run, s.scene.home)]
            if (cand := _fuzzy(item, pieces, starts, choices, rules)) is not None:
                out.append(cand)
                taken.append((cand.start, cand.end))
    return sorted(out, key=lambda c: c.start)
