"""Write one ExtractResult into the tables: pages, areas, initiatives, extractions.

Called inside the worker's finishing transaction, so a report's facts appear all
at once together with status `done`, or not at all.
"""

from __future__ import annotations

from sqlmodel import Session

from extractor.model import Area as AreaModel
from extractor.model import ExtractResult
from extractor.model import Extraction as ExtractionModel
from service.editions.linking import link_quietly
from service.storage.models import Area, Extraction, Initiative, Page, Report


def store_result(
    session: Session, report: Report, result: ExtractResult, page_sizes: list[tuple[float, float]]
) -> int:
    """Add `result` to `session` for `report`; returns the number of extractions stored."""
    assert report.id is not None
    report.title = result.report.title
    report.status_date = result.report.status_date
    report.pages = result.source.pages or len(page_sizes)
    report.warnings = list(result.warnings)
    for number, (width, height) in enumerate(page_sizes, start=1):
        session.add(Page(report_id=report.id, number=number, width=width, height=height))
    position = 0
    for fact in result.report.extractions:
        session.add(_extraction(report.id, None, position, fact))
        position += 1
    areas: dict[tuple[int | None, str], Area] = {}
    for index, item in enumerate(result.initiatives):
        area = _area(session, report.id, item.area, areas)
        initiative = Initiative(
            report_id=report.id, area_id=area.id if area else None, position=index,
            title=item.title, pages=list(item.pages), text=item.text,
        )
        session.add(initiative)
        session.flush()
        for fact in item.extractions:
            session.add(_extraction(report.id, initiative.id, position, fact))
            position += 1
    session.flush()
    link_quietly(session, report)
    return position


def _area(
    session: Session, report_id: int, model: AreaModel | None, seen: dict[tuple[int | None, str], Area]
) -> Area | None:
    if model is None:
        return None
    key = (model.number, model.name)
    if key not in seen:
        seen[key] = Area(report_id=report_id, number=model.number, name=model.name)
        session.add(seen[key])
        session.flush()
    return seen[key]


def _extraction(report_id: int, initiative_id: int | None, position: int, fact: ExtractionModel) -> Extraction:
    data = fact.model_dump(mode="json")
    return Extraction(
        report_id=report_id, initiative_id=initiative_id, position=position,
        kind=fact.kind, text=fact.text, value=data["value"], unit=fact.unit,
        qualifier=fact.qualifier, name=fact.name, page=fact.page, bbox=list(data["bbox"]),
        lines=data.get("lines"),
        extractor=fact.extractor, confidence=fact.confidence,
        orig_value=data["value"], orig_unit=fact.unit, orig_qualifier=fact.qualifier,
    )
