"""The migration is the schema: it matches the SQLModel tables and runs again harmlessly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlmodel import SQLModel

import service.storage.models  # noqa: F401  (registers the tables)
from service.storage.blobs import DatabaseBlobs
from service.storage.db import alembic_config, make_engine, run_migrations, write_engine
from tests.service.conftest import PG_URL, _with_search_path


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []


def test_migrations_run_again_without_change(engine: Engine) -> None:
    run_migrations(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        )
        assert conn.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar_one() == 0


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 5000


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of its own (SQLite file, or a fresh PostgreSQL schema), not yet migrated."""
    if not PG_URL:
        eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield eng
        eng.dispose()
        return
    schema = f"relato_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    eng = make_engine(_with_search_path(PG_URL, schema))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _alembic(engine: Engine, action: str, revision: str) -> None:
    cfg = alembic_config(engine)
    with write_engine(engine).begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def test_upgrade_from_editions_keeps_reports_and_adds_the_blob_store(empty_engine: Engine, tmp_path: Path) -> None:
    _alembic(empty_engine, "upgrade", "0002_editions")
    now = datetime(2025, 10, 1, tzinfo=timezone.utc)
    with write_engine(empty_engine).begin() as conn:
        conn.execute(text("INSERT INTO report (sha256, filename, size_bytes, status, created_at, updated_at, attempts) "
                          "VALUES (:sha, 'old.pdf', 5, 'done', :now, :now, 1)"), {"sha": "a" * 64, "now": now})
    assert "blob" not in inspect(empty_engine).get_table_names()
    run_migrations(empty_engine)
    pdf = tmp_path / "new.pdf"
    pdf.write_bytes(b"%PDF-1.4 new")
    store = DatabaseBlobs(empty_engine)
    assert store.put("b" * 64, pdf) and b"".join(store.chunks("b" * 64)) == b"%PDF-1.4 new"
    _alembic(empty_engine, "downgrade", "0002_editions")
    assert {"blob", "blob_chunk"}.isdisjoint(inspect(empty_engine).get_table_names())
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT filename FROM report")).scalars().all() == ["old.pdf"]
