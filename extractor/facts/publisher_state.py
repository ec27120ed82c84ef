"""The state a whole document speaks of: its publisher's, read once before any fact.

A shared municipality name (Viçosa: MG, RN, AL) is the publisher's state's when
the text says nothing closer (EXTRACTION-GUIDE.md, "Which state"). Initiatives
are read one at a time, so the publisher is found first, over the text of every
page, headers and footers included (a masthead says it most often):

1. a state body or the state itself named with its state ("Governo do Estado do
   Tocantins", "Secretaria de Estado da Saúde de Santa Catarina", "Corpo de
   Bombeiros Militar de Alagoas") or an acronym with the state's abbreviation
   ("SESAU-RO", "SES/SC"): the state named most often (first on a tie);
2. else a municipal office ("Prefeitura Municipal de Coqueiral", "Município de
   Cachoeiro de Itapemirim - ES"): the state of its municipality;
3. else the state most of the document's unambiguous municipalities are of,
   when it has enough of them and twice as many as any other;
4. else ``None`` (the finder then falls back to MG).

The cue words are data (``rules/municipalities/states.yaml``).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from extractor.facts.municipalities import PlaceMatcher, matches, may_name_place, place_matcher, state_suffix
from extractor.facts.municipality_rules import StatesRules, place_rules, states_rules
from extractor.facts.municipality_text import phrase_key, text_pieces
from extractor.text import fold

_ACRONYM = re.compile(r"\b([A-Z]{2,10})\s?[-/]\s?([A-Z]{2})\b")


@lru_cache(maxsize=1)
def _body_pattern() -> re.Pattern[str]:
    """``<head> [up to N words] de|do|da <state>`` over folded text."""
    rules = states_rules()
    heads = sorted((fold(h) for h in rules.publisher_heads), key=len, reverse=True)
    names = sorted((fold(n) for ns in rules.states.values() for n in ns), key=len, reverse=True)
    return re.compile(
        r"\b(?:" + "|".join(map(re.escape, heads)) + r")\b"
        r"((?:\s+[\w'-]+){0," + str(rules.publisher_gap) + r"}?)"
        r"\s+d(?:e|o|a)\s+(" + "|".join(map(re.escape, names)) + r")\b"
    )


def _state_of_name(rules: StatesRules) -> dict[str, str]:
    return {fold(n): uf for uf, ns in rules.states.items() for n in ns}


def state_body_votes(text: str) -> Counter[str]:
    """Per state: how often a state body or an acronym names it; ties go to the first."""
    rules = states_rules()
    by_name = _state_of_name(rules)
    municipal = {fold(w) for w in rules.municipal_words}
    found: list[tuple[int, str]] = []
    folded = fold(text)
    for m in _body_pattern().finditer(folded):
        if not municipal & set(m.group(1).split()):
            found.append((m.start(), by_name[m.group(2)]))
    ufs = set(rules.states)
    # the acronym is read on the raw text (capitals matter) at a position scaled to the folded one
    scale = len(folded) / max(len(text), 1)
    for m in _ACRONYM.finditer(text):
        if m.group(2) in ufs and m.group(1) not in ufs:
            found.append((int(m.start() * scale), m.group(2)))
    votes: Counter[str] = Counter()
    for _, uf in sorted(found):  # insertion order = first seen, which most_common keeps on ties
        votes[uf] += 1
    return votes


def _municipal_and_majority(text: str, pm: PlaceMatcher) -> tuple[Counter[str], Counter[str]]:
    """States of municipal offices' seats, and of distinct unambiguous names."""
    rules, srules = place_rules(), states_rules()
    cues = {phrase_key(c) for c in srules.municipal_publisher_cues}
    longest = max(len(c) for c in cues)
    pieces = text_pieces(text)
    found, blocks = matches(pieces, pm)
    offices: Counter[str] = Counter()
    names: dict[str, set[tuple[str, ...]]] = {}
    for m in found:
        if any(b.overlaps(m) and not m.contains(b) for b in blocks) or m.key in rules.state_names:
            continue
        ufs = {x.uf for x in pm.by_key[m.key]}
        suffix = state_suffix(text, pieces[m.j - 1].end, pm, rules, ufs)
        before = [tuple(p.key for p in pieces[m.i - n : m.i]) for n in range(1, min(m.i, longest) + 1)]
        if any(b in cues for b in before) and (suffix in ufs or len(ufs) == 1):
            offices[suffix if suffix in ufs else next(iter(ufs))] += 1
        if len(ufs) == 1 and pieces[m.i].is_capitalised and m.key not in rules.ambiguous:
            names.setdefault(next(iter(ufs)), set()).add(m.key)
    return offices, Counter({uf: len(keys) for uf, keys in names.items()})


def publisher_state(text: str) -> str | None:
    """The state ``text`` (a whole document) is published in or speaks of, if any says so."""
    votes = state_body_votes(text)
    if votes:
        return votes.most_common(1)[0][0]
    offices, names = (_municipal_and_majority(text, place_matcher()) if may_name_place(text)
                      else (Counter(), Counter()))
    if offices:
        return offices.most_common(1)[0][0]
    top = names.most_common(2)
    if top and top[0][1] >= states_rules().majority_min_names and (len(top) == 1 or 2 * top[1][1] <= top[0][1]):
        return top[0][0]
    return None
