"""The JSON the operator page reads and the actions it takes: a report's outline (warnings,
areas → initiatives with fact counts), its confirmed records to download, the list's
extra columns, a job's progress (first extraction or re-extraction: test_reextract_queue.py
has the rest of re-extraction), a re-issue given its own series by an
operator, and each token's last use. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.storage.config import Settings
from service.storage.models import ApiToken, Report
from service.storage.timeutil import utcnow
from service.storage.tokens import UseClock
from tests.pdfmaker import simple_deck, slide_pdf
from tests.service.conftest import auth
from tests.service.fakes import drain_queue
from tests.service.helpers import review, upload


@pytest.fixture
def report_id(client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, fake_extract: None,
              tmp_path: Path) -> int:
    response = upload(client, tokens["operator"], simple_deck(tmp_path / "deck.pdf"))
    assert response.status_code == 202
    drain_queue(engine, settings)
    return int(response.json()["id"])


def facts(client: TestClient, tokens: dict[str, str], report_id: int) -> list[dict[str, Any]]:
    got = client.get("/api/v1/extractions", headers=auth(tokens["reviewer"]), params={"report_id": report_id, "limit": 100})
    return list(got.json()["items"])


def confirm(client: TestClient, tokens: dict[str, str], fact: dict[str, Any]) -> None:
    assert review(client, tokens["reviewer"], fact["id"], "confirm", fact["version"]).status_code == 200


def test_outline_lists_areas_initiatives_and_their_fact_counts(client: TestClient, tokens: dict[str, str],
                                                                report_id: int) -> None:
    all_facts = facts(client, tokens, report_id)
    confirm(client, tokens, next(f for f in all_facts if f["kind"] == "money"))
    got = client.get(f"/api/v1/reports/{report_id}/outline", headers=auth(tokens["operator"]))
    assert got.status_code == 200, got.text
    body = got.json()
    shape = [(a["area"]["name"], [(i["title"], i["facts"], i["pending"]) for i in a["initiatives"]]) for a in body["areas"]]
    assert shape == [("GESTÃO E GOVERNANÇA", [("EXPANSÃO DO EMERGÊNCIA MG", 4, 4)]),
                     ("SERVIÇOS DIGITAIS", [("AMPLIAR O ATENDIMENTO DIGITAL", 2, 1)])]
    assert body["outside_facts"] == 1 and isinstance(body["warnings"], list)
    assert all(i["key"] for a in body["areas"] for i in a["initiatives"])
    assert client.get("/api/v1/reports/999/outline", headers=auth(tokens["operator"])).status_code == 404


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_records_download_holds_only_the_reports_confirmed_facts(client: TestClient, tokens: dict[str, str],
                                                                  report_id: int, fmt: str) -> None:
    all_facts = facts(client, tokens, report_id)
    chosen = [f for f in all_facts if f["kind"] in ("count", "date")]
    for fact in chosen:
        confirm(client, tokens, fact)
    rejected = next(f for f in all_facts if f["kind"] == "money")
    assert review(client, tokens["reviewer"], rejected["id"], "reject", rejected["version"]).status_code == 200
    got = client.get(f"/api/v1/reports/{report_id}/records", headers=auth(tokens["operator"]), params={"format": fmt})
    assert got.status_code == 200, got.text
    assert "attachment" in got.headers["content-disposition"]
    if fmt == "json":
        rows = got.json()["items"]
    else:
        rows = list(csv.DictReader(io.StringIO(got.text)))
    assert sorted(int(r["extraction_id"]) for r in rows) == sorted(f["id"] for f in chosen)
    assert {r["state"] for r in rows} == {"confirmed"}


def test_report_list_counts_facts_by_kind_and_an_operator_sets_a_series(client: TestClient, tokens: dict[str, str],
                                                                         report_id: int) -> None:
    item = client.get("/api/v1/reports", headers=auth(tokens["operator"])).json()["items"][0]
    assert item["facts_by_kind"] == {"date": 2, "period": 1, "count": 1, "percentage": 1, "municipality": 1, "money": 1}
    assert item["ocr_pages"] == 0 and item["pages_complete"] == 0 and item["attempts"] == 1
    client.put(f"/api/v1/reports/{report_id}/complete", headers=auth(tokens["reviewer"]), json={"pages": [2]})
    moved = client.put(f"/api/v1/reports/{report_id}/series", headers=auth(tokens["operator"]),
                       json={"series": "painel próprio"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["series"] == "painel próprio" and moved.json()["pages_complete"] == 1


def test_token_last_use_is_listed_and_written_once_a_minute(client: TestClient, tokens: dict[str, str],
                                                            engine: Engine) -> None:
    listed = {t["name"]: t for t in client.get("/api/v1/tokens", headers=auth(tokens["admin"])).json()["items"]}
    assert listed["operator-ana"]["last_used_at"] is None
    assert client.get("/api/v1/reports", headers=auth(tokens["operator"])).status_code == 200
    for _ in range(100):  # written on a thread of its own
        with Session(engine) as session:
            rows = {r.name: r for r in session.exec(select(ApiToken))}
        if rows["operator-ana"].last_used_at is not None:
            break
        time.sleep(0.05)
    listed = {t["name"]: t for t in client.get("/api/v1/tokens", headers=auth(tokens["admin"])).json()["items"]}
    assert listed["operator-ana"]["last_used_at"] is not None
    assert listed["consumer-ana"]["last_used_at"] is None
    clock = UseClock(resolution_s=60)
    assert clock.due(1, now=0.0) and not clock.due(1, now=59.0) and clock.due(2, now=59.0) and clock.due(1, now=61.0)


def test_me_names_the_callers_role_and_a_stalled_job_is_told_apart(client: TestClient, tokens: dict[str, str],
                                                                   engine: Engine, tmp_path: Path) -> None:
    for role in ("operator", "admin", "consumer"):
        assert client.get("/api/v1/tokens/me", headers=auth(tokens[role])).json() == {"name": f"{role}-ana", "role": role}
    report_id = upload(client, tokens["operator"], simple_deck(tmp_path / "deck.pdf")).json()["id"]
    for lease, stalled in ((timedelta(minutes=5), False), (timedelta(minutes=-1), True)):
        with Session(engine) as session:
            report = session.get(Report, report_id)
            assert report is not None
            report.status, report.lease_until = "processing", utcnow() + lease
            session.commit()
        got = client.get(f"/api/v1/reports/{report_id}", headers=auth(tokens["operator"])).json()
        assert (got["status"], got["stalled"]) == ("processing", stalled)


@pytest.mark.parametrize("job", ["first", "again"])
def test_a_running_extraction_tells_the_page_it_has_read_up_to(client: TestClient, tokens: dict[str, str],
                                                               engine: Engine, settings: Settings, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch, job: str) -> None:
    """The child reports each page it reads; the worker records the line on the report while
    it holds it, and the API shows it only while the report (or its re-extraction) is
    processing. A re-extraction leaves the report `done` meanwhile."""
    from service.jobs import extracting, worker

    deck = slide_pdf(tmp_path / "tres.pdf", [[(f"Pagina {n} do relatorio", 20, False)] for n in range(1, 4)])
    report_id = upload(client, tokens["operator"], deck).json()["id"]
    seen: list[tuple[str, str | None, str, str | None]] = []
    write = worker._Progress.__call__

    def spy(self: Any, line: str) -> None:
        write(self, line)
        got = client.get(f"/api/v1/reports/{report_id}", headers=auth(tokens["operator"])).json()
        seen.append((line, got["progress"], got["status"], (got["reextraction"] or {}).get("state")))

    monkeypatch.setattr(worker, "PROGRESS_EVERY_S", 0.0)
    with extracting.limits(settings.extract_timeout_s, settings.extract_memory_mb):
        if job == "again":
            assert drain_queue(engine, settings) == 1
            reextract = client.post(f"/api/v1/reports/{report_id}/reextract", headers=auth(tokens["operator"]))
            assert reextract.status_code == 202, reextract.text
        monkeypatch.setattr(worker._Progress, "__call__", spy)
        assert drain_queue(engine, settings) == 1
    pages = [f"Leitura: página {n} de 3" for n in range(1, 4)]
    running = ("done", "processing") if job == "again" else ("processing", None)
    assert seen == [(line, line, *running) for line in pages]
    done = client.get(f"/api/v1/reports/{report_id}", headers=auth(tokens["operator"])).json()
    assert done["status"] == "done" and done["progress"] is None and done["pages"] == 3
    assert (done["reextraction"] or {}).get("state") == ("done" if job == "again" else None)
