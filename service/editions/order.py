"""Reports grouped into their series and ordered as editions (status date, then id)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.editions.linking import edition_sort_key
from service.storage.models import Report


def editions_by_series(engine: Engine, report_ids: list[int]) -> dict[str, list[Report]]:
    """The done reports among `report_ids`, per series, oldest status date first."""
    with Session(engine) as session:
        reports = session.exec(select(Report).where(col(Report.id).in_(report_ids), col(Report.status) == "done")).all()
        grouped: dict[str, list[Report]] = {}
        for report in sorted(reports, key=edition_sort_key):
            grouped.setdefault(report.series or f"report-{report.id}", []).append(report)
        return grouped
