"""kill -9 of `relato serve` mid-upload, mid-extraction, mid re-extraction and right after
reviews, then a restart: no half-stored report, one extraction, one merge, no duplicate
facts, every acknowledged review kept. Real server processes on the test database (SQLite WAL, or PostgreSQL
with RELATO_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from extractor.pipeline import extract_pdf
from tests.pdfmaker import simple_deck

pytestmark = pytest.mark.slow
_SCRIPT = Path(sys.executable).with_name("relato")
RELATO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from service.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `relato serve` process; `kill9()` is the crash, `start()` the restart."""

    def __init__(self, database_url: str, data_dir: Path, log: Path) -> None:
        self.port, self.log = _free_port(), log
        self.env = {**os.environ, "RELATO_DATABASE_URL": database_url, "RELATO_DATA_DIR": str(data_dir),
                    "RELATO_LEASE_S": "2", "RELATO_POLL_S": "0.2", "RELATO_EXTRACT_TIMEOUT_S": "60"}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **env: str) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([*RELATO, "serve", "--port", str(self.port)], env={**self.env, **env},
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("relato serve did not come up:\n" + self.log.read_text()[-3000:])

    def kill9(self) -> None:
        """SIGKILL the server's whole process group (it, its fork server and any job child)."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    srv = Server(database_url, tmp_path / "data", tmp_path / "serve.log")
    yield srv
    if srv.proc is not None and srv.proc.poll() is None:
        srv.kill9()


def _get(srv: Server, token: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{srv.url}{path}", headers={"Authorization": f"Bearer {token}"}, params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _upload(srv: Server, token: str, pdf: Path) -> dict[str, Any]:
    with pdf.open("rb") as fh:
        response = httpx.post(f"{srv.url}/api/v1/reports", headers={"Authorization": f"Bearer {token}"},
                              files={"file": (pdf.name, fh, "application/pdf")}, timeout=30)
    assert response.status_code == 202, response.text
    return response.json()


def _wait_status(srv: Server, token: str, report_id: int, wanted: set[str], within_s: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        report = _get(srv, token, f"/api/v1/reports/{report_id}")
        if report["status"] in wanted:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} is {report.get('status')}, not {wanted}:\n{srv.log.read_text()[-3000:]}")


def _half_sent_upload(srv: Server, token: str, pdf: bytes) -> socket.socket:
    """Headers and half the multipart body of an upload; the rest never comes."""
    boundary = "relato-crash-test"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="deck.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode()
    body = head + pdf + f"\r\n--{boundary}--\r\n".encode()
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.sendall((f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
                  ).encode() + body[: len(head) + len(pdf) // 2])
    return sock


def test_kill_during_upload_stores_nothing(server: Server, tokens: dict[str, str], tmp_path: Path) -> None:
    deck = simple_deck(tmp_path / "deck.pdf")
    server.start()
    sock = _half_sent_upload(server, tokens["operator"], deck.read_bytes())
    spool = tmp_path / "data" / "tmp"
    deadline = time.monotonic() + 20
    while not list(spool.glob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(spool.glob("*.part")), "the upload never reached the spool"
    server.kill9()
    sock.close()
    server.start()
    assert _get(server, tokens["operator"], "/api/v1/reports")["items"] == []
    assert not list((tmp_path / "data" / "pdfs").rglob("*.pdf")) if (tmp_path / "data" / "pdfs").exists() else True
    report = _upload(server, tokens["operator"], deck)  # the same bytes again: a new, whole report
    assert _wait_status(server, tokens["operator"], report["id"], {"done", "failed"})["status"] == "done"


def test_kill_during_extraction_completes_once(
    server: Server, tokens: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    deck = simple_deck(tmp_path / "deck.pdf")
    server.start(RELATO_TEST_EXTRACT_DELAY_S="60")
    report = _upload(server, tokens["operator"], deck)
    _wait_status(server, tokens["operator"], report["id"], {"processing"})
    server.kill9()
    server.start()  # no delay now; the dead worker's lease runs out and the report is claimed again
    done = _wait_status(server, tokens["operator"], report["id"], {"done", "failed"})
    assert done["status"] == "done", done
    expected = extract_pdf(deck)
    n_expected = len(expected.report.extractions) + sum(len(i.extractions) for i in expected.initiatives)
    with engine.connect() as conn:
        attempts = conn.execute(text("SELECT attempts FROM report WHERE id = :id"), {"id": report["id"]}).scalar()
        rows = conn.execute(text("SELECT initiative_id, kind, text, page FROM extraction WHERE report_id = :id"),
                            {"id": report["id"]}).all()
        initiatives = conn.execute(text("SELECT count(*) FROM initiative WHERE report_id = :id"),
                                   {"id": report["id"]}).scalar()
    assert attempts == 2
    assert len(rows) == n_expected and len(set(rows)) == len(rows)
    assert initiatives == len(expected.initiatives)


def _wait_reextraction(srv: Server, token: str, report_id: int, wanted: set[str], within_s: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        report = _get(srv, token, f"/api/v1/reports/{report_id}")
        if (report["reextraction"] or {}).get("state") in wanted:
            return report
        time.sleep(0.2)
    raise AssertionError(f"re-extraction of {report_id}: {report.get('reextraction')}, not {wanted}:\n"
                         f"{srv.log.read_text()[-3000:]}")


def test_kill_during_reextraction_merges_once(
    server: Server, tokens: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    server.start()
    report = _upload(server, tokens["operator"], simple_deck(tmp_path / "deck.pdf"))
    _wait_status(server, tokens["operator"], report["id"], {"done"})
    items = _get(server, tokens["reviewer"], "/api/v1/extractions", report_id=report["id"])["items"]
    decided = {}
    for item in items:
        action = "reject" if item["kind"] == "date" else "confirm"
        response = httpx.post(f"{server.url}/api/v1/extractions/{item['id']}/review", timeout=10,
                              headers={"Authorization": f"Bearer {tokens['reviewer']}"},
                              json={"action": action, "version": item["version"]})
        assert response.status_code == 200, response.text
        decided[item["id"]] = {"confirm": "confirmed", "reject": "rejected"}[action]
    server.kill9()
    server.start(RELATO_TEST_EXTRACT_DELAY_S="60")
    asked = httpx.post(f"{server.url}/api/v1/reports/{report['id']}/reextract", timeout=10,
                       headers={"Authorization": f"Bearer {tokens['operator']}"})
    assert asked.status_code == 202 and asked.json()["reextraction"]["state"] == "queued", asked.text
    running = _wait_reextraction(server, tokens["operator"], report["id"], {"processing"})
    assert running["status"] == "done"  # the report stays reviewable while it is re-extracted
    server.kill9()
    server.start()  # no delay now; the dead worker's lease runs out and the re-extraction is claimed again
    done = _wait_reextraction(server, tokens["operator"], report["id"], {"done", "failed"})["reextraction"]
    assert done["state"] == "done", done
    assert done["attempts"] == 2
    assert done["outcome"] == {"kept": len(items), "changed": 0, "added": 0, "orphaned": 0, "restored": 0}
    after = _get(server, tokens["reviewer"], "/api/v1/extractions", report_id=report["id"])["items"]
    assert {i["id"]: i["status"] for i in after} == decided
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT initiative_id, kind, text, page FROM extraction WHERE report_id = :id"),
                            {"id": report["id"]}).all()
        events = conn.execute(text("SELECT count(*) FROM review_event")).scalar()
    assert len(rows) == len(items) and len(set(rows)) == len(rows)
    assert events == len(items)  # the decisions only: an unchanged merge writes no history


def test_acknowledged_reviews_survive_kill(server: Server, tokens: dict[str, str], tmp_path: Path) -> None:
    server.start()
    report = _upload(server, tokens["operator"], simple_deck(tmp_path / "deck.pdf"))
    _wait_status(server, tokens["operator"], report["id"], {"done"})
    items = _get(server, tokens["reviewer"], "/api/v1/extractions", report_id=report["id"])["items"]
    assert items
    acknowledged = {}
    for item in items:
        action = "reject" if item["kind"] == "date" else "confirm"
        response = httpx.post(f"{server.url}/api/v1/extractions/{item['id']}/review", timeout=10,
                              headers={"Authorization": f"Bearer {tokens['reviewer']}"},
                              json={"action": action, "version": item["version"], "note": "antes da queda"})
        assert response.status_code == 200, response.text
        acknowledged[item["id"]] = {"confirm": "confirmed", "reject": "rejected"}[action]
    server.kill9()  # right after the last acknowledgement
    server.start()
    after = _get(server, tokens["reviewer"], "/api/v1/extractions", report_id=report["id"])["items"]
    assert {i["id"]: i["status"] for i in after} == acknowledged
    for ext_id in acknowledged:
        history = _get(server, tokens["reviewer"], f"/api/v1/extractions/{ext_id}/history")
        events = history["items"] if isinstance(history, dict) else history
        assert len(events) == 1
    log = server.log.read_text()
    assert all(token not in log for token in tokens.values())  # no token in the server's logs
