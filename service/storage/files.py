"""Uploads on their way in: spooled to disk and hashed, never kept under the name the
client sent.

A `Spool` writes incoming chunks to a temporary file while hashing them and stops
as soon as the size limit is passed, so a huge upload never sits in memory or
fills the disk. Registering one (checks, probe, blob store, report row) is
`service/jobs/intake.py`; where the stored PDF lives is `service/storage/blobs.py`.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path, PurePosixPath

from service.storage.config import Settings

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
