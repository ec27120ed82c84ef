"""What the operator page reads of a report and does to it beyond upload and retry: its
outline (warnings, areas and initiatives with fact counts), a download of its confirmed
records, and re-extraction from its stored PDF keeping every reviewer decision (what
`relato reextract` does, service/jobs/reextract.py), queued for the extraction workers:
a 100-page scan takes minutes, far longer than a request should."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from service.api.deps import API_ERRORS, report_or_404, EngineDep, OperatorDep, ReportReaderDep, SessionDep
from service.api.queries import initiative_tree, one_report_public
from service.feed.records import MEDIA_TYPES, report_records
from service.jobs.reextract import NotReextractable, request_reextract
from service.storage.inputs import Id
from service.storage.models import Extraction
from service.storage.schemas import AreaPublic, ErrorOut, ReportPublic

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=API_ERRORS)
NOT_FOUND = {404: {"model": ErrorOut, "description": "no such report"}}


class InitiativeOutline(BaseModel):
    title: str
    key: str | None = Field(description="the initiative's page: /review/initiatives/{key}")
    pages: list[int]
    facts: int
    pending: int


class AreaOutline(BaseModel):
    area: AreaPublic | None = Field(description="null for initiatives under no area heading")
    initiatives: list[InitiativeOutline]


class ReportOutline(BaseModel):
    report_id: int
    warnings: list[str]
    areas: list[AreaOutline] = Field(description="in page order")
    outside_facts: int = Field(description="facts outside any initiative (cover, closing pages)")


@router.get("/{report_id}/outline", response_model=ReportOutline, responses=NOT_FOUND,
            summary="A report's warnings and its areas → initiatives with their fact counts")
def get_outline(report_id: Id, _: ReportReaderDep, session: SessionDep) -> ReportOutline:
    report = report_or_404(session, report_id)
    tree = initiative_tree(session, report_id)
    pending = dict(session.exec(  # type: ignore[arg-type]
        select(Extraction.initiative_id, func.count())
        .where(col(Extraction.report_id) == report_id, col(Extraction.status) == "pending")
        .group_by(col(Extraction.initiative_id))).all())
    areas: list[AreaOutline] = []
    for item in tree.initiatives:
        if not areas or areas[-1].area != item.area:
            areas.append(AreaOutline(area=item.area, initiatives=[]))
        areas[-1].initiatives.append(InitiativeOutline(
            title=item.title, key=item.key, pages=item.pages, facts=len(item.extraction_ids),
            pending=pending.get(item.id, 0)))
    warnings = report.warnings if isinstance(report.warnings, list) else []
    return ReportOutline(report_id=report_id, warnings=[str(w) for w in warnings], areas=areas,
                         outside_facts=len(tree.report_extraction_ids))


@router.get("/{report_id}/records", responses={**NOT_FOUND, 200: {"content": {MEDIA_TYPES["csv"]: {}, "application/json": {}}}},
            summary="A report's confirmed and corrected records as they stand (csv or json), to download",
            response_class=Response)
def get_report_records(report_id: Id, _: ReportReaderDep, session: SessionDep,
                       format: Literal["json", "csv"] = "json") -> Response:
    report = report_or_404(session, report_id)
    body = report_records(session.connection(), report_id, format)
    stem = (report.filename.rsplit(".", 1)[0] or f"relatorio-{report_id}").replace('"', "")
    return Response(body, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{stem}-confirmados.{format}"'})


@router.post("/{report_id}/reextract", response_model=ReportPublic, status_code=status.HTTP_202_ACCEPTED,
             responses={**NOT_FOUND, 409: {"model": ErrorOut, "description": (
                 "the report is not extracted (done), or a re-extraction of it is already queued or running")}},
             summary="Queue a report's re-extraction from its stored PDF, keeping every reviewer decision")
def post_reextract(report_id: Id, who: OperatorDep, engine: EngineDep, session: SessionDep) -> ReportPublic:
    """Answers at once with the report, its `reextraction` queued; a worker runs it (its page
    in `progress`) and records the outcome's counts in `reextraction.outcome`."""
    try:
        report = request_reextract(engine, report_id, who.name)
    except NotReextractable as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return one_report_public(session, report)
