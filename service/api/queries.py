"""Read queries shared by the routes: reports with review counts, extractions with
their initiative and area, the initiative tree of a report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from service.quality.refit import refitted_on
from service.storage.models import ApiToken, Area, ConfidenceRefit, Extraction, Initiative, Page, Report
from service.storage.schemas import (
    AreaPublic,
    AssistPublic,
    ExtractionPublic,
    InitiativePublic,
    InitiativeRef,
    InitiativesPublic,
    ReextractCounts,
    ReextractionPublic,
    ReportPublic,
    ReviewCounts,
)
from service.storage.statements import Fast
from service.storage.timeutil import as_utc, utcnow
from service.storage.tokens import LIVE_TOKEN, TOKEN_COLUMNS


def review_counts(session: Session, report_ids: Sequence[int]) -> dict[int, ReviewCounts]:
    counts = {rid: ReviewCounts() for rid in report_ids}
    if not report_ids:
        return counts
    query = (
        select(Extraction.report_id, Extraction.status, func.count())
        .where(col(Extraction.report_id).in_(report_ids))
        .group_by(col(Extraction.report_id), col(Extraction.status))
    )
    for report_id, status, n in session.exec(query):
        setattr(counts[report_id], status, n)
    return counts


@dataclass
class ReportExtras:
    """What the operator page shows of a report beyond its review counts."""

    facts_by_kind: dict[str, int] = field(default_factory=dict)
    ocr_pages: int = 0
    pages_complete: int = 0


def report_extras(session: Session, report_ids: Sequence[int]) -> dict[int, ReportExtras]:
    """Facts by kind, pages with facts read by OCR, pages marked complete: three grouped counts."""
    extras = {rid: ReportExtras() for rid in report_ids}
    if not report_ids:
        return extras
    live = (col(Extraction.report_id).in_(report_ids), col(Extraction.orphaned).is_(False))
    for report_id, kind, n in session.exec(
        select(Extraction.report_id, Extraction.kind, func.count()).where(*live)
        .group_by(col(Extraction.report_id), col(Extraction.kind))
    ):
        extras[report_id].facts_by_kind[kind] = n
    for report_id, n in session.exec(
        select(Extraction.report_id, func.count(func.distinct(Extraction.page)))
        .where(*live, col(Extraction.extractor).like("%.ocr")).group_by(col(Extraction.report_id))
    ):
        extras[report_id].ocr_pages = n
    for report_id, n in session.exec(
        select(Page.report_id, func.count()).where(col(Page.report_id).in_(report_ids), col(Page.complete_at).is_not(None))
        .group_by(col(Page.report_id))
    ):
        extras[report_id].pages_complete = n
    return extras


def _running(report: Report) -> bool:
    """A worker holds the report: its first extraction or a re-extraction."""
    return report.status == "processing" or (report.status == "done" and report.reextract_state == "processing")


def _stalled(report: Report) -> bool:
    lease = as_utc(report.lease_until)
    return _running(report) and lease is not None and lease < utcnow()


def _reextraction(report: Report) -> ReextractionPublic | None:
    if report.reextract_state is None:
        return None
    outcome = report.reextract_outcome
    return ReextractionPublic(
        state=report.reextract_state, requested_at=as_utc(report.reextract_requested_at),  # type: ignore[arg-type]
        requested_by=report.reextract_requested_by, attempts=report.reextract_attempts,
        finished_at=as_utc(report.reextract_finished_at), error=report.reextract_error,
        outcome=ReextractCounts(**outcome) if isinstance(outcome, dict) else None)


def report_public(report: Report, counts: ReviewCounts, reissue_of: int | None = None,
                  extras: ReportExtras | None = None) -> ReportPublic:
    assert report.id is not None
    more = extras or ReportExtras()
    return ReportPublic(
        id=report.id, filename=report.filename, sha256=report.sha256, status=report.status,  # type: ignore[arg-type]
        error=report.error, progress=report.progress if _running(report) else None,
        pages=report.pages, title=report.title, status_date=report.status_date,
        created_at=as_utc(report.created_at), counts=counts, reissue_of=reissue_of,  # type: ignore[arg-type]
        series=report.series, attempts=report.attempts, stalled=_stalled(report),
        facts_by_kind=more.facts_by_kind, ocr_pages=more.ocr_pages,
        pages_complete=more.pages_complete, reextraction=_reextraction(report),
    )


def one_report_public(session: Session, report: Report) -> ReportPublic:
    """A report with its review counts, what the operator page shows of it and, for a
    re-issue, the edition it repeats."""
    from service.editions.reissues import reissues_of

    assert report.id is not None
    edition = reissues_of(session, [report.id]).get(report.id)
    return report_public(report, review_counts(session, [report.id])[report.id], edition.id if edition else None,
                         report_extras(session, [report.id])[report.id])


def list_reports(session: Session) -> list[ReportPublic]:
    from service.editions.reissues import reissues_of

    reports = session.exec(select(Report).order_by(col(Report.created_at).desc(), col(Report.id).desc())).all()
    ids = [r.id for r in reports if r.id is not None]
    counts, reissues, extras = review_counts(session, ids), reissues_of(session, ids), report_extras(session, ids)
    return [report_public(r, counts[r.id], reissues[r.id].id if r.id in reissues else None, extras[r.id])
            for r in reports if r.id is not None]


def _area_public(area: Area | None) -> AreaPublic | None:
    return AreaPublic(number=area.number, name=area.name) if area else None


def extraction_public(ext: Extraction, initiative: Initiative | None, area: Area | None,
                      refitted: float | None = None) -> ExtractionPublic:
    """A fact from its ORM rows; `refitted`: ConfidenceRefit.refitted through `refitted_on` (LEFT JOIN)."""
    assert ext.id is not None
    return ExtractionPublic(
        id=ext.id, report_id=ext.report_id,
        initiative=InitiativeRef(id=initiative.id if initiative else None,
                                 title=initiative.title if initiative else None, area=_area_public(area),
                                 key=initiative.key if initiative else None),
        kind=ext.kind, text=ext.text, value=ext.value, unit=ext.unit, qualifier=ext.qualifier,
        name=ext.name, page=ext.page, bbox=list(ext.bbox), lines=ext.lines, extractor=ext.extractor,
        confidence=ext.confidence, status=ext.status, version=ext.version,  # type: ignore[arg-type]
        reviewed_by=ext.reviewed_by, reviewed_at=as_utc(ext.reviewed_at), orphaned=ext.orphaned, note=ext.note,
        refitted_confidence=refitted,
    )


# One fact with its context as plain columns: three ORM objects per row (the initiative with
# its pages and text) cost more than the query.
_PUBLIC_COLUMNS = (
    Extraction.id, Extraction.report_id, Extraction.initiative_id, Initiative.title, Initiative.key, Area.number, Area.name,
    Extraction.kind, Extraction.text, Extraction.value, Extraction.unit, Extraction.qualifier, Extraction.name,
    Extraction.page, Extraction.bbox, Extraction.lines, Extraction.extractor, Extraction.confidence,
    Extraction.status, Extraction.version, Extraction.reviewed_by, Extraction.reviewed_at, Extraction.orphaned,
    Extraction.note, ConfidenceRefit.refitted,
)


def public_rows():  # type: ignore[no-untyped-def]
    return (
        select(*_PUBLIC_COLUMNS)
        .join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
        .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
        .join(ConfidenceRefit, refitted_on(), isouter=True)
    )


def public_from_row(row) -> ExtractionPublic:  # type: ignore[no-untyped-def]
    (ext_id, report_id, initiative_id, title, key, area_number, area_name, kind, text, value, unit, qualifier, name,
     page, bbox, lines, extractor, confidence, status, version, reviewed_by, reviewed_at, orphaned, note,
     refitted) = row
    area = AreaPublic(number=area_number, name=area_name) if area_name is not None else None
    return ExtractionPublic(
        id=ext_id, report_id=report_id, initiative=InitiativeRef(id=initiative_id, title=title, area=area, key=key),
        kind=kind, text=text, value=value, unit=unit, qualifier=qualifier, name=name, page=page, bbox=list(bbox),
        lines=lines, extractor=extractor, confidence=confidence, status=status, version=version,
        reviewed_by=reviewed_by, reviewed_at=as_utc(reviewed_at), orphaned=orphaned, note=note,
        refitted_confidence=refitted,
    )


# Built once: building the statement cost more CPU than running it (~0.4 ms per call).
_ONE = public_rows().where(col(Extraction.id) == bindparam("extraction_id"))


def with_token(fact_on: Any, *extra: Any) -> Any:
    """The caller's token (TOKEN_COLUMNS) and the facts `fact_on` selects, with their
    initiative and area, in ONE statement: FROM the live token row, LEFT JOIN the facts.
    No row: the token is unknown or revoked (401). A row whose fact columns are NULL: no
    such fact (404). The token check was a round trip of its own on every hot request
    (issue 11: a second statement cost ~0.3 ms of CPU)."""
    return (
        select(*TOKEN_COLUMNS, *_PUBLIC_COLUMNS, *extra)
        .select_from(ApiToken)
        .join(Extraction, fact_on, isouter=True)
        .join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
        .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
        .join(ConfidenceRefit, refitted_on(), isouter=True)
        .where(*LIVE_TOKEN)
    )


TOKEN_AND_FACT = Fast(with_token(col(Extraction.id) == bindparam("extraction_id")))
TOKEN_FIELDS = len(TOKEN_COLUMNS)  # where a with_token row's fact columns start


def get_extraction_public(session: Session, extraction_id: int) -> ExtractionPublic | None:
    row = session.exec(_ONE, params={"extraction_id": extraction_id}).first()  # type: ignore[call-overload]
    return public_from_row(row) if row else None


def with_assist(session: Session, items: list[ExtractionPublic]) -> list[ExtractionPublic]:
    """Fill `assist` from the previous edition of each fact's initiative (service/editions/series.py)."""
    from service.editions.carryover import previous_decisions
    from service.editions.series import assist_for

    keys = {item.initiative.key for item in items if item.initiative.key}
    reports = {item.report_id for item in items}
    flags = assist_for(session, reports, keys)
    decided = previous_decisions(session, reports) if items else {}
    for item in items:
        if (flag := flags.get(item.id)) is not None:
            item.assist = AssistPublic(**vars(flag))
        if (previous := decided.get(item.id)) is not None:
            item.assist = item.assist or AssistPublic()
            item.assist.previous_decision = previous
    return items


