"""`relato reextract`: extract a stored report again (after the rules changed) without
losing what reviewers decided.

Each new fact is matched with an old fact of the same report: same kind and page,
and the same text or overlapping boxes (best first). A matched fact keeps its id,
status and reviewer; its evidence (text, box, extractor) and original value are
refreshed. A pending fact takes the new value; a confirmed one too, and since its
published value changed it gets a new feed number (the feed shows the change); a
corrected or rejected one keeps the reviewer's value. Old facts not found again
are never deleted: they are flagged `orphaned` (GET /api/v1/orphans) and, if they
were published, reappear in the feed as withdrawn. Facts found again after an
earlier orphaning are un-flagged (and published ones reappear). Every feed change
writes a ReviewEvent ("reextract" / "orphan") in the fact's history.

What reviewers made stays theirs: a fact a reviewer added (extractor `reviewer`) is
never matched, refreshed or orphaned, and a fact a reviewer moved to another
initiative (`initiative_pinned`) keeps that initiative.

Two ways in, one merge (`apply_result`):
- `relato reextract` (`reextract`) extracts and merges in its own process, synchronously.
- The operator page (POST /api/v1/reports/{id}/reextract) only asks (`request_reextract`):
  the report's `reextract_state` becomes `queued` and an extraction worker
  (service/jobs/worker.py) claims it under a lease like a queued upload, shows its
  progress on the report, and merges in the transaction that sets the state `done`,
  guarded by its lease, so a worker that lost the report stores nothing. The report's
  own `status` stays `done` all along: its facts stay reviewable, fed and in their
  series while the new extraction runs. A failed re-extraction (bad PDF, limits,
  workers dying RELATO_MAX_ATTEMPTS times) sets the state `failed` with its reason and
  changes nothing else; the operator asks again (`relato retry` is for failed reports,
  and the report is not one). Each run records its counts and end on the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from extractor.model import ExtractResult
from extractor.model import Extraction as FactModel
from service.editions.linking import link_report, series_of
from service.jobs.factcap import extract_capped
from service.jobs.reextract_structure import match_initiatives
from service.jobs.retry import locked_report
from service.review.actions import snapshot
from service.storage.config import Settings
from service.storage.db import db_now, write_engine
from service.storage.blobs import local_pdf, open_store
from service.storage.models import PUBLISHED, REVIEWER_EXTRACTOR, Extraction, Report, ReviewEvent
from service.storage.sequence import hold_feed_lock, next_change_seq
from service.storage.timeutil import utcnow

ACTOR = "relato reextract"


@dataclass
class Outcome:
    report_id: int
    kept: int = 0
    changed: int = 0
    orphaned: int = 0
    restored: int = 0
    added: int = 0

    def counts(self) -> dict[str, int]:
        return {"kept": self.kept, "changed": self.changed, "added": self.added, "orphaned": self.orphaned,
                "restored": self.restored}

    def line(self) -> str:
        return (f"report {self.report_id}: {self.kept} facts found again ({self.changed} with a new value), "
                f"{self.added} new, {self.orphaned} orphaned, {self.restored} no longer orphaned")


def _overlap(a: list[float], b: tuple[float, float, float, float] | list[float]) -> float:
    """Intersection area over the smaller box (0 when apart)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) or 1.0
    return w * h / smaller


def match_facts(old: list[Extraction], new: list[FactModel]) -> dict[int, Extraction]:
    """new fact index -> old fact: same kind and page, same text or overlapping box, best first."""
    options = []
    for i, fact in enumerate(new):
        for ext in old:
            if ext.kind != fact.kind or ext.page != fact.page:
                continue
            same_text, overlap = ext.text == fact.text, _overlap(list(ext.bbox), fact.bbox)
            if same_text or overlap > 0:
                options.append((-(same_text + overlap), i, ext.id or 0, ext))
    matched: dict[int, Extraction] = {}
    taken: set[int] = set()
    for _, i, ext_id, ext in sorted(options, key=lambda o: o[:3]):
        if i not in matched and ext_id not in taken:
            matched[i], _ = ext, taken.add(ext_id)
    return matched


def _content(fact: FactModel) -> dict[str, Any]:
    data = fact.model_dump(mode="json")
    return {"value": data["value"], "unit": fact.unit, "qualifier": fact.qualifier, "name": fact.name}


def _feed_change(session: Session, ext: Extraction, action: str, before: dict[str, Any]) -> None:
    seq = next_change_seq(session)
    ext.change_seq = seq
    session.add(ReviewEvent(extraction_id=ext.id or 0, token_id=None, actor=ACTOR, at=utcnow(), action=action,
                            before=before, after=snapshot(ext), note=None, change_seq=seq))


def _refresh(session: Session, ext: Extraction, fact: FactModel, initiative_id: int | None,
             position: int, out: Outcome) -> None:
    content, before = _content(fact), snapshot(ext)
    if not ext.initiative_pinned:
        ext.initiative_id = initiative_id
    ext.position, ext.text, ext.page = position, fact.text, fact.page
    ext.bbox, ext.extractor, ext.confidence = list(fact.bbox), fact.extractor, fact.confidence
    ext.lines = fact.model_dump(mode="json").get("lines")
    ext.orig_value, ext.orig_unit, ext.orig_qualifier = content["value"], fact.unit, fact.qualifier
    new_value = ext.status in ("pending", "confirmed") and any(before[k] != v for k, v in content.items())
    if new_value:
        ext.value, ext.unit, ext.qualifier, ext.name = (content[k] for k in ("value", "unit", "qualifier", "name"))
        out.changed += 1
    restored = ext.orphaned
    if restored:
        ext.orphaned, out.restored = False, out.restored + 1
    if new_value or restored:
        ext.version += 1
    if ext.status in PUBLISHED and (new_value or restored):
        _feed_change(session, ext, "reextract", before)
    session.add(ext)
    out.kept += 1


