"""What reviewers add: a fact the extraction missed (POST /api/v1/extractions), a fact moved
to another initiative, pages marked "revisado por completo"; all kept by re-extraction."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.jobs.reextract import reextract
from service.storage.config import Settings
from tests.service.conftest import auth
from tests.service.helpers import records, review

BOX = [300.0, 400.0, 380.0, 414.0]


def initiatives(client: TestClient, token: str, report_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/reports/{report_id}/initiatives", headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()["initiatives"]


def add(client: TestClient, token: str, **body: Any) -> Any:
    return client.post("/api/v1/extractions", headers=auth(token), json=body)


def fetch(client: TestClient, token: str, ext_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/extractions/{ext_id}", headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()


def history(client: TestClient, token: str, ext_id: int) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/extractions/{ext_id}/history", headers=auth(token)).json()["items"]


def test_a_missed_fact_is_stored_confirmed_fed_revertable_and_kept_by_reextraction(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items, engine: Engine, settings: Settings) -> None:
    reviewer, consumer, report_id = tokens["reviewer"], tokens["consumer"], items[0]["report_id"]
    target = initiatives(client, reviewer, report_id)[1]
    answer = add(client, reviewer, report_id=report_id, page=2, bbox=BOX, kind="count", value=1500,
                 unit="servidores capacitados", qualifier="at_least", initiative_id=target["id"],
                 text="mais de 1.500 servidores capacitados", note="faltava")
    assert answer.status_code == 201, answer.text
    fact = answer.json()
    assert (fact["status"], fact["extractor"], fact["value"], fact["unit"], fact["qualifier"], fact["version"]) == (
        "confirmed", "reviewer", 1500, "servidores capacitados", "at_least", 2)
    assert (fact["initiative"]["id"], fact["initiative"]["title"], fact["note"]) == (
        target["id"], target["title"], "faltava")
    events = history(client, reviewer, fact["id"])
    assert [(e["action"], e["before"]["status"], e["after"]["status"]) for e in events] == [
        ("create", "pending", "confirmed")]
    fed = [r for r in records(client, consumer)[0] if r["extraction_id"] == fact["id"]]
    assert [(r["state"], r["value"], r["initiative_title"]) for r in fed] == [("confirmed", 1500, target["title"])]

    outcome = reextract(engine, settings, report_id)  # the fake extractor finds the same facts again
    assert outcome.orphaned == 0 and outcome.added == 0
    kept = fetch(client, reviewer, fact["id"])
    assert (kept["status"], kept["extractor"], kept["value"], kept["orphaned"]) == ("confirmed", "reviewer", 1500, False)

    undone = review(client, reviewer, fact["id"], "revert", 2, to_version=1)
    assert undone.status_code == 200, undone.text
    assert (undone.json()["status"], undone.json()["note"]) == ("pending", None)
    fed = [r for r in records(client, consumer)[0] if r["extraction_id"] == fact["id"]]
    assert [r["state"] for r in fed] == ["withdrawn"]


@pytest.mark.parametrize(("change", "says"), [
    ({"value": "doze"}, "value (count)"),
    ({"value": -3}, "cannot be negative"),
    ({"kind": "percentage", "value": 150, "unit": None, "qualifier": None}, "between 0 and 100"),
    ({"kind": "date", "value": "2025-13", "unit": None, "qualifier": None}, "not a real date"),
    ({"kind": "municipality", "value": "9999999", "unit": None, "qualifier": None}, "IBGE code"),
    ({"kind": "money", "value": 10.5, "qualifier": None}, "unit: only a count"),
    ({"kind": "date", "value": "2025-01", "unit": None}, "qualifier: only a count"),
    ({"qualifier": "quase"}, "qualifier must be one of"),
    ({"page": 3}, "page: report"),
    ({"bbox": [300, 400, 200, 414]}, "bbox"),
    ({"bbox": [300, 400, 380, 9000]}, "reaches past page"),
    ({"bbox": [1, 2, 3]}, "bbox"),
    ({"kind": "temperature"}, "kind"),
    ({"initiative_id": 999999}, "initiative_id"),
    ({"report_id": 999999}, "does not exist"),
    ({"unit": "x" * 201}, "unit"),
    ({"note": "y" * 2001}, "note"),
    ({"text": "z" * 2001}, "text"),
])
def test_a_missed_fact_is_validated_like_a_correction(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items, change: dict[str, Any], says: str) -> None:
    reviewer, report_id = tokens["reviewer"], items[0]["report_id"]
    body = {"report_id": report_id, "page": 2, "bbox": BOX, "kind": "count", "value": 12, "unit": "escolas",
            "qualifier": "exact", **change}
    answer = add(client, reviewer, **body)
    assert answer.status_code in (404, 422), answer.text
    assert says in answer.json()["detail"]
    assert len(client.get("/api/v1/extractions", headers=auth(reviewer)).json()["items"]) == len(items)


def test_only_a_reviewer_adds_facts(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    body = {"report_id": items[0]["report_id"], "page": 2, "bbox": BOX, "kind": "percentage", "value": 12}
    assert add(client, tokens["operator"], **body).status_code == 403
    assert add(client, tokens["consumer"], **body).status_code == 403
    assert client.post("/api/v1/extractions", json=body).status_code == 401


def test_a_fact_moved_to_another_initiative_is_fed_again_and_stays_there(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items, engine: Engine, settings: Settings) -> None:
    reviewer, consumer = tokens["reviewer"], tokens["consumer"]
    fact = next(i for i in items if i["kind"] == "percentage")
    first, second = initiatives(client, reviewer, fact["report_id"])
    assert fact["initiative"]["id"] == first["id"]
    assert review(client, reviewer, fact["id"], "confirm", 1).status_code == 200
    _, cursor = records(client, consumer)
    moved = client.put(f"/api/v1/extractions/{fact['id']}/initiative", headers=auth(reviewer),
                       json={"initiative_id": second["id"], "version": 2})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["initiative"]["title"], moved.json()["version"], moved.json()["status"]) == (
        second["title"], 3, "confirmed")
    fed, _ = records(client, consumer, since=cursor)
    assert [(r["extraction_id"], r["state"], r["initiative_title"]) for r in fed] == [
        (fact["id"], "confirmed", second["title"])]
    assert history(client, reviewer, fact["id"])[-1]["action"] == "move"
    stale = client.put(f"/api/v1/extractions/{fact['id']}/initiative", headers=auth(reviewer),
                       json={"initiative_id": first["id"], "version": 2})
    assert stale.status_code == 409
    reextract(engine, settings, fact["report_id"])
    assert fetch(client, reviewer, fact["id"])["initiative"]["id"] == second["id"]
    assert fact["id"] in next(i for i in initiatives(client, reviewer, fact["report_id"])
                              if i["id"] == second["id"])["extraction_ids"]


def test_a_fact_moves_only_within_its_report(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    fact = items[0]
    answer = client.put(f"/api/v1/extractions/{fact['id']}/initiative", headers=auth(tokens["reviewer"]),
                        json={"initiative_id": 999999, "version": 1})
    assert answer.status_code == 422 and "initiative_id" in answer.json()["detail"]


def test_pages_marked_complete_give_the_reports_share(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items) -> None:
    reviewer, report_id = tokens["reviewer"], items[0]["report_id"]
    url = f"/api/v1/reports/{report_id}/complete"
    assert client.get(url, headers=auth(reviewer)).json()["share"] == 0.0
    marked = client.put(url, headers=auth(reviewer), json={"pages": [2]})
    assert marked.status_code == 200, marked.text
    body = marked.json()
    assert (body["pages"], body["complete"], body["share"]) == (2, 1, 0.5)
    assert [(i["page"], i["complete_by"]) for i in body["items"]] == [(2, "reviewer-ana")]
    assert client.put(url, headers=auth(reviewer), json={}).json()["share"] == 1.0  # the whole report
    assert client.put(url, headers=auth(reviewer), json={"pages": [1], "complete": False}).json()["complete"] == 1
    refused = client.put(url, headers=auth(reviewer), json={"pages": [7]})
    assert refused.status_code == 422 and "pages" in refused.json()["detail"]
    assert client.get(url, headers=auth(reviewer)).json()["share"] == 0.5
