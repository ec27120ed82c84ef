"""Engines for SQLite (the default, one machine) and PostgreSQL (many workers).

SQLite runs in WAL mode so readers never wait for the writer, with a busy timeout
so concurrent writers queue instead of failing. Python's sqlite3 starts
transactions lazily (`BEGIN DEFERRED`), and a deferred transaction that read
before writing fails at once with "database is locked" when another writer got
in first; so sessions that will write use `write_engine(engine)`, whose
transactions start with `BEGIN IMMEDIATE` and queue on the busy timeout.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "relato_write"
_PG_MIGRATION_LOCK = 7_264_001


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """Create the engine for `url`; SQLite gets WAL, a busy timeout and explicit BEGINs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


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


def _sqlite_on_begin(conn) -> None:  # type: ignore[no-untyped-def]
    immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
