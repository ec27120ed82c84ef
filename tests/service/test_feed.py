"""The records feed: only confirmed/corrected facts, change order, exact `since`, formats."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.feed import records as feed
from tests.service.conftest import auth
from tests.service.helpers import records, review


def test_pending_and_rejected_facts_are_not_fed(client: TestClient, tokens: dict[str, str], items) -> None:  # type: ignore[no-untyped-def]
    review(client, tokens["reviewer"], items[0]["id"], "reject", 1)
    fed, cursor = records(client, tokens["consumer"])
    assert fed == [] and cursor == "1"
    again, cursor_again = records(client, tokens["consumer"], since=cursor)
    assert again == [] and cursor_again == cursor


def test_since_returns_exactly_the_later_changes(client: TestClient, tokens: dict[str, str], items) -> None:  # type: ignore[no-untyped-def]
    reviewer, consumer = tokens["reviewer"], tokens["consumer"]
    for item in items[:3]:
        review(client, reviewer, item["id"], "confirm", 1)
    fed, cursor = records(client, consumer)
    assert [r["extraction_id"] for r in fed] == [i["id"] for i in items[:3]]
    assert {r["state"] for r in fed} == {"confirmed"} and fed[0]["reviewer"] == "reviewer-ana"
    review(client, reviewer, items[1]["id"], "correct", 2, value={"start": "2023-11", "end": "2025-10"})
    fed, cursor = records(client, consumer, since=cursor)
    assert [(r["extraction_id"], r["state"], r["value"]["start"]) for r in fed] == [(items[1]["id"], "corrected", "2023-11")]
    review(client, reviewer, items[2]["id"], "reject", 2)
    fed, cursor = records(client, consumer, since=cursor)
    assert [(r["extraction_id"], r["state"]) for r in fed] == [(items[2]["id"], "withdrawn")]
    assert records(client, consumer, since=cursor)[0] == []


def test_limit_pages_through_the_feed(client: TestClient, tokens: dict[str, str], items) -> None:  # type: ignore[no-untyped-def]
    for item in items:
        review(client, tokens["reviewer"], item["id"], "confirm", 1)
    seen, cursor = [], None
    for _ in range(10):
        page, cursor = records(client, tokens["consumer"], limit=3, **({"since": cursor} if cursor else {}))
        if not page:
            break
        assert len(page) <= 3
        seen += [r["extraction_id"] for r in page]
    assert seen == [i["id"] for i in items]


def test_feed_streams_in_keyset_pages(client: TestClient, tokens: dict[str, str], items,  # type: ignore[no-untyped-def]
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "PAGE_SIZE", 2)
    for item in items:
        review(client, tokens["reviewer"], item["id"], "confirm", 1)
    fed, _ = records(client, tokens["consumer"])
    assert [r["change_seq"] for r in fed] == list(range(1, len(items) + 1))


def test_ndjson_and_csv_formats(client: TestClient, tokens: dict[str, str], items) -> None:  # type: ignore[no-untyped-def]
    period = next(i for i in items if i["kind"] == "period")
    review(client, tokens["reviewer"], period["id"], "confirm", 1)
    review(client, tokens["reviewer"], items[-1]["id"], "confirm", 1)
    nd = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"format": "ndjson"})
    assert nd.headers["content-type"].startswith("application/x-ndjson") and nd.headers["x-next-cursor"] == "2"
    lines = [json.loads(line) for line in nd.text.splitlines()]
    assert [r["extraction_id"] for r in lines] == [period["id"], items[-1]["id"]]
    text = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["initiative_title"] == "EXPANSÃO DO EMERGÊNCIA MG" and rows[0]["area_name"] == "GESTÃO E GOVERNANÇA"
    assert json.loads(rows[0]["value"]) == {"start": "2023-12", "end": "2025-10"} and rows[0]["status_date"] == "2025-10"


@pytest.mark.parametrize("params", [{"since": "abc"}, {"format": "xml"}, {"limit": 0}])
def test_bad_feed_parameters(client: TestClient, tokens: dict[str, str], params: dict[str, Any]) -> None:
    response = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params=params)
    assert response.status_code == 422 and isinstance(response.json()["detail"], str)
