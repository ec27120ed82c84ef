"""Schema-driven fuzzing (issue 12): Schemathesis generates requests for every operation
of /openapi.json, valid and invalid, sent with a live token of each role, against a
database holding one extracted report (some facts confirmed). The checks: no answer
is a 5xx, and every answer matches the schema (status code, content type, body).

Bounded so it stays a few minutes in CI: a fixed number of examples per operation
(MAX_EXAMPLES, phases `examples`, `coverage` and `fuzzing`), derandomized so every
run sends the same requests. `.ci/test` runs it on SQLite and again on PostgreSQL
(RELATO_TEST_DATABASE_URL), like every test of tests/hostile.

What it found is kept as plain regression tests in tests/hostile/test_bad_requests.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from service.api.app import create_app
from service.storage.config import Settings
from tests.pdfmaker import simple_deck
from tests.service.conftest import ROLES, auth, fake_extract  # noqa: F401 - fixture
from tests.service.fakes import drain_queue
from tests.service.helpers import extractions, review, upload

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class AppProxy:
    """The ASGI app Schemathesis calls: HTTP goes to the current test's app (its lifespan run
    by the fixture's TestClient, so each test's engine is closed when it ends); the proxy
    answers lifespan messages itself."""

    target: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.target(scope, receive, send)


def _document() -> dict[str, Any]:
    """The OpenAPI document as served at /openapi.json (it does not depend on the database)."""
    with tempfile.TemporaryDirectory() as tmp:
        return create_app(Settings(database_url="sqlite://", data_dir=Path(tmp)), start_worker=False).openapi()


PROXY = AppProxy()
schema = schemathesis.openapi.from_dict(_document())
schema.app = PROXY


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def seeded_app(settings: Settings, engine: Engine, tokens: dict[str, str], fake_extract: None,
               tmp_path: Path) -> Iterator[FastAPI]:
    """An app (worker off) over one extracted report, two of its facts confirmed."""
    app = create_app(settings, start_worker=False)
    with TestClient(app) as client:
        assert upload(client, tokens["operator"], simple_deck(tmp_path / "deck.pdf")).status_code == 202
        drain_queue(engine, settings)
        for item in extractions(client, tokens["reviewer"])[:2]:
            assert review(client, tokens["reviewer"], item["id"], "confirm", item["version"]).status_code == 200
        PROXY.target = app
        try:
            yield app
        finally:
            PROXY.target = None


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_request_makes_a_server_error(
    case: schemathesis.Case, seeded_app: FastAPI, role: str, tokens: dict[str, str]
) -> None:
    case.call_and_validate(headers=auth(tokens[role]), checks=CHECKS)
