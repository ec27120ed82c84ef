"""Re-extraction, structure part: reuse a report's stored areas and initiatives for the
new extraction's, so initiative ids (and their keys, pins and facts) survive.

Titles are matched exactly first, then by the linking title similarity. An
initiative not found again keeps its row (its facts become orphans, they are
never deleted); one with no facts at all is removed, there is nothing to keep.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from extractor.model import Area as AreaModel
from extractor.model import Initiative as InitiativeModel
from service.editions.linking import linking_rules, plain, title_similarity
from service.storage.models import Area, Extraction, Initiative


def _area_id(
    session: Session, report_id: int, model: AreaModel | None, areas: dict[tuple[int | None, str], Area]
) -> int | None:
    if model is None:
        return None
    key = (model.number, model.name)
    if key not in areas:
        areas[key] = Area(report_id=report_id, number=model.number, name=model.name)
        session.add(areas[key])
        session.flush()
    return areas[key].id


def _pairs(old: list[Initiative], new: list[InitiativeModel]) -> dict[int, Initiative]:
    """new index -> stored initiative: exact titles first, then the most similar above the
    linking threshold."""
    out: dict[int, Initiative] = {}
    free = list(old)
    for i, item in enumerate(new):
        same = next((o for o in free if plain(o.title) == plain(item.title)), None)
        if same is not None:
            out[i] = same
            free.remove(same)
    threshold = linking_rules().min_title_similarity
    options = sorted(
        ((-title_similarity(plain(o.title), plain(item.title)), i, o.id or 0, o)
         for i, item in enumerate(new) if i not in out for o in free),
        key=lambda x: x[:3],
    )
    for score, i, _, stored in options:
        if -score >= threshold and i not in out and stored in free:
            out[i] = stored
            free.remove(stored)
    return out


def match_initiatives(
    session: Session, report_id: int, items: list[InitiativeModel]
) -> list[tuple[int, InitiativeModel]]:
    """Update or create an Initiative row per new initiative; returns (row id, item) in order."""
    old = list(session.exec(select(Initiative).where(col(Initiative.report_id) == report_id)
                            .order_by(col(Initiative.position))))
    areas = {(a.number, a.name): a for a in session.exec(select(Area).where(col(Area.report_id) == report_id))}
    pairs = _pairs(old, items)
    out: list[tuple[int, InitiativeModel]] = []
    for index, item in enumerate(items):
        row = pairs.get(index) or Initiative(report_id=report_id, position=index, title=item.title, pages=[])
        row.area_id = _area_id(session, report_id, item.area, areas)
        row.position, row.title, row.pages, row.text = index, item.title, list(item.pages), item.text
        session.add(row)
        session.flush()
        out.append((row.id or 0, item))
    kept = {id(r) for r in pairs.values()}
    for gone in (o for o in old if id(o) not in kept):
        has_facts = session.exec(select(Extraction.id).where(col(Extraction.initiative_id) == gone.id).limit(1)).first()
        if has_facts is None:
            session.delete(gone)
        else:
            gone.position = len(items) + gone.position  # after the live ones
            session.add(gone)
    return out
