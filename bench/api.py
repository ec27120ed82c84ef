"""API benchmark: concurrent review and feed traffic against the real server, a lost-update
check, and a full pull of a large records feed. Prints figures; never asserts timings.

    python bench/api.py --db sqlite --seconds 30 --clients 32
    python bench/api.py --db postgres --mix full --seconds 60 --clients 32
    python bench/api.py --db sqlite --seconds 0 --feed-records 100000   # feed pull only
    python bench/api.py --db postgres --rate 50 --seconds 25 --feed-records 0   # open loop
    python bench/api.py --db postgres --rate 200 --workers 2 --feed-records 0 --list-pages 200
    python bench/api.py --db postgres --rate 50 --workers 2 --feed-records 0 --no-reference \
        --slow-bodies 200 --slow-headers 1000     # legitimate traffic under an attack without a token

Open loop (`--rate R`, issue 11; bench/openloop.py): instead of step 3-4 below, Poisson
arrivals at R req/s in total from a seeded schedule (`--rate-seed`), each request fired
at its time whatever earlier ones are doing, latency counted from the scheduled time;
mix 60 % GET one fact, 30 % review (confirm/correct with the last version seen; a 409
re-reads and retries inside the same timed operation), 10 % feed page of 500. Then the
same schedule against the reference app (bench/refapp.py: FastAPI + psycopg_pool, one
statement per request, own table in database `relato_ref`, created and dropped here,
same rows and feed size; `--no-reference` skips it) under the same uvicorn, one process.
Prints per app: p50/p99/max per operation, 5xx and 503 apart, timeouts (`--timeout`),
share served within 1 s, server CPU per answered request (psutil), and the generator's
own send lag and achieved offered rate; then relato's CPU per request over the
reference's, the lost-update checks of both, and last:
`open-loop R req/s: relato p99 GET A ms, review B ms, feed C ms; reference p99 GET D ms,
review E ms, feed F ms; served S % within 1 s` (S: relato's share).

1. Seeds a throw-away database (a temp SQLite file, or PostgreSQL database
   `relato_bench`, created and dropped here): `relato ingest corpus/*.pdf`, then
   copies of the extracted facts up to --facts, --confirmed of them confirmed
   through the change-sequence code (bench/apilib.py: bulk_confirm).
2. Starts `relato serve --workers N --no-access-log` on 127.0.0.1:<free port> (worker on),
   as users run it; `--app` runs another factory under `uvicorn --workers N` instead.
3. Baseline: the same clients on `GET /healthz` for a few seconds (the floor).
4. Load: --clients clients for --seconds (mix `review`: reviewers + feed readers;
   mix `full`: + uploaders). Prints req/s, p50/p99 per endpoint, statuses (409 apart),
   PASS/MISS against p99 < 50 ms for reviews and 500-record feed pages.
5. Lost-update check through the API (final status, value, version and history of
   every fact against the client-side log of accepted reviews); a failure exits 1.
(--list-pages N: then N pages of 100 facts, one at a time: p50/p99 and server CPU per page.)
6. Feed pull (--feed-records N, 0 to skip): tops the feed up to N confirmed facts and
   pulls it all as ndjson, json and csv, paging with since=next_cursor; prints
   records/s (target >= 10k/s), the server's RSS before and at peak, and the
   records/s of the same rows read straight from the database in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import apilib, apiload, openloop, refapp  # noqa: E402
from bench.apilib import ROOT, Server, percentile, verdict  # noqa: E402
from bench.slowclients import slow_clients  # noqa: E402
from service.feed import records as feed  # noqa: E402
from service.storage.models import Area, Extraction, Initiative, Report  # noqa: E402

TARGET_P99_S = 0.050
REF_DB = "relato_ref"
TARGET_FEED_RPS = 10_000
MB = 1024 * 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--pg-url", default=apilib.PG_DEFAULT, help="server to create database relato_bench on")
    p.add_argument("--mix", choices=("review", "full"), default="review")
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--feed-clients", type=int, default=4, help="of --clients, how many pull the feed")
    p.add_argument("--upload-clients", type=int, default=2, help="of --clients, uploaders (mix full)")
    p.add_argument("--upload-interval", type=float, default=2.0, help="an uploader's pause between uploads (s)")
    p.add_argument("--think-ms", type=float, default=0,
                   help="mean pause of a client between requests; 0 = back to back (saturation)")
    p.add_argument("--rate", type=float, default=0,
                   help="open loop: Poisson arrivals at this many req/s in total (0: closed loop, --clients)")
    p.add_argument("--rate-seed", type=int, default=11, help="open loop: seed of the arrival schedule")
    p.add_argument("--timeout", type=float, default=10, help="open loop: a request unanswered after this many s is a timeout")
    p.add_argument("--no-reference", action="store_true", help="open loop: skip the reference app")
    p.add_argument("--facts", type=int, default=24_000, help="facts in the database during the load")
    p.add_argument("--confirmed", type=int, default=5_000, help="of them, confirmed before the load")
    p.add_argument("--baseline-seconds", type=float, default=5)
    p.add_argument("--feed-records", type=int, default=100_000, help="full-pull size; 0 skips the pull")
    p.add_argument("--pull-limit", type=int, default=0, help="limit per feed request in the pull (0: none)")
    p.add_argument("--list-pages", type=int, default=0,
                   help="then this many GET /api/v1/extractions?limit=100 pages, one at a time: p50/p99, CPU")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes (`relato serve --workers N`; uvicorn's for another --app)")
    p.add_argument("--app", default="service.api.app:create_app", help="uvicorn app factory (e.g. an instrumented one)")
    p.add_argument("--keep", action="store_true", help="keep the temp directory (server.log) and database")
    p.add_argument("--slow-bodies", type=int, default=0,
                   help="open loop: hold this many slow-body connections without a token open (bench/slowclients.py)")
    p.add_argument("--slow-headers", type=int, default=0,
                   help="open loop: hold this many connections that never finish their headers open")
    return p.parse_args(argv)


def seed(engine, env: dict[str, str], args: argparse.Namespace) -> tuple[dict[str, str], int]:  # type: ignore[no-untyped-def]
    """Corpus, copies, tokens, pre-confirmed facts; returns (token per client name, seed token id)."""
    started = time.perf_counter()
    apilib.ingest(env, sorted((ROOT / "corpus").glob("*.pdf")))
    have = apilib.count_facts(engine)
    new_ids = apilib.multiply_facts(engine, max(0, args.facts - have))
    names = [("reviewer", f"bench-client-{i:02d}") for i in range(args.clients)]
    names += [("consumer", "bench-feed"), ("operator", "bench-upload"), ("reviewer", "bench-seed")]
    tokens = apilib.make_tokens(engine, names)
    seed_id = tokens[-1][0]
    apilib.bulk_confirm(engine, new_ids[-args.confirmed:] if args.confirmed else [], "bench-seed", seed_id)
    apilib.analyze(engine)
    print(f"seeded {apilib.count_facts(engine)} facts ({have} extracted from the corpus), "
          f"{apilib.count_facts(engine, in_feed=True)} confirmed, in {time.perf_counter() - started:.1f}s")
    named = {name: tok for (_, name), (_, tok) in zip(names, tokens, strict=True)}
    return named, seed_id


def print_load(log: apiload.LoadLog, base: apiload.LoadLog) -> tuple[bool, bool]:
    base_rps = len(base.latency["GET healthz"]) / base.elapsed
    total = sum(len(v) for k, v in log.latency.items() if k != "GET records (500)")
    print(f"\nbaseline GET /healthz: {base_rps:7.0f} req/s, p50 {percentile(base.latency['GET healthz'], 50) * 1e3:.1f} ms, "
          f"p99 {percentile(base.latency['GET healthz'], 99) * 1e3:.1f} ms")
    print(f"load: {total} requests in {log.elapsed:.1f}s = {total / log.elapsed:.0f} req/s "
          f"({total / log.elapsed / base_rps:.2f}x the /healthz baseline)")
    print(f"{'endpoint':22} {'n':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name in sorted(log.latency):
        lat = log.latency[name]
        print(f"{name:22} {len(lat):7d} {len(lat) / log.elapsed:7.1f} {percentile(lat, 50) * 1e3:8.1f} "
              f"{percentile(lat, 99) * 1e3:8.1f} {max(lat) * 1e3:8.1f}")
    conflicts = sum(n for (_, code), n in log.statuses.items() if code == 409)
    errors = {f"{name} {code}": n for (name, code), n in sorted(log.statuses.items()) if code >= 400 and code != 409}
    print(f"409 (deliberate stale versions): {conflicts}; other errors: {errors or 'none'}; "
          f"transport errors: {dict(log.transport_errors) or 'none'}")
    review_ok = percentile(log.latency["POST review"], 99) < TARGET_P99_S
    feed_ok = percentile(log.latency["GET records (500)"], 99) < TARGET_P99_S
    print(f"target review p99 < 50 ms: {verdict(review_ok)}; 500-record feed page p99 < 50 ms: {verdict(feed_ok)}")
    return not errors and not log.transport_errors, review_ok and feed_ok


def check_no_lost_update(server: Server, tokens: dict[str, str], before: dict, log: apiload.LoadLog) -> bool:
    token = tokens["bench-seed"]
    started = time.perf_counter()
    after = asyncio.run(apiload.snapshot(server.base_url, token))
    hist = asyncio.run(apiload.histories(server.base_url, token, sorted(log.attempted)))
    problems = apiload.verify(before, after, hist, log)
    changed = sum(1 for k in before if after[k]["version"] != before[k]["version"])
    print(f"lost-update check: {len(log.accepted)} accepted reviews on {changed} facts, "
          f"{len(before)} facts and {len(hist)} histories compared in {time.perf_counter() - started:.1f}s: "
          f"{'OK' if not problems else 'FAILED'}")
    for line in problems[:20]:
        print("  " + line)
    return not problems


def check_uploads(server: Server, tokens: dict[str, str], log: apiload.LoadLog) -> bool:
    if not log.uploads:
        return True
    got = httpx.get(server.base_url + "/api/v1/reports", headers={"Authorization": f"Bearer {tokens['bench-seed']}"},
                    timeout=60).raise_for_status().json()["items"]
    stored = {r["sha256"] for r in got}
    missing = log.uploads - stored
    states = {s: sum(1 for r in got if r["status"] == s) for s in ("queued", "processing", "done", "failed")}
    print(f"uploads: {len(log.uploads)} accepted, {len(log.uploads) - len(missing)} stored; reports now {states}")
    return not missing


def top_up_feed(engine, records: int, seed_token_id: int) -> int:  # type: ignore[no-untyped-def]
    """Add confirmed facts until the feed holds `records`; returns the feed's size."""
    with engine.connect() as conn:
        in_feed = int(conn.execute(select(func.count()).select_from(Extraction).where(feed._IN_FEED)).scalar_one())
    if in_feed < records:
        started = time.perf_counter()
        ids = apilib.multiply_facts(engine, records - in_feed)
        apilib.bulk_confirm(engine, ids, "bench-seed", seed_token_id)
        apilib.analyze(engine)
        print(f"\nfeed topped up with {len(ids)} confirmed facts in {time.perf_counter() - started:.1f}s")
        in_feed = records
    return in_feed


