"""Clients with no token cannot starve a running `relato serve` (one process and
`--workers 2`): slow headers, slow bodies and oversized multipart bodies are cut off or
refused, and a reviewer's requests keep getting 200 within a second meanwhile."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.service.conftest import PG_URL
from tests.service.test_serve_workers import _free_port, _wait_healthy

pytestmark = pytest.mark.slow
RELATO = str(Path(sys.executable).with_name("relato"))
LIMITS = {  # low, so that a few tens of connections would exhaust them on an unguarded server
    "RELATO_MAX_INFLIGHT": "8", "RELATO_HEADER_TIMEOUT_S": "2", "RELATO_BODY_TIMEOUT_S": "2",
    "RELATO_MAX_UNAUTHENTICATED_PER_CLIENT": "6",
}


class Server:
    def __init__(self, base: str, proc: subprocess.Popen[bytes], token: str, port: int) -> None:
        self.base, self.proc, self.token, self.port = base, proc, token, port

    def rss_mb(self) -> float:
        parent = psutil.Process(self.proc.pid)
        return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20


@pytest.fixture(params=[1, 2], ids=["one-process", "workers-2"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    port = _free_port()
    env = {**os.environ, **LIMITS, "RELATO_DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'relato.db'}",
           "RELATO_DATA_DIR": str(tmp_path / "data")}
    token = subprocess.run([RELATO, "token", "create", "--role", "reviewer", "--name", "ana"], env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([RELATO, "serve", "--port", str(port), "--workers", str(request.param), "--no-worker",
                                 "--no-access-log"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log)
        yield Server(base, proc, token, port)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
    return sock


def _trickle(socks: list[socket.socket], stop: threading.Event, byte: bytes = b"a", every_s: float = 0.5) -> None:
    """One byte on every connection every `every_s`, until stopped or the server closes it."""
    while not stop.wait(every_s):
        for sock in list(socks):
            try:
                sock.send(byte)
            except OSError:
                socks.remove(sock)


def _closed_by_server(sock: socket.socket, within_s: float) -> bool:
    sock.settimeout(within_s)
    try:
        while sock.recv(65536):
            pass  # a refusal (401, 408) before the close
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except (TimeoutError, OSError):
        return False


def _legitimate(server: Server, seconds: float) -> list[tuple[int, float]]:
    """(status, seconds) of a reviewer's requests, each on a new connection, for `seconds`."""
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            status = httpx.get(server.base + "/api/v1/extractions", params={"limit": 1}, timeout=5,
                               headers={"Authorization": f"Bearer {server.token}"}).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__  # type: ignore[assignment]
        out.append((status, time.monotonic() - started))
        time.sleep(0.05)
    return out


def _assert_served(results: list[tuple[int, float]]) -> None:
    assert results and all(status == 200 for status, _ in results), sorted({s for s, _ in results}, key=str)
    assert max(t for _, t in results) < 1.0, max(t for _, t in results)


def test_slow_bodies_without_a_token_do_not_shut_out_reviewers(server: Server) -> None:
    """30 bodies announced at 1 MB and sent a byte every 0.5 s: each is answered 401 at once,
    and none holds the in-flight limit (8 here), on JSON and multipart routes alike."""
    socks, stop = [], threading.Event()
    heads = [b"POST /api/v1/extractions/review HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 1000000\r\n\r\n{",
             b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
             b"Content-Length: 1000000\r\n\r\n--b\r\n"]
    for index in range(30):
        sock = _connect(server.port)
        sock.sendall(heads[index % 2])
        socks.append(sock)
    threading.Thread(target=_trickle, args=(socks, stop), daemon=True).start()
    try:
        _assert_served(_legitimate(server, 4))
        assert all(_closed_by_server(sock, 3) for sock in list(socks))
    finally:
        stop.set()
        for sock in socks:
            sock.close()


def test_slow_headers_are_cut_off_and_capped_per_client(server: Server) -> None:
    """40 connections that never finish their headers: past the cap per address the oldest
    are closed at once, the rest at the header deadline (2 s here); reviewers are served."""
    socks, stop = [], threading.Event()
    for _ in range(40):
        sock = _connect(server.port)
        sock.sendall(b"GET /api/v1/extractions HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)
    threading.Thread(target=_trickle, args=(list(socks), stop, b"X"), daemon=True).start()
    try:
        _assert_served(_legitimate(server, 1.5))
        started = time.monotonic()
        assert all(_closed_by_server(sock, 5) for sock in socks)
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        for sock in socks:
            sock.close()


def test_an_oversized_multipart_body_without_a_token_is_never_read(server: Server) -> None:
    """A multipart body announced at 1 GB, on the upload route and on a JSON route: 401 before
    a byte is read, the connection closed, and the server's memory where it was."""
    before = server.rss_mb()
    for path in (b"/api/v1/extractions/review", b"/api/v1/reports", b"/api/v1/tokens"):
        sock = _connect(server.port)
        sock.sendall(b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                     b"Content-Length: 1073741824\r\n\r\n")
        sent, answer = 0, b""
        sock.settimeout(5)
        try:
            while sent < 200 * 2**20:
                sock.sendall(b"x" * 2**20)
                sent += 2**20
        except OSError:
            pass
        try:
            answer = sock.recv(4096)
        except OSError:
            pass
        sock.close()
        assert sent < 200 * 2**20 or answer.startswith(b"HTTP/1.1 401"), (path, sent, answer[:80])
    _assert_served(_legitimate(server, 0.5))
    assert server.rss_mb() - before < 50


def test_rotating_x_forwarded_for_does_not_reset_the_failed_login_limit(server: Server) -> None:
    """No proxy is trusted by default (RELATO_TRUSTED_PROXIES), not even 127.0.0.1: a client
    naming a new address in each request is still one address to the limiter."""
    with httpx.Client(base_url=server.base, timeout=5) as client:  # one connection: one process
        statuses = [client.get("/api/v1/reports", headers={"Authorization": "Bearer rlt_wrong",
                                                           "X-Forwarded-For": f"10.0.{i // 250}.{i % 250}"}).status_code
                    for i in range(25)]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
