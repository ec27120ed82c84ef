"""The concurrent clients of bench/api.py and the lost-update check that follows them.

Clients are asyncio tasks, each with its own keep-alive connection to 127.0.0.1
(bench/rawhttp.py), its own role and token, and an optional pause between
requests (--think-ms; 0 keeps every client busy, which saturates the server):

- reviewers load a fact (GET, for its version) and confirm, correct or reject it.
  A few "hot" facts are picked by everyone with the version the client remembers,
  so stale versions meet on purpose: those 409s are expected and counted apart.
- feed readers page through `/api/v1/records?limit=500&since=cursor`, starting
  over when caught up, so most pages are full 500-record pages.
- uploaders (mix `full`) send distinct PDFs: a corpus PDF with a PDF comment
  appended after its end, which readers ignore but which changes the sha256.

Every accepted (2xx) review is logged client-side; `verify` then rebuilds what the
final state must be from that log and compares it with the API's answers.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.apilib import as_plain
from bench.rawhttp import Connection, Response

STATUS_OF = {"confirm": "confirmed", "correct": "corrected", "reject": "rejected"}
ACTIONS = (("confirm", 0.5), ("correct", 0.3), ("reject", 0.2))
P_HOT = 0.15
FEED_PAGE = 500


@dataclass(frozen=True)
class Accepted:
    ext_id: int
    sent_version: int
    action: str
    value: Any
    client: str


@dataclass
class LoadLog:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    accepted: list[Accepted] = field(default_factory=list)
    attempted: set[int] = field(default_factory=set)
    uploads: set[str] = field(default_factory=set)
    elapsed: float = 0.0


@dataclass
class Fleet:
    """Who the clients are: tokens per role and what they work on."""

    reviewer_tokens: list[tuple[str, str]]  # (name, token)
    consumer_token: str
    operator_token: str
    fact_ids: list[int]
    kinds: dict[int, str]
    hot: list[int]
    feed_clients: int
    upload_clients: int
    upload_pdfs: list[bytes]
    upload_interval: float
    host: str
    port: int
    think_s: float = 0.0
    connections: list[Connection] = field(default_factory=list)

    def connect(self, token: str | None) -> Connection:
        conn = Connection(self.host, self.port, {"Authorization": f"Bearer {token}"} if token else None)
        self.connections.append(conn)
        return conn

    def hang_up(self) -> None:
        """Close every connection, so the server's graceful shutdown need not wait for them."""
        for conn in self.connections:
            conn.close()
        self.connections.clear()

    async def think(self, rng: random.Random) -> None:
        if self.think_s:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * self.think_s)


async def timed(log: LoadLog, name: str, call: Any) -> Response | None:
    start = time.perf_counter()
    try:
        response = await call
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        log.transport_errors[f"{name}: {type(exc).__name__}"] += 1
        return None
    log.latency[name].append(time.perf_counter() - start)
    log.statuses[(name, response.status_code)] += 1
    return response


def corrected_value(kind: str, current: Any, rng: random.Random) -> Any:
    """A valid corrected value for `kind` (EXTRACTION-GUIDE shapes), usually a new one."""
    month = rng.randint(1, 12)
    if kind == "date":
        return f"2025-{month:02d}"
    if kind == "period":
        return {"start": "2024-01", "end": f"2025-{month:02d}"}
    if kind == "municipality":
        return current  # an IBGE code; re-stating it is a valid correction
    if kind == "percentage":
        return round(rng.uniform(0, 100), 2)
    return rng.randint(1, 1_000_000)


async def reviewer(name: str, token: str, fleet: Fleet, log: LoadLog, deadline: float, seed: int) -> None:
    rng, client, known = random.Random(seed), fleet.connect(token), {}
    while time.monotonic() < deadline:
        await fleet.think(rng)
        hot = rng.random() < P_HOT
        ext_id = rng.choice(fleet.hot if hot else fleet.fact_ids)
        version, value = known.get(ext_id, (None, None)) if hot else (None, None)
        if version is None:
            got = await timed(log, "GET fact", client.get(f"/api/v1/extractions/{ext_id}"))
            if got is None or got.status_code != 200:
                continue
            version, value = got.json()["version"], got.json()["value"]
        action = rng.choices([a for a, _ in ACTIONS], [w for _, w in ACTIONS])[0]
        body: dict[str, Any] = {"action": action, "version": version, "note": f"bench {name}"}
        if action == "correct":
            body["value"] = corrected_value(fleet.kinds[ext_id], value, rng)
        log.attempted.add(ext_id)
        posted = await timed(log, "POST review", client.post_json(f"/api/v1/extractions/{ext_id}/review", body))
        if posted is not None and posted.status_code == 200:
            log.accepted.append(Accepted(ext_id, version, action, body.get("value"), name))
            known[ext_id] = (posted.json()["version"], posted.json()["value"])
        else:
            known.pop(ext_id, None)


async def feed_reader(index: int, fleet: Fleet, log: LoadLog, deadline: float) -> None:
    rng, client, cursor = random.Random(1000 + index), fleet.connect(fleet.consumer_token), "0"
    while time.monotonic() < deadline:
        await fleet.think(rng)
        url = f"/api/v1/records?limit={FEED_PAGE}&since={cursor}"
        got = await timed(log, "GET records", client.get(url))
        if got is None or got.status_code != 200:
            continue
        items = got.json()["items"]
        if len(items) == FEED_PAGE:
            log.latency["GET records (500)"].append(log.latency["GET records"][-1])
        cursor = got.json()["next_cursor"] if len(items) == FEED_PAGE else "0"


