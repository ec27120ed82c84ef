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

Web processes die with the supervisor, even when it is killed with `kill -9` (`_die_with`).
A process that dies is started again; one that dies within seconds of its start (port
taken, database unreachable) stops the whole command with an error instead of
restarting in a loop.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
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
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCHDOG_S = 0.5  # how often a web process looks for its supervisor
WATCHDOG_GRACE_S = 2.0  # after its SIGTERM, how long a web process whose supervisor died may take to stop


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(BACKLOG)
    return sock


def _die_with(parent: int) -> None:
    """End this process when `parent` (the supervisor) dies, even by `kill -9`: left running,
    orphaned web processes kept serving the port, a restart added more, and stopping the
    new server left them running (issue 23). Two ways, either is enough: the kernel's
    parent-death signal (Linux, prctl PR_SET_PDEATHSIG: SIGTERM, which uvicorn handles as
    a shutdown), and a watchdog thread that sees the parent's pid go (any system, and a
    process stuck in a graceful shutdown), which ends the process WATCHDOG_GRACE_S later."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            log.warning("no parent-death signal (prctl); the watchdog alone ends this process with its parent")

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_S)
        log.warning("the supervisor (pid %d) is gone; this web process stops", parent)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(WATCHDOG_GRACE_S)
        os._exit(1)

    threading.Thread(target=watch, name="relato-parent-watchdog", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def _web_process(host: str, port: int, access_log: bool, parent: int) -> None:
    """One web process: its own socket on the shared port, the API app, no extraction worker."""
    _die_with(parent)
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
        process = context.Process(target=_web_process, args=(host, port, access_log, os.getpid()),
                                  name=f"relato-web-{index}")
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
