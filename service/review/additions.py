"""What a reviewer adds to an extraction: a fact it missed, a fact moved to the right
initiative, and pages marked "revisado por completo" (nothing missing on them).

On reports from new publishers the extractor misses up to half the facts; a reviewer
who sees one on the page points at it (page and box), says its kind and value, and it
is stored as a fact like any other: `extractor` "reviewer", validated like a
correction, `confirmed`, in the feed, with history. Its history starts with one
`create` event from version 1 (the fact as pointed out, pending) to version 2 (its
confirmation), so `revert` to version 1 takes it out of the feed again (`withdrawn`),
like the undo of any other confirmation. Re-extraction never matches, refreshes or
orphans such a fact (service/jobs/reextract.py).

A move changes only the fact's initiative (same report), pins it there against
re-extraction, and takes a new feed number so consumers see the new initiative.

Every write takes the shared feed lock before its row locks, then its change numbers
(service/storage/sequence.py), like a re-extraction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from extractor.model import FactKind
from service.review.actions import checked_value, conflict, snapshot
from service.review.values import InvalidValue
from service.storage.inputs import BodyId, InputModel
from service.storage.models import REVIEWER_EXTRACTOR, Extraction, Initiative, Page, Report, ReviewEvent
from service.storage.schemas import (
    MAX_NOTE,
    MAX_TEXT,
    MAX_UNIT,
    CompletenessPublic,
    MoveIn,
    PageCompletePublic,
    PagesCompleteIn,
)
from service.storage.sequence import hold_feed_lock, next_change_seq
from service.storage.timeutil import as_utc, utcnow
from service.storage.tokens import Principal

BOX_SLACK = 1.0  # points: a box drawn on the page image may overshoot the page edge by a rounding


class Refused(Exception):
    """An addition refused: `status_code` (404, 409, 422) and a message a person can act on."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class ExtractionCreate(InputModel):
    """A fact the extraction missed, pointed out by a reviewer on the page (POST /api/v1/extractions)."""

    report_id: BodyId
    page: BodyId = Field(description="1-based page number of the report")
    bbox: list[float] = Field(min_length=4, max_length=4, description=(
        "[x0, top, x1, bottom] in PDF points of that page, around the printed text"))
    kind: FactKind
    value: Any = Field(description="validated for `kind` as a correction's value is")
    unit: str | None = Field(None, max_length=MAX_UNIT, description="counts only: what is counted")
    qualifier: str | None = Field(None, max_length=20, description=(
        "counts only: exact (the default), at_least, approx, target or at_most"))
    initiative_id: BodyId | None = Field(None, description="an initiative of the same report; null: none")
    text: str | None = Field(None, max_length=MAX_TEXT, description="the printed text under the box")
    note: str | None = Field(None, max_length=MAX_NOTE)


