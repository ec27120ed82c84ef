"""Review action `reopen`: a reviewed fact goes back to pending (the review page's undo of a
first decision); a published one leaves the records feed as `withdrawn`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import auth
from tests.service.helpers import extractions, records, review


def fetch(client: TestClient, token: str, ext_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/extractions/{ext_id}", headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()


def history(client: TestClient, token: str, ext_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/extractions/{ext_id}/history", headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_reopen_after_confirm_is_pending_and_withdrawn_from_feed(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    reviewer, consumer, fact = tokens["reviewer"], tokens["consumer"], items[0]
    assert review(client, reviewer, fact["id"], "confirm", 1).status_code == 200
    fed, cursor = records(client, consumer)
    assert [(r["extraction_id"], r["state"]) for r in fed] == [(fact["id"], "confirmed")]
    reopened = review(client, reviewer, fact["id"], "reopen", 2, note="desfazer (tecla u)")
    assert reopened.status_code == 200, reopened.text
    body = reopened.json()
    assert (body["status"], body["version"], body["value"]) == ("pending", 3, fact["value"])
    events = history(client, reviewer, fact["id"])
    assert [e["action"] for e in events] == ["confirm", "reopen"]
    assert events[1]["before"]["status"] == "confirmed" and events[1]["after"]["status"] == "pending"
    assert events[1]["note"] == "desfazer (tecla u)" and events[1]["change_seq"] > events[0]["change_seq"]
    fed, later = records(client, consumer, since=cursor)
    assert [(r["extraction_id"], r["state"]) for r in fed] == [(fact["id"], "withdrawn")]
    assert int(later) == events[1]["change_seq"] > int(cursor)
    assert [r["state"] for r in records(client, consumer)[0]] == ["withdrawn"]
    assert fact["id"] in [i["id"] for i in extractions(client, reviewer, status="pending")]


def test_reopen_restores_the_value_before_the_correction(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    """Undo of a correction (issue 13 item 2): pending again, with the value before it, not 999."""
    reviewer, fact = tokens["reviewer"], next(i for i in items if i["kind"] == "percentage")
    assert review(client, reviewer, fact["id"], "correct", 1, value=99.5, qualifier="approx").status_code == 200
    body = review(client, reviewer, fact["id"], "reopen", 2, note="desfazer (tecla u)").json()
    assert (body["status"], body["value"], body["qualifier"], body["version"]) == (
        "pending", fact["value"], fact["qualifier"], 3)
    events = history(client, reviewer, fact["id"])
    assert [e["action"] for e in events] == ["correct", "reopen"]
    assert (events[1]["before"]["value"], events[1]["after"]["value"]) == (99.5, fact["value"])
    assert events[1]["after"]["status"] == "pending"
    fed, _ = records(client, tokens["consumer"])
    assert [(r["state"], r["value"], r["qualifier"]) for r in fed] == [("withdrawn", 99.5, "approx")]  # what it withdraws


def test_reopen_undoes_only_the_latest_decision(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    """A correction then a confirm: reopening undoes the confirm, so the corrected value stays."""
    reviewer, fact = tokens["reviewer"], next(i for i in items if i["kind"] == "percentage")
    assert review(client, reviewer, fact["id"], "correct", 1, value=42).status_code == 200
    assert review(client, reviewer, fact["id"], "confirm", 2).status_code == 200
    body = review(client, reviewer, fact["id"], "reopen", 3).json()
    assert (body["status"], body["value"], body["version"]) == ("pending", 42, 4)


def test_reopen_of_a_never_published_fact_stays_out_of_feed(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    reviewer, fact = tokens["reviewer"], items[0]
    assert review(client, reviewer, fact["id"], "reject", 1).status_code == 200
    assert review(client, reviewer, fact["id"], "reopen", 2).json()["status"] == "pending"
    fed, cursor = records(client, tokens["consumer"])
    assert fed == [] and cursor == "2"


def test_reopen_with_stale_version_is_409_and_changes_nothing(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    reviewer, consumer, fact = tokens["reviewer"], tokens["consumer"], items[0]
    assert review(client, reviewer, fact["id"], "confirm", 1).status_code == 200
    _, cursor = records(client, consumer)
    stale = review(client, reviewer, fact["id"], "reopen", 1)
    assert stale.status_code == 409 and "reload" in stale.json()["detail"]
    current = fetch(client, reviewer, fact["id"])
    assert (current["status"], current["version"]) == ("confirmed", 2)
    assert [e["action"] for e in history(client, reviewer, fact["id"])] == ["confirm"]
    assert records(client, consumer, since=cursor) == ([], cursor)


def test_reopen_of_a_pending_fact_is_422(client: TestClient, tokens: dict[str, str], items) -> None:  # type: ignore[no-untyped-def]
    reviewer, fact = tokens["reviewer"], items[0]
    refused = review(client, reviewer, fact["id"], "reopen", 1)
    assert refused.status_code == 422 and "already pending" in refused.json()["detail"]
    assert fetch(client, reviewer, fact["id"])["version"] == 1 and history(client, reviewer, fact["id"]) == []
    with_value = review(client, reviewer, fact["id"], "reopen", 1, value=1)
    assert with_value.status_code == 422 and "only accepted with action 'correct'" in with_value.json()["detail"]


def test_bulk_reopen_is_all_or_nothing(client: TestClient, tokens: dict[str, str], items) -> None:  # type: ignore[no-untyped-def]
    reviewer, first, second = tokens["reviewer"], items[0], items[1]
    assert review(client, reviewer, first["id"], "confirm", 1).status_code == 200
    bulk = {"items": [{"id": first["id"], "action": "reopen", "version": 2},
                      {"id": second["id"], "action": "reopen", "version": 1}]}
    refused = client.post("/api/v1/extractions/review", headers=auth(reviewer), json=bulk)
    assert refused.status_code == 422 and "no item of this bulk review was applied" in refused.json()["detail"]
    assert fetch(client, reviewer, first["id"])["status"] == "confirmed"
    done = client.post("/api/v1/extractions/review", headers=auth(reviewer), json={"items": bulk["items"][:1]})
    assert done.status_code == 200 and [i["status"] for i in done.json()["items"]] == ["pending"]


@pytest.mark.parametrize("who", ["consumer", "operator"])
def test_reopen_needs_a_reviewer(client: TestClient, tokens: dict[str, str], items, who: str) -> None:  # type: ignore[no-untyped-def]
    assert review(client, tokens["reviewer"], items[0]["id"], "confirm", 1).status_code == 200
    assert review(client, tokens[who], items[0]["id"], "reopen", 2).status_code == 403
    assert fetch(client, tokens["reviewer"], items[0]["id"])["status"] == "confirmed"
