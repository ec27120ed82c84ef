"""Queue a failed report again (`relato retry REPORT_ID`, `POST /api/v1/reports/{id}/retry`).

A report fails for good after RELATO_MAX_ATTEMPTS workers died on it, or when its PDF
was missing or damaged; the cause may be gone (more memory, a repaired PDF, a fixed
bug), and before this an operator could not try again: `reextract` takes only done
reports, and uploading the same bytes returned the failed report (issue 23).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.storage.db import write_engine
from service.storage.models import Report
from service.storage.timeutil import utcnow


def locked_report(session: Session, report_id: int) -> Report:
    """Report `report_id`, its row locked until the transaction ends (an operator's
    action on it decides from its status); LookupError when there is none."""
    report = session.exec(select(Report).where(col(Report.id) == report_id).with_for_update()).first()
    if report is None:
        raise LookupError(f"report {report_id} does not exist")
    return report


class NotRetryable(ValueError):
    """The report is not failed (queued, processing or done): nothing to retry."""


def retry_report(engine: Engine, report_id: int) -> Report:
    """Set failed report `report_id` back to `queued` with no attempts and no error; raises
    LookupError (no such report) or NotRetryable (it is not failed)."""
    with Session(write_engine(engine)) as session:
        report = locked_report(session, report_id)
        if report.status != "failed":
            raise NotRetryable(f"report {report_id} is {report.status}; only failed reports are retried "
                               "(`relato reextract` extracts a done report again)")
        report.status, report.error, report.attempts = "queued", None, 0
        report.worker_id = report.lease_until = report.started_at = report.finished_at = None
        report.updated_at = utcnow()
        session.commit()
        session.refresh(report)
        return report
