"""What reviewers add to an extraction: a missed fact, a fact moved to another initiative,
pages marked "revisado por completo" (service/review/additions.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, HTTPException, status
from sqlmodel import Session

from service.api.deps import API_ERRORS, ReviewerDep, SessionDep, WriteSessionDep
from service.api.queries import get_extraction_public
from service.review.additions import ExtractionCreate, Refused, add_fact, completeness, mark_pages, move_fact
from service.storage.inputs import Id
from service.storage.schemas import CompletenessPublic, ErrorOut, ExtractionPublic, MoveIn, PagesCompleteIn

router = APIRouter(prefix="/api/v1", tags=["additions"], responses=API_ERRORS)
ERRORS = {
    404: {"model": ErrorOut, "description": "no such report or extraction"},
    409: {"model": ErrorOut, "description": "the report is not extracted yet, or a stale `version`"},
}


@contextmanager
def _answered(session: Session | None = None) -> Iterator[None]:
    """A refusal as its HTTP status, with nothing written."""
    try:
        yield
    except Refused as exc:
        if session is not None:
            session.rollback()
        raise HTTPException(exc.status_code, exc.detail) from exc


def _stored(session: WriteSessionDep, extraction_id: int) -> ExtractionPublic:
    out = get_extraction_public(session, extraction_id)
    assert out is not None  # just written in this transaction
    session.commit()  # answer read before: see routes/extractions.py
    return out


@router.post("/extractions", response_model=ExtractionPublic, status_code=status.HTTP_201_CREATED,
             responses=ERRORS, summary="Add a fact the extraction missed (stored confirmed, extractor `reviewer`)")
def create_extraction(body: ExtractionCreate, principal: ReviewerDep, session: WriteSessionDep) -> ExtractionPublic:
    """The value is validated for its kind like a correction's (422 naming the field). The fact has
    a `create` event from version 1 (pending) to 2 (confirmed): `revert` to 1 withdraws it."""
    with _answered(session):
        return _stored(session, add_fact(session, body, principal))


@router.put("/extractions/{extraction_id}/initiative", response_model=ExtractionPublic, responses=ERRORS,
            summary="Move a fact to another initiative of its report (kept there by re-extraction)")
def move_extraction(extraction_id: Id, body: MoveIn, principal: ReviewerDep,
                    session: WriteSessionDep) -> ExtractionPublic:
    with _answered(session):
        move_fact(session, extraction_id, body, principal)
        return _stored(session, extraction_id)


@router.put("/reports/{report_id}/complete", response_model=CompletenessPublic, responses=ERRORS,
            summary="Mark pages (or the whole report) \"revisado por completo\": nothing is missing on them")
def put_complete(report_id: Id, body: PagesCompleteIn, principal: ReviewerDep,
                 session: WriteSessionDep) -> CompletenessPublic:
    with _answered(session):
        mark_pages(session, report_id, body, principal)
        session.flush()
        out = completeness(session, report_id)
        session.commit()
        return out


@router.get("/reports/{report_id}/complete", response_model=CompletenessPublic, responses=ERRORS,
            summary="Pages marked \"revisado por completo\" and their share of the report")
def get_complete(report_id: Id, _: ReviewerDep, session: SessionDep) -> CompletenessPublic:
    with _answered():
        return completeness(session, report_id)
