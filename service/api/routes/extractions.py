"""Extractions: list and read facts, review them (one or many), read their history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from sqlmodel import col, select

from extractor.model import FactKind
from service.api.deps import API_ERRORS, BEARER_OPENAPI, CallerDep, ReviewerDep, SessionDep
from service.api.queries import TOKEN_AND_FACT, TOKEN_FIELDS, list_extractions, public_from_row
from service.api.reviews import review_facts
from service.quality.refit import refresh
from service.review.actions import ReviewError
from service.storage.inputs import Count, Cursor, Id, cursor_value
from service.storage.models import Extraction, ReviewEvent, ReviewStatus
from service.storage.schemas import (
    BulkReviewIn,
    BulkReviewOut,
    ErrorOut,
    ExtractionPublic,
    ExtractionsPublic,
    HistoryPublic,
    ReviewEventPublic,
    ReviewIn,
)
from service.storage.timeutil import as_utc
from service.storage.tokens import principal_of

def as_json(model: BaseModel) -> Response:
    """The answer serialised here, on the route's thread: a model returned to FastAPI would be
    validated and serialised again on one more thread-pool hop."""
    return Response(model.model_dump_json(), media_type="application/json")


# The hot routes (one fact, a list, a review) are `async` and run the token check and their
# work in ONE thread-pool hop (service/api/deps.py Caller): a sync route with a sync role
# dependency costs two hops and two connection checkouts, and, like the reference app of
# bench/api.py, most of a request's CPU is fixed costs of this kind (issue 11).


router = APIRouter(prefix="/api/v1/extractions", tags=["extractions"], responses=API_ERRORS)
REVIEW_ERRORS = {
    404: {"model": ErrorOut, "description": "no such extraction"},
    409: {"model": ErrorOut, "description": "stale version: someone else reviewed it first; nothing changed"},
    422: {"model": ErrorOut, "description": "the corrected value does not fit the fact's kind, "
                                            "or `reopen` of a fact that is already pending"},
}


@router.get("", response_model=ExtractionsPublic, summary="Facts, filtered, in id or queue order, paginated by cursor",
            openapi_extra=BEARER_OPENAPI)
async def get_extractions(
    caller: CallerDep,
    session: SessionDep,
    report_id: Id | None = None,
    status_: Annotated[ReviewStatus | None, Query(alias="status")] = None,
    kind: FactKind | None = None,
    limit: Annotated[Count, Query(le=1000)] = 100,
    cursor: Annotated[Cursor | None, Query(
        description="next_cursor of the previous page; omit to start over")] = None,
    order: Annotated[Literal["id", "queue"], Query(description=(
        "`id` (default); `queue`: the review queue's order, lowest `refitted_confidence` first (the "
        "extraction's `confidence` where the extractor has no refit yet), then `confidence`, then id. "
        "With `queue` the cursor counts the facts already returned, so a fact whose status changes "
        "between pages of a status-filtered list may be skipped or repeated"))] = "id",
) -> Response:

    def answer() -> Response:
        caller.require(session, "reviewer")
        if caller.request.app.state.refit_clock.due():  # decisions since the last fit: refit first
            refresh(caller.request.app.state.engine)
            session.rollback()  # a read begun before the refit (SQLite) would not see it
        items, last = list_extractions(
            session, report_id=report_id, status=status_, kind=kind, after_id=cursor_value(cursor), limit=limit,
            order=order,
        )
        return as_json(ExtractionsPublic(items=items, next_cursor=str(last) if last is not None else None))

    return await run_in_threadpool(answer)


@router.post("/review", response_model=BulkReviewOut, responses=REVIEW_ERRORS,
             summary="Review many facts at once, all or nothing", openapi_extra=BEARER_OPENAPI)
async def review_many(body: BulkReviewIn, caller: CallerDep) -> Response:
    """Every item is applied in one transaction; if any is refused (404, 409, 422), none is."""

    def answer() -> Response:
        items = [(item.id, ReviewIn(**item.model_dump(exclude={"id"}))) for item in body.items]
        try:
            return as_json(BulkReviewOut(items=review_facts(caller, items)))
        except ReviewError as exc:
            raise HTTPException(exc.status_code, f"{exc.detail} (no item of this bulk review was applied)") from exc

    return await run_in_threadpool(answer)


@router.get("/{extraction_id}", response_model=ExtractionPublic, responses={404: {"model": ErrorOut}},
            summary="One fact with its current version", openapi_extra=BEARER_OPENAPI)
async def get_extraction(extraction_id: Id, caller: CallerDep) -> Response:

    def answer() -> Response:
        with caller.read_engine.connect() as conn:  # token and fact in one statement
            row = TOKEN_AND_FACT.first(conn, {"digest": caller.digest, "extraction_id": extraction_id})
        caller.admit(principal_of(row, caller.digest), "reviewer")
        if row is None or row[TOKEN_FIELDS] is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"extraction {extraction_id} does not exist")
        return as_json(public_from_row(row[TOKEN_FIELDS:]))

    return await run_in_threadpool(answer)


@router.post("/{extraction_id}/review", response_model=ExtractionPublic, responses=REVIEW_ERRORS,
             summary="Confirm, correct, reject or reopen one fact", openapi_extra=BEARER_OPENAPI)
async def review_one(extraction_id: Id, body: ReviewIn, caller: CallerDep) -> Response:
    """`version` must be the one you saw: if someone reviewed the fact since, this is 409 and nothing changes."""

    def answer() -> Response:
        try:  # one read (with the token), one write statement on PostgreSQL (service/api/reviews.py)
            return as_json(review_facts(caller, [(extraction_id, body)])[0])
        except ReviewError as exc:
            raise HTTPException(exc.status_code, exc.detail) from exc

    return await run_in_threadpool(answer)


@router.get("/{extraction_id}/history", response_model=HistoryPublic, responses={404: {"model": ErrorOut}},
            summary="Every review change of a fact: who, when, action, before and after")
def get_history(extraction_id: Id, _: ReviewerDep, session: SessionDep) -> HistoryPublic:
    if session.get(Extraction, extraction_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"extraction {extraction_id} does not exist")
    events = session.exec(
        select(ReviewEvent).where(col(ReviewEvent.extraction_id) == extraction_id).order_by(col(ReviewEvent.id))
    ).all()
    items = [
        ReviewEventPublic(
            id=e.id, extraction_id=e.extraction_id, actor=e.actor, at=as_utc(e.at), action=e.action,  # type: ignore[arg-type]
            before=e.before, after=e.after, note=e.note, change_seq=e.change_seq,
        )
        for e in events
    ]
    return HistoryPublic(extraction_id=extraction_id, items=items)
