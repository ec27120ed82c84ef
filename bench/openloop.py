"""The open-loop load generator of `bench/api.py --rate R` (issue 11).

Arrivals are a Poisson process at R requests/s in total: exponential inter-arrival
times drawn from a seeded RNG, so two runs (and the two apps of one run) get the
same schedule. Each request is fired at its scheduled time as its own asyncio task,
whether or not earlier ones have completed; its latency is counted from the
SCHEDULED time, so a generator or server that falls behind shows up in the figures
instead of quietly lowering the offered rate (no coordinated omission).

Mix: 60 % `GET /api/v1/extractions/{id}`, 30 % review (confirm or correct with the
version last seen; a 409 re-reads the fact and tries again, all within the one
timed operation), 10 % feed page `GET /api/v1/records?since=S&limit=500` with S
picked so that the page is full. Connections come from a pool of bench/rawhttp.py
keep-alive connections that grows as needed (no cap): httpx would cost the client
~5 ms of CPU per request on this machine.

The generator measures itself: how late each request left against its schedule
(lag p99/max) and the achieved offered rate, so a run where the client could not
keep up says so.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.apiload import Accepted, corrected_value
from bench.rawhttp import Connection, Response

MIX = (("GET", 0.6), ("review", 0.3), ("feed", 0.1))
REVIEW_ACTIONS = (("confirm", 0.6), ("correct", 0.4))
FEED_PAGE = 500
MAX_ATTEMPTS = 3  # a review that meets 409 re-reads and tries again, up to this many POSTs
WITHIN_S = 1.0


@dataclass(frozen=True)
class Arrival:
    at: float  # seconds after the start of the run
    op: str  # "GET", "review" or "feed"
    seed: int  # drives this request's choices (fact, action, cursor)


def schedule(rate: float, seconds: float, seed: int = 11) -> list[Arrival]:
    """Poisson arrivals at `rate`/s over `seconds`, each with its operation drawn from MIX."""
    if rate <= 0 or seconds <= 0:
        return []
    rng, t, out = random.Random(seed), 0.0, []
    ops, weights = [o for o, _ in MIX], [w for _, w in MIX]
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            return out
        out.append(Arrival(t, rng.choices(ops, weights)[0], rng.getrandbits(32)))


@dataclass
class Target:
    """One app under load: where it is, what it holds, what the client last saw of it."""

    name: str
    host: str
    port: int
    headers: dict[str, str]
    ids: list[int]
    feed_seqs: list[int]  # change numbers in the feed before the run, ascending
    versions: dict[int, int]
    values: dict[int, Any]
    kinds: dict[int, str]
    reviewer: str = "bench-client-00"  # the token's name, as the history records it


@dataclass
class Outcome:
    op: str
    latency: float  # from the scheduled arrival to the last byte of the final answer
    status: int | None  # None: timeout or transport error
    error: str = ""


@dataclass
class RunLog:
    outcomes: list[Outcome] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)  # actual send - scheduled, per request
    conflicts: int = 0  # 409s met by reviews (each followed by a re-read)
    accepted: list[Accepted] = field(default_factory=list)
    attempted: set[int] = field(default_factory=set)
    unsettled: Counter[int] = field(default_factory=Counter)  # reviews sent, outcome unknown yet
    scheduled: int = 0
    fired_in: float = 0.0  # seconds from the start to the last request fired
    elapsed: float = 0.0  # until the last answer (or the drain timeout)
    client_cpu: float = 0.0
    connections: int = 0

    @property
    def unknown(self) -> set[int]:
        """Facts with a review whose outcome the client never learnt (timeout, broken connection)."""
        return {k for k, n in self.unsettled.items() if n > 0}

    @property
    def latency(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = defaultdict(list)
        for o in self.outcomes:
            if o.status is not None:
                out[o.op].append(o.latency)
        return out


def summary(log: RunLog, within: float = WITHIN_S) -> dict[str, Any]:
    """Counts over every scheduled request: answered, 5xx (503 apart), timeouts, served within `within`."""
    statuses = Counter(o.status for o in log.outcomes if o.status is not None)
    timeouts = sum(1 for o in log.outcomes if o.error == "timeout")
    transport = sum(1 for o in log.outcomes if o.status is None and o.error != "timeout")
    served = sum(1 for o in log.outcomes if o.status is not None and o.status < 500 and o.latency <= within)
    return {
        "scheduled": log.scheduled,
        "answered": sum(statuses.values()),
        "s503": statuses.get(503, 0),
        "s5xx": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        "s4xx": {s: n for s, n in sorted(statuses.items()) if 400 <= s < 500},
        "timeouts": timeouts + (log.scheduled - len(log.outcomes)),
        "transport": transport,
        "served_share": served / log.scheduled if log.scheduled else 1.0,
    }


IDLE_S = 2.0  # uvicorn closes keep-alive connections idle for 5 s: never reuse one that old


class Pool:
    """Keep-alive connections handed to one request at a time; a new one when none is idle
    (idle ones are reused most recent first, and dropped once idle for IDLE_S, before the
    server closes them under a request)."""

    def __init__(self, target: Target) -> None:
        self.target, self.opened = target, 0
        self.idle: list[tuple[float, Connection]] = []
        self.all: list[Connection] = []

    def take(self) -> Connection:
        now = time.monotonic()
        while self.idle:
            since, conn = self.idle.pop()
            if now - since < IDLE_S:
                return conn
            conn.close()
        self.opened += 1
        conn = Connection(self.target.host, self.target.port, self.target.headers)
        self.all.append(conn)
        return conn

    def give(self, conn: Connection) -> None:
        self.idle.append((time.monotonic(), conn))

    def close(self) -> None:
        for conn in self.all:
            conn.close()


async def call(pool: Pool, method: str, path: str, payload: Any = None) -> Response:
    conn = pool.take()
    try:
        response = await (conn.get(path) if method == "GET" else conn.post_json(path, payload))
    except BaseException:
        conn.close()  # cancelled or broken mid-answer: this socket's state is unknown
        raise
    pool.give(conn)
    return response


async def do_get(pool: Pool, t: Target, rng: random.Random, log: RunLog) -> int:
    ext_id = rng.choice(t.ids)
    got = await call(pool, "GET", f"/api/v1/extractions/{ext_id}")
    if got.status_code == 200:
        body = got.json()
        t.versions[ext_id], t.values[ext_id] = body["version"], body["value"]
    return got.status_code


async def do_review(pool: Pool, t: Target, rng: random.Random, log: RunLog) -> int:
    ext_id = rng.choice(t.ids)
    action = rng.choices([a for a, _ in REVIEW_ACTIONS], [w for _, w in REVIEW_ACTIONS])[0]
    log.attempted.add(ext_id)
    log.unsettled[ext_id] += 1  # left there if the review times out: it may or may not have landed
    status = await _review(pool, t, rng, log, ext_id, action)
    log.unsettled[ext_id] -= 1
    return status


async def _review(pool: Pool, t: Target, rng: random.Random, log: RunLog, ext_id: int, action: str) -> int:
    status = 0
    for _ in range(MAX_ATTEMPTS):
        version = t.versions[ext_id]
        body: dict[str, Any] = {"action": action, "version": version, "note": "bench open loop"}
        if action == "correct":
            body["value"] = corrected_value(t.kinds.get(ext_id, "count"), t.values[ext_id], rng)
        got = await call(pool, "POST", f"/api/v1/extractions/{ext_id}/review", body)
        status = got.status_code
        if status == 200:
            answer = got.json()
            log.accepted.append(Accepted(ext_id, version, action, body.get("value"), t.reviewer))
            t.versions[ext_id] = max(t.versions[ext_id], answer["version"])
            t.values[ext_id] = answer["value"]
            return status
        if status != 409:
            return status
        log.conflicts += 1
        reread = await call(pool, "GET", f"/api/v1/extractions/{ext_id}")
        if reread.status_code != 200:
            return reread.status_code
        t.versions[ext_id], t.values[ext_id] = reread.json()["version"], reread.json()["value"]
    return status


async def do_feed(pool: Pool, t: Target, rng: random.Random, log: RunLog) -> int:
    seqs = t.feed_seqs
    since = seqs[rng.randrange(max(1, len(seqs) - FEED_PAGE))] if seqs else 0
    got = await call(pool, "GET", f"/api/v1/records?since={since}&limit={FEED_PAGE}")
    return got.status_code


OPS: dict[str, Callable[..., Any]] = {"GET": do_get, "review": do_review, "feed": do_feed}


async def _one(a: Arrival, due: float, pool: Pool, t: Target, log: RunLog, timeout: float) -> None:
    rng = random.Random(a.seed)
    try:
        status = await asyncio.wait_for(OPS[a.op](pool, t, rng, log), timeout)
        log.outcomes.append(Outcome(a.op, time.perf_counter() - due, status))
    except TimeoutError:
        log.outcomes.append(Outcome(a.op, time.perf_counter() - due, None, "timeout"))
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        log.outcomes.append(Outcome(a.op, time.perf_counter() - due, None, type(exc).__name__))


async def run(target: Target, arrivals: list[Arrival], timeout: float = 10.0) -> RunLog:
    """Fire every arrival at its time; wait for the answers (each bounded by `timeout`)."""
    log, pool, tasks = RunLog(scheduled=len(arrivals)), Pool(target), []
    cpu0 = time.process_time()
    start = time.perf_counter() + 0.05
    for a in arrivals:
        due = start + a.at
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        log.lag.append(time.perf_counter() - due)
        tasks.append(asyncio.create_task(_one(a, due, pool, target, log, timeout)))
    log.fired_in = time.perf_counter() - start
    if tasks:
        await asyncio.wait(tasks, timeout=timeout + 5)
    log.elapsed = time.perf_counter() - start
    log.client_cpu = time.process_time() - cpu0
    log.connections = pool.opened
    pool.close()
    return log


def achieved_rate(log: RunLog, arrivals: list[Arrival]) -> float:
    """Requests fired per second of the schedule's span (what the generator really offered)."""
    if not arrivals or log.fired_in <= 0:
        return 0.0
    return len(log.lag) / max(log.fired_in, arrivals[-1].at)
