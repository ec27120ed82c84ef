"""Editions of a series read together: review assist flags, the diff of two
editions and one initiative's facts over time.

"Live" facts are those not rejected and not orphaned by a re-extraction: what the
report currently says. Predecessors are found by initiative key: for each
initiative, its latest occurrence in an earlier edition of the series (usually
the previous edition; an earlier one if it skipped an edition).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from service.editions.assist_cache import CHAINS
from service.editions.factdiff import canonical_value, moved_backwards, pair_facts, unit_key
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


class FactRow(NamedTuple):
    """What the assist needs of a fact (service/editions/factdiff.py FactLike), read as plain
    columns with its pairing signature computed once: building an Extraction object per
    fact cost ~33 µs, and each fact is paired twice (as before and as after)."""

    id: int
    kind: str
    value: Any
    unit: str | None
    qualifier: str | None
    position: int
    status: str
    initiative_id: int
    signature: tuple[str, str, str]


def load_series(session: Session, series: str, *, live_only: bool = True,
                keys: Collection[str] | None = None, extra: Sequence[Report] = ()) -> SeriesData:
    """Every edition of `series` with its linked initiatives and their facts; with `keys`,
    only the initiatives of those keys (the assist of one page of facts) and their facts,
    as FactRow. `extra` reports (a re-issue, which is no edition) get their initiatives
    and facts loaded too."""
    reports = series_reports(session, series)
    ids = [r.id for r in reports]
    ids += [r.id for r in extra if r.id not in ids]
    initiatives: dict[int, list[Initiative]] = {rid: [] for rid in ids if rid is not None}
    query_initiatives = select(Initiative).where(col(Initiative.report_id).in_(ids))
    if keys is not None:
        query_initiatives = query_initiatives.where(col(Initiative.key).in_(list(keys)))
    for initiative in session.exec(query_initiatives.order_by(col(Initiative.position))):
        if initiative.key is not None:  # keyless: not linked, or gone after a re-extraction
            initiatives[initiative.report_id].append(initiative)
    if keys is not None:
        return SeriesData(reports, initiatives, _fact_rows(session, initiatives), {})  # type: ignore[arg-type]
    query = select(Extraction).where(col(Extraction.report_id).in_(ids), col(Extraction.initiative_id).is_not(None))
    if live_only:
        query = query.where(col(Extraction.status) != "rejected", col(Extraction.orphaned).is_(False))
    facts: dict[int, list[Extraction]] = {}
    for ext in session.exec(query.order_by(col(Extraction.position))):
        facts.setdefault(ext.initiative_id or 0, []).append(ext)
    area_ids = {i.area_id for items in initiatives.values() for i in items if i.area_id is not None}
    areas = {a.id: a for a in session.exec(select(Area).where(col(Area.id).in_(area_ids)))} if area_ids else {}
    return SeriesData(reports, initiatives, facts, areas)  # type: ignore[arg-type]


def _fact_rows(session: Session, initiatives: dict[int, list[Initiative]]) -> dict[int, list[Any]]:
    """Live facts of these initiatives as FactRow, by initiative id, in reading order."""
    wanted = [i.id for items in initiatives.values() for i in items]
    facts: dict[int, list[Any]] = {}
    if not wanted:
        return facts
    t = Extraction.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(  # Core, not the ORM: ~20k rows for a page of the bench's series
        select(t.c.id, t.c.kind, t.c.value, t.c.unit, t.c.qualifier, t.c.position, t.c.status, t.c.initiative_id)
        .where(t.c.initiative_id.in_(wanted), t.c.status != "rejected", t.c.orphaned.is_(False))
        .order_by(t.c.position)).all()
    make = tuple.__new__  # FactRow(...) runs a Python-level __new__ per row; this does not
    for row in rows:
        kind, value, unit = row[1], row[2], row[3]
        facts.setdefault(row[7], []).append(make(FactRow, (*row, (kind, canonical_value(value), unit_key(unit)))))
    return facts


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


def assist_for(session: Session, report_ids: Iterable[int], keys: Collection[str] | None = None) -> dict[int, Assist]:
    """Assist flags for the facts of these reports (computed per series). With `keys`, only
    for the facts of initiatives with those keys: flags of one key's chain depend on that
    chain alone, so a page of facts reads only its own initiatives' chains (issue 11: a
    100-fact page loaded every fact of every series it touched). Chains already computed
    in this process are reused while their stamp holds (service/editions/assist_cache.py)."""
    ids = set(report_ids)
    if not ids or (keys is not None and not keys):
        return {}
    series = {s for s in session.exec(select(Report.series).where(col(Report.id).in_(ids))) if s}
    out: dict[int, Assist] = {}
    for name in sorted(series):
        out.update(_series_flags(session, name, keys))
    return out


def _series_flags(session: Session, series: str, keys: Collection[str] | None) -> dict[int, Assist]:
    reports = series_reports(session, series)
    order = {r.id: n for n, r in enumerate(reports)}
    query = select(Initiative.id, Initiative.report_id, Initiative.key).where(
        col(Initiative.report_id).in_(list(order)), col(Initiative.key).is_not(None))
    if keys is not None:
        query = query.where(col(Initiative.key).in_(list(keys)))
    chains: dict[str, list[tuple[int, int]]] = {}  # key -> (edition index, initiative id)
    for initiative_id, report_id, key in session.exec(query):
        chains.setdefault(key, []).append((order[report_id], initiative_id))
    chains = {k: sorted(v) for k, v in chains.items() if len(v) > 1}  # one edition: nothing to compare with
    if not chains:
        return {}
    stamps = _fact_stamps(session, [i for chain in chains.values() for _, i in chain])
    scope = (str(session.get_bind().url), series)
    out: dict[int, Assist] = {}
    stale: dict[str, tuple[Any, ...]] = {}
    for key, chain in chains.items():
        stamp = tuple((reports[n].id, reports[n].updated_at, reports[n].status_date, i, stamps.get(i)) for n, i in chain)
        flags = CHAINS.get(scope, key, stamp)
        if flags is None:
            stale[key] = stamp
        else:
            out.update(flags)
    if stale:
        data = load_series(session, series, keys=list(stale))
        key_of = {i.id: i.key for items in data.initiatives.values() for i in items}
        by_key: dict[str, dict[int, Assist]] = {key: {} for key in stale}
        facts = {f.id: f.initiative_id for items in data.facts.values() for f in items}
        for fact_id, flag in series_assist(data).items():
            by_key.setdefault(key_of.get(facts.get(fact_id)) or "", {})[fact_id] = flag
        for key, stamp in stale.items():
            CHAINS.put(scope, key, stamp, by_key[key])
            out.update(by_key[key])
    return out


_STAMPS = (
    select(Extraction.initiative_id, func.count(), func.sum(Extraction.version))
    .where(col(Extraction.initiative_id).in_(bindparam("ids", expanding=True)))
    .group_by(col(Extraction.initiative_id))
)  # built once


def _fact_stamps(session: Session, initiative_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(number of facts, sum of their versions) per initiative: changes whenever a fact of it
    is added, reviewed, orphaned or restored (service/editions/assist_cache.py)."""
    rows = session.connection().execute(_STAMPS, {"ids": initiative_ids})
    return {int(i): (int(n), int(v or 0)) for i, n, v in rows}


def previous_edition(session: Session, report: Report) -> Report | None:
    """The edition before `report`; for a re-issue, the edition it repeats."""
    if report.series is None:
        return None
    editions, reissues = series_editions(session, report.series)
    if report.id in reissues:
        return reissues[report.id or 0]
    earlier = [r for r in editions if edition_sort_key(r) < edition_sort_key(report)]
    return earlier[-1] if earlier else None


def facts_of(data: SeriesData, initiatives: Sequence[Initiative]) -> list[Extraction]:
    return [f for i in initiatives for f in data.facts.get(i.id or 0, [])]
