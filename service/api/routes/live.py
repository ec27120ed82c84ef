"""The live queue: what changed in a report since the page last looked, and which facts
other review tabs have open. The review page polls both (every few seconds), so other
reviewers' decisions appear without a reload and a fact open elsewhere is marked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from service.api.deps import API_ERRORS, report_or_404, ReviewerDep, SessionDep, WriteSessionDep
from service.api.queries import extraction_public, with_assist
from service.review.presence import WINDOW, report_view
from service.storage.inputs import Cursor, Id, InputModel, cursor_value
from service.quality.refit import refitted_on
from service.storage.models import Area, ConfidenceRefit, Extraction, Initiative, Report
from service.storage.schemas import ErrorOut, ExtractionPublic
from service.storage.sequence import safe_end

router = APIRouter(prefix="/api/v1", tags=["live queue"], responses=API_ERRORS)
NOT_FOUND = {404: {"model": ErrorOut, "description": "no such report"}}
CHANGES_LIMIT = 500


class ChangesPublic(BaseModel):
    items: list[ExtractionPublic] = Field(description="facts of the report reviewed after `since`, in change order")
    next_cursor: str = Field(description="pass as `since` next time; without `since`, the current position")


@router.get("/reports/{report_id}/changes", response_model=ChangesPublic, responses=NOT_FOUND,
            summary="Facts of a report reviewed since a cursor (any decision, pending ones included)")
def get_changes(
    report_id: Id, _: ReviewerDep, session: SessionDep,
    since: Annotated[Cursor | None, Query(description=(
        "next_cursor of the previous call; omit it to get the current position (and no items): "
        "ask before loading the report's facts, so nothing between the two is missed"))] = None,
) -> ChangesPublic:
    report_or_404(session, report_id)
    # Writers take their change numbers concurrently (service/storage/sequence.py): only
    # numbers up to the safe end are final, so the cursor never passes a change that a
    # slower transaction has yet to commit.
    end = safe_end(session.connection())
    session.commit()  # no-op in autocommit; otherwise ends the transaction holding the feed lock
    if since is None:
        return ChangesPublic(items=[], next_cursor=str(end))
    after = cursor_value(since)
    rows = session.exec(
        select(Extraction, Initiative, Area, ConfidenceRefit.refitted)
        .join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
        .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
        .join(ConfidenceRefit, refitted_on(), isouter=True)
        .where(col(Extraction.report_id) == report_id, col(Extraction.change_seq) > after,
               col(Extraction.change_seq) <= end)
        .order_by(col(Extraction.change_seq)).limit(CHANGES_LIMIT)
    ).all()
    if len(rows) == CHANGES_LIMIT:
        cursor = rows[-1][0].change_seq or after
    else:  # everything up to the safe end is in: jump there (other reports' changes too)
        cursor = max(after, end)
    return ChangesPublic(items=with_assist(session, [extraction_public(*row) for row in rows]),
                         next_cursor=str(cursor))


TabId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class PresenceIn(InputModel):
    tab: TabId = Field(description="a random id the tab made for itself (8–64 letters, digits, _ or -)")
    report_id: Id | None = Field(None, description="the report the tab shows")
    extraction_id: Id | None = Field(None, description="the fact the tab shows; null for none")


class ViewerPublic(BaseModel):
    extraction_id: int
    reviewer: str = Field(description="token name of the tab's reviewer")
    yours: bool = Field(description="a tab of the caller's own token (another tab or window of yours)")


class PresencePublic(BaseModel):
    viewers: list[ViewerPublic] = Field(description="facts of the same report open in other live tabs")
    window_s: int = Field(description="a tab that has not reported for this long counts as closed")
    you: str | None = Field(None, description="the caller's token name: what `reviewed_by` says of your own changes")


@router.put("/presence", response_model=PresencePublic, responses={422: {"model": ErrorOut}},
            summary="Say which fact this tab shows; hear which facts other tabs show in the same report")
def put_presence(body: PresenceIn, principal: ReviewerDep, session: WriteSessionDep) -> PresencePublic:
    if body.report_id is not None and session.get(Report, body.report_id) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"report {body.report_id} does not exist")
    if body.extraction_id is not None:
        ext = session.get(Extraction, body.extraction_id)
        if ext is None or ext.report_id != body.report_id:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                f"extraction {body.extraction_id} is not a fact of report {body.report_id}")
    try:
        viewers = report_view(session, principal, body.tab, body.report_id, body.extraction_id)
    except IntegrityError:  # the tab's first two reports raced (PostgreSQL): the row exists now
        session.rollback()
        viewers = report_view(session, principal, body.tab, body.report_id, body.extraction_id)
    out = PresencePublic(viewers=[ViewerPublic(**vars(v)) for v in viewers], window_s=int(WINDOW.total_seconds()),
                         you=principal.name)
    session.commit()
    return out
