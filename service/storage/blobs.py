"""Where uploaded PDFs live: one small interface (`BlobStore`), two stores, chosen by
RELATO_BLOB_STORE (`Settings.blob_store_kind`).

- `DatabaseBlobs` (`db`, the default on PostgreSQL): the bytes in the database, in
  `blob` / `blob_chunk` rows of BLOB_CHUNK_BYTES each. Every worker and web process that
  reaches the database reaches the PDFs, so workers on other machines need no shared
  disk. Chunks keep both directions streaming: a write inserts one slice at a time and a
  read selects one at a time, so a 50 MB PDF is never held whole in memory (nor twice,
  as one bytea value would be: the driver's buffer plus the Python bytes). One slice per
  SELECT rather than one streamed SELECT, because a server-side cursor's read-ahead
  depends on the driver; a round trip per MiB costs nothing next to the copy.
- `DirectoryBlobs` (`dir`, the default on SQLite: one machine): files under
  RELATO_DATA_DIR/pdfs/<sha256[:2]>/<sha256>.pdf, the layout relato always had.

Either way, `local_pdf` gives the PDF as a file on this machine (pdfium and pdfminer read
files): RELATO_DATA_DIR/pdfs is then a cache that a process fills from the store when it
lacks a file, checking the fetched bytes against their sha256. With `dir`, the cache and
the store are the same files.

Blobs are keyed by the sha256 of their bytes, so storing the same bytes twice stores
them once, and a blob is never changed: a cached copy can never be stale.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from service.storage.config import Settings
from service.storage.db import write_engine
from service.storage.models import Blob, BlobChunk
from service.storage.timeutil import utcnow

BLOB_CHUNK_BYTES = 1 << 20
_SHA256_NAME = re.compile(r"[0-9a-f]{64}\.pdf")
_BLOB = Blob.__table__  # type: ignore[attr-defined]
_CHUNK = BlobChunk.__table__  # type: ignore[attr-defined]


class BlobMissing(LookupError):
    """The store has no blob with this sha256 (or, in a database, not all of its chunks)."""


class BlobDamaged(RuntimeError):
    """The stored bytes do not hash to their sha256: nothing is cached, nothing is read."""


class BlobStore(Protocol):
    kind: str

    def exists(self, sha256: str) -> bool:
        """Whether the store holds these bytes."""

    def put(self, sha256: str, source: Path) -> bool:
        """Store the bytes of file `source`, whose sha256 the caller computed; False when
        they were stored already (nothing is written then). `source` is left in place."""

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The bytes in order, a slice at a time; raises BlobMissing before the first slice."""

    def drop(self, sha256: str) -> None:
        """Forget these bytes (to store them again: a damaged copy, `repair`)."""


def pdf_path(settings: Settings, sha256: str) -> Path:
    """Where a PDF sits on this machine: the `dir` store itself, or the `db` store's cache."""
    return settings.pdf_dir / sha256[:2] / f"{sha256}.pdf"


class DirectoryBlobs:
    """PDFs as files under RELATO_DATA_DIR/pdfs (one machine, or a disk every process mounts)."""

    kind = "dir"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def exists(self, sha256: str) -> bool:
        return pdf_path(self.settings, sha256).is_file()

    def put(self, sha256: str, source: Path) -> bool:
        final = pdf_path(self.settings, sha256)
        if final.is_file():
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.parent / f".{uuid.uuid4().hex}.part"
        try:
            try:
                os.link(source, partial)  # the spool is on the same disk: no copy
            except OSError:
                shutil.copyfile(source, partial)
            os.replace(partial, final)  # a reader never sees half a file
        finally:
            partial.unlink(missing_ok=True)
        return True

    def drop(self, sha256: str) -> None:
        pdf_path(self.settings, sha256).unlink(missing_ok=True)

    def chunks(self, sha256: str) -> Iterator[bytes]:
        try:
            handle = open(pdf_path(self.settings, sha256), "rb")  # noqa: SIM115 (closed by the generator)
        except FileNotFoundError as exc:
            raise BlobMissing(
                f"no {sha256}.pdf under {self.settings.pdf_dir} (RELATO_BLOB_STORE=dir: every process "
                "needs this data directory; with PostgreSQL, `db` keeps PDFs in the database)"
            ) from exc
        return _read_file(handle)


def _read_file(handle) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    with handle:
        while chunk := handle.read(BLOB_CHUNK_BYTES):
            yield chunk