def variant(pdf: bytes, nonce: str) -> bytes:
    """The same PDF with a trailing comment line: still valid, a new sha256."""
    return pdf.rstrip(b"\n") + f"\n% relato-bench {nonce}\n".encode()


async def uploader(index: int, fleet: Fleet, log: LoadLog, deadline: float) -> None:
    client, n = fleet.connect(fleet.operator_token), 0
    while time.monotonic() < deadline:
        pdf = variant(fleet.upload_pdfs[n % len(fleet.upload_pdfs)], f"{index}-{n}-{time.time_ns()}")
        call = client.post_file("/api/v1/reports", "file", f"bench-{index}-{n}.pdf", pdf, "application/pdf")
        got = await timed(log, "POST reports", call)
        if got is not None and got.status_code == 202:
            log.uploads.add(got.json()["sha256"])
        n += 1
        await asyncio.sleep(fleet.upload_interval)


async def run_load(fleet: Fleet, clients: int, seconds: float) -> LoadLog:
    log = LoadLog()
    deadline, tasks = time.monotonic() + seconds, []
    for i in range(fleet.upload_clients):
        tasks.append(uploader(i, fleet, log, deadline))
    for i in range(fleet.feed_clients):
        tasks.append(feed_reader(i, fleet, log, deadline))
    for i in range(clients - len(tasks)):
        name, token = fleet.reviewer_tokens[i]
        tasks.append(reviewer(name, token, fleet, log, deadline, seed=i))
    start = time.perf_counter()
    await asyncio.gather(*tasks)
    log.elapsed = time.perf_counter() - start
    fleet.hang_up()
    return log


async def run_baseline(fleet: Fleet, clients: int, seconds: float) -> LoadLog:
    """The floor on this machine: `GET /healthz` (one `SELECT 1`, no token) from the same clients."""
    log = LoadLog()

    async def ping(index: int, deadline: float) -> None:
        rng, client = random.Random(2000 + index), fleet.connect(None)
        while time.monotonic() < deadline:
            await fleet.think(rng)
            await timed(log, "GET healthz", client.get("/healthz"))

    deadline, start = time.monotonic() + seconds, time.perf_counter()
    await asyncio.gather(*(ping(i, deadline) for i in range(clients)))
    log.elapsed = time.perf_counter() - start
    fleet.hang_up()
    return log


# ---------------------------------------------------------------- verification


async def snapshot(base_url: str, token: str) -> dict[int, dict[str, Any]]:
    """Every fact's status, value and version, read through the API."""
    out, cursor, headers = {}, None, {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/api/v1/extractions", params=params, headers=headers)).raise_for_status().json()
            for item in page["items"]:
                out[item["id"]] = {k: item[k] for k in ("status", "value", "version", "kind")}
            cursor = page["next_cursor"]
            if cursor is None:
                return out


async def histories(base_url: str, token: str, ids: list[int], parallel: int = 16) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    queue, headers = list(ids), {"Authorization": f"Bearer {token}"}

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            ext_id = queue.pop()
            got = await client.get(f"/api/v1/extractions/{ext_id}/history", headers=headers)
            out[ext_id] = got.raise_for_status().json()["items"]

    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        await asyncio.gather(*(worker(client) for _ in range(parallel)))
    return out


def expected_state(before: dict[str, Any], accepted: list[Accepted]) -> tuple[dict[str, Any], list[str]]:
    """What the accepted reviews of one fact imply, plus any contradiction within the log itself."""
    problems, chain = [], sorted(accepted, key=lambda a: a.sent_version)
    versions = [a.sent_version for a in chain]
    wanted = list(range(before["version"], before["version"] + len(chain)))
    if versions != wanted:
        problems.append(f"accepted reviews were sent with versions {versions}, expected {wanted} "
                        "(two accepted at one version = a lost update)")
    state = {"status": before["status"], "value": before["value"], "version": before["version"] + len(chain)}
    for review in chain:
        state["status"] = STATUS_OF[review.action]
        if review.action == "correct":
            state["value"] = review.value
    return state, problems


def verify(before: dict[int, dict], after: dict[int, dict], hist: dict[int, list[dict]],
           log: LoadLog) -> list[str]:
    """Compare the final state with what the accepted requests imply; [] means no lost update."""
    by_fact: dict[int, list[Accepted]] = defaultdict(list)
    for review in log.accepted:
        by_fact[review.ext_id].append(review)
    problems = []
    for ext_id, base in before.items():
        final = after.get(ext_id)
        want, own = expected_state(base, by_fact.get(ext_id, []))
        problems += [f"fact {ext_id}: {p}" for p in own]
        got = {k: final[k] for k in ("status", "value", "version")} if final else None
        if got is None or as_plain(got) != as_plain(want):
            problems.append(f"fact {ext_id}: final {got} but the accepted reviews imply {want}")
        if ext_id in hist:
            problems += _check_history(ext_id, base, hist[ext_id], by_fact.get(ext_id, []))
    return problems


def _check_history(ext_id: int, base: dict, events: list[dict], accepted: list[Accepted]) -> list[str]:
    problems = []
    if len(events) != base["version"] - 1 + len(accepted):
        problems.append(f"fact {ext_id}: {len(events)} history entries, expected "
                        f"{base['version'] - 1} before the run + {len(accepted)} accepted")
    ours = [(e["actor"], e["action"]) for e in events if e["actor"].startswith("bench-client")]
    logged = [(a.client, a.action) for a in sorted(accepted, key=lambda a: a.sent_version)]
    if ours != logged:
        problems.append(f"fact {ext_id}: history {ours} differs from the accepted reviews {logged}")
    return problems
