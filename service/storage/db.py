"""Engines for SQLite (the default, one machine) and PostgreSQL (many workers).

SQLite runs in WAL mode so readers never wait for the writer, with a busy timeout
so concurrent writers queue instead of failing. Python's sqlite3 starts
transactions lazily (`BEGIN DEFERRED`), and a deferred transaction that read
before writing fails at once with "database is locked" when another writer got
in first; so sessions that will write use `write_engine(engine)`, whose
transactions start with `BEGIN IMMEDIATE` and queue on the busy timeout.

Within one process, writers queue on a lock instead (`_WriteLock`): SQLite's busy
handler polls with naps of up to 100 ms, so under load the write lock sat free
while waiters slept, and an unlucky review waited seconds. The busy timeout still
arbitrates between processes (`relato worker`, `relato ingest`).

Pool (both databases): `threads` connections (one per request thread, plus a few for the
in-process worker), no overflow, and a checkout timeout: a request never holds a
connection while it waits for another or for a thread (service/api/deps.py), so a
checkout that times out means the process is overloaded, and the API answers 503
with Retry-After instead of letting requests pile up (issue 11). On PostgreSQL the
API reads through `read_engine` (autocommit: a read is one round trip, no BEGIN or
ROLLBACK; under READ COMMITTED each statement had its own snapshot anyway).
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service.storage.bounds import enforce_bounds
from service.storage.exactjson import exact_loads
from service.storage.timeutil import utcnow

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "relato_write"
_HOLDS_WRITE_LOCK = "relato_holds_write_lock"
SPARE_CONNECTIONS = 4  # beyond one per request thread: the in-process worker and its heartbeat
_PG_MIGRATION_LOCK = 7_264_001


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, threads: int = 8, pool_timeout_s: float = 30, pre_ping: bool = True) -> Engine:
    """Create the engine for `url` with a connection for each of `threads` (see the module
    docstring); SQLite gets WAL, a busy timeout and explicit BEGINs. The API turns
    `pre_ping` off (a round trip per checkout): a connection found dead fails its request
    and SQLAlchemy then renews the whole pool; long-idle workers keep it."""
    enforce_bounds()  # string lengths checked alike on both databases (service/storage/bounds.py)
    parsed = make_url(url)
    pool = {"pool_size": threads + SPARE_CONNECTIONS, "max_overflow": 0, "pool_timeout": pool_timeout_s}
    if parsed.get_backend_name() != "sqlite":
        # orjson parses JSON columns (psycopg's loader): a feed page reads 1,000 of them;
        # exact_loads keeps integers past 64 bits exact (service/storage/exactjson.py).
        return create_engine(url, pool_pre_ping=pre_ping, json_deserializer=exact_loads, **pool)  # type: ignore[arg-type]
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)  # type: ignore[arg-type]
    event.listen(engine, "connect", _sqlite_on_connect)
    _WriteLock().install(engine)
    return engine


def db_now(session: Session) -> datetime:
    """The database's clock on PostgreSQL (shared by all machines: leases, presence); ours
    on SQLite, which is one machine."""
    if is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        return utcnow()
    return session.execute(text("SELECT clock_timestamp()")).one()[0]  # type: ignore[no-any-return]


def read_engine(engine: Engine) -> Engine:
    """The same pool for reads: autocommit on PostgreSQL (no BEGIN/ROLLBACK round trips)."""
    return engine if is_sqlite(engine) else engine.execution_options(isolation_level="AUTOCOMMIT")


def write_engine(engine: Engine) -> Engine:
    """The same pool, but on SQLite each transaction takes the write lock when it begins."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def _sqlite_on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _WriteLock:
    """Serialises this process's SQLite write transactions on a threading lock: taken
    before `BEGIN IMMEDIATE`, released once the COMMIT or ROLLBACK has run (the engine's
    commit/rollback events fire before the DBAPI call, so they run it themselves; the
    DBAPI's own call after them finds no transaction and does nothing). A connection
    that leaves the pool's hands mid-transaction (invalidated, closed) releases it too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def install(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", lambda conn: self._end(conn, commit=True))
        event.listen(engine, "rollback", lambda conn: self._end(conn, commit=False))
        for name in ("checkin", "invalidate", "close", "detach"):
            event.listen(engine, name, self._release_record)

    def _begin(self, conn) -> None:  # type: ignore[no-untyped-def]
        if not conn.get_execution_options().get(_WRITE_OPTION, False):
            conn.exec_driver_sql("BEGIN")
            return
        if self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):  # else: leave it to the busy timeout
            conn.info[_HOLDS_WRITE_LOCK] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._release(conn.info)
            raise

    def _end(self, conn, *, commit: bool) -> None:  # type: ignore[no-untyped-def]
        if not conn.info.get(_HOLDS_WRITE_LOCK):
            return
        try:
            dbapi = conn.connection.dbapi_connection
            dbapi.commit() if commit else dbapi.rollback()
        finally:
            self._release(conn.info)

    def _release_record(self, _dbapi, record, *_) -> None:  # type: ignore[no-untyped-def]
        if record is not None:
            self._release(record.info)

    def _release(self, info: dict) -> None:  # type: ignore[type-arg]
        if info.pop(_HOLDS_WRITE_LOCK, False):
            self._lock.release()


def alembic_config(engine: Engine) -> Config:
    """Alembic configured in code: no alembic.ini to ship or to point at the wrong database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escaping
    return cfg


def run_migrations(engine: Engine) -> None:
    """Upgrade the schema to head; on PostgreSQL an advisory lock keeps concurrent starts apart."""
    cfg = alembic_config(engine)
    with write_engine(engine).begin() as conn:
        if not is_sqlite(engine):
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def ping(engine: Engine) -> None:
    """Raise if the database does not answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
