"""Register a spooled upload as a report: check the bytes, de-duplicate by sha256,
probe the PDF in a child process (service/jobs/extracting.py), and only then put the
bytes in the blob store (service/storage/blobs.py) and create the queued report row:
a rejected upload leaves nothing behind. The API's upload route and `relato ingest`
both come through here.

The blob is stored (and committed) before the report row that points at it, so no
report ever lacks its PDF. If the database then refuses the row, the blob stays: it is
reused when the same bytes come again, and deleting it could delete the bytes that a
concurrent upload of the same file has just registered.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from extractor.errors import BadPDF
from service.jobs import extracting
from service.storage.config import Settings
from service.storage.db import write_engine
from service.jobs.retry import retry_report
from service.storage.blobs import keep_local, open_store, repair
from service.storage.files import PDF_MAGIC, Spool, UploadRejected
from service.storage.models import Report
from service.storage.timeutil import utcnow

def register_pdf(engine: Engine, settings: Settings, spool: Spool, filename: str) -> tuple[Report, bool]:
    """Check, de-duplicate and store a spooled upload; returns (report, created).

    Raises UploadRejected (nothing stored) for empty, non-PDF or unreadable files.
    """
    try:
        spool.close()
        _check_bytes(spool)
        existing = _find_by_sha(engine, spool.sha256)
        if existing is not None:
            return _again(engine, settings, spool, existing), False
        try:
            pages = extracting.probe(spool.path, max_pages=settings.max_pages)
        except BadPDF as exc:
            raise UploadRejected(422, f"cannot read this PDF: {exc.reason}") from exc
        return _store(engine, settings, spool, filename, pages)
    finally:
        spool.discard()


def _check_bytes(spool: Spool) -> None:
    if spool.size == 0:
        raise UploadRejected(400, "the file is empty; choose the report's PDF and upload it again")
    if PDF_MAGIC not in spool.head:
        raise UploadRejected(415, "this is not a PDF (it does not start with %PDF-); upload the report as PDF")
    if (container := _container(spool.head)) is not None:
        raise UploadRejected(415, f"this is {container} holding a PDF, not a PDF; upload the PDF itself")


# Readers take a %PDF- header anywhere in the first KiB, so an archive that stores a PDF
# near its start passed the check above (a zip with the PDF inside was accepted).
CONTAINERS = ((b"PK\x03\x04", "a zip file"), (b"PK\x05\x06", "a zip file"), (b"\x1f\x8b", "a gzip file"),
              (b"7z\xbc\xaf\x27\x1c", "a 7-Zip file"), (b"Rar!", "a RAR file"), (b"BZh", "a bzip2 file"),
              (b"\xfd7zXZ\x00", "an xz file"))


def _container(head: bytes) -> str | None:
    """What archive or compressed file `head` begins, if any."""
    return next((name for magic, name in CONTAINERS if head.startswith(magic)), None)


def _again(engine: Engine, settings: Settings, spool: Spool, existing: Report) -> Report:
    """The same bytes uploaded again: they replace a stored copy that is missing or damaged,
    and a report that failed because of it is queued again (service/jobs/retry.py)."""
    repaired = repair(open_store(settings, engine), settings, spool.sha256, spool.path)
    if existing.status == "failed" and (repaired or _failed_on_its_pdf(existing)) and existing.id is not None:
        return retry_report(engine, existing.id)
    return existing


def _failed_on_its_pdf(report: Report) -> bool:
    """Failed because its PDF was missing or damaged (service/jobs/worker.py's reasons)."""
    return "the stored PDF is" in (report.error or "")


def _find_by_sha(engine: Engine, sha256: str) -> Report | None:
    with Session(engine) as session:
        return session.exec(select(Report).where(Report.sha256 == sha256)).first()


def _store(engine: Engine, settings: Settings, spool: Spool, filename: str, pages: int) -> tuple[Report, bool]:
    open_store(settings, engine).put(spool.sha256, spool.path)
    keep_local(settings, spool.sha256, spool.path)
    now = utcnow()
    report = Report(
        sha256=spool.sha256, filename=filename, size_bytes=spool.size, pages=pages,
        status="queued", created_at=now, updated_at=now,
    )
    with Session(write_engine(engine)) as session:
        try:
            session.add(report)
            session.commit()
            session.refresh(report)
            return report, True
        except IntegrityError:  # the same bytes were registered concurrently
            session.rollback()
    existing = _find_by_sha(engine, spool.sha256)
    if existing is None:
        raise RuntimeError("report vanished after a duplicate-key conflict")
    return existing, False
