"""Re-issues: a report of a series whose status date an earlier upload already has.

Two PDFs with the same title and the same status date are not two editions: the
second is the same edition sent again (a re-export, a copy with a typo fixed). Put
on the time axis, it would draw two points on one date and make every fact
"unchanged since" its own edition. So the first upload of a status date is the
edition; later ones are re-issues of it: kept and reviewable like any report, but
out of the series' editions (chart, assist, diff of the next edition). Their
initiatives carry the keys of the edition's matching initiatives, so each fact
still links to its initiative's page, and their diff "against previous" is
against the edition they repeat. A reviewer who disagrees moves the report to a
series of its own (PUT /reports/{id}/series).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from service.storage.models import Report


def split_editions(reports: Iterable[Report]) -> tuple[list[Report], dict[int, Report]]:
    """`reports` of one series -> (editions by status date, re-issue id -> its edition).
    A report without a status date is always an edition of its own."""
    first: dict[str, Report] = {}
    editions: list[Report] = []
    reissues: dict[int, Report] = {}
    for report in sorted(reports, key=lambda r: r.id or 0):
        date = report.status_date
        if date is not None and date in first:
            reissues[report.id or 0] = first[date]
            continue
        if date is not None:
            first[date] = report
        editions.append(report)
    return editions, reissues


def reissues_of(session: Session, report_ids: Iterable[int]) -> dict[int, Report]:
    """For each of `report_ids` that is a re-issue: the edition it repeats."""
    wanted = set(report_ids)
    if not wanted:
        return {}
    series = {s for s in session.exec(select(Report.series).where(col(Report.id).in_(wanted))) if s}
    if not series:
        return {}
    done = session.exec(select(Report).where(col(Report.series).in_(series), col(Report.status) == "done")).all()
    by_series: dict[str, list[Report]] = {}
    for report in done:
        by_series.setdefault(report.series or "", []).append(report)
    out: dict[int, Report] = {}
    for reports in by_series.values():
        out.update({rid: edition for rid, edition in split_editions(reports)[1].items() if rid in wanted})
    return out
