"""Editions of a report: diff against another edition, review assist (unchanged /
moved backwards), bulk-confirm the unchanged, orphans of re-extraction, series."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session, col, select

from service.api.deps import API_ERRORS, ReportReaderDep, ReviewerDep, SessionDep, WriteSessionDep
from service.api.queries import extraction_public, get_extraction_public, one_report_public, with_assist
from service.editions.linkedit import set_series
from service.editions.schemas import ConfirmUnchangedIn, ReportDiff, SeriesIn
from service.editions.series import assist_for, previous_edition
from service.editions.views import report_diff
from service.review.actions import ReviewError, apply_review
from service.storage.inputs import Id
from service.quality.refit import refitted_on
from service.storage.models import Area, ConfidenceRefit, Extraction, Initiative, Report
from service.storage.schemas import BulkReviewOut, ErrorOut, ExtractionPublic, ExtractionsPublic, ReportPublic, ReviewIn

router = APIRouter(prefix="/api/v1", tags=["editions"], responses=API_ERRORS)
NOT_FOUND = {404: {"model": ErrorOut}}


def _report(session: Session, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"report {report_id} does not exist")
    return report


def _done(session: Session, report_id: int) -> Report:
    report = _report(session, report_id)
    if report.status != "done":
        raise HTTPException(status.HTTP_409_CONFLICT, f"report {report_id} is {report.status}, not extracted yet")
    return report


@router.get("/reports/{report_id}/diff", response_model=ReportDiff, responses={**NOT_FOUND, 409: {"model": ErrorOut}},
            summary="What changed since another edition: initiatives added and dropped, facts added, removed, changed")
def get_diff(
    report_id: Id, _: ReviewerDep, session: SessionDep,
    against: Annotated[Literal["previous"] | Id, Query(
        description="`previous` (the previous edition of the series) or a report id")] = "previous",
) -> ReportDiff:
    report = _done(session, report_id)
    if against == "previous":
        other = previous_edition(session, report)
        if other is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"report {report_id} is the first edition of its series "
                                f"({report.series!r}); pass against=REPORT_ID to compare with another report")
    else:
        other = _done(session, against)
    return report_diff(session, report, other)


def _rows(session: Session, *where: object) -> list[ExtractionPublic]:
    rows = session.exec(
        select(Extraction, Initiative, Area, ConfidenceRefit.refitted)
        .join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
        .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
        .join(ConfidenceRefit, refitted_on(), isouter=True)
        .where(*where).order_by(col(Extraction.id))
    ).all()
    return with_assist(session, [extraction_public(*row) for row in rows])


@router.get("/reports/{report_id}/assist", response_model=ExtractionsPublic, responses=NOT_FOUND,
            summary="Facts flagged by the review assist; feed `unchanged` ones to POST /extractions/review")
def get_assist(
    report_id: Id, _: ReviewerDep, session: SessionDep,
    flag: Annotated[Literal["unchanged", "moved_backwards"], Query()] = "unchanged",
    status_: Annotated[Literal["pending", "confirmed", "corrected", "rejected"] | None, Query(alias="status")] = None,
) -> ExtractionsPublic:
    _report(session, report_id)
    where = [col(Extraction.report_id) == report_id, col(Extraction.orphaned).is_(False)]
    if status_:
        where.append(col(Extraction.status) == status_)
    items = [i for i in _rows(session, *where) if i.assist and (
        i.assist.unchanged_since if flag == "unchanged" else i.assist.moved_backwards)]
    return ExtractionsPublic(items=items, next_cursor=None)


@router.post("/reports/{report_id}/confirm-unchanged", response_model=BulkReviewOut, responses=NOT_FOUND,
             summary="Confirm, all at once, the pending facts unchanged since a confirmed earlier edition")
def confirm_unchanged(report_id: Id, body: ConfirmUnchangedIn, principal: ReviewerDep,
                      session: WriteSessionDep) -> BulkReviewOut:
    _done(session, report_id)
    flags = assist_for(session, [report_id])
    pending = session.exec(select(Extraction).where(
        col(Extraction.report_id) == report_id, col(Extraction.status) == "pending", col(Extraction.orphaned).is_(False)
    ).order_by(col(Extraction.id))).all()
    targets = [e for e in pending if (f := flags.get(e.id or 0)) and f.unchanged_since
               and (body.ids is None or e.id in body.ids)]
    if body.ids is not None and (missing := set(body.ids) - {e.id for e in targets}):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"extractions {sorted(missing)} are not pending "
                            f"facts of report {report_id} unchanged since a confirmed edition; nothing was confirmed")
    try:
        for ext in targets:
            note = body.note or f"sem mudança desde {flags[ext.id or 0].unchanged_since}"
            apply_review(session, ext.id or 0, ReviewIn(action="confirm", version=ext.version, note=note), principal)
        out = BulkReviewOut(items=[get_extraction_public(session, e.id or 0) for e in targets])  # type: ignore[misc]
        session.commit()  # answer read before: see routes/extractions.py
    except ReviewError as exc:
        session.rollback()
        raise HTTPException(exc.status_code, f"{exc.detail} (nothing was confirmed)") from exc
    return out


@router.get("/orphans", response_model=ExtractionsPublic,
            summary="Facts a re-extraction no longer found (kept with their review status until reviewed)")
def get_orphans(_: ReviewerDep, session: SessionDep, report_id: Id | None = None) -> ExtractionsPublic:
    where = [col(Extraction.orphaned).is_(True)]
    if report_id is not None:
        where.append(col(Extraction.report_id) == report_id)
    return ExtractionsPublic(items=_rows(session, *where), next_cursor=None)


@router.put("/reports/{report_id}/series", response_model=ReportPublic, responses=NOT_FOUND,
            summary="Set a report's series explicitly (reports of one series are editions of each other)")
def put_series(report_id: Id, body: SeriesIn, principal: ReportReaderDep, session: WriteSessionDep) -> ReportPublic:
    report = _report(session, report_id)
    set_series(session, report, body.series, principal)
    out = one_report_public(session, report)
    session.commit()  # answer read before: see routes/extractions.py
    return out
