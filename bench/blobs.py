"""Blob store benchmark (issue 11: PDFs and page images without a shared disk). Prints
figures; never asserts timings.

    python bench/blobs.py --db postgres --mb 50
    python bench/blobs.py --db sqlite --mb 50

1. A --mb file of random bytes (incompressible, like a PDF's streams) is stored with
   `DatabaseBlobs.put` and fetched into an empty data directory with `local_pdf`; prints
   MB/s and this process's peak RSS growth (sampled every 2 ms) for each.
2. The alternative the store does not use, for comparison: the same bytes as one bytea /
   BLOB value in one INSERT and one SELECT.
3. Page images: every page of a corpus deck rendered cold through `render_page` (a child
   process, as the API does), the PNG sizes, and the time to fetch one PNG-sized blob from
   the database, to weigh caching rendered PNGs in the store against re-rendering them from
   the PDF each process fetches once.

Uses a throw-away database: a temp SQLite file, or PostgreSQL database `relato_bench_blobs`
(created and dropped here; --pg-admin-url names the server).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apilib import PG_DEFAULT, bench_database  # noqa: E402

from service.jobs.extracting import render_page  # noqa: E402
from service.storage.blobs import BLOB_CHUNK_BYTES, DatabaseBlobs, local_pdf  # noqa: E402
from service.storage.config import Settings  # noqa: E402
from service.storage.db import make_engine, run_migrations, write_engine  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PG_DB = "relato_bench_blobs"


class PeakRss:
    """Samples this process's RSS in a thread; `growth_mb` is the peak over the start."""

    def __init__(self) -> None:
        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self.start = self.proc.memory_info().rss

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    @contextmanager
    def watch(self) -> Iterator[PeakRss]:
        self.start = self.peak = self.proc.memory_info().rss
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self._stop.clear()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def timed(what: str, size_mb: float, action: Callable[[], Any]) -> Any:
    rss = PeakRss()
    with rss.watch():
        began = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - began
    print(f"{what:48} {seconds * 1000:8.0f} ms  {size_mb / seconds:7.0f} MB/s  peak RSS +{rss.growth_mb:5.0f} MB")
    return result


def one_value(engine: Any, data_file: Path) -> None:
    """Step 2: the whole file as one value (what the chunked store avoids)."""
    size_mb = data_file.stat().st_size / 2**20
    with write_engine(engine).begin() as conn:
        conn.execute(text("CREATE TABLE one_blob (id INTEGER PRIMARY KEY, data "
                          f"{'BLOB' if engine.dialect.name == 'sqlite' else 'BYTEA'} NOT NULL)"))

    def put() -> None:
        payload = data_file.read_bytes()
        with write_engine(engine).begin() as conn:
            conn.execute(text("INSERT INTO one_blob (id, data) VALUES (1, :d)"), {"d": payload})

    def get() -> int:
        with engine.connect() as conn:
            return len(conn.execute(text("SELECT data FROM one_blob WHERE id = 1")).scalar_one())

    timed("one value: INSERT (file read whole)", size_mb, put)
    timed("one value: SELECT", size_mb, get)


def page_images(engine: Any, settings: Settings, tmp: Path) -> None:
    """Step 3: render every page cold, then fetch PNG-sized blobs from the database."""
    pdf = CORPUS / "status-deck-2025-10.pdf"
    from extractor.pdf import probe_pdf

    pages = probe_pdf(pdf, max_pages=2000)
    render_ms, sizes = [], []
    for number in range(1, pages + 1):
        began = time.perf_counter()
        png = render_page(lambda: pdf, tmp / "png-cache", number)
        render_ms.append((time.perf_counter() - began) * 1000)
        sizes.append(png.stat().st_size)
    print(f"render a page cold ({pdf.name}, {pages} pages, child process): "
          f"median {statistics.median(render_ms):.0f} ms, max {max(render_ms):.0f} ms; "
          f"PNG median {statistics.median(sizes) / 1024:.0f} KB, max {max(sizes) / 1024:.0f} KB")
    store, fetch_ms = DatabaseBlobs(engine), []
    for index, size in enumerate(sizes):
        data = os.urandom(size)
        blob = tmp / f"png{index}.bin"
        blob.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        store.put(sha, blob)
        began = time.perf_counter()
        target = tmp / f"fetched{index}.bin"
        with open(target, "wb") as out:
            for chunk in store.chunks(sha):
                out.write(chunk)
        fetch_ms.append((time.perf_counter() - began) * 1000)
    print(f"fetch a PNG-sized blob from the database: median {statistics.median(fetch_ms):.1f} ms, "
          f"max {max(fetch_ms):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres", help="database kind")
    parser.add_argument("--mb", type=float, default=50, help="size of the stored file in MB (default 50)")
    parser.add_argument("--pg-admin-url", default=os.environ.get("RELATO_PG_URL", PG_DEFAULT),
                        help="a PostgreSQL database to create the throw-away one from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="relato-bench-blobs-") as name, \
            bench_database(args.db, Path(name), args.pg_admin_url, name=PG_DB) as url:
        tmp = Path(name)
        engine = make_engine(url)
        run_migrations(engine)
        size = int(args.mb * 2**20)
        data_file = tmp / "big.pdf"
        with open(data_file, "wb") as out:
            for offset in range(0, size, BLOB_CHUNK_BYTES):
                out.write(os.urandom(min(BLOB_CHUNK_BYTES, size - offset)))
        sha = hashlib.sha256(data_file.read_bytes()).hexdigest()
        print(f"{args.db}: {args.mb:g} MB file, chunks of {BLOB_CHUNK_BYTES // 2**20} MiB")
        store = DatabaseBlobs(engine)
        timed("chunked store: put", args.mb, lambda: store.put(sha, data_file))
        reader = Settings(database_url=url, data_dir=tmp / "empty", blob_store="db")
        timed("chunked store: local_pdf into an empty data dir", args.mb, lambda: local_pdf(store, reader, sha))
        one_value(engine, data_file)
        page_images(engine, reader, tmp)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
