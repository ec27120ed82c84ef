"""Hostile connections held open against a server while a benchmark measures it.

`bench/api.py --slow-bodies N --slow-headers M` opens, from this one address and with no
token, N connections that announce a large body and send it one byte every
``every_s`` seconds, and M connections that never finish their headers (one header
byte every ``every_s`` seconds). Whenever the server closes one (its header and body
deadlines, its cap per client on connections without a token), it is opened again, so
the attack stays at its size for the whole measurement. Bounded: the connections are
closed when the context exits, and nothing is sent faster than one byte per
connection per ``every_s``.
"""

from __future__ import annotations

import resource
import selectors
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

SLOW_BODY_HEAD = (b"POST /api/v1/extractions/1/review HTTP/1.1\r\nHost: bench\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
SLOW_HEADER_HEAD = b"GET /api/v1/extractions HTTP/1.1\r\nHost: bench\r\n"


@dataclass
class SlowStats:
    """What the attack did: connections opened of each kind, and closed by the server."""

    opened: dict[str, int] = field(default_factory=lambda: {"body": 0, "header": 0})
    closed_by_server: dict[str, int] = field(default_factory=lambda: {"body": 0, "header": 0})
    refused: int = 0


def _raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, need + 256))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _open(port: int, kind: str) -> socket.socket | None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        sock.sendall(SLOW_BODY_HEAD if kind == "body" else SLOW_HEADER_HEAD)
        sock.setblocking(False)
        return sock
    except OSError:
        return None


def _attack(port: int, bodies: int, headers: int, every_s: float, stop: threading.Event,
            stats: SlowStats) -> None:
    sel = selectors.DefaultSelector()
    live: dict[socket.socket, str] = {}

    def top_up() -> None:
        for kind, want in (("body", bodies), ("header", headers)):
            have = sum(1 for k in live.values() if k == kind)
            for _ in range(want - have):
                if stop.is_set():
                    return
                sock = _open(port, kind)
                if sock is None:
                    stats.refused += 1
                    continue
                live[sock] = kind
                sel.register(sock, selectors.EVENT_READ)
                stats.opened[kind] += 1

    def drop(sock: socket.socket) -> None:
        sel.unregister(sock)
        stats.closed_by_server[live.pop(sock)] += 1
        sock.close()

    try:
        top_up()
        next_byte = time.monotonic() + every_s
        while not stop.is_set():
            for key, _ in sel.select(timeout=0.2):
                sock = key.fileobj
                try:
                    if not sock.recv(4096):  # type: ignore[union-attr]
                        drop(sock)  # type: ignore[arg-type]
                except BlockingIOError:
                    pass
                except OSError:
                    drop(sock)  # type: ignore[arg-type]
            if time.monotonic() >= next_byte:
                for sock, kind in list(live.items()):
                    try:
                        sock.send(b"a" if kind == "body" else b"X")
                    except BlockingIOError:
                        pass
                    except OSError:
                        drop(sock)
                next_byte = time.monotonic() + every_s
                top_up()
    finally:
        for sock in list(live):
            sel.unregister(sock)
            sock.close()
        sel.close()


@contextmanager
def slow_clients(port: int, bodies: int, headers: int, every_s: float = 2.0) -> Iterator[SlowStats]:
    """Hold ``bodies`` slow-body and ``headers`` slow-header connections open to
    127.0.0.1:``port`` for the duration of the ``with`` block."""
    stats = SlowStats()
    if bodies <= 0 and headers <= 0:
        yield stats
        return
    _raise_fd_limit(bodies + headers)
    stop = threading.Event()
    thread = threading.Thread(target=_attack, args=(port, bodies, headers, every_s, stop, stats),
                              name="slow-clients", daemon=True)
    thread.start()
    time.sleep(min(5.0, 0.5 + (bodies + headers) / 500))  # let the attack reach its size first
    try:
        yield stats
    finally:
        stop.set()
        thread.join(timeout=30)
