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

Scanned pages earn more time: OCR calls :func:`allow_more` with
RELATO_OCR_PAGE_TIMEOUT_S (extractor/ocr.py) per page it reads, and every limit that
listens (this module's `deadline`, the service's child process) moves its end.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from extractor.errors import BadPDF

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 1024
WATCHDOG_GRACE_S = 5.0


_LISTENERS: list[Callable[[float], None]] = []


def listen(callback: Callable[[float], None]) -> Callable[[], None]:
    """Call `callback(seconds)` whenever the extraction is allowed more time; returns the undo."""
    _LISTENERS.append(callback)
    return lambda: _LISTENERS.remove(callback) if callback in _LISTENERS else None


def allow_more(seconds: float) -> None:
    """Give the running extraction `seconds` more (an allowance for OCR'd pages)."""
    if seconds > 0:
        for callback in list(_LISTENERS):
            callback(seconds)


def extend_cpu(seconds: float) -> None:
    """Raise this process's RLIMIT_CPU by `seconds` (up to the hard limit), if it has one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft == resource.RLIM_INFINITY or seconds <= 0:
        return
    value = soft + int(seconds) + 1
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (value, hard))


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

    allowed = [seconds, time.monotonic() + seconds]  # total allowed, and when it ends

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise ExtractTimeout(allowed[0])

    def last_resort() -> None:
        sys.stderr.write(f"{what}: {ExtractTimeout(allowed[0]).reason}\n")
        sys.stderr.flush()
        os._exit(2)

    def start_watchdog(after: float) -> threading.Timer:
        timer = threading.Timer(after + WATCHDOG_GRACE_S, last_resort)
        timer.daemon = True
        timer.start()
        return timer

    def more(extra: float) -> None:
        allowed[0] += extra
        allowed[1] += extra
        left = max(allowed[1] - time.monotonic(), 0.01)
        signal.setitimer(signal.ITIMER_REAL, left, 1.0)
        watchdog[0].cancel()
        watchdog[0] = start_watchdog(left)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    watchdog = [start_watchdog(seconds)]
    unlisten = listen(more)
    try:
        yield
    finally:
        unlisten()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        watchdog[0].cancel()
