"""Who has which fact open: each review tab says, every few seconds, which report and
fact it shows, and hears which facts other tabs show in the same report.

Rows live in the database (not in the process), so tabs served by different
`relato serve` processes of one PostgreSQL database see each other. A tab that stops
reporting (closed, asleep) drops out after `WINDOW`; rows idle for `FORGET` are
deleted by the next report of any tab. A reviewer's own other tabs are named as such
(`yours`), never as "someone else".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from service.storage.models import ReviewPresence
from service.storage.db import db_now
from service.storage.timeutil import as_utc
from service.storage.tokens import Principal

WINDOW = timedelta(seconds=20)
FORGET = timedelta(hours=1)


@dataclass(frozen=True)
class Viewer:
    extraction_id: int
    reviewer: str
    yours: bool


def report_view(session: Session, principal: Principal, tab: str, report_id: int | None,
                extraction_id: int | None) -> list[Viewer]:
    """Record what `tab` shows (inside the caller's write transaction) and return the
    facts of the same report that other live tabs show. Times are the database's (as
    leases'): a web process with a skewed clock would hide or resurrect other tabs."""
    now = db_now(session)
    row = session.exec(select(ReviewPresence).where(
        col(ReviewPresence.token_id) == principal.token_id, col(ReviewPresence.tab) == tab)).first()
    if row is None:
        row = ReviewPresence(token_id=principal.token_id, tab=tab, reviewer=principal.name)
    row.report_id, row.extraction_id, row.seen_at = report_id, extraction_id, now
    session.add(row)
    session.exec(delete(ReviewPresence).where(col(ReviewPresence.seen_at) < now - FORGET))  # type: ignore[call-overload]
    session.flush()
    if report_id is None:
        return []
    others = session.exec(select(ReviewPresence).where(
        col(ReviewPresence.report_id) == report_id, col(ReviewPresence.extraction_id).is_not(None),
        col(ReviewPresence.id) != row.id, col(ReviewPresence.seen_at) >= now - WINDOW,
    ).order_by(col(ReviewPresence.extraction_id), col(ReviewPresence.seen_at).desc())).all()
    return [Viewer(o.extraction_id or 0, o.reviewer, o.token_id == principal.token_id) for o in others
            if (as_utc(o.seen_at) or now) >= now - WINDOW]
