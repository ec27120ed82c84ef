"""Machines that share only the database (RELATO_BLOB_STORE=db): the uploading process's
data directory is gone, a `relato worker` process with its own empty RELATO_DATA_DIR
extracts the report, and a `relato serve` process with another empty data directory
shows its pages. Runs on SQLite too (same database file, `db` chosen explicitly): the
same code path as on PostgreSQL.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from service.api.app import create_app
from service.storage.blobs import pdf_path
from service.storage.config import Settings
from tests.pdfmaker import simple_deck
from tests.service.helpers import upload
from tests.service.test_crash_safety import Server
from tests.service.test_workers import Workers, reports, wait_for

pytestmark = pytest.mark.slow


def test_a_worker_and_an_api_with_empty_data_dirs_extract_and_show_an_upload(
    engine: Engine, settings: Settings, tokens: dict[str, str], tmp_path: Path
) -> None:
    uploader = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "uploader"})
    with TestClient(create_app(uploader, start_worker=False)) as api:
        response = upload(api, tokens["operator"], simple_deck(tmp_path / "deck.pdf"))
    assert response.status_code == 202, response.text
    sha = response.json()["sha256"]
    shutil.rmtree(uploader.data_dir)  # nothing of the upload is left on the uploading machine

    worker_dir = tmp_path / "worker"
    pool = Workers(settings, tmp_path)
    try:
        pool.start("remote", RELATO_DATA_DIR=str(worker_dir), RELATO_BLOB_STORE="db")
        wait_for(lambda: reports(engine)[0].status in ("done", "failed"), 120, "the worker to extract the report")
    finally:
        pool.stop_all()
    [report] = reports(engine)
    assert report.status == "done", (report.error, pool.log("remote")[-3000:])
    assert pdf_path(settings.model_copy(update={"data_dir": worker_dir}), sha).is_file()  # fetched from the database

    web = Server(settings.database_url, tmp_path / "web", tmp_path / "web.log")
    web.start(RELATO_BLOB_STORE="db")
    try:
        headers = {"Authorization": f"Bearer {tokens['reviewer']}"}
        facts = httpx.get(f"{web.url}/api/v1/extractions", headers=headers, timeout=10).json()["items"]
        assert facts, "the worker stored no facts"
        fact = facts[0]
        for page in range(1, (report.pages or 0) + 1):
            params = {"highlight": fact["id"]} if page == fact["page"] else {}
            image = httpx.get(f"{web.url}/api/v1/reports/{report.id}/pages/{page}.png", params=params,
                              headers=headers, timeout=60)
            assert image.status_code == 200 and image.headers["content-type"] == "image/png", image.text
            assert Image.open(io.BytesIO(image.content)).width > 1000
    finally:
        web.kill9()
    assert pdf_path(settings.model_copy(update={"data_dir": tmp_path / "web"}), sha).is_file()
    assert not uploader.data_dir.exists()
