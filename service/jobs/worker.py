"""Extraction workers: claim a queued report, extract it, store the result once.

Claiming uses `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL: the row lock
makes two workers that look at the same queued report at the same moment take it
one at a time (the second sees it already `processing`), and SKIP LOCKED lets the
second move on to the next report instead of waiting behind the first. On SQLite
(one machine) the claim runs in a `BEGIN IMMEDIATE` transaction, which serialises
writers, and FOR UPDATE is simply not emitted.

A claim is a lease (RELATO_LEASE_S): the worker renews it while it works; if the
worker dies (kill -9, machine lost), the lease runs out and another worker claims
the report again. The result is stored in the same transaction that sets `done`,
and that UPDATE is guarded by `worker_id = me AND status = 'processing'`: a worker
whose lease was taken over stores nothing, so a report is never completed twice.
Leases are compared with the database's clock on PostgreSQL, so machines whose
clocks disagree still agree on who holds a report.

The PDF comes from the blob store (service/storage/blobs.py): with RELATO_BLOB_STORE=db
(the default on PostgreSQL) a worker on another machine fetches it from the database
into its own RELATO_DATA_DIR, so workers share nothing but the database.

Each extraction runs in a child process under RELATO_EXTRACT_TIMEOUT_S and
RELATO_EXTRACT_MEMORY_MB (service/jobs/extracting.py): a runaway or crashing PDF ends
that child and its report `failed` with the reason; this worker goes on.

A re-extraction an operator asked for (service/jobs/reextract.py: the report is `done`
with `reextract_state` `queued`) is claimed, leased, renewed and taken over the same way,
with its own state and attempts in place of `status` and `attempts`: the guard is
`worker_id = me AND reextract_state = 'processing'`, and the merge into the stored facts
runs in the transaction that sets it `done`, so it too happens once. Its failure touches
neither the report's status nor its facts.

Test hook: RELATO_TEST_EXTRACT_DELAY_S makes a worker sleep (lease renewed) after
claiming, so tests can kill it mid-extraction.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, select

from extractor.errors import BadPDF
from extractor.model import ExtractResult
from service.jobs import extracting
from service.jobs.factcap import extract_capped
from service.jobs.reextract import apply_result, record_outcome
from service.jobs.store import store_result
from service.storage.config import Settings
from service.storage.db import db_now, write_engine
from service.storage.blobs import BlobDamaged, BlobMissing, local_pdf, open_store
from service.storage.models import Report
from service.storage.sequence import hold_feed_lock

log = logging.getLogger("relato.worker")
MISSING_PDF = "the stored PDF is missing"


@dataclass(frozen=True)
class Claim:
    report_id: int
    worker_id: str
    sha256: str
    filename: str
    reextract: bool = False  # a re-extraction of a done report, not its first extraction


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def claim_next(engine: Engine, settings: Settings, worker_id: str) -> Claim | None:
    """Claim the oldest queued report (or one whose lease ran out); None when there is none."""
    while True:
        with Session(write_engine(engine)) as session:
            now = db_now(session)
            claimable = or_(
                col(Report.status) == "queued",
                and_(col(Report.status) == "processing", col(Report.lease_until) < now),
                and_(col(Report.status) == "done", col(Report.reextract_state) == "queued"),
                and_(col(Report.status) == "done", col(Report.reextract_state) == "processing",
                     col(Report.lease_until) < now),
            )
            query = select(Report).where(claimable).order_by(col(Report.id)).limit(1)
            report = session.exec(query.with_for_update(skip_locked=True)).first()
            if report is None:
                return None
            again = report.status == "done"
            if (report.reextract_attempts if again else report.attempts) >= settings.max_attempts:
                (_give_up_reextract if again else _give_up)(session, report, now)
                continue
            if again:
                report.reextract_state = "processing"
                report.reextract_attempts += 1
            else:
                report.status = "processing"
                report.attempts += 1
                report.started_at = report.updated_at = now
            report.worker_id, report.progress = worker_id, None
            report.lease_until = now + timedelta(seconds=settings.lease_s)
            session.commit()
            assert report.id is not None
            return Claim(report.id, worker_id, report.sha256, report.filename, reextract=again)


def _give_up(session: Session, report: Report, now: datetime) -> None:
    last = report.worker_id
    report.status, report.worker_id, report.lease_until = "failed", None, None
    report.error = (  # what is known: the extraction's own limits would have failed it with their reason
        f"extraction did not finish after {report.attempts} attempts: each time the worker process "
        f"itself stopped without finishing or renewing its lease (the last was {last}): it was killed "
        "(kill -9, the system's out-of-memory killer) or its machine stopped, not a limit of the "
        f"extraction; see that machine's log, then `relato retry {report.id}`"
    )
    report.finished_at = report.updated_at = now
    session.commit()
    log.warning("report %s failed: %s", report.id, report.error)


def _give_up_reextract(session: Session, report: Report, now: datetime) -> None:
    last = report.worker_id
    report.reextract_state, report.worker_id, report.lease_until, report.progress = "failed", None, None, None
    report.reextract_error = (
        f"re-extraction did not finish after {report.reextract_attempts} attempts: each time the worker process "
        f"itself stopped without finishing or renewing its lease (the last was {last}); the stored facts are "
        "unchanged. See that machine's log, then ask for the re-extraction again"
    )
    report.reextract_finished_at = now
    session.commit()
    log.warning("re-extraction of report %s failed: %s", report.id, report.reextract_error)


def _guarded(claim: Claim) -> object:
    running = (col(Report.reextract_state) == "processing") if claim.reextract else (col(Report.status) == "processing")
    return and_(col(Report.id) == claim.report_id, col(Report.worker_id) == claim.worker_id, running)


PROGRESS_EVERY_S = 1.0  # at most one progress write a second: a page of OCR takes about that


class _Progress:
    """Stores the extraction's progress lines on the report (GET /api/v1/reports/{id}
    shows them while it is processing), at most one write every PROGRESS_EVERY_S."""

    def __init__(self, engine: Engine, claim: Claim) -> None:
        self._engine, self._claim, self._last = engine, claim, 0.0

    def __call__(self, line: str) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        with Session(write_engine(self._engine)) as session:
            session.exec(update(Report).where(_guarded(self._claim)).values(progress=line[:200]))  # type: ignore[call-overload]
            session.commit()


def renew_lease(engine: Engine, settings: Settings, claim: Claim) -> bool:
    """Extend our lease; False if another worker has taken the report over."""
    with Session(write_engine(engine)) as session:
        until = db_now(session) + timedelta(seconds=settings.lease_s)
        result = session.exec(update(Report).where(_guarded(claim)).values(lease_until=until))  # type: ignore[call-overload]
        session.commit()
        return result.rowcount == 1


def finish_done(engine: Engine, claim: Claim, result: ExtractResult, sizes: list[tuple[float, float]]) -> bool:
    """Store the facts and set `done` in one transaction, only if we still hold the claim."""
    with Session(write_engine(engine)) as session:
        now = db_now(session)
        values = {"status": "done", "error": None, "progress": None, "lease_until": None, "finished_at": now, "updated_at": now}
        guarded = session.exec(update(Report).where(_guarded(claim)).values(**values))  # type: ignore[call-overload]
        if guarded.rowcount != 1:
            session.rollback()
            log.warning("report %s was taken over by another worker; result dropped", claim.report_id)
            return False
        report = session.get(Report, claim.report_id)
        assert report is not None
        count = store_result(session, report, result, sizes)
        session.commit()
        log.info("report %s done: %d extractions", claim.report_id, count)
        return True


def finish_reextracted(engine: Engine, claim: Claim, result: ExtractResult) -> bool:
    """Merge a re-extraction into the stored facts (service/jobs/reextract.py `apply_result`)
    and set it `done` with its counts in one transaction, only if we still hold the claim."""
    with Session(write_engine(engine)) as session:
        hold_feed_lock(session)  # before the report's row lock (service/storage/sequence.py)
        guarded = session.exec(update(Report).where(_guarded(claim))  # type: ignore[call-overload]
                               .values(progress=None, lease_until=None))
        if guarded.rowcount != 1:
            session.rollback()
            log.warning("re-extraction of report %s was taken over by another worker; result dropped", claim.report_id)
            return False
        report = session.get(Report, claim.report_id)
        assert report is not None
        outcome = apply_result(session, report, result)
        record_outcome(report, outcome, db_now(session))
        session.commit()
        log.info("%s", outcome.line())
        return True


def finish_failed(engine: Engine, claim: Claim, reason: str) -> bool:
    """The job failed with `reason`: a first extraction fails its report; a re-extraction
    fails only itself (the report stays `done`, its facts as they were)."""
    with Session(write_engine(engine)) as session:
        now = db_now(session)
        values: dict[str, object] = {"progress": None, "lease_until": None}
        if claim.reextract:
            values |= {"reextract_state": "failed", "reextract_error": reason, "reextract_finished_at": now}
        else:
            values |= {"status": "failed", "error": reason, "finished_at": now, "updated_at": now}
        guarded = session.exec(update(Report).where(_guarded(claim)).values(**values))  # type: ignore[call-overload]
        session.commit()
        log.warning("%sreport %s failed: %s", "re-extraction of " if claim.reextract else "", claim.report_id, reason)
        return guarded.rowcount == 1


def requeue_missing_pdfs(engine: Engine, settings: Settings) -> list[int]:
    """Queue again the failed reports whose PDF was missing and that the store now has
    (after `relato blobs push`); returns their ids."""
    store = open_store(settings, engine)
    with Session(write_engine(engine)) as session:
        failed = session.exec(select(Report).where(
            col(Report.status) == "failed", col(Report.error).startswith(MISSING_PDF))).all()
        found = [r for r in failed if store.exists(r.sha256)]
        for report in found:
            report.status, report.error, report.attempts = "queued", None, 0
            report.finished_at, report.updated_at = None, db_now(session)
        session.commit()
        return [r.id for r in found if r.id is not None]


class _Heartbeat:
    """Renews the lease every third of its length while the extraction runs."""

    def __init__(self, engine: Engine, settings: Settings, claim: Claim) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(engine, settings, claim), daemon=True)

    def _run(self, engine: Engine, settings: Settings, claim: Claim) -> None:
        while not self._stop.wait(settings.lease_s / 3):
            try:
                if not renew_lease(engine, settings, claim):
                    return
            except Exception:  # a database hiccup: try again at the next beat
                log.exception("could not renew the lease on report %s", claim.report_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def process(engine: Engine, settings: Settings, claim: Claim) -> bool:
    """Extract a claimed report and record the outcome; True if this worker completed it."""
    with _Heartbeat(engine, settings, claim):
        if settings.test_extract_delay_s:
            time.sleep(settings.test_extract_delay_s)
        try:
            path = local_pdf(open_store(settings, engine), settings, claim.sha256)
        except BlobMissing as exc:
            return finish_failed(engine, claim, f"{MISSING_PDF}: {exc}")
        except BlobDamaged as exc:
            return finish_failed(engine, claim, f"the stored PDF is damaged: {exc}")
        except Exception:  # the database or the disk failed: the lease runs out, the report is claimed again
            log.exception("could not fetch the PDF of report %s", claim.report_id)
            return False
        try:
            with extracting.limits(settings.extract_timeout_s, settings.extract_memory_mb), \
                    extracting.progress(_Progress(engine, claim)):
                result = extract_capped(settings, path, claim.filename)
                sizes = [] if claim.reextract else extracting.page_sizes(path)
        except BadPDF as exc:
            return finish_failed(engine, claim, exc.reason)
        except extracting.ExtractionCrashed as exc:
            log.error("extraction of report %s crashed: %s", claim.report_id, exc)
            return finish_failed(engine, claim, f"extraction crashed ({exc}); "
                                 "please report this file to the maintainers")
        except Exception as exc:  # a bug in extraction must not stop the worker
            log.exception("extraction of report %s crashed", claim.report_id)
            return finish_failed(engine, claim, f"extraction crashed ({type(exc).__name__}: {exc}); "
                                 "please report this file to the maintainers")
    if claim.reextract:
        return finish_reextracted(engine, claim, result)
    return finish_done(engine, claim, result, sizes)


def run_worker(engine: Engine, settings: Settings, stop: threading.Event, *, drain: bool = False) -> int:
    """Claim and process reports until `stop` is set (or, with drain, the queue is empty)."""
    worker_id, processed = worker_identity(), 0
    log.info("worker %s started", worker_id)
    extracting.prestart()
    while not stop.is_set():
        try:
            claim = claim_next(engine, settings, worker_id)
        except Exception:
            log.exception("could not claim a report; retrying in %.1fs", settings.poll_s)
            stop.wait(settings.poll_s)
            continue
        if claim is None:
            if drain:
                break
            stop.wait(settings.poll_s)
            continue
        processed += process(engine, settings, claim)
    return processed