def list_extractions(
    session: Session, *, report_id: int | None, status: str | None, kind: str | None, after_id: int, limit: int,
    order: str = "id",
) -> tuple[list[ExtractionPublic], int | None]:
    """One page; returns (items, the next cursor if more remain). `order="id"`: keyset-paginated
    by id (`after_id` is the last id seen). `order="queue"`: the review queue's order, lowest
    refitted confidence first (the extraction's where the extractor has no refit yet), then
    confidence, then id; `after_id` is then how many facts earlier pages held (an offset)."""
    query = public_rows()
    if order == "id":
        query = query.where(col(Extraction.id) > after_id)
    if report_id is not None:
        query = query.where(col(Extraction.report_id) == report_id)
    if status is not None:
        query = query.where(col(Extraction.status) == status)
    if kind is not None:
        query = query.where(col(Extraction.kind) == kind)
    if order == "queue":
        query = query.order_by(func.coalesce(col(ConfidenceRefit.refitted), col(Extraction.confidence)),
                               col(Extraction.confidence), col(Extraction.id)).offset(after_id)
    else:
        query = query.order_by(col(Extraction.id))
    rows = session.exec(query.limit(limit + 1)).all()
    items = with_assist(session, [public_from_row(row) for row in rows[:limit]])
    if len(rows) <= limit:
        return items, None
    return items, (after_id + limit if order == "queue" else items[-1].id)


def initiative_tree(session: Session, report_id: int) -> InitiativesPublic:
    """Initiatives in page order with their areas and extraction ids."""
    initiatives = session.exec(
        select(Initiative, Area)
        .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
        .where(col(Initiative.report_id) == report_id)
        .order_by(col(Initiative.position))
    ).all()
    facts = session.exec(
        select(Extraction.id, Extraction.initiative_id)
        .where(col(Extraction.report_id) == report_id)
        .order_by(col(Extraction.position))
    ).all()
    by_initiative: dict[int | None, list[int]] = {}
    for ext_id, initiative_id in facts:
        by_initiative.setdefault(initiative_id, []).append(ext_id)
    items = [
        InitiativePublic(
            id=i.id, title=i.title, area=_area_public(a), pages=list(i.pages),  # type: ignore[arg-type]
            extraction_ids=by_initiative.get(i.id, []), key=i.key,
        )
        for i, a in initiatives
    ]
    items.sort(key=lambda item: (min(item.pages) if item.pages else 0))
    return InitiativesPublic(
        report_id=report_id, report_extraction_ids=by_initiative.get(None, []), initiatives=items
    )
