"""`relato serve --workers N` runs N web processes that all answer, beside one extraction
worker in the parent process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.service.conftest import PG_URL

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("relato serve did not answer /healthz: " + log.read_text())


def _serving_processes(parent: psutil.Process, port: int) -> set[int]:
    """Children of `parent` with an established connection on `port`."""
    out = set()
    for child in parent.children(recursive=True):
        try:
            if any(c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == port
                   for c in child.net_connections(kind="tcp")):
                out.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return out


def test_serve_workers_starts_n_processes_that_all_answer(tmp_path: Path) -> None:
    port, workers = _free_port(), 2
    url = PG_URL or f"sqlite:///{tmp_path / 'relato.db'}"
    env = {**os.environ, "RELATO_DATABASE_URL": url, "RELATO_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "serve.log"
    relato = str(Path(sys.executable).with_name("relato"))
    with open(log, "wb") as out:
        proc = subprocess.Popen([relato, "serve", "--port", str(port), "--workers", str(workers)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    clients: list[httpx.Client] = []
    try:
        _wait_healthy(base, proc, log)
        parent = psutil.Process(proc.pid)
        web = [c for c in parent.children(recursive=True) if "spawn_main" in " ".join(c.cmdline())]
        assert len(web) == workers, [c.cmdline() for c in parent.children(recursive=True)]
        seen: set[int] = set()
        for _ in range(200):  # keep-alive connections, each accepted by whichever process is first
            client = httpx.Client(base_url=base, timeout=10)
            clients.append(client)
            assert client.get("/healthz").status_code == 200
            seen = _serving_processes(parent, port)
            if seen >= {c.pid for c in web}:
                break
        assert seen >= {c.pid for c in web}, f"only {len(seen)} of {workers} processes answered"
        assert log.read_text().count("Application startup complete") == workers
    finally:
        for client in clients:
            client.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_web_processes_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    """`kill -9` of `relato serve --workers 2`: within 5 s no process is left on the port (they
    kept serving as orphans, and a restart added more)."""
    port = _free_port()
    url = PG_URL or f"sqlite:///{tmp_path / 'relato.db'}"
    env = {**os.environ, "RELATO_DATABASE_URL": url, "RELATO_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "serve.log"
    relato = str(Path(sys.executable).with_name("relato"))
    with open(log, "wb") as out:
        proc = subprocess.Popen([relato, "serve", "--port", str(port), "--workers", "2", "--no-worker"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    web: list[psutil.Process] = []
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc, log)
        web = [c for c in psutil.Process(proc.pid).children(recursive=True) if "spawn_main" in " ".join(c.cmdline())]
        assert len(web) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        _, alive = psutil.wait_procs(web, timeout=5)
        assert alive == [], [p.pid for p in alive]
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0  # nobody listens on the port
    finally:
        if proc.poll() is None:
            proc.kill()
        for child in web:  # orphans, only when the test fails
            if child.is_running():
                child.kill()