def direct_read(engine) -> float:  # type: ignore[no-untyped-def]
    """Baseline: records/s reading the feed's rows (its own columns and joins) straight from the
    database in this process, 500 at a time, without serialising them."""
    started, n, last = time.perf_counter(), 0, 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(*feed._COLUMNS)
                .join(Report, Report.id == Extraction.report_id)
                .join(Initiative, Initiative.id == Extraction.initiative_id, isouter=True)
                .join(Area, Area.id == Initiative.area_id, isouter=True)
                .where(Extraction.change_seq > last, feed._IN_FEED)
                .order_by(Extraction.change_seq).limit(500)
            ).all()
        n += len(rows)
        if len(rows) < 500:
            return n / (time.perf_counter() - started)
        last = rows[-1].change_seq


def pull(server: Server, token: str, fmt: str, limit: int) -> tuple[int, float, int, int, float]:
    """Pull the whole feed in `fmt`; returns (records, seconds, requests, peak server RSS,
    server CPU seconds)."""
    processes = server.processes()
    peak, stop = [server.rss(processes)], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], server.rss(processes))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    headers, cursor, records, requests = {"Authorization": f"Bearer {token}"}, "0", 0, 0
    cpu, started = server.cpu_seconds(processes), time.perf_counter()
    with httpx.Client(base_url=server.base_url, timeout=600) as client:
        while True:
            params = {"format": fmt, "since": cursor, **({"limit": limit} if limit else {})}
            with client.stream("GET", "/api/v1/records", params=params, headers=headers) as response:
                body = b"".join(response.iter_bytes()) if response.status_code == 200 else response.read()
                response.raise_for_status()
            requests += 1
            got = count_records(body, fmt)
            records += got
            cursor = response.headers["X-Next-Cursor"]
            if got == 0:
                break
    elapsed, cpu = time.perf_counter() - started, server.cpu_seconds(processes) - cpu
    stop.set()
    sampler.join()
    return records, elapsed, requests, peak[0], cpu


