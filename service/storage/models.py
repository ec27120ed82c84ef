"""Database tables (SQLModel), after the full-stack-fastapi-template; the shapes the
API returns (XPublic) are in schemas.py.

The migration in migrations/versions/ is the source of truth for the schema; these
classes must match it (tests/service/test_migrations.py compares them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.storage.exactjson import ExactJSON

Role = Literal["operator", "reviewer", "consumer", "admin"]
ROLES: tuple[Role, ...] = ("operator", "reviewer", "consumer", "admin")
ReportStatus = Literal["queued", "processing", "done", "failed"]
ReextractState = Literal["queued", "processing", "done", "failed"]
ReviewStatus = Literal["pending", "confirmed", "corrected", "rejected"]
REVIEW_STATUSES: tuple[ReviewStatus, ...] = ("pending", "confirmed", "corrected", "rejected")
ReviewAction = Literal["confirm", "correct", "reject", "reopen", "revert"]
REVIEWER_EXTRACTOR = "reviewer"  # `extractor` of a fact a reviewer added (POST /api/v1/extractions)
PUBLISHED: tuple[ReviewStatus, ...] = ("confirmed", "corrected")  # what the records feed publishes


def _ts(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


def _value() -> Any:
    """A fact's value: JSON that round-trips numbers exactly (service/storage/exactjson.py)."""
    return Field(default=None, sa_column=Column(ExactJSON, nullable=False))


class ApiToken(SQLModel, table=True):
    """A bearer token; only its sha256 is stored, so a database leak leaks no tokens."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)
    last_used_at: datetime | None = _ts(nullable=True)  # to the minute (service/storage/tokens.py UseClock)


class Report(SQLModel, table=True):
    """One uploaded PDF (stored by sha256) and the state of its extraction."""

    __tablename__ = "report"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    filename: str = Field(max_length=500)
    size_bytes: int
    status: str = Field(default="queued", max_length=20, index=True)
    error: str | None = None
    progress: str | None = Field(default=None, max_length=200)  # while processing: "OCR: página 12 de 100"
    pages: int | None = None
    title: str | None = None
    status_date: str | None = Field(default=None, max_length=10)
    warnings: Any = _json()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    worker_id: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = _ts(nullable=True)
    attempts: int = 0
    started_at: datetime | None = _ts(nullable=True)
    finished_at: datetime | None = _ts(nullable=True)
    series: str | None = Field(default=None, max_length=500, index=True)
    # A re-extraction asked for by an operator (service/jobs/reextract.py): a job of its own
    # beside `status`, which stays `done` (facts reviewable, fed, in their series) meanwhile.
    # The lease columns above (worker_id, lease_until, progress) serve whichever job runs.
    reextract_state: str | None = Field(default=None, max_length=20, index=True)  # queued/processing/done/failed
    reextract_requested_at: datetime | None = _ts(nullable=True)
    reextract_requested_by: str | None = Field(default=None, max_length=200)
    reextract_attempts: int = 0
    reextract_finished_at: datetime | None = _ts(nullable=True)
    reextract_error: str | None = None
    reextract_outcome: Any = _json()  # {"kept", "changed", "added", "orphaned", "restored"}


class Page(SQLModel, table=True):
    """A page's size in PDF points, to check page numbers and scale highlights."""

    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("report_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", ondelete="CASCADE")
    number: int
    width: float
    height: float
    complete_by: str | None = Field(default=None, max_length=200)  # "revisado por completo": who
    complete_at: datetime | None = _ts(nullable=True)


class Area(SQLModel, table=True):
    __tablename__ = "area"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    number: int | None = None
    name: str


class Initiative(SQLModel, table=True):
    __tablename__ = "initiative"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="SET NULL")
    position: int
    title: str
    pages: Any = _json(nullable=False)
    text: str = ""
    key: str | None = Field(default=None, max_length=120, index=True)
    key_pinned: bool = False


class Extraction(SQLModel, table=True):
    """A fact as extracted (orig_*) and as reviewed (value, unit, qualifier, status).

    `version` grows on every review (optimistic locking); `change_seq` is the feed
    position of the latest review; `published` is true once the fact was ever
    confirmed or corrected, so a later rejection is fed as a withdrawal.
    """

    __tablename__ = "extraction"
    # Covers the quality report's GROUP BYs (service/quality/report.py), so they read this
    # narrow index instead of the facts' rows (text, value, boxes): 3-4x less on SQLite.
    __table_args__ = (Index("ix_extraction_quality", "report_id", "extractor", "kind", "status", "confidence", "page"),)
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    initiative_id: int | None = Field(
        default=None, foreign_key="initiative.id", index=True, ondelete="CASCADE"
    )
    position: int
    kind: str = Field(max_length=20, index=True)
    text: str
    value: Any = _value()
    unit: str | None = None
    qualifier: str | None = Field(default=None, max_length=20)
    name: str | None = None
    page: int
    bbox: Any = _json(nullable=False)
    lines: Any = _json()  # one box per printed line when the fact wraps, else null
    extractor: str = Field(max_length=100)
    confidence: float
    orig_value: Any = _value()
    orig_unit: str | None = None
    orig_qualifier: str | None = Field(default=None, max_length=20)
    status: str = Field(default="pending", max_length=20, index=True)
    version: int = 1
    published: bool = False
    change_seq: int | None = Field(default=None, unique=True)
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = _ts(nullable=True)
    orphaned: bool = Field(default=False, index=True)
    note: str | None = None  # the latest review's note: part of the state `revert` restores
    initiative_pinned: bool = False  # a reviewer moved it: re-extraction keeps its initiative


