"""Service test fixtures: one database per session (SQLite file, or a fresh PostgreSQL
schema when RELATO_TEST_DATABASE_URL is set), emptied between tests; an app with
its worker off; a token per role; a fake extractor for tests that are not about
extraction quality."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from service.api.app import create_app
from service.jobs import extracting
from service.storage.config import Settings
from service.storage.db import is_sqlite, make_engine, run_migrations, write_engine
from service.storage.tokens import create_token
from tests.service.fakes import fake_result

PG_URL = os.environ.get("RELATO_TEST_DATABASE_URL", "")
TABLES = ("confidence_refit", "refit_state", "review_presence", "blob_chunk", "blob", "link_decision", "review_event", "extraction", "initiative", "area",
          "page", "report", "api_token")
ROLES = ("operator", "reviewer", "consumer", "admin")


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'relato.db'}"
        return
    schema = f"relato_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    run_migrations(eng)
    yield eng
    eng.dispose()


def reset_database(engine: Engine) -> None:
    with write_engine(engine).begin() as conn:
        if is_sqlite(engine):
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
        else:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
            conn.execute(text("ALTER SEQUENCE relato_change_seq RESTART WITH 1"))
        conn.execute(text("UPDATE change_counter SET value = 0"))


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> None:
    if "engine" in request.fixturenames:
        reset_database(request.getfixturevalue("engine"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path / "data", poll_s=0.05, lease_s=5)


@pytest.fixture
def fake_extract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace extraction (not the upload probe) with a fixed, known result."""
    monkeypatch.setattr(extracting, "extract", lambda path, *, filename=None: fake_result(path, filename))


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, start_worker=False)) as test_client:
        yield test_client


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    out = {}
    with Session(write_engine(engine)) as session:
        for role in ROLES:
            _, out[role] = create_token(session, role=role, name=f"{role}-ana")  # type: ignore[arg-type]
    return out


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def items(client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings,
          fake_extract: None, tmp_path: Path) -> list[dict[str, Any]]:
    """The pending facts of one small uploaded deck, extracted by the fake extractor."""
    from tests.pdfmaker import simple_deck
    from tests.service.fakes import drain_queue
    from tests.service.helpers import extractions, upload

    assert upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).status_code == 202
    drain_queue(engine, settings)
    return extractions(client, tokens["reviewer"])
