"""The blob store behind uploaded PDFs (service/storage/blobs.py), both kinds on both
databases: bytes come back whole and in order, the same bytes are stored once, a missing
blob is an error that says so, and a process with an empty data directory fetches a PDF
into its cache only when the bytes match their sha256."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from service.api.app import create_app
from service.storage.blobs import (
    BLOB_CHUNK_BYTES, BlobDamaged, BlobMissing, BlobStore, DatabaseBlobs, local_pdf, open_store, pdf_path,
)
from service.storage.config import Settings
from service.storage.db import write_engine
from service.storage.models import Blob, BlobChunk, Report
from tests.pdfmaker import simple_deck, slide_pdf
from tests.service.conftest import auth
from tests.service.fakes import drain_queue
from tests.service.helpers import upload


def _file(path: Path, size: int) -> tuple[Path, str]:
    data = os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


@pytest.fixture(params=["db", "dir"])
def store(request: pytest.FixtureRequest, engine: Engine, settings: Settings) -> BlobStore:
    return open_store(settings.model_copy(update={"blob_store": request.param}), engine)


@pytest.mark.parametrize("size", [1, BLOB_CHUNK_BYTES, 2 * BLOB_CHUNK_BYTES + 12_345])
def test_bytes_come_back_whole_and_in_order(store: BlobStore, tmp_path: Path, size: int) -> None:
    source, sha = _file(tmp_path / "in.pdf", size)
    assert not store.exists(sha)
    assert store.put(sha, source) is True
    assert store.exists(sha) and source.exists()  # the caller's file is left in place
    chunks = list(store.chunks(sha))
    assert b"".join(chunks) == source.read_bytes()
    assert all(len(c) <= BLOB_CHUNK_BYTES for c in chunks)


def test_the_same_bytes_are_stored_once(store: BlobStore, engine: Engine, tmp_path: Path) -> None:
    source, sha = _file(tmp_path / "in.pdf", 3 * BLOB_CHUNK_BYTES // 2)
    again = tmp_path / "again.pdf"
    again.write_bytes(source.read_bytes())
    assert store.put(sha, source) is True
    assert store.put(sha, again) is False
    assert b"".join(store.chunks(sha)) == source.read_bytes()
    if isinstance(store, DatabaseBlobs):
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(Blob)).one()[0] == 1  # type: ignore[call-overload]
            assert session.exec(select(func.count()).select_from(BlobChunk)).one()[0] == 2  # type: ignore[call-overload]


def test_concurrent_puts_of_the_same_bytes_store_them_once(store: BlobStore, tmp_path: Path) -> None:
    source, sha = _file(tmp_path / "in.pdf", BLOB_CHUNK_BYTES + 1)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(store.put(sha, source))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if isinstance(store, DatabaseBlobs):
        assert sorted(results) == [False, False, False, True]
    else:  # two may both rename a whole copy into place; the second replaces identical bytes
        assert True in results and len(results) == 4
    assert b"".join(store.chunks(sha)) == source.read_bytes()


def test_a_missing_blob_says_where_it_was_looked_for(store: BlobStore) -> None:
    with pytest.raises(BlobMissing, match=f"RELATO_BLOB_STORE={store.kind}"):
        store.chunks("0" * 64)


def test_an_empty_data_dir_fetches_the_pdf_from_the_database(engine: Engine, settings: Settings,
                                                             tmp_path: Path) -> None:
    uploader = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "uploader"})
    other = uploader.model_copy(update={"data_dir": tmp_path / "other"})
    source, sha = _file(tmp_path / "in.pdf", 2 * BLOB_CHUNK_BYTES + 7)
    assert open_store(uploader, engine).put(sha, source)
    path = local_pdf(open_store(other, engine), other, sha)
    assert path == pdf_path(other, sha) and path.read_bytes() == source.read_bytes()
    assert list((other.tmp_dir).iterdir()) == []  # no partial file left behind


def test_bytes_that_do_not_match_their_sha256_are_not_cached(engine: Engine, settings: Settings,
                                                            tmp_path: Path) -> None:
    db = settings.model_copy(update={"blob_store": "db"})
    source, sha = _file(tmp_path / "in.pdf", 100)
    store = open_store(db, engine)
    store.put(sha, source)
    _tamper(engine)
    with pytest.raises(BlobDamaged, match="hash to"):
        local_pdf(store, db, sha)
    assert not pdf_path(db, sha).exists()


def test_a_missing_pdf_with_the_dir_store_is_blob_missing(engine: Engine, settings: Settings) -> None:
    local = settings.model_copy(update={"blob_store": "dir"})
    with pytest.raises(BlobMissing, match="every process needs this data directory"):
        local_pdf(open_store(local, engine), local, "ab" * 32)


@pytest.mark.parametrize(("url", "chosen", "kind"), [
    ("sqlite:///x.db", None, "dir"), ("postgresql+psycopg://h/db", None, "db"),
    ("sqlite:///x.db", "db", "db"), ("postgresql+psycopg://h/db", "dir", "dir"),
])
def test_the_store_defaults_to_the_database_on_postgresql(url: str, chosen: str | None, kind: str) -> None:
    environ = {"RELATO_DATABASE_URL": url, **({"RELATO_BLOB_STORE": chosen} if chosen else {})}
    assert Settings.from_env(environ).blob_store_kind == kind


def test_an_unknown_store_is_refused() -> None:
    with pytest.raises(ValueError, match="blob_store"):
        Settings.from_env({"RELATO_BLOB_STORE": "s3"})


def _tamper(engine: Engine) -> None:
    with Session(write_engine(engine)) as session:
        session.exec(update(BlobChunk).values(data=b"%PDF-1.4 tampered"))  # type: ignore[call-overload]
        session.commit()


def test_a_damaged_pdf_fails_its_report_and_its_page_images_say_why(
    engine: Engine, settings: Settings, tokens: dict[str, str], tmp_path: Path, fake_extract: None
) -> None:
    uploader = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "uploader"})
    with TestClient(create_app(uploader, start_worker=False)) as api:
        first = upload(api, tokens["operator"], simple_deck(tmp_path / "a.pdf")).json()
        drain_queue(engine, uploader)  # extracted where the file is cached
        second = upload(api, tokens["operator"], slide_pdf(tmp_path / "b.pdf", [[("OUTRO", 30, True)]])).json()
    _tamper(engine)
    elsewhere = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "elsewhere"})
    drain_queue(engine, elsewhere)
    with Session(engine) as session:
        failed = session.get(Report, second["id"])
    assert failed is not None and failed.status == "failed"
    assert (failed.error or "").startswith("the stored PDF is damaged")
    with TestClient(create_app(elsewhere, start_worker=False)) as api:
        response = api.get(f"/api/v1/reports/{first['id']}/pages/1.png", headers=auth(tokens["reviewer"]))
    assert response.status_code == 500 and "hash to" in response.json()["detail"]
    assert not pdf_path(elsewhere, first["sha256"]).exists()
