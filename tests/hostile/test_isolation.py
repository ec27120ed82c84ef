"""Extraction runs in a child process: a runaway, greedy or crashing PDF ends only its own
job, with a reason, while the service keeps answering and the worker goes on."""

from __future__ import annotations

import signal
import threading
import time
from multiprocessing import forkserver
from pathlib import Path

import psutil
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from extractor.errors import BadPDF
from service.api.app import create_app
from service.jobs import extracting
from service.storage.config import Settings
from tests.hostile.conftest import HostileFiles
from tests.pdfmaker import simple_deck
from tests.service.conftest import auth
from tests.service.fakes import drain_queue
from tests.service.helpers import upload


def _wait_for(client: TestClient, token: str, report_id: int, statuses: set[str], within_s: float) -> dict:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        report = client.get(f"/api/v1/reports/{report_id}", headers=auth(token)).json()
        if report["status"] in statuses:
            return report
        time.sleep(0.1)
    raise AssertionError(f"report {report_id} still {report['status']} after {within_s}s")


def test_service_answers_while_a_runaway_pdf_is_extracted(
    hostile: HostileFiles, settings: Settings, engine: Engine, tokens: dict[str, str], tmp_path: Path,
) -> None:
    slow = settings.model_copy(update={"extract_timeout_s": 6.0})
    with TestClient(create_app(slow, start_worker=True)) as client:
        runaway = upload(client, tokens["operator"], hostile("xobject_fanout")).json()
        good = upload(client, tokens["operator"], simple_deck(tmp_path / "bom.pdf")).json()
        _wait_for(client, tokens["operator"], runaway["id"], {"processing"}, 30)
        for _ in range(5):  # meanwhile: health and other reports answer at once
            start = time.monotonic()
            assert client.get("/healthz").status_code == 200
            assert client.get(f"/api/v1/reports/{good['id']}", headers=auth(tokens["operator"])).status_code == 200
            assert time.monotonic() - start < 1.0
            time.sleep(0.3)
        failed = _wait_for(client, tokens["operator"], runaway["id"], {"failed", "done"}, 60)
        assert failed["status"] == "failed" and "took longer than 6 s" in failed["error"]
        done = _wait_for(client, tokens["operator"], good["id"], {"failed", "done"}, 60)
        assert done["status"] == "done", done


def test_memory_limit_ends_the_job_with_a_reason(hostile: HostileFiles) -> None:
    """64 MB is below what the extractor maps already: the 2,000 pages cannot be held."""
    with extracting.limits(90.0, 64), pytest.raises(BadPDF) as err:
        extracting.extract(hostile("many_pages"), filename="many.pdf")
    assert err.value.code == "memory" and "more than 64 MB" in err.value.reason


def _kill_extraction_child(sig: int, stop: threading.Event) -> None:
    """Send `sig` to the first child of the fork server (the job's process) that shows up."""
    while not stop.is_set():
        pid = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
        children = psutil.Process(pid).children() if pid else []
        if children:
            children[0].send_signal(sig)
            return
        time.sleep(0.05)


def test_a_crashing_child_fails_only_its_report(
    hostile: HostileFiles, client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings,
    tmp_path: Path,
) -> None:
    crashing = upload(client, tokens["operator"], hostile("xobject_fanout")).json()
    good = upload(client, tokens["operator"], simple_deck(tmp_path / "bom.pdf")).json()
    extracting.prestart()
    stop = threading.Event()
    killer = threading.Thread(target=_kill_extraction_child, args=(signal.SIGSEGV, stop), daemon=True)
    killer.start()
    try:
        assert drain_queue(engine, settings) == 2
    finally:
        stop.set()
        killer.join(5)
    crashed = client.get(f"/api/v1/reports/{crashing['id']}", headers=auth(tokens["operator"])).json()
    assert crashed["status"] == "failed" and "died (SIGSEGV)" in crashed["error"]
    after = client.get(f"/api/v1/reports/{good['id']}", headers=auth(tokens["operator"])).json()
    assert after["status"] == "done", after
