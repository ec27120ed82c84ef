"""Build the editions endpoints' answers: initiatives over time, one initiative's
series, and the diff of two editions (with the evidence of both sides)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.editions.factdiff import pair_facts, unit_key
from service.editions.linkedit import merged_in
from service.editions.schemas import (
    CountSeries,
    FactChange,
    FactEvidence,
    InitiativeDiff,
    InitiativeRefOut,
    InitiativeSeries,
    InitiativeSummary,
    ReportDiff,
    SeriesEdition,
    SeriesPoint,
    TitleAt,
)
from service.editions.series import SeriesData, facts_of, load_series
from service.storage.models import PUBLISHED, Area, Extraction, Initiative, Page, Report
from service.storage.schemas import AreaPublic


def evidence(ext: Extraction, report: Report, size: tuple[float, float] | None = None) -> FactEvidence:
    assert ext.id is not None
    return FactEvidence(
        id=ext.id, report_id=ext.report_id, status_date=report.status_date, kind=ext.kind, text=ext.text,
        value=ext.value, unit=ext.unit, qualifier=ext.qualifier, name=ext.name, page=ext.page,
        bbox=list(ext.bbox), lines=ext.lines, status=ext.status, orphaned=ext.orphaned,
        page_width=size[0] if size else None, page_height=size[1] if size else None,
    )


def page_sizes(session: Session, report_ids: list[int]) -> dict[tuple[int, int], tuple[float, float]]:
    """(report id, page number) -> (width, height) in points, for evidence thumbnails."""
    rows = session.exec(select(Page).where(col(Page.report_id).in_(report_ids))).all()
    return {(p.report_id, p.number): (p.width, p.height) for p in rows}


def _area(area: Area | None) -> AreaPublic | None:
    return AreaPublic(number=area.number, name=area.name) if area else None


def _occurrences(data: SeriesData, published_only: bool = False) -> dict[str, list[tuple[Report, Initiative]]]:
    """Key -> (edition, initiative) in edition order; with `published_only`, only the
    editions where the initiative has a confirmed or corrected fact (what a consumer may read)."""
    out: dict[str, list[tuple[Report, Initiative]]] = {}
    for report in data.reports:
        for initiative in data.initiatives.get(report.id or 0, []):
            if published_only and not any(f.status in PUBLISHED for f in data.facts.get(initiative.id or 0, [])):
                continue
            if initiative.key:
                out.setdefault(initiative.key, []).append((report, initiative))
    return out


def own_title(seen: list[tuple[Report, Initiative]], merged: set[int]) -> str:
    """The latest title of the key's own initiatives: one merged into it from another key (by a
    reviewer) does not rename it, even when it is the newest edition."""
    own = [i for _, i in seen if i.id not in merged]
    return (own or [i for _, i in seen])[-1].title


def _summary(key: str, series: str, seen: list[tuple[Report, Initiative]], data: SeriesData,
             merged: dict[str, set[int]]) -> InitiativeSummary:
    last_report, last = seen[-1]
    return InitiativeSummary(
        key=key, series=series, title=own_title(seen, merged.get(key, set())),
        titles=[TitleAt(status_date=r.status_date, report_id=r.id, initiative_id=i.id, title=i.title)  # type: ignore[arg-type]
                for r, i in seen],
        area=_area(data.areas.get(last.area_id or 0)), editions=[r.status_date for r, _ in seen],
        pinned=any(i.key_pinned for _, i in seen),
    )


def list_initiatives(session: Session, series: str | None, *, published_only: bool = False) -> list[InitiativeSummary]:
    """Every keyed initiative, series by series, in order of first appearance (with
    `published_only`, as seen through its confirmed and corrected facts only)."""
    names = [series] if series else sorted({s for s in session.exec(select(Report.series).distinct()) if s})
    items: list[InitiativeSummary] = []
    for name in names:
        data, merged = load_series(session, name), merged_in(session, name)
        items.extend(_summary(k, name, seen, data, merged) for k, seen in _occurrences(data, published_only).items())
    return items


def series_of_key(session: Session, key: str) -> str | None:
    row = session.exec(
        select(Report.series).join(Initiative, col(Initiative.report_id) == col(Report.id))
        .where(col(Initiative.key) == key).limit(1)
    ).first()
    return row


def initiative_summary(session: Session, key: str, *, published_only: bool = False) -> InitiativeSummary | None:
    series = series_of_key(session, key)
    if series is None:
        return None
    data = load_series(session, series)
    seen = _occurrences(data, published_only).get(key)
    return _summary(key, series, seen, data, merged_in(session, series)) if seen else None


def initiative_series(session: Session, key: str, *, published_only: bool,
                      published_editions_only: bool = False) -> InitiativeSeries | None:
    """Per edition its facts (confirmed and corrected only, unless asked), and the counts
    grouped by unit and qualifier into series over time; with `published_editions_only`
    (a consumer), only the editions that have such a fact."""
    series = series_of_key(session, key)
    if series is None:
        return None
    data = load_series(session, series)
    seen = _occurrences(data, published_editions_only).get(key)
    if not seen:
        return None
    editions, groups = [], {}
    sizes = page_sizes(session, [r.id for r, _ in seen if r.id is not None])
    for report, initiative in seen:
        facts = [f for f in data.facts.get(initiative.id or 0, []) if not published_only or f.status in PUBLISHED]
        editions.append(SeriesEdition(report_id=report.id, status_date=report.status_date,  # type: ignore[arg-type]
                                      initiative_id=initiative.id, title=initiative.title,  # type: ignore[arg-type]
                                      facts=[evidence(f, report, sizes.get((report.id, f.page)))  # type: ignore[arg-type]
                                             for f in facts]))
        for fact in facts:
            if fact.kind == "count":
                group = groups.setdefault((unit_key(fact.unit), fact.qualifier or "exact"),
                                          CountSeries(unit=fact.unit, qualifier=fact.qualifier, points=[]))
                group.points.append(SeriesPoint(status_date=report.status_date, report_id=report.id,  # type: ignore[arg-type]
                                                extraction_id=fact.id, value=fact.value))  # type: ignore[arg-type]
    title = own_title(seen, merged_in(session, series).get(key, set()))
    return InitiativeSeries(key=key, series=series, title=title, editions=editions,
                            counts=list(groups.values()))


def _ref(initiative: Initiative) -> InitiativeRefOut:
    return InitiativeRefOut(key=initiative.key, initiative_id=initiative.id, title=initiative.title)  # type: ignore[arg-type]


def report_diff(session: Session, report: Report, against: Report) -> ReportDiff:
    """Initiatives added and dropped, and per initiative in both the facts added, removed
    and changed; initiatives are matched by key, so a renamed one is a change, not a swap."""
    data = load_series(session, report.series, extra=[report, against]) if report.series else None
    if data is None or report.series != against.series:
        data = _two_reports(session, report, against)
    now = data.initiatives.get(report.id or 0, [])
    before = data.initiatives.get(against.id or 0, [])
    before_by_key = {i.key: i for i in before if i.key}
    now_keys = {i.key for i in now if i.key}
    out = ReportDiff(report_id=report.id, status_date=report.status_date, against_report_id=against.id,  # type: ignore[arg-type]
                     against_status_date=against.status_date,
                     added=[_ref(i) for i in now if i.key not in before_by_key],
                     dropped=[_ref(i) for i in before if i.key not in now_keys], initiatives=[])
    for initiative in now:
        old = before_by_key.get(initiative.key) if initiative.key else None
        if old is None:
            continue
        pairing = pair_facts(facts_of(data, [old]), facts_of(data, [initiative]))
        out.initiatives.append(InitiativeDiff(
            key=initiative.key, title=initiative.title, previous_title=old.title,  # type: ignore[arg-type]
            renamed=old.title != initiative.title,
            facts_added=[evidence(f, report) for f in pairing.added],
            facts_removed=[evidence(f, against) for f in pairing.removed],
            facts_changed=[FactChange(before=evidence(b, against), after=evidence(a, report)) for b, a in pairing.changed],
            unchanged=len(pairing.unchanged),
        ))
    return out


def _two_reports(session: Session, report: Report, against: Report) -> SeriesData:
    """Two reports of different series: load each one's own series and keep just these two."""
    merged = SeriesData([], {}, {}, {})
    for one in (against, report):
        data = load_series(session, one.series, extra=[one]) if one.series else SeriesData([], {}, {}, {})
        merged.initiatives[one.id or 0] = data.initiatives.get(one.id or 0, [])
        merged.facts.update(data.facts)
        merged.areas.update(data.areas)
    return merged
