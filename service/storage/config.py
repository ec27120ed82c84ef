"""Settings read from the environment once, so every part of the service sees the same values.

Plain pydantic (no pydantic-settings) keeps the dependency list short; each field
names the environment variable it comes from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ENV_PREFIX = "RELATO_"


class Settings(BaseModel):
    """Service configuration. Build it with `Settings.from_env()`; tests pass values directly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = Field("sqlite:///./relato.db", description="RELATO_DATABASE_URL")
    data_dir: Path = Field(
        Path("./relato-data"), description="RELATO_DATA_DIR: PDFs (the store with `dir`, else a cache), page images"
    )
    blob_store: Literal["db", "dir"] | None = Field(
        None, description="RELATO_BLOB_STORE: where uploaded PDFs live; default db on PostgreSQL, dir on SQLite"
    )
    max_upload_mb: float = Field(50, gt=0, description="RELATO_MAX_UPLOAD_MB")
    max_pages: int = Field(2000, gt=0, description="RELATO_MAX_PAGES")
    lease_s: float = Field(60, gt=0, description="RELATO_LEASE_S: a worker's claim on a report")
    poll_s: float = Field(1.0, gt=0, description="RELATO_POLL_S: idle worker's wait between polls")
    max_attempts: int = Field(3, gt=0, description="RELATO_MAX_ATTEMPTS before a report is failed")
    extract_timeout_s: float = Field(
        120, gt=0, description="RELATO_EXTRACT_TIMEOUT_S: wall-clock limit of one report's extraction"
    )
    extract_memory_mb: int = Field(
        1024, ge=0, description="RELATO_EXTRACT_MEMORY_MB: address-space limit of the extraction process (0: none)"
    )
    max_json_kb: int = Field(1024, gt=0, description="RELATO_MAX_JSON_KB: largest non-upload request body (413)")
    auth_failures_per_minute: int = Field(
        20, gt=0, description="RELATO_AUTH_FAILURES_PER_MINUTE: bad tokens per client IP before 429"
    )
    cors_origins: str = Field("", description="RELATO_CORS_ORIGINS: comma-separated origins allowed by CORS (none)")
    threads: int = Field(
        10, gt=0, description="RELATO_THREADS: request threads per server process, each with a database connection"
    )
    pool_timeout_s: float = Field(
        2, gt=0, description="RELATO_POOL_TIMEOUT_S: longest wait for a database connection before 503 + Retry-After"
    )
    max_inflight: int = Field(
        64, gt=0, description="RELATO_MAX_INFLIGHT: API requests in progress per process before 503 + Retry-After"
    )
    body_timeout_s: float = Field(
        10, gt=0, description="RELATO_BODY_TIMEOUT_S: a request body must arrive within this (408), plus 1 s per 64 KB"
    )
    header_timeout_s: float = Field(
        10, gt=0, description="RELATO_HEADER_TIMEOUT_S: a request's headers must arrive within this, else closed"
    )
    max_unauthenticated_per_client: int = Field(
        32, gt=0, description="RELATO_MAX_UNAUTHENTICATED_PER_CLIENT: connections per IP and process without a token"
    )
    trusted_proxies: str = Field(
        "", description="RELATO_TRUSTED_PROXIES: comma-separated proxy addresses whose X-Forwarded-For is believed"
    )
    max_renders: int = Field(
        2, gt=0, description="RELATO_MAX_RENDERS: page images drawn at once per process; past it (after 1 s) 503"
    )
    max_facts_per_page: int = Field(
        300, gt=0, description="RELATO_MAX_FACTS_PER_PAGE: facts stored per page; past it dropped, with a warning"
    )
    max_facts_per_report: int = Field(
        5000, gt=0, description="RELATO_MAX_FACTS_PER_REPORT: facts stored per report; past it dropped, with a warning"
    )
    refit_every_s: float = Field(
        10, ge=0, description="RELATO_REFIT_EVERY_S: most often a process looks for new decisions to refit on"
    )
    test_extract_delay_s: float = Field(
        0, ge=0, description="RELATO_TEST_EXTRACT_DELAY_S: test hook, sleep while holding a claim"
    )

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def blob_store_kind(self) -> Literal["db", "dir"]:
        """`db` unless chosen otherwise on PostgreSQL, where workers may run on other
        machines; `dir` on SQLite, which is one machine anyway (service/storage/blobs.py)."""
        if self.blob_store is not None:
            return self.blob_store
        return "dir" if self.database_url.startswith("sqlite") else "db"

    @property
    def pdf_dir(self) -> Path:
        return self.data_dir / "pdfs"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read RELATO_* variables; explicit `overrides` (e.g. CLI flags) win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            key = ENV_PREFIX + name.upper()
            if key in env and env[key] != "":
                values[name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
