"""Editions of a report: diff against another edition, review assist (unchanged /
moved backwards), bulk-confirm the unchanged, a re-issue's previous decisions applied at
once, orphans of re-extraction, series."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session, col, select

from service.api.deps import API_ERRORS, report_or_404, ReportReaderDep, ReviewerDep, SessionDep, WriteSessionDep
from service.api.queries import extraction_public, get_extraction_public, one_report_public, with_assist
from service.editions.carryover import previous_decisions, same_review
from service.editions.linkedit import set_series
from service.editions.schemas import ApplyPreviousIn, ConfirmUnchangedIn, ReportDiff, SeriesIn
from service.editions.series import assist_for, previous_edition
from service.editions.views import report_diff
from service.review.actions import ReviewError, apply_review
from service.storage.inputs import Id
from service.quality.refit import refitted_on
from service.storage.models import Area, ConfidenceRefit, Extraction, Initiative, Report
from service.storage.schemas import BulkReviewOut, ErrorOut, ExtractionPublic, ExtractionsPublic, ReportPublic, ReviewIn
from service.storage.tokens import Principal

router = APIRouter(prefix="/api/v1", tags=["editions"], responses=API_ERRORS)
NOT_FOUND = {404: {"model": ErrorOut}}
FLAGS = {"unchanged": "unchanged_since", "moved_backwards": "moved_backwards", "previous_decision": "previous_decision"}


def _done(session: Session, report_id: int) -> Report:
    report = report_or_404(session, report_id)
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
    flag: Annotated[Literal["unchanged", "moved_backwards", "previous_decision"], Query(
        description="`previous_decision`: a re-issue's facts decided in the edition it repeats")] = "unchanged",
    status_: Annotated[Literal["pending", "confirmed", "corrected", "rejected"] | None, Query(alias="status")] = None,
) -> ExtractionsPublic:
    report_or_404(session, report_id)
    where = [col(Extraction.report_id) == report_id, col(Extraction.orphaned).is_(False)]
    if status_:
        where.append(col(Extraction.status) == status_)
    items = [i for i in _rows(session, *where) if i.assist and getattr(i.assist, FLAGS[flag])]
    return ExtractionsPublic(items=items, next_cursor=None)


@router.post("/reports/{report_id}/confirm-unchanged", response_model=BulkReviewOut, responses=NOT_FOUND,
             summary="Confirm, all at once, the pending facts unchanged since a confirmed earlier edition")
def confirm_unchanged(report_id: Id, body: ConfirmUnchangedIn, principal: ReviewerDep,
                      session: WriteSessionDep) -> BulkReviewOut:
    _done(session, report_id)
    flags = assist_for(session, [report_id])
    ids = [i for i, f in flags.items() if f.unchanged_since]
    return _review_pending(session, report_id, ids, body.ids, "unchanged since a confirmed edition", "confirmed",
                           lambda ext: ReviewIn(action="confirm", version=ext.version, note=body.note or (
                               f"sem mudança desde {flags[ext.id or 0].unchanged_since}")), principal)


def _review_pending(session: Session, report_id: int, eligible: Iterable[int], asked: list[int] | None, why: str,
                    verb: str, review_of: Callable[[Extraction], ReviewIn], principal: Principal) -> BulkReviewOut:
    """The report's pending facts among `eligible` (only those `asked`, if given) each get
    `review_of(fact)`, all or nothing: a fact asked for that is not eligible (422) or changed
    meanwhile (409) and nothing is `verb`."""
    wanted = set(eligible)
    pending = session.exec(select(Extraction).where(
        col(Extraction.report_id) == report_id, col(Extraction.status) == "pending", col(Extraction.orphaned).is_(False)
    ).order_by(col(Extraction.id))).all()
    targets = [e for e in pending if e.id in wanted and (asked is None or e.id in asked)]
    if asked is not None and (missing := set(asked) - {e.id for e in targets}):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"extractions {sorted(missing)} are not pending "
                            f"facts of report {report_id} {why}; nothing was {verb}")
    try:
        for ext in targets:
            apply_review(session, ext.id or 0, review_of(ext), principal)
        out = BulkReviewOut(items=[get_extraction_public(session, e.id or 0) for e in targets])  # type: ignore[misc]
        session.commit()  # answer read before: see routes/extractions.py
    except ReviewError as exc:
        session.rollback()
        raise HTTPException(exc.status_code, f"{exc.detail} (nothing was {verb})") from exc
    return out


@router.post("/reports/{report_id}/apply-previous-decisions", response_model=BulkReviewOut,
             responses={**NOT_FOUND, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
             summary="A re-issue: take, all at once, the decisions made on the same facts of the edition it repeats")
def apply_previous_decisions(report_id: Id, body: ApplyPreviousIn, principal: ReviewerDep,
                             session: WriteSessionDep) -> BulkReviewOut:
    """Each pending fact of the re-issue whose twin in the edition was confirmed, corrected or
    rejected gets the same decision (a correction with the same value, unit and qualifier), with
    the note "igual à decisão em relatório N". All or nothing: one fact changed meanwhile (409)
    and nothing is applied."""
    _done(session, report_id)
    decided = previous_decisions(session, [report_id])
    return _review_pending(session, report_id, decided, body.ids, "decided in the edition it re-issues", "applied",
                           lambda ext: same_review(decided[ext.id or 0], ext.version, body.note), principal)


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
    report = report_or_404(session, report_id)
    set_series(session, report, body.series, principal)
    out = one_report_public(session, report)
    session.commit()  # answer read before: see routes/extractions.py
    return out
