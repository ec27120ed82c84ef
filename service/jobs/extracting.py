"""The service's only door into `extractor/`: probe at upload, extract in the worker,
each in a child process of its own, under a time and a memory limit.

Why a child process: a hostile PDF can make pdfminer loop for hours, inflate a
stream to gigabytes or crash the interpreter. In a child, the worst it can do is
kill that child; the parent reports a reason and the server keeps serving.

Why a fresh child per job (multiprocessing, "forkserver" start method) and not a
`ProcessPoolExecutor(max_tasks_per_child=1)`: a pool cannot kill one runaway task
(only shut down the whole pool, and any child's death breaks every pending future
with BrokenProcessPool), while a job's own `Process` can be killed at its deadline
and its exit code tells a crash from an out-of-memory kill. The child sets its own
RLIMIT_AS (RELATO_EXTRACT_MEMORY_MB) and RLIMIT_CPU (so an orphan left by a killed
server still stops), which is only safe in a process that serves one job.
"forkserver" rather than "fork": the server is multi-threaded (uvicorn, lease
heartbeats, connection pools) and forking it could copy a held lock; the fork
server is a single-threaded process started once, with the extractor already
imported (`set_forkserver_preload`), so each job's child starts in milliseconds.
Children never touch the database: the parent stores what they send back.

Page images for review are rendered here too (`render_page`): a page that inflates a
bomb stream would otherwise grow the server by gigabytes, and pdfium's lock would make
every other render wait behind it. Each render runs in its own child under the same
limits, so renders run side by side and a hostile page ends as BadPDF with a reason.

Limits come from `limits(settings)` (the worker sets them per job) or, outside it,
from RELATO_EXTRACT_TIMEOUT_S / RELATO_EXTRACT_MEMORY_MB. `probe` and `extract` keep
their signatures: tests replace them here with in-process fakes.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from extractor import limits as env_limits
from extractor.errors import BadPDF
from extractor.model import ExtractResult
from service.storage.render import cached_png, page_png

log = logging.getLogger("relato.extracting")
PROBE_TIMEOUT_S = 30.0  # the upload probe reads the page tree only; it waits for the uploader
KILL_GRACE_S = 5.0
PRELOAD = ["service.jobs.extracting", "extractor.pipeline", "service.storage.render", "service.jobs.extract_warm"]


@dataclass(frozen=True)
class Limits:
    timeout_s: float
    memory_mb: int

    @classmethod
    def from_env(cls) -> Limits:
        return cls(env_limits.timeout_s() or env_limits.DEFAULT_TIMEOUT_S, env_limits.memory_mb())


class ExtractionCrashed(RuntimeError):
    """The child died or raised something that is not bad input: a bug to report."""


_CURRENT: ContextVar[Limits | None] = ContextVar("relato_extract_limits", default=None)
_CONTEXT: Any = None
_CONTEXT_LOCK = threading.Lock()


@contextmanager
def limits(timeout_s: float, memory_mb: int) -> Iterator[None]:
    """Run this thread's probes and extractions under these limits."""
    token = _CURRENT.set(Limits(timeout_s, memory_mb))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_limits() -> Limits:
    return _CURRENT.get() or Limits.from_env()


def probe(path: Path, *, max_pages: int) -> int:
    """Page count of the PDF at `path`; raises extractor.errors.BadPDF with a reason."""
    lim = current_limits()
    try:
        return _run("probe", path, None, max_pages, lim, min(lim.timeout_s, PROBE_TIMEOUT_S))
    except ExtractionCrashed as exc:  # the reader died on this file: the file is the cause
        raise BadPDF(f"the PDF could not be read ({exc})", code="corrupt") from exc


_PAGES = threading.local()  # the callback of `reporting_pages` in this thread, if any


@contextmanager
def reporting_pages(callback: Callable[[int], None]) -> Iterator[None]:
    """Within the block, `extract` in this thread calls `callback(page number)` as the
    child reads each page (the worker records it: "processando: página N de M")."""
    previous = getattr(_PAGES, "callback", None)
    _PAGES.callback = callback
    try:
        yield
    finally:
        _PAGES.callback = previous