def _done_report(session: Session, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise Refused(404, f"report {report_id} does not exist")
    if report.status != "done":
        raise Refused(409, f"report {report_id} is {report.status}, not extracted yet")
    return report


def _initiative_of(session: Session, report_id: int, initiative_id: int | None) -> int | None:
    if initiative_id is None:
        return None
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or initiative.report_id != report_id:
        raise Refused(422, f"initiative_id: initiative {initiative_id} is not an initiative of report {report_id}")
    return initiative_id


def _check_box(session: Session, report: Report, page: int, bbox: list[float]) -> None:
    if report.pages is not None and not 1 <= page <= report.pages:
        raise Refused(422, f"page: report {report.id} has pages 1 to {report.pages}, not {page}")
    x0, top, x1, bottom = bbox
    if not (x0 < x1 and top < bottom and min(bbox) >= -BOX_SLACK):
        raise Refused(422, f"bbox: [x0, top, x1, bottom] with x0 < x1 and top < bottom, not {bbox}")
    size = session.exec(select(Page).where(col(Page.report_id) == report.id, col(Page.number) == page)).first()
    if size is not None and (x1 > size.width + BOX_SLACK or bottom > size.height + BOX_SLACK):
        raise Refused(422, f"bbox: {bbox} reaches past page {page} ({size.width:g} x {size.height:g} points)")


def _checked(body: ExtractionCreate) -> tuple[Any, str | None, str | None, str | None]:
    if body.kind != "count":
        for field in ("unit", "qualifier"):
            if getattr(body, field) is not None:
                raise Refused(422, f"{field}: only a count has a {field}, not a {body.kind}")
    try:
        return checked_value(body.kind, body.value, body.unit, body.qualifier,
                             current_qualifier="exact" if body.kind == "count" else None)
    except InvalidValue as exc:
        raise Refused(422, f"value ({body.kind}): {exc}") from exc


def add_fact(session: Session, body: ExtractionCreate, principal: Principal) -> int:
    """Store a reviewer's fact, confirmed, with its `create` event; returns its id. The caller commits."""
    hold_feed_lock(session)
    report = _done_report(session, body.report_id)
    _check_box(session, report, body.page, body.bbox)
    initiative_id = _initiative_of(session, body.report_id, body.initiative_id)
    value, unit, qualifier, name = _checked(body)
    position = session.exec(select(func.coalesce(func.max(Extraction.position), -1))
                            .where(col(Extraction.report_id) == body.report_id)).one() + 1
    seq, now = next_change_seq(session), utcnow()
    ext = Extraction(
        report_id=body.report_id, initiative_id=initiative_id, position=position, kind=body.kind,
        text=body.text or "", value=value, unit=unit, qualifier=qualifier, name=name, page=body.page,
        bbox=list(body.bbox), lines=None, extractor=REVIEWER_EXTRACTOR, confidence=1.0, orig_value=value,
        orig_unit=unit, orig_qualifier=qualifier, status="confirmed", version=2, published=True, change_seq=seq,
        reviewed_by=principal.name, reviewed_at=now, note=body.note,
    )
    session.add(ext)
    session.flush()
    assert ext.id is not None
    pointed_out = {**snapshot(ext), "status": "pending", "note": None, "version": 1}
    _event(session, ext.id, principal, now, "create", pointed_out, snapshot(ext), body.note, seq)
    return ext.id


def _event(session: Session, extraction_id: int, principal: Principal, at: datetime, action: str,
           before: dict[str, Any], after: dict[str, Any], note: str | None, seq: int) -> None:
    session.add(ReviewEvent(extraction_id=extraction_id, token_id=principal.token_id, actor=principal.name, at=at,
                            action=action, before=before, after=after, note=note, change_seq=seq))


def move_fact(session: Session, extraction_id: int, body: MoveIn, principal: Principal) -> None:
    """Put a fact in another initiative of its report (or none), as a new version; the caller commits."""
    hold_feed_lock(session)
    ext = session.exec(select(Extraction).where(col(Extraction.id) == extraction_id).with_for_update()).first()
    if ext is None:
        raise Refused(404, f"extraction {extraction_id} does not exist")
    if ext.version != body.version:
        raise Refused(409, conflict(extraction_id, ext.version).detail)
    target = _initiative_of(session, ext.report_id, body.initiative_id)
    if target == ext.initiative_id:
        raise Refused(422, f"initiative_id: extraction {extraction_id} is already there")
    before = {**snapshot(ext), "initiative_id": ext.initiative_id}
    seq, now = next_change_seq(session), utcnow()
    session.exec(update(Extraction).where(col(Extraction.id) == extraction_id).values(  # type: ignore[call-overload]
        initiative_id=target, initiative_pinned=True, note=body.note, version=ext.version + 1, change_seq=seq,
        reviewed_by=principal.name, reviewed_at=now,
    ).execution_options(synchronize_session=False))
    after = {**before, "note": body.note, "version": ext.version + 1, "initiative_id": target}
    _event(session, extraction_id, principal, now, "move", before, after, body.note, seq)


def mark_pages(session: Session, report_id: int, body: PagesCompleteIn, principal: Principal) -> None:
    """Mark pages (all when `pages` is null) "revisado por completo", or take the mark away."""
    report = _done_report(session, report_id)
    numbers = body.pages if body.pages is not None else list(range(1, (report.pages or 0) + 1))
    if bad := [n for n in numbers if report.pages is None or not 1 <= n <= report.pages]:
        raise Refused(422, f"pages: report {report_id} has pages 1 to {report.pages}, not {bad[:5]}")
    rows = {p.number: p for p in session.exec(select(Page).where(col(Page.report_id) == report_id))}
    now = utcnow()
    for number in numbers:
        page = rows.get(number) or Page(report_id=report_id, number=number, width=0.0, height=0.0)
        page.complete_by, page.complete_at = (principal.name, now) if body.complete else (None, None)
        session.add(page)


def completeness(session: Session, report_id: int) -> CompletenessPublic:
    """Which pages are marked "revisado por completo", and their share of the report's pages."""
    report = session.get(Report, report_id)
    if report is None:
        raise Refused(404, f"report {report_id} does not exist")
    marked = session.exec(select(Page).where(col(Page.report_id) == report_id, col(Page.complete_by).is_not(None))
                          .order_by(col(Page.number))).all()
    total = report.pages or 0
    items = [PageCompletePublic(page=p.number, complete_by=p.complete_by, complete_at=as_utc(p.complete_at))
             for p in marked]
    return CompletenessPublic(report_id=report_id, pages=total, complete=len(items),
                              share=round(len(items) / total, 4) if total else 0.0, items=items)
