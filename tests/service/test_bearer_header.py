"""The hot routes read the bearer header themselves (service/api/deps.py `caller_of`):
every form of the header gets the same answer there as on a route that uses FastAPI's
HTTPBearer, and the OpenAPI document declares the scheme on both."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

HOT = ("/api/v1/extractions/{id}", "/api/v1/extractions", "/api/v1/records")
PLAIN = "/api/v1/extractions/{id}/history"  # ReviewerDep: HTTPBearer + require_role


def _headers(form: str, token: str) -> dict[str, str]:
    return {} if form == "none" else {"Authorization": form.replace("TOKEN", token)}


@pytest.mark.parametrize("form", ["none", "Bearer TOKEN", "bearer TOKEN", "BEARER TOKEN", "Bearer", "Bearer ",
                                  "Basic TOKEN", "TOKEN", "Bearer rlt_not-a-token", ""])
def test_every_header_form_is_answered_as_on_a_plain_route(
    client: TestClient, tokens: dict[str, str], items: list[dict[str, Any]], form: str
) -> None:
    headers = _headers(form, tokens["reviewer"])
    fact = items[0]["id"]
    want = client.get(PLAIN.format(id=fact), headers=headers)
    assert want.status_code in (200, 401)
    for path in HOT:
        got = client.get(path.format(id=fact), headers=headers)
        assert got.status_code == want.status_code, (path, form, got.text)
        if want.status_code == 401:
            assert got.json()["detail"] == want.json()["detail"] and got.headers["www-authenticate"] == "Bearer"
    review = client.post(f"/api/v1/extractions/{fact}/review", headers=headers, json={"action": "confirm", "version": 1})
    assert review.status_code == (200 if want.status_code == 200 else 401), (form, review.text)


def test_openapi_declares_the_bearer_scheme_on_the_hot_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [("/api/v1/extractions/{extraction_id}", "get"), ("/api/v1/extractions", "get"),
                         ("/api/v1/extractions/{extraction_id}/review", "post"), ("/api/v1/extractions/review", "post"),
                         ("/api/v1/records", "get"), ("/api/v1/extractions/{extraction_id}/history", "get")]:
        assert paths[path][method]["security"] == [{"HTTPBearer": []}], path


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/extractions/0", None),  # an id out of range
    ("GET", "/api/v1/extractions?limit=0", None),
    ("GET", "/api/v1/records?since=x", None),
    ("POST", "/api/v1/extractions/1/review", {"action": "approve", "version": "one"}),
    ("POST", "/api/v1/extractions/review", {"items": "none"}),
])
def test_a_missing_token_is_401_before_the_parameters_are_checked(
    client: TestClient, method: str, path: str, body: Any
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer", response.text
    assert response.json()["detail"].startswith("missing API token")


INVALID_PARAMETERS = [
    ("GET", "/api/v1/extractions/0", None),
    ("GET", "/api/v1/extractions?limit=0", None),
    ("GET", "/api/v1/records?since=x", None),
    ("GET", "/api/v1/reports/abc", None),
    ("DELETE", "/api/v1/tokens/abc", None),
    ("POST", "/api/v1/extractions/1/review", {"action": "approve", "version": "one"}),
    ("POST", "/api/v1/extractions/review", {"items": "none"}),
]


@pytest.mark.parametrize(("method", "path", "body"), INVALID_PARAMETERS)
def test_a_wrong_token_is_401_and_counted_before_the_parameters_are_checked(
    client: TestClient, tokens: dict[str, str], method: str, path: str, body: Any
) -> None:
    """Invalid parameters do not hide a wrong token (they were 422, never counted, so a
    guesser could sidestep the failed-authentication limit); a live token gets the 422."""
    wrong = {"Authorization": "Bearer rlt_wrong"}
    answers = [client.request(method, path, json=body, headers=wrong) for _ in range(21)]
    assert [a.status_code for a in answers] == [401] * 20 + [429], answers[-1].text
    assert answers[0].headers["www-authenticate"] == "Bearer" and "unknown or revoked" in answers[0].json()["detail"]
    live = client.request(method, path, json=body, headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert live.status_code == 422, live.text