def _note_page(number: int) -> None:
    callback = getattr(_PAGES, "callback", None)
    if callback is not None:
        try:
            callback(int(number))
        except Exception:  # noqa: BLE001 - progress is bookkeeping: the extraction goes on
            log.warning("could not record extraction progress (page %s)", number, exc_info=True)


def extract(path: Path, *, filename: str | None) -> ExtractResult:
    """The whole extraction of one PDF; raises extractor.errors.BadPDF for unreadable input
    (including one that passes the time or memory limit), ExtractionCrashed for a bug."""
    lim = current_limits()
    payload = _run("extract", path, filename, None, lim, lim.timeout_s)
    return ExtractResult.model_validate_json(payload)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page, read by pdfium in a child as well."""
    lim = current_limits()
    return [tuple(size) for size in _run("sizes", path, None, None, lim, lim.timeout_s)]  # type: ignore[misc]


def render_page(pdf: Callable[[], Path], cache_dir: Path, number: int, *, key: str = "plain",
                bbox: Sequence[float] | None = None) -> Path:
    """Path of the cached PNG of page `number`, rendered in a child on first use; raises
    extractor.errors.BadPDF when the page cannot be rendered within the limits. `pdf()`
    gives the PDF's local path, and is called only on a cache miss: it may have to fetch
    the PDF from the blob store (service/storage/blobs.py)."""
    target = cached_png(cache_dir, number, key)
    if target.exists():
        return target
    lim = current_limits()
    args = (str(cache_dir), number, key, list(bbox) if bbox is not None else None)
    if not _RENDERS.acquire(timeout=RENDER_WAIT_S):
        raise RendersBusy(f"{_RENDERS.limit} page images are being drawn in this process")
    try:
        path = pdf()
        return Path(_run("render", path, None, None, lim, lim.timeout_s, args))
    except ExtractionCrashed as exc:
        # pdfium aborts (SIGABRT) when an allocation fails under RLIMIT_AS: a bomb, most likely
        raise BadPDF(f"the page could not be rendered within {lim.memory_mb} MB and {lim.timeout_s:g} s "
                     f"(RELATO_EXTRACT_MEMORY_MB, RELATO_EXTRACT_TIMEOUT_S): {exc}", code="corrupt") from exc
    finally:
        _RENDERS.release()


class RendersBusy(RuntimeError):
    """Every render slot of this process is taken (the API answers 503 + Retry-After)."""


class _RenderSlots(threading.BoundedSemaphore):
    """At most `limit` page renders at once in this process: each child may take
    RELATO_EXTRACT_MEMORY_MB, and six renders of one bomb page took 3.9-4.5 GB (issue 23)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


RENDER_WAIT_S = 1.0  # a render waits this long for a slot (they take ~0.5 s), then 503
_RENDERS = _RenderSlots(2)


def limit_renders(limit: int) -> None:
    """Allow `limit` concurrent page renders in this process (RELATO_MAX_RENDERS; the app sets it)."""
    global _RENDERS
    if limit != _RENDERS.limit:
        _RENDERS = _RenderSlots(limit)


def prestart() -> None:
    """Start the fork server now (it imports and warms the extractor: seconds), in the
    background, so the first upload's probe does not wait for it."""
    def start() -> None:
        try:
            from multiprocessing import forkserver

            _context()
            forkserver.ensure_running()
        except Exception:  # noqa: BLE001 - the first job will try again and report
            log.exception("could not start the extraction fork server")

    threading.Thread(target=start, name="relato-forkserver-start", daemon=True).start()


def _context() -> Any:
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _CONTEXT = ctx
        return _CONTEXT


def _run(job: str, path: Path, filename: str | None, max_pages: int | None, lim: Limits, timeout: float,
         extra: tuple[Any, ...] = ()) -> Any:
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, name=f"relato-{job}", daemon=True,
                       args=(sender, job, str(path), filename, max_pages, lim.memory_mb, timeout, extra))
    proc.start()
    sender.close()
    try:
        end = time.monotonic() + timeout
        while True:
            if not receiver.poll(max(end - time.monotonic(), 0.0)):
                if proc.is_alive():
                    raise _timeout(job, timeout)
                message: tuple[Any, ...] = ("died",)
                break
            message = _receive(receiver)
            if message[0] == "page":  # the extraction read another page: tell whoever asked
                _note_page(message[1])
                continue
            if message[0] != "allow":
                break
            end, timeout = end + message[1], timeout + message[1]  # OCR'd pages: extractor/ocr.py
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(KILL_GRACE_S)
    return _unpack(message, proc.exitcode, job, lim, timeout)