def count_records(body: bytes, fmt: str) -> int:
    if fmt == "ndjson":
        seqs = [json.loads(line)["change_seq"] for line in body.splitlines() if line]
        assert seqs == sorted(set(seqs)), "ndjson feed is not in strictly increasing change order"
        return len(seqs)
    if fmt == "json":
        return len(json.loads(body)["items"])
    return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1


def feed_pull(server: Server, engine, token: str, seed_token_id: int, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    expected = top_up_feed(engine, args.feed_records, seed_token_id)
    base_rps = direct_read(engine)
    idle = server.rss()
    print(f"full feed pull of {expected} records (limit per request: {args.pull_limit or 'none'}); "
          f"server RSS idle {idle / MB:.0f} MB; direct DB read in this process: {base_rps:,.0f} records/s")
    for fmt in ("ndjson", "json", "csv"):
        records, elapsed, requests, peak, cpu = pull(server, token, fmt, args.pull_limit)
        rps = records / elapsed
        print(f"  {fmt:6} {records:7d} records in {elapsed:5.2f}s ({requests} requests): {rps:8,.0f} records/s "
              f"({rps / base_rps:.2f}x direct read) {verdict(rps >= TARGET_FEED_RPS)} >= 10k/s; "
              f"{records / max(cpu, 1e-9):,.0f} records per server CPU-second; "
              f"server RSS peak {peak / MB:.0f} MB (+{(peak - idle) / MB:.0f} MB)"
              + ("" if records == expected else f"  COUNT MISMATCH (expected {expected})"))


def list_pages(server: Server, engine, token: str, pages: int) -> None:  # type: ignore[no-untyped-def]
    """Serial pages of 100 facts (with their review assist) from random cursors: latency and
    server CPU per page (issue 11: lists of 100 facts p99 < 50 ms)."""
    rng, processes, latencies = random.Random(5), server.processes(), []
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        last = int(client.get("/api/v1/extractions", params={"limit": 1, "cursor": "0"}).json()["items"][0]["id"])
        top = last + apilib.count_facts(engine) - 100
        cpu = server.cpu_seconds(processes)
        for _ in range(pages):
            started = time.perf_counter()
            response = client.get("/api/v1/extractions", params={"limit": 100, "cursor": rng.randrange(last, top)})
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200 and len(response.json()["items"]) == 100, response.text[:200]
        cpu = server.cpu_seconds(processes) - cpu
    print(f"lists of 100 facts, {pages} pages one at a time: p50 {percentile(latencies, 50) * 1e3:.1f} ms, "
          f"p99 {percentile(latencies, 99) * 1e3:.1f} ms, max {max(latencies) * 1e3:.1f} ms (first page "
          f"{latencies[0] * 1e3:.1f} ms: its chains computed, later pages reuse those nothing changed in), "
          f"server CPU {cpu / pages * 1e3:.1f} ms per page; "
          f"target p99 < 50 ms: {verdict(percentile(latencies, 99) < TARGET_P99_S)}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ok = True
    with apilib.workspace(args.keep) as workdir, apilib.bench_database(args.db, workdir, args.pg_url, args.keep) as url:
        engine = apilib.open_engine(url)
        env = apilib.server_env(url, workdir)
        tokens, seed_token_id = seed(engine, env, args)
        server = Server(env, workdir, workers=args.workers, app=args.app)
        server.start()
        try:
            how = "relato serve" if args.app == apilib.RELATO_APP else f"uvicorn {args.app}"
            print(f"server: {how} on {server.base_url}, {args.workers} process(es), "
                  f"{args.db}; " + (f"open loop at {args.rate:g} req/s" if args.rate > 0 else
                                    f"{args.clients} clients, mix {args.mix}") + f", {args.seconds:g}s")
            if args.seconds > 0 and args.rate > 0:
                ok = run_open_loop(server, engine, tokens, args, workdir)
            elif args.seconds > 0:
                ok = run_load_phase(server, engine, tokens, args)
            if args.list_pages:
                list_pages(server, engine, tokens["bench-seed"], args.list_pages)
            if args.feed_records:
                feed_pull(server, engine, tokens["bench-feed"], seed_token_id, args)
        finally:
            server.stop()
            engine.dispose()
    return 0 if ok else 1


def run_load_phase(server: Server, engine, tokens: dict[str, str], args: argparse.Namespace) -> bool:  # type: ignore[no-untyped-def]
    before = asyncio.run(apiload.snapshot(server.base_url, tokens["bench-seed"]))
    ids = sorted(before)
    uploads = args.upload_clients if args.mix == "full" else 0
    fleet = apiload.Fleet(
        reviewer_tokens=[(f"bench-client-{i:02d}", tokens[f"bench-client-{i:02d}"]) for i in range(args.clients)],
        consumer_token=tokens["bench-feed"], operator_token=tokens["bench-upload"],
        fact_ids=ids, kinds={k: v["kind"] for k, v in before.items()},
        hot=random.Random(7).sample(ids, min(64, len(ids))),
        feed_clients=args.feed_clients, upload_clients=uploads,
        upload_pdfs=[p.read_bytes() for p in sorted((ROOT / "corpus").glob("*.pdf"))],
        upload_interval=args.upload_interval, host="127.0.0.1", port=server.port, think_s=args.think_ms / 1000,
    )
    base = asyncio.run(apiload.run_baseline(fleet, args.clients, args.baseline_seconds))
    print(f"load running for {args.seconds:g}s (server pid {server.proc.pid if server.proc else '?'})", flush=True)
    processes = server.processes()
    cpu = server.cpu_seconds(processes)
    log = asyncio.run(apiload.run_load(fleet, args.clients, args.seconds))
    cpu = server.cpu_seconds(processes) - cpu
    clean, _ = print_load(log, base)
    requests = sum(len(v) for k, v in log.latency.items() if k != "GET records (500)")
    print(f"server CPU: {cpu / log.elapsed:.0%} of one core, {cpu / max(requests, 1) * 1e3:.1f} ms per request; "
          f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other processes included)")
    no_lost = check_no_lost_update(server, tokens, before, log)
    stored = check_uploads(server, tokens, log)
    if not clean:
        print("note: errors other than deliberate 409s occurred (see above)")
    return no_lost and stored


# ---------------------------------------------------------------- open loop (issue 11)


def relato_target(server: Server, engine, tokens: dict[str, str], before: dict) -> openloop.Target:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        seqs = list(conn.execute(select(Extraction.change_seq).where(feed._IN_FEED).order_by(Extraction.change_seq)).scalars())
    return openloop.Target(
        "relato", "127.0.0.1", server.port, {"Authorization": f"Bearer {tokens['bench-client-00']}"},
        ids=sorted(before), feed_seqs=seqs, versions={k: v["version"] for k, v in before.items()},
        values={k: v["value"] for k, v in before.items()}, kinds={k: v["kind"] for k, v in before.items()})


def ref_rows(url: str) -> dict[int, dict]:  # type: ignore[type-arg]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, status, value, version, change_seq FROM ref_fact ORDER BY id"))
            return {r.id: {"status": r.status, "value": r.value, "version": r.version, "change_seq": r.change_seq}
                    for r in rows}
    finally:
        engine.dispose()


def seed_reference(url: str, rows: int, in_feed: int) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in refapp.seed_sql(rows, in_feed):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def check_reference(before: dict, after: dict, log: openloop.RunLog) -> bool:
    """The lost-update check on the reference's table: final state against the accepted reviews."""
    by_fact: dict[int, list] = {}
    for review in log.accepted:
        by_fact.setdefault(review.ext_id, []).append(review)
    problems = []
    for ext_id, reviews in by_fact.items():
        want, own = apiload.expected_state(before[ext_id], reviews)
        got = {k: after[ext_id][k] for k in ("status", "value", "version")}
        problems += [f"ref {ext_id}: {p}" for p in own]
        if apilib.as_plain(got) != apilib.as_plain(want):
            problems.append(f"ref {ext_id}: final {got} but the accepted reviews imply {want}")
    print(f"reference lost-update check: {len(log.accepted)} accepted reviews on {len(by_fact)} rows: "
          f"{'OK' if not problems else 'FAILED'}")
    for line in problems[:10]:
        print("  " + line)
    return not problems


def measure(server: Server, target: openloop.Target, arrivals: list[openloop.Arrival],
            args: argparse.Namespace) -> tuple[openloop.RunLog, float]:
    """One open-loop run; returns its log and the server's CPU seconds during it."""
    processes = server.processes()
    cpu = server.cpu_seconds(processes)
    print(f"{target.name}: {len(arrivals)} requests scheduled over {args.seconds:g}s at {args.rate:g} req/s "
          f"(server pid {server.proc.pid if server.proc else '?'})", flush=True)
    log = asyncio.run(openloop.run(target, arrivals, args.timeout))
    return log, server.cpu_seconds(processes) - cpu


def print_open(name: str, log: openloop.RunLog, cpu: float, arrivals: list[openloop.Arrival]) -> dict:  # type: ignore[type-arg]
    s = openloop.summary(log)
    lat = log.latency
    print(f"\n{name}: {s['answered']}/{s['scheduled']} answered in {log.elapsed:.1f}s; generator offered "
          f"{openloop.achieved_rate(log, arrivals):.1f} req/s, send lag p99 {percentile(log.lag, 99) * 1e3:.1f} ms, "
          f"max {max(log.lag, default=0) * 1e3:.1f} ms; client CPU {log.client_cpu / max(log.elapsed, 1e-9):.0%} "
          f"of a core; {log.connections} connections")
    print(f"{'operation':10} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for op, _ in openloop.MIX:
        v = lat.get(op, [])
        print(f"{op:10} {len(v):6d} {percentile(v, 50) * 1e3:8.1f} {percentile(v, 99) * 1e3:8.1f} "
              f"{max(v, default=0) * 1e3:8.1f}")
    per_request = cpu / max(s["answered"], 1)
    kinds = Counter(o.error for o in log.outcomes if o.status is None and o.error != "timeout")
    errors = f" {dict(kinds)}" if kinds else ""
    print(f"5xx (503 apart): {s['s5xx']}; 503: {s['s503']}; timeouts (no answer within --timeout): "
          f"{s['timeouts']}; transport errors: {s['transport']}{errors}; 4xx: {s['s4xx'] or 'none'}; "
          f"409 met by reviews (re-read, retried): {log.conflicts}")
    print(f"served within 1 s: {s['served_share']:.1%}; server CPU {per_request * 1e3:.2f} ms per answered request "
          f"({cpu / max(log.elapsed, 1e-9):.0%} of one core)")
    return {**s, "p99": {op: percentile(lat[op], 99) if lat.get(op) else None for op, _ in openloop.MIX},
            "cpu_per_request": per_request}


def run_open_loop(server: Server, engine, tokens: dict[str, str], args: argparse.Namespace, workdir: Path) -> bool:  # type: ignore[no-untyped-def]
    """Relato, then the reference app, under the same seeded Poisson schedule; then the
    lost-update checks (after both runs, so that they load neither)."""
    before = asyncio.run(apiload.snapshot(server.base_url, tokens["bench-seed"]))
    target = relato_target(server, engine, tokens, before)
    arrivals = openloop.schedule(args.rate, args.seconds, args.rate_seed)
    counts = {op: sum(1 for a in arrivals if a.op == op) for op, _ in openloop.MIX}
    print(f"open loop: {len(target.ids)} facts, {len(target.feed_seqs)} in the feed; schedule {counts}; "
          f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores before the run", flush=True)
    with slow_clients(server.port, args.slow_bodies, args.slow_headers) as attack:
        log, cpu = measure(server, target, arrivals, args)
    if args.slow_bodies or args.slow_headers:
        print(f"hostile connections without a token, held at {args.slow_bodies} slow bodies and "
              f"{args.slow_headers} slow headers during the run: opened {attack.opened}, closed by the server "
              f"{attack.closed_by_server}, refused at connect {attack.refused}")
    mine = print_open("relato", log, cpu, arrivals)
    if args.slow_bodies or args.slow_headers:
        summary = openloop.summary(log)
        print(f"legitimate traffic under the attack: {summary['s503']} x 503, {summary['s5xx']} other 5xx, "
              f"{summary['timeouts']} timeouts, {summary['served_share'] * 100:.1f} % served within 1 s")
    ok, ref = True, None
    if not args.no_reference:
        ok, ref = reference_run(args, workdir, len(target.ids), len(target.feed_seqs), arrivals)
    print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other processes included)")
    unknown = log.unknown
    if unknown or openloop.summary(log)["timeouts"]:
        # Unanswered requests still queue in the server's thread pool, in front of the check's
        # reads: restart it (the database keeps every committed review).
        print(f"restarting relato before the lost-update check (abandoned requests queued); {len(unknown)} facts "
              "with a review of unknown outcome (timed out) are left out of the check", flush=True)
        server.stop()
        server.start()
    no_lost = check_no_lost_update(
        server, tokens, {k: v for k, v in before.items() if k not in unknown},
        apiload.LoadLog(accepted=[a for a in log.accepted if a.ext_id not in unknown],
                        attempted=log.attempted - unknown))
    def p99s(got: dict | None) -> dict[str, str]:  # type: ignore[type-arg]
        """ms per operation; n/a when none was answered (or no reference run)."""
        return {op: f"{got['p99'][op] * 1e3:.0f}" if got and got["p99"][op] is not None else "n/a"
                for op in ("GET", "review", "feed")}

    ms, rs = p99s(mine), p99s(ref)
    if ref:
        print(f"relato CPU per request / reference's: {mine['cpu_per_request'] * 1e3:.2f} / "
              f"{ref['cpu_per_request'] * 1e3:.2f} ms = {mine['cpu_per_request'] / max(ref['cpu_per_request'], 1e-9):.1f}x")
    print(f"open-loop {args.rate:g} req/s: relato p99 GET {ms['GET']} ms, review {ms['review']} ms, feed {ms['feed']} ms; "
          f"reference p99 GET {rs['GET']} ms, review {rs['review']} ms, feed {rs['feed']} ms; "
          f"served {mine['served_share'] * 100:.1f} % within 1 s")
    return ok and no_lost


def reference_run(args: argparse.Namespace, workdir: Path, rows: int, in_feed: int,
                  arrivals: list[openloop.Arrival]) -> tuple[bool, dict]:  # type: ignore[type-arg]
    with apilib.bench_database("postgres", workdir, args.pg_url, args.keep, name=REF_DB) as url:
        seed_reference(url, rows, in_feed)
        before = ref_rows(url)
        env = {**apilib.server_env(url, workdir), "REF_DATABASE_URL": url}
        server = Server(env, workdir, app="bench.refapp:create_app")
        server.start()
        try:
            target = openloop.Target(
                "reference", "127.0.0.1", server.port, {}, ids=sorted(before),
                feed_seqs=sorted(r["change_seq"] for r in before.values() if r["change_seq"] is not None),
                versions={k: r["version"] for k, r in before.items()},
                values={k: r["value"] for k, r in before.items()}, kinds={})
            log, cpu = measure(server, target, arrivals, args)
        finally:
            server.stop()
        ref = print_open("reference", log, cpu, arrivals)
        return check_reference(before, ref_rows(url), log), ref


if __name__ == "__main__":
    sys.exit(main())
