"""A failed report can always be tried again: `relato retry`, `POST .../retry` (operator), and
uploading the same bytes, which also mends a missing or damaged stored PDF."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from service.api.app import create_app
from service.jobs.worker import claim_next
from service.storage.blobs import intact, open_store, pdf_path
from service.storage.config import Settings
from service.storage.db import write_engine
from service.storage.models import BlobChunk, Report
from tests.pdfmaker import simple_deck
from tests.service.conftest import auth
from tests.service.fakes import drain_queue
from tests.service.helpers import upload


def _fail_by_dying_workers(engine: Engine, settings: Settings) -> int:
    """Claims whose worker never comes back (kill -9), until the report is failed."""
    expired = settings.model_copy(update={"lease_s": -1})  # each claim is stale at once
    for _ in range(settings.max_attempts + 1):
        claim_next(engine, expired, f"host:{_}")
    with Session(engine) as session:
        report = session.get(Report, 1)
        assert report is not None and report.status == "failed"
        return int(report.id or 0)


def test_a_report_whose_workers_died_says_so_and_is_retried_over_the_api(
        client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, fake_extract: None,
        tmp_path: Path) -> None:
    assert upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).status_code == 202
    report_id = _fail_by_dying_workers(engine, settings)
    failed = client.get(f"/api/v1/reports/{report_id}", headers=auth(tokens["operator"])).json()
    assert "the worker process itself stopped" in failed["error"] and "killed" in failed["error"]
    assert "may be too large or malformed" not in failed["error"] and f"relato retry {report_id}" in failed["error"]
    assert client.post(f"/api/v1/reports/{report_id}/retry", headers=auth(tokens["reviewer"])).status_code == 403
    retried = client.post(f"/api/v1/reports/{report_id}/retry", headers=auth(tokens["operator"]))
    assert retried.status_code == 200 and retried.json()["status"] == "queued" and retried.json()["error"] is None
    again = client.post(f"/api/v1/reports/{report_id}/retry", headers=auth(tokens["operator"]))
    assert again.status_code == 409 and "only failed reports" in again.json()["detail"]
    assert client.post("/api/v1/reports/999/retry", headers=auth(tokens["operator"])).status_code == 404
    assert drain_queue(engine, settings) == 1
    done = client.get(f"/api/v1/reports/{report_id}", headers=auth(tokens["operator"])).json()
    assert done["status"] == "done"


def test_relato_retry_queues_failed_reports_and_names_the_others(
        client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, database_url: str,
        tmp_path: Path) -> None:
    assert upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).status_code == 202
    report_id = _fail_by_dying_workers(engine, settings)
    env = {"RELATO_DATABASE_URL": database_url, "RELATO_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
    relato = str(Path(sys.executable).with_name("relato"))
    run = subprocess.run([relato, "retry", str(report_id), "999"], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and f"report {report_id}: queued again" in run.stdout
    assert "report 999: not retried: report 999 does not exist" in run.stderr
    with Session(engine) as session:
        report = session.get(Report, report_id)
        assert report is not None and (report.status, report.attempts, report.error) == ("queued", 0, None)


@pytest.mark.parametrize("damage", ["missing", "tampered"])
def test_uploading_the_same_bytes_mends_the_stored_pdf_and_requeues_its_report(
        engine: Engine, settings: Settings, tokens: dict[str, str], fake_extract: None, tmp_path: Path,
        damage: str) -> None:
    pdf = simple_deck(tmp_path / "a.pdf")
    uploader = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "uploader"})
    with TestClient(create_app(uploader, start_worker=False)) as api:
        sha = upload(api, tokens["operator"], pdf).json()["sha256"]
    store = open_store(uploader, engine)
    if damage == "missing":
        store.drop(sha)
    else:
        with Session(write_engine(engine)) as session:
            session.exec(update(BlobChunk).values(data=b"%PDF-1.4 tampered"))  # type: ignore[call-overload]
            session.commit()
    elsewhere = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "elsewhere"})
    drain_queue(engine, elsewhere)
    with Session(engine) as session:
        report = session.get(Report, 1)
        assert report is not None and report.status == "failed" and "the stored PDF is" in (report.error or "")
    with TestClient(create_app(elsewhere, start_worker=False)) as api:
        again = upload(api, tokens["operator"], pdf)
    assert again.status_code == 200 and again.json()["status"] == "queued"
    assert intact(store, sha)
    third = elsewhere.model_copy(update={"data_dir": tmp_path / "third"})  # fetches from the store
    assert drain_queue(engine, third) == 1 and pdf_path(third, sha).is_file()
