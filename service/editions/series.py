"""Editions of a series read together: review assist flags, the diff of two
editions and one initiative's facts over time.

"Live" facts are those not rejected and not orphaned by a re-extraction: what the
report currently says. Predecessors are found by initiative key: for each
initiative, its latest occurrence in an earlier edition of the series (usually
the previous edition; an earlier one if it skipped an edition).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from service.editions.factdiff import moved_backwards, pair_facts
from service.editions.linking import edition_sort_key, linking_rules, series_editions, series_reports
from service.storage.models import PUBLISHED, Area, Extraction, Initiative, Report



@dataclass(frozen=True)
class Assist:
    unchanged_since: str | None
    previous_extraction_id: int | None
    previous_value: Any
    moved_backwards: bool


@dataclass
class SeriesData:
    reports: list[Report]
    initiatives: dict[int, list[Initiative]]  # report id -> initiatives in page order
    facts: dict[int, list[Extraction]]  # initiative id -> live facts
    areas: dict[int, Area]


def load_series(session: Session, series: str, *, live_only: bool = True, extra: Sequence[Report] = ()) -> SeriesData:
    """The editions of `series` with their initiatives and facts; `extra` reports (a
    re-issue, which is no edition) get their initiatives and facts loaded too."""
    reports = series_reports(session, series)
    ids = [r.id for r in reports]
    ids += [r.id for r in extra if r.id not in ids]
    initiatives: dict[int, list[Initiative]] = {rid: [] for rid in ids if rid is not None}
    for initiative in session.exec(
        select(Initiative).where(col(Initiative.report_id).in_(ids)).order_by(col(Initiative.position))
    ):
        if initiative.key is not None:  # keyless: not linked, or gone after a re-extraction
            initiatives[initiative.report_id].append(initiative)
    query = select(Extraction).where(col(Extraction.report_id).in_(ids), col(Extraction.initiative_id).is_not(None))
    if live_only:
        query = query.where(col(Extraction.status) != "rejected", col(Extraction.orphaned).is_(False))
    facts: dict[int, list[Extraction]] = {}
    for ext in session.exec(query.order_by(col(Extraction.position))):
        facts.setdefault(ext.initiative_id or 0, []).append(ext)
    area_ids = {i.area_id for items in initiatives.values() for i in items if i.area_id is not None}
    areas = {a.id: a for a in session.exec(select(Area).where(col(Area.id).in_(area_ids)))} if area_ids else {}
    return SeriesData(reports, initiatives, facts, areas)  # type: ignore[arg-type]


def series_assist(data: SeriesData) -> dict[int, Assist]:
    """Assist flags for every live fact of the series, walking editions in order so that
    "unchanged since" reaches back through a run of confirmed identical values."""
    rules = linking_rules()
    latest: dict[str, tuple[Report, Initiative]] = {}
    since: dict[int, str] = {}
    out: dict[int, Assist] = {}
    for report in data.reports:
        for initiative in data.initiatives.get(report.id or 0, []):
            before = latest.get(initiative.key or "") if initiative.key else None
            if before is None:
                continue
            old_report, old = before
            pairing = pair_facts(data.facts.get(old.id or 0, []), data.facts.get(initiative.id or 0, []))
            for b, a in pairing.unchanged:
                if b.status in PUBLISHED:
                    since[a.id] = since.get(b.id, old_report.status_date or f"report {old_report.id}")
                    out[a.id] = Assist(since[a.id], b.id, b.value, False)
            for b, a in pairing.changed:
                backwards = moved_backwards(b, a, ignore_units=rules.not_cumulative_units,
                                            ignore_qualifiers=rules.not_cumulative_qualifiers)
                out[a.id] = Assist(None, b.id, b.value, backwards)
        for initiative in data.initiatives.get(report.id or 0, []):
            if initiative.key:
                latest[initiative.key] = (report, initiative)
    return out


def assist_for(session: Session, report_ids: Iterable[int]) -> dict[int, Assist]:
    """Assist flags for the facts of these reports (computed per series)."""
    ids = set(report_ids)
    if not ids:
        return {}
    series = {s for s in session.exec(select(Report.series).where(col(Report.id).in_(ids))) if s}
    out: dict[int, Assist] = {}
    for name in series:
        out.update(series_assist(load_series(session, name)))
    return out


def previous_edition(session: Session, report: Report) -> Report | None:
    """The edition before `report`; for a re-issue, the edition it repeats."""
    if report.series is None:
        return None
    editions, reissues = series_editions(session, report.series)
    if report.id in reissues:
        return reissues[report.id or 0]
    earlier = [r for r in editions if edition_sort_key(r) < edition_sort_key(report)]
    return earlier[-1] if earlier else None


def initiatives_by_key(data: SeriesData, report_id: int) -> dict[str, Initiative]:
    return {i.key: i for i in data.initiatives.get(report_id, []) if i.key}


def facts_of(data: SeriesData, initiatives: Sequence[Initiative]) -> list[Extraction]:
    return [f for i in initiatives for f in data.facts.get(i.id or 0, [])]
