"""POST /api/v1/parse/check: /parse's answer, but an unreadable text is a 200 with the
reason, so the review page's editors (which ask on every keystroke) log no 422s."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.conftest import auth


def test_parse_check_answers_readable_and_unreadable_alike(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["reviewer"])
    ok = client.post("/api/v1/parse/check", headers=headers, json={"kind": "date", "text": "nov/24"})
    assert ok.status_code == 200 and ok.json() == {
        "readable": True, "detail": None,
        "parsed": client.post("/api/v1/parse", headers=headers, json={"kind": "date", "text": "nov/24"}).json()}
    bad = client.post("/api/v1/parse/check", headers=headers, json={"kind": "percentage", "text": "150"})
    assert bad.status_code == 200
    assert bad.json()["readable"] is False and bad.json()["parsed"] is None
    refused = client.post("/api/v1/parse", headers=headers, json={"kind": "percentage", "text": "150"})
    assert refused.status_code == 422 and bad.json()["detail"] == refused.json()["detail"]
    assert client.post("/api/v1/parse/check", headers=auth(tokens["consumer"]),
                       json={"kind": "date", "text": "nov/24"}).status_code == 403
