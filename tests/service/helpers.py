"""HTTP helpers shared by the service tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.service.conftest import auth


def upload(client: TestClient, token: str, path: Path, name: str | None = None) -> Any:
    with open(path, "rb") as fh:
        return client.post("/api/v1/reports", headers=auth(token),
                           files={"file": (name or path.name, fh, "application/pdf")})


def review(client: TestClient, token: str, ext_id: int, action: str, version: int, **body: Any) -> Any:
    return client.post(f"/api/v1/extractions/{ext_id}/review", headers=auth(token),
                       json={"action": action, "version": version, **body})


def extractions(client: TestClient, token: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/extractions", headers=auth(token), params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def records(client: TestClient, token: str, **params: Any) -> tuple[list[dict[str, Any]], str]:
    response = client.get("/api/v1/records", headers=auth(token), params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] == response.headers["x-next-cursor"]
    return body["items"], body["next_cursor"]
