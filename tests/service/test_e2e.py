"""End to end over HTTP with the real extractor and the in-process worker:
upload -> done -> review -> pull -> correct again -> pull since -> withdraw -> pull."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.api.app import create_app
from service.storage.config import Settings
from tests.conftest import PROJECT_CORPUS
from tests.service.conftest import auth
from tests.service.helpers import extractions, records, review, upload

CORPUS_PDF = PROJECT_CORPUS / "status-deck-2025-10.pdf"


def wait_done(client: TestClient, token: str, report_id: int, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        report = client.get(f"/api/v1/reports/{report_id}", headers=auth(token)).json()
        if report["status"] in ("done", "failed"):
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} not extracted within {timeout_s}s")


@pytest.mark.slow
def test_upload_review_and_feed(engine: Engine, settings: Settings, tokens: dict[str, str]) -> None:
    operator, reviewer, consumer = tokens["operator"], tokens["reviewer"], tokens["consumer"]
    with TestClient(create_app(settings, start_worker=True)) as client:
        created = upload(client, operator, CORPUS_PDF)
        assert created.status_code == 202, created.text
        report = wait_done(client, operator, created.json()["id"])
        assert report["status"] == "done", report["error"]
        assert report["title"] and report["status_date"] and report["counts"]["pending"] > 5

        tree = client.get(f"/api/v1/reports/{report['id']}/initiatives", headers=auth(reviewer)).json()
        assert len(tree["initiatives"]) > 3 and any(i["area"] for i in tree["initiatives"])
        pending = extractions(client, reviewer, report_id=report["id"], status="pending")
        corrected = next(p for p in pending if p["kind"] == "count")
        others = [p for p in pending if p["id"] != corrected["id"]]
        confirmed, rejected = others[:3], others[3]
        image = client.get(f"/api/v1/reports/{report['id']}/pages/{corrected['page']}.png",
                           params={"highlight": corrected["id"]}, headers=auth(reviewer))
        assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"

        for item in confirmed:
            assert review(client, reviewer, item["id"], "confirm", item["version"]).status_code == 200
        assert review(client, reviewer, corrected["id"], "correct", 1, value=corrected["value"] + 1).status_code == 200
        assert review(client, reviewer, rejected["id"], "reject", 1).status_code == 200

        fed, cursor = records(client, consumer)
        assert {r["extraction_id"] for r in fed} == {i["id"] for i in confirmed} | {corrected["id"]}
        assert all(r["report_id"] == report["id"] and r["status_date"] == report["status_date"] for r in fed)
        assert all(r["reviewer"] == "reviewer-ana" and r["reviewed_at"] and r["page"] for r in fed)

        assert review(client, reviewer, corrected["id"], "correct", 2, value=corrected["value"] + 2).status_code == 200
        fed, cursor = records(client, consumer, since=cursor)
        assert [(r["extraction_id"], r["value"], r["state"]) for r in fed] == [
            (corrected["id"], corrected["value"] + 2, "corrected")]

        assert review(client, reviewer, confirmed[0]["id"], "reject", 2).status_code == 200
        fed, cursor = records(client, consumer, since=cursor)
        assert [(r["extraction_id"], r["state"]) for r in fed] == [(confirmed[0]["id"], "withdrawn")]
        assert records(client, consumer, since=cursor)[0] == []
        counts_now = client.get(f"/api/v1/reports/{report['id']}", headers=auth(reviewer)).json()["counts"]
        assert (counts_now["confirmed"], counts_now["corrected"], counts_now["rejected"]) == (2, 1, 2)
