"""Helpers for bench/api.py: a throw-away database, the real server in a subprocess,
seeding through the service's own code, latency statistics.

Everything here talks to 127.0.0.1 only and cleans up after itself: the temporary
directory, the server process (stopped by its pid) and, on PostgreSQL, the
dedicated `relato_bench` database (never the test suite's database or schemas).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import Engine, bindparam, create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.storage.db import is_sqlite, make_engine, run_migrations, write_engine  # noqa: E402
from service.storage.models import Extraction, ReviewEvent  # noqa: E402
from service.storage.sequence import next_change_seqs  # noqa: E402
from service.storage.timeutil import utcnow  # noqa: E402
from service.storage.tokens import create_token  # noqa: E402

BENCH_DB = "relato_bench"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
VENV_BIN = Path(sys.executable).parent
INSERT_BATCH = 5000


# ---------------------------------------------------------------- database


@contextmanager
def bench_database(kind: str, workdir: Path, pg_url: str = PG_DEFAULT, keep: bool = False,
                   name: str = BENCH_DB) -> Iterator[str]:
    """A fresh database URL: a SQLite file in `workdir`, or PostgreSQL database `name`
    (`relato_bench`; `relato_ref` for the reference app) created here and dropped
    afterwards (unless `keep`)."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'relato.db'}"
        return
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"(kept database {name})")
        else:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def open_engine(url: str) -> Engine:
    engine = make_engine(url)
    run_migrations(engine)
    return engine


def make_tokens(engine: Engine, roles_names: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """(token id, plaintext) per (role, name), created by the service's own security code."""
    out = []
    with Session(write_engine(engine)) as session:
        for role, name in roles_names:
            row, plaintext = create_token(session, role=role, name=name)  # type: ignore[arg-type]
            out.append((row.id or 0, plaintext))
    return out


def ingest(env: dict[str, str], paths: list[Path]) -> None:
    """`relato ingest PATHS` as an operator would run it (registers and extracts)."""
    cmd = [str(VENV_BIN / "relato"), "ingest", *map(str, paths)]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)


def count_facts(engine: Engine, *, in_feed: bool = False) -> int:
    query = select(func.count()).select_from(Extraction)
    if in_feed:
        query = query.where(col(Extraction.change_seq).is_not(None))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def multiply_facts(engine: Engine, extra: int) -> list[int]:
    """Add `extra` copies of the extracted facts (same reports and initiatives), bulk-inserted
    through the Extraction table; returns the new ids."""
    table = Extraction.__table__  # type: ignore[attr-defined]
    skip = {"id", "status", "version", "published", "change_seq", "reviewed_by", "reviewed_at"}
    with engine.connect() as conn:
        templates = [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]
        if not templates:
            raise SystemExit("no extracted facts to copy: did the corpus ingest fail?")
        top = int(conn.execute(select(func.max(table.c.id))).scalar_one())
        position = int(conn.execute(select(func.max(table.c.position))).scalar_one()) + 1
    rows = []
    for i in range(extra):
        row = {k: v for k, v in templates[i % len(templates)].items() if k not in skip}
        row.update(position=position + i, status="pending", version=1, published=False)
        rows.append(row)
    with write_engine(engine).begin() as conn:
        for start in range(0, len(rows), INSERT_BATCH):
            conn.execute(insert(table), rows[start:start + INSERT_BATCH])
    with engine.connect() as conn:
        return list(conn.execute(select(table.c.id).where(table.c.id > top).order_by(table.c.id)).scalars())


