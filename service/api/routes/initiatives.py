"""Initiatives across editions: keys, titles over time, series of facts, merge and split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session

from service.api.deps import API_ERRORS, RecordsReaderDep, ReviewerDep, SessionDep, WriteSessionDep
from service.editions.linkedit import LinkError, merge, merge_candidates, split
from service.editions.schemas import InitiativeSeries, InitiativesList, InitiativeSummary, MergeIn, SplitIn
from service.editions.views import initiative_series, initiative_summary, list_initiatives, series_of_key
from service.storage.inputs import Text
from service.storage.tokens import Principal
from service.storage.schemas import ErrorOut

router = APIRouter(prefix="/api/v1/initiatives", tags=["initiatives over time"], responses=API_ERRORS)
NOT_FOUND = {404: {"model": ErrorOut, "description": "no initiative has this key"}}
LINK_ERRORS = {**NOT_FOUND, 409: {"model": ErrorOut, "description": "the change would break an edition"},
               422: {"model": ErrorOut}}


def _consumer(principal: Principal) -> bool:
    """Consumers read confirmed records only (API.md): an initiative shows to them only in
    the editions where it has a confirmed or corrected fact."""
    return principal.role == "consumer"


@router.get("", response_model=InitiativesList, summary="Initiatives with stable keys, their titles over time")
def get_initiatives(
    principal: RecordsReaderDep, session: SessionDep,
    series: Annotated[Text | None, Query(description="only this report series")] = None,
) -> InitiativesList:
    return InitiativesList(items=list_initiatives(session, series, published_only=_consumer(principal)))


@router.get("/{key}", response_model=InitiativeSummary, responses=NOT_FOUND, summary="One initiative over time")
def get_initiative(key: Text, principal: RecordsReaderDep, session: SessionDep) -> InitiativeSummary:
    found = initiative_summary(session, key, published_only=_consumer(principal))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no initiative has the key {key!r}")
    return found


@router.get("/{key}/merge-candidates", response_model=InitiativesList, responses=NOT_FOUND,
            summary="The initiatives of its series that POST /{key}/merge would accept (none shares an edition)")
def get_merge_candidates(key: Text, _: ReviewerDep, session: SessionDep) -> InitiativesList:
    try:
        keys = set(merge_candidates(session, key))
    except LinkError as exc:
        raise HTTPException(exc.status_code, exc.detail) from exc
    series = series_of_key(session, key)
    return InitiativesList(items=[i for i in list_initiatives(session, series) if i.key in keys])


@router.get("/{key}/series", response_model=InitiativeSeries, responses=NOT_FOUND,
            summary="Per edition its confirmed facts; counts grouped by unit over time")
def get_series(
    key: Text, principal: RecordsReaderDep, session: SessionDep,
    facts: Annotated[Literal["confirmed", "all"], Query(
        description="`confirmed` (confirmed and corrected) or `all` live facts (reviewers only)")] = "confirmed",
) -> InitiativeSeries:
    if facts == "all" and principal.role == "consumer":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a consumer token reads confirmed facts only; drop facts=all")
    found = initiative_series(session, key, published_only=facts == "confirmed",
                              published_editions_only=_consumer(principal))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no initiative has the key {key!r}")
    return found


def _commit_link_change(session: Session, change: Callable[[], str]) -> InitiativeSummary:
    """Apply a merge/split, read the answer for the key it returns, then commit.

    The answer is read inside the write transaction: read after the commit, it would
    open a second one (BEGIN IMMEDIATE on SQLite) held until the session closes (see
    routes/extractions.py). A LinkError rolls everything back and becomes its HTTP error.
    """
    try:
        out = initiative_summary(session, change())
        session.commit()
    except LinkError as exc:
        session.rollback()
        raise HTTPException(exc.status_code, exc.detail) from exc
    return out  # type: ignore[return-value]


@router.post("/{key}/merge", response_model=InitiativeSummary, responses=LINK_ERRORS,
             summary="The other key is the same initiative: join it to this one (kept for later editions)")
def post_merge(key: Text, body: MergeIn, principal: ReviewerDep, session: WriteSessionDep) -> InitiativeSummary:
    def change() -> str:
        merge(session, key, body.other_key, principal, body.note)
        return key

    return _commit_link_change(session, change)


@router.post("/{key}/split", response_model=InitiativeSummary, responses=LINK_ERRORS,
             summary="One initiative of this key is a different one: give it its own key (kept for later editions)")
def post_split(key: Text, body: SplitIn, principal: ReviewerDep, session: WriteSessionDep) -> InitiativeSummary:
    """Returns the new key's initiative; later editions that match it follow the new key."""
    return _commit_link_change(
        session, lambda: split(session, key, body.initiative_id, principal, body.note))