def _orphan(session: Session, ext: Extraction, out: Outcome) -> None:
    before = snapshot(ext)
    ext.orphaned, ext.version = True, ext.version + 1
    if ext.status in PUBLISHED:
        _feed_change(session, ext, "orphan", before)
    session.add(ext)
    out.orphaned += 1


def apply_result(session: Session, report: Report, result: ExtractResult) -> Outcome:
    """Merge a new extraction into a stored report inside the caller's write transaction."""
    assert report.id is not None
    out = Outcome(report.id)
    auto_series = report.series is None or report.series == series_of(report)
    report.title, report.status_date = result.report.title, result.report.status_date
    report.warnings = list(result.warnings)
    report.updated_at = utcnow()  # facts may move without a version bump: stale assist stamps (editions/assist_cache.py)
    if auto_series:
        report.series = series_of(report)
    session.add(report)
    old = [ext for ext in session.exec(  # locked: a review racing this merge waits, then sees the new version
        select(Extraction).where(col(Extraction.report_id) == report.id).with_for_update())
        if ext.extractor != REVIEWER_EXTRACTOR]
    placed = [(None, f) for f in result.report.extractions]
    for initiative_id, item in match_initiatives(session, report.id, result.initiatives):
        placed.extend((initiative_id, f) for f in item.extractions)
    matched = match_facts(old, [f for _, f in placed])
    for position, (initiative_id, fact) in enumerate(placed):
        if position in matched:
            _refresh(session, matched[position], fact, initiative_id, position, out)
            continue
        data = fact.model_dump(mode="json")
        session.add(Extraction(
            report_id=report.id, initiative_id=initiative_id, position=position, kind=fact.kind, text=fact.text,
            value=data["value"], unit=fact.unit, qualifier=fact.qualifier, name=fact.name, page=fact.page,
            bbox=list(data["bbox"]), lines=data.get("lines"), extractor=fact.extractor, confidence=fact.confidence,
            orig_value=data["value"], orig_unit=fact.unit, orig_qualifier=fact.qualifier,
        ))
        out.added += 1
    found = {ext.id for ext in matched.values()}
    for ext in old:
        if ext.id not in found and not ext.orphaned:
            _orphan(session, ext, out)
    session.flush()
    link_report(session, report)
    return out


class NotReextractable(ValueError):
    """The report is not extracted (done), or a re-extraction of it is already pending."""


PENDING = ("queued", "processing")


def request_reextract(engine: Engine, report_id: int, requested_by: str) -> Report:
    """Queue a re-extraction of done report `report_id` for the workers; raises LookupError
    (no such report) or NotReextractable (not done, or one already queued or running)."""
    with Session(write_engine(engine)) as session:
        report = locked_report(session, report_id)
        if report.status != "done":
            raise NotReextractable(f"report {report_id} is {report.status}; "
                                   "only extracted (done) reports are re-extracted")
        if report.reextract_state in PENDING:
            raise NotReextractable(
                f"report {report_id} is already {'queued for' if report.reextract_state == 'queued' else 'in'} "
                f"re-extraction (asked by {report.reextract_requested_by})")
        report.reextract_state, report.reextract_attempts = "queued", 0
        report.reextract_requested_at, report.reextract_requested_by = db_now(session), requested_by[:200]
        report.reextract_finished_at = report.reextract_error = report.reextract_outcome = None
        session.commit()
        session.refresh(report)
        return report


def record_outcome(report: Report, outcome: Outcome, now: datetime) -> None:
    """The run's counts and end on the report (GET /api/v1/reports/{id} `reextraction`)."""
    report.reextract_state, report.reextract_error, report.reextract_finished_at = "done", None, now
    report.reextract_outcome = outcome.counts()


def reextract(engine: Engine, settings: Settings, report_id: int) -> Outcome:
    """Extract report `report_id` again from its stored PDF and merge the result, here and
    now (`relato reextract`); a re-extraction queued for the workers is left to them."""
    with Session(engine) as session:
        report = session.get(Report, report_id)
        if report is None:
            raise LookupError(f"report {report_id} does not exist")
        if report.status != "done":
            raise LookupError(f"report {report_id} is {report.status}; only extracted (done) reports are re-extracted")
        sha256, filename = report.sha256, report.filename
    result = extract_capped(settings, local_pdf(open_store(settings, engine), settings, sha256), filename)
    with Session(write_engine(engine)) as session:
        hold_feed_lock(session)  # before any row lock (service/storage/sequence.py)
        report = session.exec(select(Report).where(col(Report.id) == report_id).with_for_update()).one()
        outcome = apply_result(session, report, result)
        if report.reextract_state not in PENDING:
            report.reextract_requested_at, report.reextract_requested_by = db_now(session), ACTOR
            record_outcome(report, outcome, db_now(session))
        session.commit()
    return outcome


def done_report_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        reports = session.exec(select(Report).where(col(Report.status) == "done")).all()
        return [r.id for r in sorted(reports, key=lambda r: (r.status_date or "", r.id or 0)) if r.id is not None]
