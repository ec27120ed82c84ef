"""Review: confirm / correct / reject with optimistic locking, validation, bulk, history."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from service.review.actions import ReviewError, apply_review
from service.storage.config import Settings
from service.storage.db import is_sqlite, write_engine
from service.storage.models import Extraction
from service.storage.schemas import ReviewIn
from service.storage.tokens import Principal
from service.storage.tokens import find_token
from tests.pdfmaker import simple_deck
from tests.service.conftest import auth
from tests.service.fakes import BBOX, WRAPPED, drain_queue
from tests.service.helpers import extractions, review, upload


@pytest.fixture
def facts(client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings,
          fake_extract: None, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """The fake report's facts by kind (the cover date as 'cover')."""
    assert upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).status_code == 202
    drain_queue(engine, settings)
    items = extractions(client, tokens["reviewer"])
    by_kind = {("cover" if i["initiative"]["title"] is None else i["kind"]): i for i in items}
    assert len(by_kind) == 7
    return by_kind


def history(client: TestClient, token: str, ext_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/extractions/{ext_id}/history", headers=auth(token))
    assert response.status_code == 200
    return response.json()["items"]


def test_confirm_correct_reject_and_history(client: TestClient, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    token, count = tokens["reviewer"], facts["count"]
    confirmed = review(client, token, count["id"], "confirm", 1)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    corrected = review(client, token, count["id"], "correct", 2, value=255767, qualifier="at_least", note="typo")
    body = corrected.json()
    assert (body["status"], body["value"], body["qualifier"], body["version"]) == ("corrected", 255767, "at_least", 3)
    assert body["unit"] == "acionamentos" and body["reviewed_by"] == "reviewer-ana"
    rejected = review(client, token, count["id"], "reject", 3)
    assert rejected.json()["status"] == "rejected"
    events = history(client, token, count["id"])
    assert [e["action"] for e in events] == ["confirm", "correct", "reject"]
    assert events[1]["before"]["value"] == 255766 and events[1]["after"]["value"] == 255767
    assert events[1]["note"] == "typo" and {e["actor"] for e in events} == {"reviewer-ana"}
    assert events[0]["change_seq"] < events[1]["change_seq"] < events[2]["change_seq"]


def test_wrapped_fact_keeps_its_line_boxes_everywhere(client: TestClient, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    """A fact printed over two lines has one box per line in the list, the fact and a
    review's answer; a one-line fact has none (its bbox is its line)."""
    money, count = facts["money"], facts["count"]
    boxes = [list(BBOX), list(WRAPPED)]
    assert money["lines"] == boxes and count["lines"] is None
    one = client.get(f"/api/v1/extractions/{money['id']}", headers=auth(tokens["reviewer"])).json()
    assert one["lines"] == boxes
    reviewed = review(client, tokens["reviewer"], money["id"], "confirm", money["version"])
    assert reviewed.json()["lines"] == boxes


def test_stale_version_is_409_and_changes_nothing(client: TestClient, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    token, pct = tokens["reviewer"], facts["percentage"]
    assert review(client, token, pct["id"], "correct", 1, value=69).status_code == 200
    stale = review(client, token, pct["id"], "reject", 1)
    assert stale.status_code == 409 and "reload" in stale.json()["detail"]
    current = client.get(f"/api/v1/extractions/{pct['id']}", headers=auth(token)).json()
    assert (current["status"], current["value"], current["version"]) == ("corrected", 69, 2)
    assert len(history(client, token, pct["id"])) == 1


def test_municipality_correction_takes_the_official_name(client: TestClient, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    body = review(client, tokens["reviewer"], facts["municipality"]["id"], "correct", 1, value="3106200").json()
    assert (body["value"], body["name"]) == ("3106200", "Belo Horizonte")


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("date", "2025-02-30", "not a real date"),
    ("period", {"start": "2025-10", "end": "2023-12"}, "after it ends"),
    ("municipality", "3550309", "IBGE code of a Brazilian municipality"),
    ("count", "dez", "plain number"),
    ("money", None, "needs a `value`"),
    ("percentage", 150, "between 0 and 100"),
])
def test_invalid_correction_is_422_and_changes_nothing(client: TestClient, tokens: dict[str, str], facts,  # type: ignore[no-untyped-def]
                                                       kind: str, value: Any, message: str) -> None:
    ext = facts[kind]
    response = review(client, tokens["reviewer"], ext["id"], "correct", 1, value=value)
    assert response.status_code == 422 and message in response.json()["detail"]
    assert history(client, tokens["reviewer"], ext["id"]) == []


@pytest.mark.parametrize(("body", "message"), [
    ({"action": "approve", "version": 1}, "action"),
    ({"action": "confirm"}, "version"),
    ({"action": "confirm", "version": 1, "value": 3}, "only accepted with action 'correct'"),
    ({"action": "correct", "version": 1, "value": 3, "qualifier": "cerca de"}, "qualifier must be one of"),
])
def test_malformed_review_bodies(client: TestClient, tokens: dict[str, str], facts, body, message) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/api/v1/extractions/{facts['count']['id']}/review", headers=auth(tokens["reviewer"]), json=body)
    assert response.status_code == 422 and message in response.json()["detail"]


def test_review_of_unknown_extraction_is_404(client: TestClient, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    response = review(client, tokens["reviewer"], 999_999, "confirm", 1)
    assert response.status_code == 404 and "999999" in response.json()["detail"]


HUGE = [10**309, -(10**309), 10**4000]


@pytest.mark.parametrize("kind", ["count", "money", "percentage"])
@pytest.mark.parametrize("huge", HUGE)
def test_huge_integer_correction_is_422_single_and_bulk(client: TestClient, tokens: dict[str, str], facts,  # type: ignore[no-untyped-def]
                                                        kind: str, huge: int) -> None:
    """An integer past float range is refused with a reason (it was an OverflowError: 500)."""
    token, ext = tokens["reviewer"], facts[kind]
    single = review(client, token, ext["id"], "correct", 1, value=huge)
    assert single.status_code == 422 and "digits" in single.json()["detail"]
    bulk = client.post("/api/v1/extractions/review", headers=auth(token),
                       json={"items": [{"id": ext["id"], "action": "correct", "version": 1, "value": huge}]})
    assert bulk.status_code == 422 and "digits" in bulk.json()["detail"]
    assert history(client, token, ext["id"]) == []


def test_bulk_review_is_all_or_nothing(client: TestClient, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    token = tokens["reviewer"]
    good = [{"id": facts[k]["id"], "action": "confirm", "version": 1} for k in ("date", "money", "period")]
    stale = {"id": facts["count"]["id"], "action": "confirm", "version": 7}
    failed = client.post("/api/v1/extractions/review", headers=auth(token), json={"items": [*good, stale]})
    assert failed.status_code == 409 and "no item of this bulk review was applied" in failed.json()["detail"]
    assert {i["status"] for i in extractions(client, token)} == {"pending"}
    done = client.post("/api/v1/extractions/review", headers=auth(token), json={"items": good})
    assert done.status_code == 200 and [i["status"] for i in done.json()["items"]] == ["confirmed"] * 3
    duplicate = client.post("/api/v1/extractions/review", headers=auth(token), json={"items": [good[0], good[0]]})
    assert duplicate.status_code == 422


def test_two_reviewers_at_once_one_wins(client: TestClient, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    """Threads race on the same version: exactly one 200, one 409, one history entry."""
    ext_id, barrier, results = facts["money"]["id"], threading.Barrier(2), []

    def act(action: str, value: Any) -> None:
        barrier.wait()
        extra = {"value": value} if value is not None else {}
        results.append(review(client, tokens["reviewer"], ext_id, action, 1, **extra).status_code)

    threads = [threading.Thread(target=act, args=args) for args in (("correct", 1300000), ("reject", None))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]
    assert len(history(client, tokens["reviewer"], ext_id)) == 1


def test_stale_read_loses_at_the_conditional_update(engine: Engine, tokens: dict[str, str], facts) -> None:  # type: ignore[no-untyped-def]
    """Both sessions read version 1 before either writes: the guarded UPDATE refuses the second."""
    if is_sqlite(engine):
        pytest.skip("SQLite write sessions begin IMMEDIATE, so a second writer cannot hold a stale read")
    with Session(engine) as session:
        token = find_token(session, tokens["reviewer"])
        assert token is not None and token.id is not None
    ext_id, who = facts["count"]["id"], Principal(token_id=token.id, name=token.name, role=token.role)
    with Session(write_engine(engine)) as late, Session(write_engine(engine)) as early:
        late.get(Extraction, ext_id)
        apply_review(early, ext_id, ReviewIn(action="confirm", version=1), who)
        early.commit()
        with pytest.raises(ReviewError) as info:
            apply_review(late, ext_id, ReviewIn(action="reject", version=1), who)
        assert info.value.status_code == 409
