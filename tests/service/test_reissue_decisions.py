"""A re-issue carries the decisions taken on the edition it repeats, as suggestions: each
pending twin shows the edition's decision (`assist.previous_decision`), and one call applies
them all, or the chosen ones, exactly (status, value, unit, qualifier), with history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.storage.config import Settings
from tests.service.conftest import auth
from tests.service.editions_support import DECKS, get, real_extract_cached  # noqa: F401  (fixture)
from tests.service.fakes import drain_queue
from tests.service.helpers import upload

pytestmark = pytest.mark.usefixtures("real_extract_cached")
STATE = ("status", "value", "unit", "qualifier")


def _state(fact: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(fact[f] for f in STATE)


def _review(client: TestClient, token: str, fact: dict[str, Any], **body: Any) -> dict[str, Any]:
    answer = client.post(f"/api/v1/extractions/{fact['id']}/review", headers=auth(token),
                         json={"version": fact["version"], **body})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _facts(client: TestClient, token: str, report_id: int) -> dict[int, dict[str, Any]]:
    items = get(client, token, "/api/v1/extractions", report_id=report_id, limit=1000)["items"]
    return {f["id"]: f for f in items}


@pytest.fixture
def reissued(client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str],
             tmp_path: Path) -> dict[str, Any]:
    """October uploaded and partly decided (a confirm, a correction, a rejection, the rest
    pending), then the same October again with other bytes."""
    reviewer = tokens["reviewer"]
    edition = upload(client, tokens["operator"], DECKS["2025-10"]).json()["id"]
    drain_queue(engine, settings)
    facts = sorted(_facts(client, reviewer, edition).values(), key=lambda f: f["id"])
    counts = [f for f in facts if f["kind"] == "count"]
    others = [f for f in facts if f["kind"] != "count"]
    decided = {
        counts[0]["id"]: _review(client, reviewer, counts[0], action="correct", value=counts[0]["value"] + 7,
                                 unit="pessoas atendidas", qualifier="at_least"),
        counts[1]["id"]: _review(client, reviewer, counts[1], action="confirm"),
        others[0]["id"]: _review(client, reviewer, others[0], action="reject", note="não é um fato"),
    }
    copy = tmp_path / "status-deck-2025-10-reenviado.pdf"
    copy.write_bytes(DECKS["2025-10"].read_bytes() + b"\n% reenviado\n")
    again = upload(client, tokens["operator"], copy).json()["id"]
    drain_queue(engine, settings)
    return {"edition": edition, "copy": again, "decided": decided, "token": reviewer}


def test_a_reissue_shows_each_twin_decision_as_a_suggestion(client: TestClient, reissued: dict[str, Any]) -> None:
    token, copy = reissued["token"], reissued["copy"]
    facts = _facts(client, token, copy)
    suggested = {f["assist"]["previous_decision"]["extraction_id"]: f for f in facts.values()
                 if f["assist"] and f["assist"]["previous_decision"]}
    assert set(suggested) == set(reissued["decided"])  # the decided twins, and only those
    for original_id, fact in suggested.items():
        original, previous = reissued["decided"][original_id], fact["assist"]["previous_decision"]
        assert (fact["status"], fact["text"], fact["kind"]) == ("pending", original["text"], original["kind"])
        assert _state(previous) == _state(original) and previous["report_id"] == reissued["edition"]
    flagged = get(client, token, f"/api/v1/reports/{copy}/assist", flag="previous_decision")["items"]
    assert sorted(f["id"] for f in flagged) == sorted(f["id"] for f in suggested.values())
    edition_facts = _facts(client, token, reissued["edition"]).values()
    assert all(not (f["assist"] and f["assist"]["previous_decision"]) for f in edition_facts)  # an edition: none


def test_applying_previous_decisions_stores_exactly_the_editions_decisions(
        client: TestClient, reissued: dict[str, Any]) -> None:
    token, copy = reissued["token"], reissued["copy"]
    facts = _facts(client, token, copy)
    twins = {f["assist"]["previous_decision"]["extraction_id"]: f for f in facts.values()
             if f["assist"] and f["assist"]["previous_decision"]}
    first = sorted(f["id"] for f in twins.values())[:1]
    answer = client.post(f"/api/v1/reports/{copy}/apply-previous-decisions", headers=auth(token), json={"ids": first})
    assert answer.status_code == 200, answer.text
    assert [f["id"] for f in answer.json()["items"]] == first
    after_one = _facts(client, token, copy)
    assert [i for i in facts if _state(after_one[i]) != _state(facts[i])] == first  # only the one asked for

    answer = client.post(f"/api/v1/reports/{copy}/apply-previous-decisions", headers=auth(token), json={})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["items"]) == len(twins) - 1
    stored = _facts(client, token, copy)
    for original_id, twin in twins.items():
        assert _state(stored[twin["id"]]) == _state(reissued["decided"][original_id])
        history = get(client, token, f"/api/v1/extractions/{twin['id']}/history")["items"]
        assert history[-1]["note"] == f"igual à decisão em relatório {reissued['edition']}"
    untouched = [i for i in facts if i not in {t["id"] for t in twins.values()}]
    assert all(_state(stored[i]) == _state(facts[i]) for i in untouched)

    again = client.post(f"/api/v1/reports/{copy}/apply-previous-decisions", headers=auth(token),
                        json={"ids": first})  # no longer pending: refused, nothing changes
    assert again.status_code == 422 and "nothing was applied" in again.json()["detail"]
    assert _facts(client, token, copy) == stored


def test_an_edition_has_no_previous_decisions_to_apply(client: TestClient, reissued: dict[str, Any]) -> None:
    token, edition = reissued["token"], reissued["edition"]
    before = _facts(client, token, edition)
    answer = client.post(f"/api/v1/reports/{edition}/apply-previous-decisions", headers=auth(token), json={})
    assert answer.status_code == 200 and answer.json()["items"] == []
    assert _facts(client, token, edition) == before