def bulk_confirm(engine: Engine, ids: list[int], actor: str, token_id: int) -> None:
    """Confirm many pending facts at once, exactly as service/review/actions.py's apply_review
    does: the numbers through sequence.next_change_seqs (same lock), a guarded UPDATE
    bumping the version, and one ReviewEvent per fact with the same before/after snapshots."""
    if not ids:
        return
    table, events = Extraction.__table__, ReviewEvent.__table__  # type: ignore[attr-defined]
    with Session(write_engine(engine)) as session:
        seqs = next_change_seqs(session, len(ids))
        by_id = {}
        for start in range(0, len(ids), INSERT_BATCH):  # PostgreSQL takes at most 65535 parameters
            chunk = ids[start:start + INSERT_BATCH]
            by_id.update({r["id"]: r for r in session.execute(select(table).where(table.c.id.in_(chunk))).mappings()})
        now, updates, trail = utcnow(), [], []
        for offset, ext_id in enumerate(ids):
            row = by_id[ext_id]
            before = {k: row[k] for k in ("status", "value", "unit", "qualifier", "name")}
            seq = seqs[offset]
            updates.append({"b_id": ext_id, "b_version": row["version"], "b_seq": seq})
            trail.append({"extraction_id": ext_id, "token_id": token_id, "actor": actor, "at": now,
                          "action": "confirm", "before": before, "after": {**before, "status": "confirmed"},
                          "note": None, "change_seq": seq})
        guarded = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(status="confirmed", version=table.c.version + 1, change_seq=bindparam("b_seq"),
                    published=True, reviewed_by=actor, reviewed_at=now)
        )
        for start in range(0, len(updates), INSERT_BATCH):
            session.connection().execute(guarded, updates[start:start + INSERT_BATCH])
            session.connection().execute(insert(events), trail[start:start + INSERT_BATCH])
        session.commit()


def analyze(engine: Engine) -> None:
    """On PostgreSQL, refresh planner statistics after a bulk seed, as autovacuum soon would:
    with none, the planner guesses the feed's change_seq range holds ~100 rows and sorts it
    whole for every page. (SQLite gets no ANALYZE: the service's plans must hold without.)"""
    if not is_sqlite(engine):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


RELATO_APP = "service.api.app:create_app"


@dataclass
class Server:
    """The real app as users run it (`relato serve --workers N`), or another app factory
    (an instrumented one, the reference app) under `uvicorn --workers N`."""

    env: dict[str, str]
    workdir: Path
    workers: int = 1
    app: str = RELATO_APP
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        if self.app == RELATO_APP:  # what users run: `relato serve --workers N` (see service/cli.py);
            # no access log, like the other apps' `--log-level warning`
            cmd = [str(Path(sys.executable).with_name("relato")), "serve", "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", str(self.workers), "--no-access-log"]
        else:
            cmd = [sys.executable, "-m", "uvicorn", "--factory", self.app, "--host", "127.0.0.1",
                   "--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers)]
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 (owned by the child)
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.workdir / 'server.log'}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("server did not answer /healthz in time")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def processes(self) -> list[psutil.Process]:
        """The server process and its uvicorn worker processes (looked up once per pull:
        scanning /proc on every sample would steal the CPU the pull is measured on)."""
        assert self.proc is not None
        parent = psutil.Process(self.proc.pid)
        return [parent, *parent.children(recursive=True)]

    def cpu_seconds(self, processes: list[psutil.Process]) -> float:
        """User + system CPU time the server has used so far (load on a shared machine
        stretches wall-clock figures, not this)."""
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def rss(self, processes: list[psutil.Process] | None = None) -> int:
        """Resident memory of the server and its uvicorn worker processes, in bytes."""
        total = 0
        for process in processes or self.processes():
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total


@contextmanager
def workspace(keep: bool = False) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="relato-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"(kept {path})")
        else:
            shutil.rmtree(path, ignore_errors=True)


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATO_")}
    env.update(RELATO_DATABASE_URL=database_url, RELATO_DATA_DIR=str(workdir / "data"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])), PATH=f"{VENV_BIN}:{env.get('PATH', '')}")
    return env


# ---------------------------------------------------------------- statistics


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (seconds in, seconds out); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, int(round(q / 100 * len(ordered) + 0.4999)))
    return ordered[min(rank, len(ordered)) - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def as_plain(value: Any) -> Any:
    """JSON values compared as the API returns them (1.0 and 1 are the same number)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value
