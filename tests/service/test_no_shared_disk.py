"""Machines that share only the database (RELATO_BLOB_STORE=db): the uploading process's
data directory is gone, a `relato worker` process with its own empty RELATO_DATA_DIR
extracts the report, and an API instance with another empty data directory shows its
pages. Runs on SQLite too (same database file, `db` chosen explicitly), where it is the
same code path as on PostgreSQL.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from service.api.app import create_app
from service.storage.blobs import pdf_path
from service.storage.config import Settings
from tests.pdfmaker import simple_deck
from tests.service.conftest import auth
from tests.service.helpers import extractions, upload
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

    web = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "web"})
    with TestClient(create_app(web, start_worker=False)) as api:
        facts = extractions(api, tokens["reviewer"])
        assert facts, "the worker stored no facts"
        fact = facts[0]
        for page in range(1, (report.pages or 0) + 1):
            params = {"highlight": fact["id"]} if page == fact["page"] else {}
            image = api.get(f"/api/v1/reports/{report.id}/pages/{page}.png", params=params,
                            headers=auth(tokens["reviewer"]))
            assert image.status_code == 200 and image.headers["content-type"] == "image/png", image.text
            assert Image.open(io.BytesIO(image.content)).width > 1000
    assert pdf_path(web, sha).is_file()
    assert not uploader.data_dir.exists()
