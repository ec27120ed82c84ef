"""Quality from reviews: precision, misses, recall, reliability, refitted confidence and
drift, computed from the stored decisions on each call (service/quality/)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session

from service.api.deps import API_ERRORS, ReportReaderDep
from service.quality.refit import refresh
from service.quality.report import quality_report
from service.quality.schemas import QualityPublic

router = APIRouter(prefix="/api/v1/quality", tags=["quality"], responses=API_ERRORS)


@router.get("", response_model=QualityPublic,
            summary="How good extraction is here, measured from reviewers' decisions (operator, reviewer, admin)")
def get_quality(_: ReportReaderDep, request: Request) -> QualityPublic:
    """Confirm counts as right; correct or reject as wrong; a fact added by hand (extractor
    `reviewer`) as a miss. Precision = confirmed / decided with 95 % Wilson intervals per
    extractor, kind, series and report; misses per kind and report; recall on pages marked
    "revisado por completo"; confidence bins against observed precision; each extractor's
    refitted confidence (once it has 50 decided facts); drift flags per report. The refit is
    brought up to date first when any decision arrived since it last ran."""
    refresh(request.app.state.engine)
    with Session(request.app.state.read_engine) as session:  # begun after the refit: it sees it
        return quality_report(session)
