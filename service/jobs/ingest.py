"""`relato ingest PATH...`: register local PDFs like uploads, then extract the queue.

Files go through the same spool, checks and sha256 de-duplication as the API.
Extraction then runs here until the queue is drained (other workers may help).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine
from tqdm import tqdm

from service.jobs.intake import register_pdf
from service.jobs.worker import claim_next, process, worker_identity
from service.storage.config import Settings
from service.storage.files import UploadRejected, display_filename, spool_file


def find_pdfs(paths: Iterable[Path]) -> list[Path]:
    """The PDFs named, and those found (recursively) in the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        else:
            found.append(path)
    return found


def register_all(engine: Engine, settings: Settings, files: list[Path], ids: list[int] | None = None) -> int:
    """Register each file; prints `id<TAB>status<TAB>path` per file; returns how many were refused
    (the report ids go into `ids` when given)."""
    refused = 0
    for path in tqdm(files, desc="upload", unit="pdf", file=sys.stderr, disable=not files):
        try:
            report, created = register_pdf(engine, settings, spool_file(path, settings), display_filename(path.name))
        except (UploadRejected, OSError) as exc:
            refused += 1
            tqdm.write(f"refused {path}: {getattr(exc, 'detail', exc)}", file=sys.stderr)
            continue
        print(f"{report.id}\t{'queued' if created else 'known:' + report.status}\t{path}", flush=True)
        if ids is not None and report.id is not None:
            ids.append(report.id)
    return refused


def drain(engine: Engine, settings: Settings) -> int:
    """Extract queued reports until none is left; returns how many this process completed."""
    worker_id, done = worker_identity(), 0
    with tqdm(desc="extract", unit="report", file=sys.stderr) as bar:
        while (claim := claim_next(engine, settings, worker_id)) is not None:
            done += process(engine, settings, claim)
            bar.update(1)
    return done


def ingest_paths(engine: Engine, settings: Settings, paths: list[Path], *, extract: bool) -> int:
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    ids: list[int] = []
    refused = register_all(engine, settings, find_pdfs(paths), ids)
    if extract:
        drain(engine, settings)
        print_editions(engine, ids)
    return 1 if refused else 0


def print_editions(engine: Engine, report_ids: list[int]) -> None:
    """The ingested reports as editions: per series, by status date (not by file name);
    linking walks them in this order whatever order the files came in (service/editions/linking.py)."""
    from service.editions.order import editions_by_series

    for series, reports in editions_by_series(engine, report_ids).items():
        listed = ", ".join(f"{r.status_date or '?'} (report {r.id}, {r.filename})" for r in reports)
        print(f"series {series!r}: {listed}", file=sys.stderr)


