"""Uploads land on disk by sha256, never under the name the client sent.

A `Spool` writes incoming chunks to a temporary file while hashing them and stops
as soon as the size limit is passed, so a huge upload never sits in memory or
fills the disk. `register_pdf` then checks the content (magic bytes, then a quick
probe), de-duplicates by sha256 and only then moves the file into place and
creates the report row: a rejected upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from extractor.errors import BadPDF
from service import extracting
from service.config import Settings
from service.db import write_engine
from service.models import Report
from service.timeutil import utcnow

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # readers accept the header anywhere in the first KiB


class UploadRejected(Exception):
    """An upload refused with an HTTP status and a message the uploader can act on."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class Spool:
    """A temporary file under RELATO_DATA_DIR/tmp that hashes and counts what is written."""

    def __init__(self, settings: Settings) -> None:
        settings.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.limit = settings.max_upload_bytes
        self.limit_mb = settings.max_upload_mb
        self.path = settings.tmp_dir / f"{uuid.uuid4().hex}.part"
        self._file = open(self.path, "wb")  # noqa: SIM115 (closed in close/discard)
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise UploadRejected(413, f"the file is larger than the {self.limit_mb:g} MB limit (RELATO_MAX_UPLOAD_MB)")
        if len(self.head) < MAGIC_WINDOW:
            self.head += chunk[: MAGIC_WINDOW - len(self.head)]
        self._hash.update(chunk)
        self._file.write(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def display_filename(raw: str | None) -> str:
    """The client's file name for display only: last path component, bounded length."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name.strip()
    return (name or "upload.pdf")[:500]


def pdf_path(settings: Settings, sha256: str) -> Path:
    return settings.pdf_dir / sha256[:2] / f"{sha256}.pdf"


def spool_file(path: Path, settings: Settings, chunk_size: int = 1 << 20) -> Spool:
    """Spool a local file (for `relato ingest`) exactly as an upload would be."""
    spool = Spool(settings)
    try:
        with open(path, "rb") as source:
            while chunk := source.read(chunk_size):
                spool.write(chunk)
    except BaseException:
        spool.discard()
        raise
    spool.close()
    return spool


def register_pdf(engine: Engine, settings: Settings, spool: Spool, filename: str) -> tuple[Report, bool]:
    """Check, de-duplicate and store a spooled upload; returns (report, created).

    Raises UploadRejected (nothing stored) for empty, non-PDF or unreadable files.
    """
    try:
        spool.close()
        _check_bytes(spool)
        existing = _find_by_sha(engine, spool.sha256)
        if existing is not None:
            return existing, False
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


def _find_by_sha(engine: Engine, sha256: str) -> Report | None:
    with Session(engine) as session:
        return session.exec(select(Report).where(Report.sha256 == sha256)).first()


def _store(engine: Engine, settings: Settings, spool: Spool, filename: str, pages: int) -> tuple[Report, bool]:
    final = pdf_path(settings, spool.sha256)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(spool.path, final)
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
        except BaseException:  # the database refused: leave no orphan file behind
            session.rollback()
            if _find_by_sha(engine, spool.sha256) is None:
                final.unlink(missing_ok=True)
            raise
    existing = _find_by_sha(engine, spool.sha256)
    if existing is None:
        raise RuntimeError("report vanished after a duplicate-key conflict")
    return existing, False
