"""GET /reports/{id}/pages/{n}/text: the printed words a reviewer points at (a drawn box, or a
span of the source text), read as the extraction read them; each fact's own box gives back
its own text, and its text is found where its box is."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.storage.config import Settings
from tests.service.conftest import auth
from tests.service.editions_support import DECKS, get, real_extract_cached  # noqa: F401  (fixture)
from tests.service.fakes import drain_queue
from tests.service.helpers import upload

pytestmark = pytest.mark.usefixtures("real_extract_cached")


def test_a_facts_box_reads_its_text_and_its_text_is_found_in_its_box(
        client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str]) -> None:
    reviewer = tokens["reviewer"]
    report = upload(client, tokens["operator"], DECKS["2025-10"]).json()["id"]
    drain_queue(engine, settings)
    facts = [f for f in get(client, reviewer, "/api/v1/extractions", report_id=report, limit=1000)["items"]
             if f["kind"] in ("count", "money", "percentage") and not f["lines"]][:8]
    assert facts
    for fact in facts:
        x0, top, x1, bottom = fact["bbox"]
        url = f"/api/v1/reports/{report}/pages/{fact['page']}/text"
        boxed = get(client, reviewer, url, bbox=f"{x0 - 0.5},{top - 0.5},{x1 + 0.5},{bottom + 0.5}")
        assert fact["text"] in boxed["text"] or boxed["text"] in fact["text"], (fact, boxed)
        found = get(client, reviewer, url, find=fact["text"], near=",".join(map(str, fact["bbox"])))
        assert abs(found["bbox"][0] - x0) < 2 and abs(found["bbox"][1] - top) < 2, (fact, found)


def test_page_text_refuses_what_it_cannot_answer(
        client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str]) -> None:
    h = auth(tokens["reviewer"])
    report = upload(client, tokens["operator"], DECKS["2025-10"]).json()["id"]
    drain_queue(engine, settings)
    url = f"/api/v1/reports/{report}/pages/1/text"
    assert client.get(url, headers=h).status_code == 422  # neither a box nor a text
    assert client.get(url, headers=h, params={"bbox": "0,0,10,10", "find": "x"}).status_code == 422
    assert client.get(url, headers=h, params={"bbox": "0,0,10"}).status_code == 422
    assert client.get(f"/api/v1/reports/{report}/pages/999/text", headers=h,
                      params={"bbox": "0,0,10,10"}).status_code == 404
    missing = client.get(url, headers=h, params={"find": "palavra que não está impressa em lugar nenhum"})
    assert missing.status_code == 404 and "not printed" in missing.json()["detail"]
    empty = client.get(url, headers=h, params={"bbox": "0,0,1,1"}).json()
    assert empty == {"page": 1, "text": "", "bbox": None, "words": 0}
