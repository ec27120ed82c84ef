"""Reviewers' corrections of initiative links: merge two keys, split one initiative off,
move a report to another series. Each pins the initiatives involved (so relinking
never undoes it), relinks the series (so later editions follow the new chains)
and writes a LinkDecision row (who, when, what)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from service.editions.linking import fresh_key, lock_linking, relink_series
from service.editions.reissues import reissues_of
from service.storage.models import Initiative, LinkDecision, Report
from service.storage.timeutil import utcnow
from service.storage.tokens import Principal


class LinkError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code, self.detail = status_code, detail


def _members(session: Session, key: str) -> list[tuple[Initiative, Report]]:
    rows = session.exec(
        select(Initiative, Report).join(Report, col(Report.id) == col(Initiative.report_id))
        .where(col(Initiative.key) == key)
    ).all()
    if not rows:
        raise LinkError(404, f"no initiative has the key {key!r}; GET /api/v1/initiatives lists the keys")
    return list(rows)


def _pin(session: Session, rows: list[tuple[Initiative, Report]], key: str) -> None:
    for initiative, _ in rows:
        initiative.key, initiative.key_pinned = key, True
        session.add(initiative)


def merge_refusal(key: str, other: str, mine: Iterable[tuple[Initiative, Report]],
                  theirs: Iterable[tuple[Initiative, Report]]) -> LinkError | None:
    """Why `other` cannot be merged into `key` (None: it can). The merge endpoint and the list of
    merge candidates both ask this, so the page never offers a merge the service refuses."""
    if key == other:
        return LinkError(422, "an initiative cannot be merged with itself")
    mine, theirs = list(mine), list(theirs)
    if len({r.series for _, r in mine + theirs}) != 1:
        return LinkError(409, f"{key!r} and {other!r} belong to different report series; set the reports' "
                         "series first (PUT /api/v1/reports/{id}/series)")
    both = {r.id for _, r in mine} & {r.id for _, r in theirs}
    if both:
        return LinkError(409, f"{key!r} and {other!r} both appear in report(s) {sorted(both)}: one edition "
                         "cannot hold the same initiative twice")
    return None


def merge_candidates(session: Session, key: str) -> list[str]:
    """The keys of `key`'s series that `merge_refusal` lets merge into it."""
    mine = _members(session, key)
    rows = session.exec(
        select(Initiative, Report).join(Report, col(Report.id) == col(Initiative.report_id))
        .where(col(Report.series) == mine[0][1].series, col(Initiative.key).is_not(None))
    ).all()
    others: dict[str, list[tuple[Initiative, Report]]] = {}
    for initiative, report in rows:
        others.setdefault(initiative.key or "", []).append((initiative, report))
    return [k for k, theirs in others.items() if merge_refusal(key, k, mine, theirs) is None]


def merge(session: Session, key: str, other: str, principal: Principal, note: str | None) -> None:
    """Every initiative of `other` becomes `key`; refused if both appear in one edition. One
    decision row per initiative merged in: `key` keeps the title of its own initiatives
    (service/editions/views.py), not that of one merged into it."""
    lock_linking(session)
    if key == other:
        raise LinkError(422, "an initiative cannot be merged with itself")
    mine, theirs = _members(session, key), _members(session, other)
    if (refused := merge_refusal(key, other, mine, theirs)) is not None:
        raise refused
    _pin(session, mine + theirs, key)
    for initiative, report in theirs:
        session.add(LinkDecision(series=report.series, action="merge", initiative_id=initiative.id, from_key=other,
                                 to_key=key, actor=principal.name, at=utcnow(), note=note))
    session.flush()
    relink_series(session, mine[0][1].series or "")


def merged_in(session: Session, series: str) -> dict[str, set[int]]:
    """Key -> the initiatives merged into it from another key (by a reviewer, in `series`)."""
    out: dict[str, set[int]] = {}
    for key, initiative_id in session.exec(select(LinkDecision.to_key, LinkDecision.initiative_id).where(
            col(LinkDecision.series) == series, col(LinkDecision.action) == "merge",
            col(LinkDecision.initiative_id).is_not(None))):
        out.setdefault(key or "", set()).add(initiative_id)  # type: ignore[arg-type]
    return out


def split(session: Session, key: str, initiative_id: int, principal: Principal, note: str | None) -> str:
    """Give one initiative a key of its own; returns the new key. Later editions that match
    it follow it; the rest of `key` is pinned so it is not re-joined."""
    lock_linking(session)
    rows = _members(session, key)
    target = next(((i, r) for i, r in rows if i.id == initiative_id), None)
    if target is None:
        raise LinkError(404, f"initiative {initiative_id} does not have the key {key!r}")
    if len(rows) == 1:
        raise LinkError(409, f"{key!r} has a single initiative; there is nothing to split it from")
    if (edition := reissues_of(session, [target[1].id or 0]).get(target[1].id or 0)) is not None:
        raise LinkError(409, f"initiative {initiative_id} is in report {target[1].id}, a re-issue of report "
                        f"{edition.id} (same series and status date): it follows that edition's keys; move the "
                        "report to a series of its own first (PUT /api/v1/reports/{id}/series)")
    taken = {k for k in session.exec(select(Initiative.key).where(col(Initiative.key).is_not(None)).distinct()) if k}
    new_key = fresh_key(target[0].title, taken)
    _pin(session, [row for row in rows if row is not target], key)
    _pin(session, [target], new_key)
    session.add(LinkDecision(series=target[1].series, action="split", initiative_id=initiative_id,
                             from_key=key, to_key=new_key, actor=principal.name, at=utcnow(), note=note))
    session.flush()
    relink_series(session, target[1].series or "")
    return new_key


def set_series(session: Session, report: Report, series: str, principal: Principal) -> None:
    """Move a report to another series (explicit series), relinking both."""
    lock_linking(session)
    old = report.series
    report.series = series
    session.add(report)
    for initiative in session.exec(select(Initiative).where(col(Initiative.report_id) == report.id)):
        # its keys name chains of the old series (a re-issue's are the edition's own): left
        # on, relinking the old series would see them "taken" elsewhere and rename the chains
        # that stay; cleared, the report takes keys in its new series by title like any edition
        initiative.key, initiative.key_pinned = None, False
        session.add(initiative)
    # the series names go in the note: from_key/to_key hold initiative keys (120 characters),
    # a series name may be 500 (PostgreSQL refused a longer one with a 500, issue 12)
    session.add(LinkDecision(series=series, action="series", actor=principal.name, at=utcnow(),
                             note=f"report {report.id}: series {old!r} -> {series!r}"))
    session.flush()
    for name in {old, series} - {None}:
        relink_series(session, name)  # type: ignore[arg-type]
