"""The live queue's API: changes of a report since a cursor (any decision, so a page
can show other reviewers' work without a reload) and which facts other tabs show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fastapi.testclient import TestClient

from tests.service.conftest import auth
from tests.service.helpers import review


def _changes(client: TestClient, token: str, report_id: int, since: str | None = None) -> dict[str, Any]:
    params = {"since": since} if since is not None else {}
    response = client.get(f"/api/v1/reports/{report_id}/changes", headers=auth(token), params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_changes_since_a_cursor_include_rejections_and_move_on(
    client: TestClient, tokens: dict[str, str], items: list[dict[str, Any]]
) -> None:
    reviewer, report_id = tokens["reviewer"], items[0]["report_id"]
    start = _changes(client, reviewer, report_id)
    assert start["items"] == [] and start["next_cursor"] == "0"
    review(client, tokens["admin"], items[0]["id"], "reject", 1)  # never published: not in the feed
    review(client, tokens["admin"], items[1]["id"], "confirm", 1)
    got = _changes(client, reviewer, report_id, start["next_cursor"])
    assert [(i["id"], i["status"], i["reviewed_by"]) for i in got["items"]] == [
        (items[0]["id"], "rejected", "admin-ana"), (items[1]["id"], "confirmed", "admin-ana")]
    again = _changes(client, reviewer, report_id, got["next_cursor"])
    assert again["items"] == [] and again["next_cursor"] == got["next_cursor"]
    review(client, reviewer, items[1]["id"], "reopen", 2)
    last = _changes(client, reviewer, report_id, got["next_cursor"])
    assert [(i["id"], i["status"], i["version"]) for i in last["items"]] == [(items[1]["id"], "pending", 3)]
    assert client.get("/api/v1/reports/999999/changes", headers=auth(reviewer)).status_code == 404
    assert client.get(f"/api/v1/reports/{report_id}/changes?since=x", headers=auth(reviewer)).status_code == 422


def _presence(client: TestClient, token: str, tab: str, report_id: int | None, ext: int | None) -> Any:
    return client.put("/api/v1/presence", headers=auth(token),
                      json={"tab": tab, "report_id": report_id, "extraction_id": ext})


def test_presence_names_other_reviewers_and_your_own_other_tabs(
    client: TestClient, tokens: dict[str, str], items: list[dict[str, Any]]
) -> None:
    report_id, first, second = items[0]["report_id"], items[0]["id"], items[1]["id"]
    assert _presence(client, tokens["reviewer"], "tab-ana-1", report_id, first).json()["viewers"] == []
    seen = _presence(client, tokens["admin"], "tab-admin-1", report_id, first).json()
    assert seen["viewers"] == [{"extraction_id": first, "reviewer": "reviewer-ana", "yours": False}]
    assert seen["window_s"] > 0
    mine = _presence(client, tokens["reviewer"], "tab-ana-2", report_id, second).json()["viewers"]
    assert sorted((v["reviewer"], v["yours"]) for v in mine) == [("admin-ana", False), ("reviewer-ana", True)]
    moved = _presence(client, tokens["reviewer"], "tab-ana-1", report_id, second).json()["viewers"]
    assert {(v["extraction_id"], v["reviewer"], v["yours"]) for v in moved} == {
        (first, "admin-ana", False), (second, "reviewer-ana", True)}
    assert _presence(client, tokens["reviewer"], "tab-ana-1", None, None).json()["viewers"] == []
    assert _presence(client, tokens["reviewer"], "no", report_id, first).status_code == 422
    assert _presence(client, tokens["reviewer"], "tab-ana-1", report_id, 999999).status_code == 422
    assert _presence(client, tokens["consumer"], "tab-bi-0001", report_id, first).status_code == 403


@pytest.mark.parametrize("skew", [timedelta(hours=-2), timedelta(minutes=-1), timedelta(hours=3)])
def test_presence_keeps_the_database_clock_whatever_a_process_clock_says(
        client: TestClient, tokens: dict[str, str], items, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
        skew: timedelta) -> None:
    """A tab served by a process whose clock is off is neither hidden nor kept for ever."""
    import service.review.presence as presence

    report_id, first = items[0]["report_id"], items[0]["id"]
    with monkeypatch.context() as skewed:
        skewed.setattr(presence, "utcnow", lambda: datetime.now(UTC) + skew, raising=False)
        _presence(client, tokens["admin"], "tab-admin-1", report_id, first)
    seen = _presence(client, tokens["reviewer"], "tab-ana-1", report_id, first).json()["viewers"]
    assert [v["reviewer"] for v in seen] == ["admin-ana"]
