"""Time and memory limits for one extraction, shared by `relato extract` and the service.

- RELATO_EXTRACT_TIMEOUT_S (default 120): wall-clock seconds for one PDF.
- RELATO_EXTRACT_MEMORY_MB (default 1024, 0 = no limit): the address-space limit
  (RLIMIT_AS) of the process that extracts. Python then raises MemoryError where
  a hostile file would otherwise push the machine into swap or the OOM killer.

The service runs each extraction in a child process and kills it at the deadline
(service/jobs/extracting.py); the CLI is that process itself, so it uses `deadline()`:
SIGALRM raises :class:`ExtractTimeout` in the main thread, re-armed every second
in case some library's broad `except Exception` swallows the first one, and a
watchdog thread ends the process with exit 2 a few seconds later if Python never
got back control (a long call into C).
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from extractor.errors import BadPDF

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 1024
WATCHDOG_GRACE_S = 5.0


class ExtractTimeout(BadPDF):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"extraction took longer than {seconds:g} s (RELATO_EXTRACT_TIMEOUT_S); "
                         "the file may be too large or malformed", code="timeout")


def _env_number(name: str, default: float, env: dict[str, str] | None) -> float:
    raw = (os.environ if env is None else env).get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def timeout_s(env: dict[str, str] | None = None) -> float:
    """RELATO_EXTRACT_TIMEOUT_S (0 means no limit)."""
    return _env_number("RELATO_EXTRACT_TIMEOUT_S", DEFAULT_TIMEOUT_S, env)


def memory_mb(env: dict[str, str] | None = None) -> int:
    """RELATO_EXTRACT_MEMORY_MB (0 means no limit)."""
    return int(_env_number("RELATO_EXTRACT_MEMORY_MB", DEFAULT_MEMORY_MB, env))


def limit_memory(mb: int) -> None:
    """Cap this process's address space at `mb` MiB (never raises the hard limit)."""
    if mb <= 0:
        return
    _lower(resource.RLIMIT_AS, mb * 1024 * 1024)


def limit_cpu(seconds: float) -> None:
    """Cap this process's CPU time: the kernel ends it even if its parent is gone."""
    if seconds > 0:
        _lower(resource.RLIMIT_CPU, int(seconds) + 1)


def _lower(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        resource.setrlimit(which, (value, hard))


@contextmanager
def deadline(seconds: float, what: str = "relato extract") -> Iterator[None]:
    """Raise ExtractTimeout in the main thread once `seconds` have passed (0: no limit)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise ExtractTimeout(seconds)

    def last_resort() -> None:
        sys.stderr.write(f"{what}: {ExtractTimeout(seconds).reason}\n")
        sys.stderr.flush()
        os._exit(2)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    watchdog = threading.Timer(seconds + WATCHDOG_GRACE_S, last_resort)
    watchdog.daemon = True
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    watchdog.start()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        watchdog.cancel()