class DatabaseBlobs:
    """PDFs in the database, in chunks (see the module docstring)."""

    kind = "db"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def exists(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(_BLOB.c.sha256).where(_BLOB.c.sha256 == sha256)).first() is not None

    def put(self, sha256: str, source: Path) -> bool:
        if self.exists(sha256):
            return False
        size = source.stat().st_size
        try:
            with write_engine(self.engine).begin() as conn, open(source, "rb") as handle:
                conn.execute(insert(_BLOB).values(
                    sha256=sha256, size_bytes=size, chunks=-(-size // BLOB_CHUNK_BYTES), created_at=utcnow()))
                seq = 0
                while chunk := handle.read(BLOB_CHUNK_BYTES):
                    conn.execute(insert(_CHUNK).values(sha256=sha256, seq=seq, data=chunk))
                    seq += 1
                if seq != -(-size // BLOB_CHUNK_BYTES):
                    raise OSError(f"{source} changed size while it was being stored")
        except IntegrityError:  # the same bytes were stored concurrently: theirs is as good
            if self.exists(sha256):
                return False
            raise
        return True

    def drop(self, sha256: str) -> None:
        with write_engine(self.engine).begin() as conn:
            conn.execute(delete(_CHUNK).where(_CHUNK.c.sha256 == sha256))
            conn.execute(delete(_BLOB).where(_BLOB.c.sha256 == sha256))

    def chunks(self, sha256: str) -> Iterator[bytes]:
        with self.engine.connect() as conn:
            count = conn.execute(select(_BLOB.c.chunks).where(_BLOB.c.sha256 == sha256)).scalar_one_or_none()
        if count is None:
            raise BlobMissing(
                f"the database holds no blob {sha256} (RELATO_BLOB_STORE=db); PDFs uploaded while the "
                "store was `dir` are copied in by `relato blobs push` on the machine that has them"
            )
        return self._slices(sha256, count)

    def _slices(self, sha256: str, count: int) -> Iterator[bytes]:
        with self.engine.connect() as conn:
            for seq in range(count):
                data = conn.execute(select(_CHUNK.c.data).where(
                    _CHUNK.c.sha256 == sha256, _CHUNK.c.seq == seq)).scalar_one_or_none()
                if data is None:
                    raise BlobMissing(f"blob {sha256} lacks chunk {seq} of {count}")
                yield bytes(data)


def open_store(settings: Settings, engine: Engine) -> BlobStore:
    """The store RELATO_BLOB_STORE selects (see `Settings.blob_store_kind`)."""
    if settings.blob_store_kind == "db":
        return DatabaseBlobs(engine)
    return DirectoryBlobs(settings)


def local_pdf(store: BlobStore, settings: Settings, sha256: str) -> Path:
    """The PDF as a file on this machine, fetched from the store into the cache first if
    this machine lacks it; raises BlobMissing when the store lacks it too, BlobDamaged
    (nothing cached) when the stored bytes do not hash to `sha256`."""
    target = pdf_path(settings, sha256)
    if target.is_file():
        return target
    slices = store.chunks(sha256)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    partial = settings.tmp_dir / f"{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as out:
            for chunk in slices:
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise BlobDamaged(f"the stored bytes of {sha256} hash to {digest.hexdigest()}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)  # two processes fetching at once both write whole, identical files
    finally:
        partial.unlink(missing_ok=True)
    return target


def intact(store: BlobStore, sha256: str) -> bool:
    """Whether the store holds these bytes whole (all of them, hashing to `sha256`)."""
    digest = hashlib.sha256()
    try:
        for chunk in store.chunks(sha256):
            digest.update(chunk)
    except BlobMissing:
        return False
    return digest.hexdigest() == sha256


def repair(store: BlobStore, settings: Settings, sha256: str, source: Path) -> bool:
    """Store the bytes of `source` (which hash to `sha256`) again when the stored copy, or
    this machine's cached one, is missing or damaged; True when something was repaired.
    Uploading the same bytes again is how an operator mends a lost or damaged PDF."""
    cached = pdf_path(settings, sha256)
    repaired = False
    if store.kind != "dir" and cached.is_file() and file_sha256(cached) != sha256:
        cached.unlink(missing_ok=True)
        repaired = True
    if not intact(store, sha256):
        store.drop(sha256)
        store.put(sha256, source)
        repaired = True
    return repaired


def keep_local(settings: Settings, sha256: str, source: Path) -> None:
    """Move a just-stored upload into this machine's cache (saves the first fetch); with
    `dir` the store already put it there and `source` is left for the caller to discard."""
    target = pdf_path(settings, sha256)
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(BLOB_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def push_local(settings: Settings, store: BlobStore) -> tuple[int, int, list[Path]]:
    """Copy this machine's RELATO_DATA_DIR/pdfs into `store` (after switching a deployment
    from `dir` to `db`): (stored now, stored already, files whose bytes do not match
    their name, left out)."""
    pushed, present, bad = 0, 0, []
    for path in sorted(settings.pdf_dir.rglob("*.pdf")) if settings.pdf_dir.is_dir() else ():
        sha256 = path.name.removesuffix(".pdf")
        if not _SHA256_NAME.fullmatch(path.name):
            bad.append(path)
        elif store.exists(sha256):
            present += 1
        elif file_sha256(path) != sha256:
            bad.append(path)
        elif store.put(sha256, path):
            pushed += 1
        else:
            present += 1
    return pushed, present, bad
