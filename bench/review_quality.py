"""What the quality report from reviews (GET /api/v1/quality) and the confidence refit cost
as the facts grow. Prints figures and ratios; never asserts timings.

    python bench/review_quality.py --db sqlite --facts 100000
    python bench/review_quality.py --db postgres --facts 100000

A throw-away database (bench/apilib.py `bench_database`) gets --facts facts over 50 reports
(three pages each, one marked complete), eight extractors and six kinds, 60 % of them
decided (80 % of those confirmed) and 1 % added by hand. Then, median of --repeat runs:

1. `quality_report` (its SQL aggregates and the Python folding of their groups) against the
   baseline it avoids: reading every fact's (report, extractor, kind, status, confidence,
   page) into Python, which is what a report computed by loading rows would start with.
2. A refit from scratch (`refit`), and the staleness look that the queue's list route makes
   (`refresh` when nothing changed) against a bare `SELECT 1`.
3. What the covering index `ix_extraction_quality` costs each review: --updates single-fact
   status UPDATEs, each committed on its own as a review is, with the index and again after
   dropping it (then the index is put back).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apilib import PG_DEFAULT, bench_database, open_engine  # noqa: E402
from service.quality.refit import refit, refresh  # noqa: E402
from service.quality.report import quality_report  # noqa: E402
from service.storage.db import read_engine, write_engine  # noqa: E402
from service.storage.models import Extraction, Page, Report  # noqa: E402
from service.storage.timeutil import utcnow  # noqa: E402

KINDS = ("date", "period", "count", "percentage", "money", "municipality")
EXTRACTORS = tuple(f"rules.{k}" for k in KINDS) + ("rules.count.table", "ner.municipality")
REPORTS, PAGES = 50, 3


def fill(engine: Engine, facts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = utcnow()
    with Session(write_engine(engine)) as session:
        session.execute(insert(Report), [
            {"id": r, "sha256": f"{r:064x}", "filename": f"r{r}.pdf", "size_bytes": 1, "status": "done",
             "pages": PAGES, "series": f"serie-{r % 3}", "created_at": now, "updated_at": now,
             "attempts": 0} for r in range(1, REPORTS + 1)])
        session.execute(insert(Page), [
            {"report_id": r, "number": n, "width": 600.0, "height": 800.0,
             "complete_by": "ana" if n == 1 else None, "complete_at": now if n == 1 else None}
            for r in range(1, REPORTS + 1) for n in range(1, PAGES + 1)])
        rows, seq = [], 0
        for i in range(facts):
            added = rng.random() < 0.01
            decided = added or rng.random() < 0.6
            status = "confirmed" if added else (
                ("confirmed" if rng.random() < 0.8 else rng.choice(("corrected", "rejected"))) if decided else "pending")
            if decided:
                seq += 1
            rows.append({
                "report_id": rng.randint(1, REPORTS), "position": i, "kind": rng.choice(KINDS), "text": "10",
                "value": 10, "page": rng.randint(1, PAGES), "bbox": [1, 1, 2, 2],
                "extractor": "reviewer" if added else rng.choice(EXTRACTORS),
                "confidence": 1.0 if added else rng.choice((0.42, 0.71, 0.88, 0.95, 0.97, 0.99)),
                "orig_value": 10, "status": status, "version": 2 if decided else 1, "published": status != "pending",
                "change_seq": seq if decided else None, "orphaned": False, "initiative_pinned": False})
            if len(rows) == 10_000:
                session.execute(insert(Extraction), rows)
                rows = []
        if rows:
            session.execute(insert(Extraction), rows)
        session.commit()
    if engine.dialect.name == "postgresql":
        with write_engine(engine).begin() as conn:
            conn.execute(text("ANALYZE"))


def review_updates_ms(engine: Engine, updates: int) -> float:
    """Mean ms per committed one-fact status change (a review's UPDATE without its event row)."""
    statement = text("UPDATE extraction SET status = CASE WHEN status = 'confirmed' THEN 'rejected' "
                     "ELSE 'confirmed' END, version = version + 1 WHERE id = :id")
    rng = random.Random(3)
    ids = [rng.randint(1, 50_000) for _ in range(updates)]
    start = time.perf_counter()
    for ext_id in ids:
        with write_engine(engine).begin() as conn:
            conn.execute(statement, {"id": ext_id})
    return (time.perf_counter() - start) * 1000 / updates


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--pg-admin-url", default=os.environ.get("RELATO_PG_URL", PG_DEFAULT))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, \
            bench_database(args.db, Path(name), args.pg_admin_url, name="relato_bench_quality") as url:
        engine = open_engine(url)
        start = time.perf_counter()
        fill(engine, args.facts)
        print(f"{args.db}: {args.facts:,} facts over {REPORTS} reports in {time.perf_counter() - start:.1f} s")
        reader = read_engine(engine)

        def report() -> object:
            with Session(reader) as session:
                return quality_report(session)

        def every_row() -> object:
            with Session(reader) as session:
                return session.execute(select(Extraction.report_id, Extraction.extractor, Extraction.kind,
                                              Extraction.status, Extraction.confidence, Extraction.page)).all()

        def select_one() -> object:
            with reader.connect() as conn:
                return conn.execute(text("SELECT 1")).scalar()

        refit_ms = median_ms(lambda: refit(engine), args.repeat)
        report_ms, rows_ms = median_ms(report, args.repeat), median_ms(every_row, args.repeat)
        look_ms, one_ms = median_ms(lambda: refresh(engine), args.repeat * 4), median_ms(select_one, args.repeat * 4)
        print(f"quality report (aggregates + folding): {report_ms:.1f} ms; reading every fact's row: "
              f"{rows_ms:.1f} ms -> report / rows = {report_ms / rows_ms:.2f}x")
        print(f"refit from scratch: {refit_ms:.1f} ms")
        print(f"staleness look with nothing new: {look_ms:.2f} ms vs SELECT 1 {one_ms:.2f} ms "
              f"-> {look_ms / one_ms:.1f}x")
        with_index = review_updates_ms(engine, args.updates)
        with write_engine(engine).begin() as conn:
            conn.execute(text("DROP INDEX ix_extraction_quality"))
        without = review_updates_ms(engine, args.updates)
        with write_engine(engine).begin() as conn:
            conn.execute(text("CREATE INDEX ix_extraction_quality ON extraction "
                              "(report_id, extractor, kind, status, confidence, page)"))
        print(f"a review's status UPDATE, committed alone: {with_index:.3f} ms with the covering index, "
              f"{without:.3f} ms without -> {with_index / without:.2f}x")
        engine.dispose()


if __name__ == "__main__":
    main()
