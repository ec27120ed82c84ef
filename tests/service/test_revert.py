"""Review action `revert`: the exact earlier state (status, value, unit, qualifier, note) comes
back as a new version, one step at a time, and the feed publishes what was restored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import auth
from tests.service.helpers import records, review

STATE = ("status", "value", "unit", "qualifier", "note")

# Decisions on the count fact (255766 acionamentos, exact), as review bodies without `version`.
CONFIRM = {"action": "confirm", "note": "conferido"}
CORRECT_TARGET = {"action": "correct", "value": 500000, "unit": "mil acionamentos", "qualifier": "target",
                  "note": "meta, não realizado"}
CORRECT_AGAIN = {"action": "correct", "value": 28000000, "note": "R$ 27,1 milhões lido errado"}
CORRECT_UNIT_ONLY = {"action": "correct", "value": 255766, "unit": "chamadas"}
REJECT = {"action": "reject", "note": "não é um indicador"}
SEQUENCES = {
    "one confirm": [CONFIRM],
    "one reject": [REJECT],
    "a correction of a confirmed fact": [CONFIRM, CORRECT_TARGET],
    "two corrections": [CORRECT_TARGET, CORRECT_AGAIN],
    "confirm, correct, reject": [CONFIRM, CORRECT_TARGET, REJECT],
    "correct, unit only, confirm": [CORRECT_TARGET, CORRECT_UNIT_ONLY, CONFIRM],
}


def fetch(client: TestClient, token: str, ext_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/extractions/{ext_id}", headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()


def state(fact: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(fact[f] for f in STATE)


def feed_state(client: TestClient, token: str, ext_id: int) -> tuple[str, Any] | None:
    """The latest record of the fact in the feed: (state, value), None if it never appeared."""
    mine = [r for r in records(client, token, limit=1000)[0] if r["extraction_id"] == ext_id]
    return (mine[-1]["state"], mine[-1]["value"]) if mine else None


@pytest.mark.parametrize("decisions", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_revert_walks_back_through_every_earlier_state(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items, decisions: list[dict[str, Any]]) -> None:
    reviewer, consumer = tokens["reviewer"], tokens["consumer"]
    fact = next(i for i in items if i["kind"] == "count")
    seen = {1: state(fact)}  # version -> the state the reviewer saw there
    for decision in decisions:
        body = dict(decision)
        answer = review(client, reviewer, fact["id"], body.pop("action"), len(seen), **body)
        assert answer.status_code == 200, answer.text
        seen[answer.json()["version"]] = state(answer.json())
    published = any(s[0] in ("confirmed", "corrected") for s in seen.values())  # ever in the feed
    last_out = next((s[1] for s in reversed(seen.values()) if s[0] in ("confirmed", "corrected")), None)
    for target in range(len(seen) - 1, 0, -1):  # undo one step at a time
        current = fetch(client, reviewer, fact["id"])
        answer = review(client, reviewer, fact["id"], "revert", current["version"], to_version=target)
        assert answer.status_code == 200, answer.text
        stored = fetch(client, reviewer, fact["id"])
        assert state(stored) == state(answer.json()) == seen[target]
        assert stored["version"] == current["version"] + 1
        status, value = seen[target][0], seen[target][1]
        # a withdrawal names what it withdraws: the value the feed last published
        expected = (status, value) if status in ("confirmed", "corrected") else ("withdrawn", last_out)
        assert feed_state(client, consumer, fact["id"]) == (expected if published else None)
        if status in ("confirmed", "corrected"):
            last_out = value
    events = client.get(f"/api/v1/extractions/{fact['id']}/history", headers=auth(reviewer)).json()["items"]
    assert [e["action"] for e in events][-len(decisions):] == ["revert"] * len(decisions)
    assert [e["after"]["version"] for e in events] == list(range(2, 2 * len(decisions) + 2))


def test_revert_of_a_correction_on_a_confirmed_fact_publishes_confirmed(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    """The undo of a correction made on a confirmed fact leaves it confirmed, not 'corrigido'."""
    reviewer, fact = tokens["reviewer"], next(i for i in items if i["kind"] == "percentage")
    assert review(client, reviewer, fact["id"], "confirm", 1).status_code == 200
    assert review(client, reviewer, fact["id"], "correct", 2, value=70).status_code == 200
    body = review(client, reviewer, fact["id"], "revert", 3, to_version=2).json()
    assert (body["status"], body["value"]) == ("confirmed", fact["value"])
    assert feed_state(client, tokens["consumer"], fact["id"]) == ("confirmed", fact["value"])


@pytest.mark.parametrize(("body", "code", "says"), [
    ({"to_version": 3}, 422, "earlier version"),
    ({"to_version": 2}, 422, "earlier version"),
    ({"to_version": 0}, 422, "earlier version"),
    ({}, 422, "to_version"),
    ({"to_version": 1, "value": 5}, 422, "takes no"),
    ({"to_version": 1, "version": 1}, 409, "changed by someone else"),
])
def test_revert_refuses_what_it_cannot_restore(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items, body: dict[str, Any], code: int, says: str) -> None:
    reviewer, fact = tokens["reviewer"], items[0]
    assert review(client, reviewer, fact["id"], "confirm", 1).status_code == 200
    answer = review(client, reviewer, fact["id"], "revert", **{"version": 2, **body})
    assert answer.status_code == code, answer.text
    assert says in answer.json()["detail"]
    assert fetch(client, reviewer, fact["id"])["version"] == 2


def test_to_version_belongs_to_revert_only(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    answer = review(client, tokens["reviewer"], items[0]["id"], "confirm", 1, to_version=1)
    assert answer.status_code == 422 and "only accepted with action 'revert'" in answer.json()["detail"]


def test_bulk_revert_is_all_or_nothing(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    reviewer = tokens["reviewer"]
    first, second = items[0], items[1]
    for fact in (first, second):
        assert review(client, reviewer, fact["id"], "confirm", 1).status_code == 200
    bulk = [{"id": first["id"], "action": "revert", "to_version": 1, "version": 2},
            {"id": second["id"], "action": "revert", "to_version": 1, "version": 1}]
    answer = client.post("/api/v1/extractions/review", headers=auth(reviewer), json={"items": bulk})
    assert answer.status_code == 409
    assert fetch(client, reviewer, first["id"])["status"] == "confirmed"
    bulk[1]["version"] = 2
    answer = client.post("/api/v1/extractions/review", headers=auth(reviewer), json={"items": bulk})
    assert answer.status_code == 200, answer.text
    assert [i["status"] for i in answer.json()["items"]] == ["pending", "pending"]