def _receive(receiver: Connection) -> tuple[Any, ...]:
    try:
        return receiver.recv()
    except (EOFError, OSError):  # the child died before it could answer
        return ("died",)


def _timeout(job: str, seconds: float) -> BadPDF:
    if job == "extract":
        return env_limits.ExtractTimeout(seconds)
    return BadPDF(f"reading the PDF took longer than {seconds:g} s; the file may be malformed",
                  code="timeout")


def _out_of_memory(lim: Limits) -> BadPDF:
    return BadPDF(f"reading the PDF needed more than {lim.memory_mb} MB of memory "
                  "(RELATO_EXTRACT_MEMORY_MB); the file may be too large or malformed", code="memory")


def _unpack(message: tuple[Any, ...], exitcode: int | None, job: str, lim: Limits, timeout: float) -> Any:
    kind = message[0]
    if kind == "ok":
        return message[1]
    if kind == "bad":
        raise BadPDF(message[1], code=message[2])
    if kind == "memory":
        raise _out_of_memory(lim)
    if kind == "crash":
        log.error("the %s process raised %s:\n%s", job, message[1], message[3])
        raise ExtractionCrashed(f"{message[1]}: {message[2]}")
    if exitcode == -signal.SIGXCPU:
        raise _timeout(job, timeout)
    if exitcode == -signal.SIGKILL:  # not ours (we only kill after a timeout): the OOM killer
        raise _out_of_memory(lim)
    name = signal.Signals(-exitcode).name if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    raise ExtractionCrashed(f"the {job} process died ({name})")


def _child(sender: Connection, job: str, path: str, filename: str | None, max_pages: int | None,
           memory_mb: int, cpu_s: float, extra: tuple[Any, ...] = ()) -> None:
    """Runs in the child: apply the limits, do the job, send one message back."""
    try:
        env_limits.limit_memory(memory_mb)
        env_limits.limit_cpu(cpu_s + KILL_GRACE_S)
        env_limits.listen(lambda s: (sender.send(("allow", s)), env_limits.extend_cpu(s)))
        on_page = (lambda n: sender.send(("page", n))) if job == "extract" else None
        message: tuple[Any, ...] = ("ok", _job(job, Path(path), filename, max_pages, extra, on_page))
    except BadPDF as exc:
        message = ("bad", exc.reason, exc.code)
    except MemoryError:
        message = ("memory",)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        message = ("crash", type(exc).__name__, str(exc)[:500], traceback.format_exc()[-4000:])
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("memory",))
    except (BrokenPipeError, OSError):
        pass  # the parent gave up on us (timeout) or is gone
    finally:
        sender.close()


def _sizes(path: Path) -> list[tuple[float, float]]:
    """pdfium's page sizes (the renderer's geometry), or the text reader's when pdfium
    cannot open a file that pdfminer repaired (a lost xref, a truncated tail)."""
    from pypdfium2 import PdfiumError

    from service.storage.render import page_sizes as rendered_sizes

    try:
        return rendered_sizes(path)
    except PdfiumError:
        from extractor.pdf import page_sizes as text_sizes

        return text_sizes(path)


def _job(job: str, path: Path, filename: str | None, max_pages: int | None, extra: tuple[Any, ...],
         on_page: Callable[[int], None] | None = None) -> Any:
    if job == "render":
        cache_dir, number, key, bbox = extra
        return str(page_png(path, Path(cache_dir), number, key=key, bbox=bbox))
    if job == "probe":
        from extractor.pdf import probe_pdf

        return probe_pdf(path, max_pages=max_pages)
    if job == "sizes":
        return _sizes(path)
    from extractor.pipeline import extract_pdf

    return extract_pdf(path, filename=filename, on_page=on_page).model_dump_json()
