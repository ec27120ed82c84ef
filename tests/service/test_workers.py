"""`relato worker` processes sharing one database: each report is extracted exactly once,
a killed worker's report is extracted again, a paused (zombie) worker stores nothing.

These start real worker processes with the real extractor. The test hook
RELATO_TEST_EXTRACT_DELAY_S makes a worker sleep after claiming (its lease kept
alive by the heartbeat), so the tests can kill or pause it mid-extraction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from service.jobs.intake import register_pdf
from service.storage.config import Settings
from service.storage.db import is_sqlite
from service.storage.files import spool_file
from service.storage.models import Extraction, Page, Report
from tests.pdfmaker import slide_pdf

RELATO = Path(sys.executable).parent / "relato"
pytestmark = pytest.mark.slow


class Workers:
    """Starts `relato worker` processes, logging to files; kills leftovers at the end."""

    def __init__(self, settings: Settings, tmp: Path) -> None:
        self.settings, self.tmp, self.procs = settings, tmp, []  # type: list[subprocess.Popen[bytes]]

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        full = {**os.environ, "RELATO_DATABASE_URL": self.settings.database_url,
                "RELATO_DATA_DIR": str(self.settings.data_dir), "RELATO_POLL_S": "0.1", **env}
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen([str(RELATO), "worker"], env=full, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def workers(settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(settings, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def queue_reports(engine: Engine, settings: Settings, tmp: Path, n: int) -> list[int]:
    ids = []
    for i in range(n):
        pdf = slide_pdf(tmp / f"r{i}.pdf", [
            [("INICIATIVAS DE GOVERNO DIGITAL", 30, True), (f"STATUS: OUTUBRO 2025 - edição {i}", 20, False)],
            [("EXPANSÃO DO EMERGÊNCIA MG", 24, True), (f"Foram {1000 + i} atendimentos em julho de 2025.", 18, False)],
        ])
        report, created = register_pdf(engine, settings, spool_file(pdf, settings), pdf.name)
        assert created
        ids.append(report.id)  # type: ignore[arg-type]
    return ids


def reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report).order_by(col(Report.id))))


def wait_for(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def assert_one_set_of_facts(engine: Engine, report_id: int) -> None:
    with Session(engine) as session:
        rows = session.exec(select(func.count(), func.count(func.distinct(Extraction.position)))
                            .where(col(Extraction.report_id) == report_id)).one()
        pages = session.exec(select(func.count()).select_from(Page).where(col(Page.report_id) == report_id)).one()
        report = session.get(Report, report_id)
    assert rows[0] == rows[1] and rows[0] > 0, f"report {report_id}: {rows[0]} facts, {rows[1]} distinct"
    assert report is not None and pages == report.pages


def test_two_workers_extract_each_report_exactly_once(engine: Engine, settings: Settings, tmp_path: Path,
                                                     workers: Workers) -> None:
    for name in ("w1", "w2"):
        workers.start(name, RELATO_TEST_EXTRACT_DELAY_S="0.3")
    wait_for(lambda: all("started" in workers.log(n) for n in ("w1", "w2")), 30, "both workers to start")
    ids = queue_reports(engine, settings, tmp_path, 10)
    wait_for(lambda: all(r.status in ("done", "failed") for r in reports(engine)), 120, "10 reports extracted")
    done = reports(engine)
    assert [r.status for r in done] == ["done"] * 10, [(r.id, r.error) for r in done]
    assert [r.attempts for r in done] == [1] * 10
    assert len({r.worker_id for r in done}) == 2, "both workers should have taken reports"
    for report_id in ids:
        assert_one_set_of_facts(engine, report_id)


def test_report_of_a_killed_worker_is_extracted_again(engine: Engine, settings: Settings, tmp_path: Path,
                                                      workers: Workers) -> None:
    [report_id] = queue_reports(engine, settings, tmp_path, 1)
    doomed = workers.start("doomed", RELATO_TEST_EXTRACT_DELAY_S="60", RELATO_LEASE_S="1.5")
    wait_for(lambda: reports(engine)[0].status == "processing", 30, "the first worker to claim")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    first_owner = reports(engine)[0].worker_id
    workers.start("rescuer", RELATO_LEASE_S="1.5")
    wait_for(lambda: reports(engine)[0].status == "done", 90, "the report to be extracted again")
    [report] = reports(engine)
    assert report.attempts == 2 and report.worker_id != first_owner
    assert_one_set_of_facts(engine, report_id)


def test_a_paused_worker_that_lost_its_lease_stores_nothing(engine: Engine, settings: Settings, tmp_path: Path,
                                                            workers: Workers) -> None:
    if is_sqlite(engine):
        pytest.skip("on SQLite a process stopped inside a write transaction (a lease heartbeat) "
                    "keeps the whole database locked, so nobody can take over; several workers "
                    "sharing a queue are a PostgreSQL deployment, where this runs")
    [report_id] = queue_reports(engine, settings, tmp_path, 1)
    zombie = workers.start("zombie", RELATO_TEST_EXTRACT_DELAY_S="3", RELATO_LEASE_S="1.5")
    wait_for(lambda: reports(engine)[0].status == "processing", 30, "the first worker to claim")
    zombie.send_signal(signal.SIGSTOP)
    workers.start("rescuer", RELATO_LEASE_S="1.5")
    wait_for(lambda: reports(engine)[0].status == "done", 90, "the report to be taken over")
    zombie.send_signal(signal.SIGCONT)
    wait_for(lambda: "taken over by another worker" in workers.log("zombie"), 60, "the zombie to give up")
    [report] = reports(engine)
    assert report.attempts == 2 and report.status == "done"
    assert_one_set_of_facts(engine, report_id)
