"""`relato serve --workers N`: N web processes, each with its own listening socket on the
same port (SO_REUSEPORT), watched by the calling process.

Why not uvicorn's own `--workers`: its processes share one listening socket, and the
event loop of whichever process wakes first accepts every pending connection in one
go, so a burst of new keep-alive connections lands on one process and stays there
(measured: 45 % vs 16 % of a core at 200 req/s; with plain asyncio the shared socket
also lost TCP_NODELAY, +40 ms per response, issue 11). With a socket per process the
kernel spreads new connections evenly over the processes. Gunicorn and Granian were
not needed for this: Gunicorn also shares one socket, and either would add a server
to a stack that runs on uvicorn already.

A process that dies is started again; one that dies within seconds of its start (port
taken, database unreachable) stops the whole command with an error instead of
restarting in a loop.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

from service.api.connections import guarded_protocol
from service.storage.config import Settings

log = logging.getLogger("relato.serve")
APP = "service.api.app:create_web_app"
BACKLOG = 2048  # uvicorn's default
EARLY_DEATH_S = 10


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(BACKLOG)
    return sock


def _web_process(host: str, port: int, access_log: bool) -> None:
    """One web process: its own socket on the shared port, the API app, no extraction worker."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = uvicorn.Config(APP, factory=True, host=host, port=port, access_log=access_log,
                            **server_options(Settings.from_env()))
    uvicorn.Server(config).run(sockets=[_listen(host, port)])


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn options of every web process: the guarded protocol (header deadline, cap on
    connections without a token: service/api/connections.py), and forwarded headers
    trusted only from RELATO_TRUSTED_PROXIES. uvicorn trusts X-Forwarded-For from
    127.0.0.1 by default, so a local client could rotate its address past the
    failed-authentication limiter (issue 23)."""
    proxies = settings.trusted_proxies.strip()
    return {"http": guarded_protocol(settings), "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}


def serve_processes(host: str, port: int, workers: int, *, access_log: bool = True) -> int:
    """Run `workers` web processes until SIGINT/SIGTERM; returns the exit status."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or pools inherited
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def start(index: int) -> tuple[BaseProcess, float]:
        process = context.Process(target=_web_process, args=(host, port, access_log), name=f"relato-web-{index}")
        process.start()
        return process, time.monotonic()

    processes = [start(i) for i in range(workers)]
    status = 0
    while not stop.wait(0.5):
        for index, (process, started) in enumerate(processes):
            if process.is_alive():
                continue
            if time.monotonic() - started < EARLY_DEATH_S:
                log.error("web process %d exited (%s) right after its start; stopping", index, process.exitcode)
                stop.set()
                status = 1
                break
            log.warning("web process %d exited (%s); starting it again", index, process.exitcode)
            processes[index] = start(index)
    for process, _ in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for process, _ in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
    return status
