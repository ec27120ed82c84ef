"""Municipalities as a reviewer names them: every one of Brazil's 5,570 (EXTRACTION-GUIDE.md:
any state), found by name, alias or IBGE code.

Two questions, kept apart on purpose (issue 20: "São Paulo" was saved as Monsenhor Paulo,
"Natal" as Natalândia, because the best fuzzy match was taken):
- `exact`: the one municipality a text names, accent- and case-folded, or through a known
  alias; taken only when it is unambiguous (a name shared by several municipalities is
  unambiguous only if exactly one of them is in the report's state). Nothing else may be
  saved without the reviewer picking it from a list.
- `search`: a ranked list to pick from (fuzzy), each with its state, exact matches first,
  then the report's state before the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from extractor.facts.gazetteer import HOME_UF, gazetteer, name_key


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    uf: str


@dataclass(frozen=True)
class Found:
    place: Place
    score: float  # 0-100, how well the name matches the query
    exact: bool  # the folded query is this municipality's name or alias


@lru_cache(maxsize=1)
def spellings() -> dict[str, tuple[Place, ...]]:
    """Folded spelling (official names of every state, aliases of MG names) -> municipalities."""
    gaz = gazetteer()
    out: dict[str, list[Place]] = {}
    for m in gaz.municipalities:
        out.setdefault(name_key(m.name), []).append(Place(m.code, m.name, m.uf))
    home = {m.name: m for m in gaz.home}
    for alias, target in gaz.aliases.items():
        m = home[target]
        places = out.setdefault(name_key(alias), [])
        if all(p.code != m.code for p in places):
            places.append(Place(m.code, m.name, m.uf))
    return {key: tuple(places) for key, places in out.items()}


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """IBGE code -> official name, every municipality."""
    return {m.code: m.name for m in gazetteer().municipalities}


def exact(text: str, uf: str = HOME_UF) -> Place | None:
    """The municipality `text` names exactly (folded, or an alias), if only one fits; else None."""
    places = spellings().get(name_key(text), ())
    in_state = [p for p in places if p.uf == uf]
    if len(in_state) == 1:
        return in_state[0]
    return places[0] if len(places) == 1 else None


def search(query: str, limit: int, uf: str = HOME_UF) -> list[Found]:
    """Best matches first: exact names, then the report's state, then by score; an IBGE code
    prefix lists the codes that start with it."""
    key = name_key(query)
    table = spellings()
    if key.isdigit():
        hits = sorted({p for places in table.values() for p in places if p.code.startswith(key)},
                      key=lambda p: (p.uf != uf, p.code))
        return [Found(p, 100.0, len(key) == 7) for p in hits[:limit]]
    if not key:
        home = sorted({p for places in table.values() for p in places if p.uf == uf}, key=lambda p: name_key(p.name))
        return [Found(p, 0.0, False) for p in home[:limit]]
    best: dict[str, Found] = {}
    for spelling, score, _ in process.extract(key, list(table), scorer=fuzz.WRatio, limit=limit * 6):
        for place in table[spelling]:
            bonus = 20.0 if spelling.startswith(key) and spelling != key else 0.0
            found = Found(place, round(min(score + bonus, 100.0), 1), spelling == key)
            old = best.get(place.code)
            if old is None or (found.exact, found.score) > (old.exact, old.score):
                best[place.code] = found
    ranked = sorted(best.values(), key=lambda f: (not f.exact, f.place.uf != uf, -f.score, f.place.name))
    return ranked[:limit]
