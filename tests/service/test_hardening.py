"""Limits that keep one client from hurting the service: failed-auth rate limit, body size,
pagination, CORS closed by default, tokens never in URLs, file names never paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.api.app import create_app
from service.api.hardening import AuthFailures
from service.storage.config import Settings
from tests.pdfmaker import simple_deck
from tests.service.conftest import auth
from tests.service.helpers import upload

REVIEW = "/api/v1/extractions/1/review"


def test_failed_authentications_are_limited_per_ip(client: TestClient, tokens: dict[str, str]) -> None:
    for _ in range(20):
        assert client.get("/api/v1/reports", headers=auth("rlt_wrong")).status_code == 401
    blocked = client.get("/api/v1/reports", headers=auth("rlt_wrong"))
    assert blocked.status_code == 429 and "too many failed" in blocked.json()["detail"]
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    # the address's wrong tokens stay blocked until the window moves on ...
    assert client.get("/api/v1/reports", headers=auth("rlt_other_wrong")).status_code == 429
    # ... but a valid token from the same address (one office behind NAT) still works
    for role in ("operator", "reviewer", "admin"):
        assert client.get("/api/v1/reports", headers=auth(tokens[role])).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_missing_token_is_not_a_failed_attempt(client: TestClient, tokens: dict[str, str]) -> None:
    for _ in range(30):
        assert client.get("/api/v1/reports").status_code == 401
    assert client.get("/api/v1/reports", headers=auth(tokens["operator"])).status_code == 200


def test_failure_window_slides() -> None:
    failures = AuthFailures(per_minute=3)
    for t in (0.0, 10.0, 20.0):
        failures.record("10.0.0.1", now=t)
    assert failures.retry_after("10.0.0.1", now=21.0) == 39
    assert failures.retry_after("10.0.0.2", now=21.0) == 0
    assert failures.retry_after("10.0.0.1", now=60.5) == 0  # the first failure left the window


def test_token_in_query_string_is_not_accepted(client: TestClient, tokens: dict[str, str]) -> None:
    for name in ("token", "access_token", "api_key"):
        response = client.get("/api/v1/reports", params={name: tokens["operator"]})
        assert response.status_code == 401


def test_json_body_over_the_limit_is_413(client: TestClient, tokens: dict[str, str]) -> None:
    big = '{"action": "confirm", "version": 1, "note": "' + "x" * (1024 * 1024) + '"}'
    response = client.post(REVIEW, headers={**auth(tokens["reviewer"]), "Content-Type": "application/json"},
                           content=big)
    assert response.status_code == 413 and "RELATO_MAX_JSON_KB" in response.json()["detail"]


def test_chunked_json_body_over_the_limit_is_413(client: TestClient, tokens: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"action": "confirm", "version": 1, "note": "'
        for _ in range(20):
            yield b"y" * 65536
        yield b'"}'

    response = client.post(REVIEW, headers={**auth(tokens["reviewer"]), "Content-Type": "application/json"},
                           content=chunks())
    assert response.status_code == 413


def test_small_json_body_passes_the_limit(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post(REVIEW, headers=auth(tokens["reviewer"]), json={"action": "confirm", "version": 1})
    assert response.status_code == 404  # reached the route: there is no extraction 1


@pytest.mark.parametrize("limit", ["0", "1001", "-5"])
def test_page_size_is_capped(client: TestClient, tokens: dict[str, str], limit: str) -> None:
    response = client.get("/api/v1/extractions", headers=auth(tokens["reviewer"]), params={"limit": limit})
    assert response.status_code == 422


def test_cors_is_closed_by_default(client: TestClient) -> None:
    preflight = client.options("/api/v1/reports", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in preflight.headers
    plain = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_cors_opens_to_listed_origins_only(settings: Settings, engine: Engine) -> None:
    opened = settings.model_copy(update={"cors_origins": "https://painel.mg.gov.br, https://outro.gov.br"})
    with TestClient(create_app(opened, start_worker=False)) as client:
        ok = client.options("/api/v1/reports", headers={
            "Origin": "https://painel.mg.gov.br", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        assert ok.headers.get("access-control-allow-origin") == "https://painel.mg.gov.br"
        other = client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("name", ["../../../etc/passwd", "..\\..\\boot.ini", "/abs/path/relatorio.pdf",
                                  "a" * 2000 + ".pdf", ""])
def test_client_filename_is_never_a_path(
    client: TestClient, tokens: dict[str, str], settings: Settings, tmp_path: Path, name: str
) -> None:
    response = upload(client, tokens["operator"], simple_deck(tmp_path / "deck.pdf"), name=name)
    assert response.status_code == 202, response.text
    shown = response.json()["filename"]
    assert "/" not in shown and "\\" not in shown and len(shown) <= 500 and shown
    stored = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [response.json()["sha256"] + ".pdf"]
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(("trusted", "proxy_headers"), [("", False), ("  ", False), ("10.0.0.1", True),
                                                        ("10.0.0.1,10.0.0.2", True)])
def test_forwarded_headers_are_trusted_only_from_configured_proxies(trusted: str, proxy_headers: bool) -> None:
    from service.api.processes import server_options

    options = server_options(Settings(trusted_proxies=trusted))
    assert options["proxy_headers"] is proxy_headers
    assert options["forwarded_allow_ips"] == (trusted.strip() or None)