class ReviewEvent(SQLModel, table=True):
    """Append-only audit trail: who did what to which fact, with the value before and after."""

    __tablename__ = "review_event"
    id: int | None = Field(default=None, primary_key=True)
    extraction_id: int = Field(foreign_key="extraction.id", index=True, ondelete="CASCADE")
    token_id: int | None = Field(default=None, foreign_key="api_token.id", ondelete="SET NULL")
    actor: str = Field(max_length=200)
    at: datetime = _ts()
    action: str = Field(max_length=20)
    before: Any = _json(nullable=False)
    after: Any = _json(nullable=False)
    note: str | None = None
    change_seq: int = Field(index=True)  # the feed finds a withdrawal's decision by it


class ChangeCounter(SQLModel, table=True):
    """SQLite's change sequence: one row, bumped inside the review's write transaction."""

    __tablename__ = "change_counter"
    id: int = Field(default=1, primary_key=True)
    value: int = 0


class LinkDecision(SQLModel, table=True):
    """A reviewer's merge or split of initiative keys (the pins live on Initiative)."""

    __tablename__ = "link_decision"
    id: int | None = Field(default=None, primary_key=True)
    series: str | None = Field(default=None, max_length=500)
    action: str = Field(max_length=20)
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id", ondelete="SET NULL")
    from_key: str | None = Field(default=None, max_length=120)
    to_key: str | None = Field(default=None, max_length=120)
    actor: str = Field(max_length=200)
    at: datetime = _ts()
    note: str | None = None


class ReviewPresence(SQLModel, table=True):
    """Which fact an open review tab shows, refreshed by the tab every few seconds; a
    row older than the presence window is a closed tab (nothing deletes it on close)."""

    __tablename__ = "review_presence"
    __table_args__ = (UniqueConstraint("token_id", "tab"),)
    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id", ondelete="CASCADE")
    tab: str = Field(max_length=64)
    reviewer: str = Field(max_length=200)
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True, ondelete="CASCADE")
    extraction_id: int | None = Field(default=None, foreign_key="extraction.id", ondelete="CASCADE")
    seen_at: datetime = _ts()


class Blob(SQLModel, table=True):
    """A stored file (an uploaded PDF), keyed by the sha256 of its bytes; its content is in
    `blob_chunk` rows. Written in one transaction with its chunks, so a blob that is
    visible is complete (service/storage/blobs.py)."""

    __tablename__ = "blob"
    sha256: str = Field(max_length=64, primary_key=True)
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    chunks: int
    created_at: datetime = _ts()


class BlobChunk(SQLModel, table=True):
    """One slice (BLOB_CHUNK_BYTES) of a blob: reads and writes stream slice by slice, so a
    50 MB PDF never sits in memory whole."""

    __tablename__ = "blob_chunk"
    sha256: str = Field(max_length=64, primary_key=True, foreign_key="blob.sha256", ondelete="CASCADE")
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ConfidenceRefit(SQLModel, table=True):
    """One confidence bin of one extractor, refitted on this deployment's review decisions
    (service/quality/refit.py): `refitted` is the precision reviewers observed for the
    extractor's facts in that bin, made non-decreasing across bins. Only extractors with
    enough decisions have rows; the review queue orders by `refitted` where there is one."""

    __tablename__ = "confidence_refit"
    extractor: str = Field(max_length=100, primary_key=True)
    bin: int = Field(primary_key=True)  # floor(confidence * BINS), 1.0 in the last bin
    decided: int
    confirmed: int
    mean_confidence: float | None = None  # of the decided facts in the bin; null when none
    refitted: float


class RefitState(SQLModel, table=True):
    """When the refit last ran and the highest change number it had seen: a refit is due
    only once a decision (or any review change) has a higher one. One row, id 1."""

    __tablename__ = "refit_state"
    id: int = Field(default=1, primary_key=True)
    through_change: int | None = None
    fitted_at: datetime | None = _ts(nullable=True)
