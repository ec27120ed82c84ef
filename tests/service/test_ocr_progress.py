"""While a scan is read page by page, GET /api/v1/reports/{id} says how far OCR is.

The extraction child reports "Leitura: página k de n" as it reads each page's text layer and
"OCR: página k de n" as scanned pages finish (extractor/progress.py);
the worker stores the line on the report (at most once a second) and clears it when the
report is done or failed.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from extractor.pdf import read_pages
from service.api.app import create_app
from service.storage.config import Settings
from tests.rasterise import rasterise
from tests.scanreports import build, reports
from tests.service.conftest import auth
from tests.service.helpers import upload

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-por)")


def test_report_status_shows_ocr_progress_while_processing(
        settings: Settings, engine: Engine, tokens: dict[str, str], tmp_path: Path) -> None:
    pdf, _ = build(reports()[0], tmp_path)
    scan = rasterise(pdf, tmp_path / "digitalizado.pdf", dpi=200)
    pages = len(list(read_pages(scan)))
    seen: list[tuple[str, str | None]] = []
    with TestClient(create_app(settings, start_worker=True)) as client:
        report = upload(client, tokens["operator"], scan).json()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            body = client.get(f"/api/v1/reports/{report['id']}", headers=auth(tokens["operator"])).json()
            seen.append((body["status"], body["progress"]))
            if body["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
    assert seen[-1] == ("done", None), seen[-1]
    shown = {p for status, p in seen if status == "processing" and p}
    assert all(re.fullmatch(rf"(Leitura|OCR): página [1-9]\d* de {pages}", p) for p in shown), seen
    assert any(p.startswith("OCR: ") for p in shown), seen
