"""Quality from reviews (GET /api/v1/quality, `relato quality`) and the confidence refitted on a
deployment's own decisions, on SQLite and PostgreSQL.

Facts are stored directly (extractor, kind, confidence and page chosen per fact); every
decision, addition and page mark goes through the API, as a reviewer's would. The expected
figures are counted by hand from the script in each test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from service.quality.refit import MIN_DECIDED, PRIOR
from service.quality.schemas import QualityPublic
from service.quality.table import render
from service.storage.config import Settings
from service.storage.db import write_engine
from service.storage.models import Extraction, Page, Report
from service.storage.timeutil import utcnow
from tests.service.conftest import auth
from tests.service.test_cli import run

PAGES = 3


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The queue's list route looks for new decisions on every call (RELATO_REFIT_EVERY_S=0)."""
    return Settings(database_url=database_url, data_dir=tmp_path / "data", poll_s=0.05, lease_s=5, refit_every_s=0)


@dataclass(frozen=True)
class Fact:
    report: int  # index into the reports `seed` creates
    extractor: str
    kind: str
    confidence: float
    page: int = 1


def seed(engine: Engine, series: list[str | None], facts: list[Fact]) -> tuple[list[int], list[int]]:
    """Done reports (PAGES pages each) and their pending facts; returns (report ids, fact ids)."""
    now = utcnow()
    with Session(write_engine(engine)) as session:
        reports = [Report(sha256=f"{i:064x}", filename=f"relatorio-{i}.pdf", size_bytes=1, status="done",
                          pages=PAGES, series=s, created_at=now, updated_at=now) for i, s in enumerate(series)]
        session.add_all(reports)
        session.flush()
        report_ids = [r.id for r in reports if r.id is not None]
        session.add_all(Page(report_id=rid, number=n, width=600, height=800)
                        for rid in report_ids for n in range(1, PAGES + 1))
        rows = [Extraction(report_id=report_ids[f.report], position=i, kind=f.kind, text="10", value=10,
                           page=f.page, bbox=[10, 10, 50, 20], extractor=f.extractor, confidence=f.confidence,
                           orig_value=10) for i, f in enumerate(facts)]
        session.add_all(rows)
        session.commit()
        return report_ids, [r.id for r in rows if r.id is not None]


def decide(client: TestClient, token: str, decisions: list[tuple[int, str]]) -> None:
    """One bulk review: (fact id, action) each from version 1; a correction sets the value 99."""
    items = [{"id": i, "action": a, "version": 1, **({"value": 99} if a == "correct" else {})} for i, a in decisions]
    response = client.post("/api/v1/extractions/review", headers=auth(token), json={"items": items})
    assert response.status_code == 200, response.text


def add_missed(client: TestClient, token: str, report_id: int, kind: str, page: int) -> None:
    response = client.post("/api/v1/extractions", headers=auth(token), json={
        "report_id": report_id, "page": page, "bbox": [100, 100, 150, 112], "kind": kind, "value": 7, "text": "7"})
    assert response.status_code == 201, response.text


def mark_complete(client: TestClient, token: str, report_id: int, pages: list[int]) -> None:
    response = client.put(f"/api/v1/reports/{report_id}/complete", headers=auth(token),
                          json={"pages": pages, "complete": True})
    assert response.status_code == 200, response.text


def quality(client: TestClient, token: str) -> dict[str, Any]:
    response = client.get("/api/v1/quality", headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()


def counts(row: dict[str, Any], *fields: str) -> tuple[Any, ...]:
    return tuple(row[f] for f in fields)


P_FIELDS = ("key", "decided", "confirmed", "corrected", "rejected", "pending", "precision", "ci_low", "ci_high")
R_FIELDS = ("key", "pages", "found", "corrected", "added", "pending", "recall", "ci_low", "ci_high")


@pytest.fixture
def scripted(client: TestClient, tokens: dict[str, str], engine: Engine) -> list[int]:
    """Two reports, two extractors, decisions, three facts added by hand, three pages marked complete.

    report A (series "Boletim"): rules.count on page 1: 4 confirmed, 1 corrected, 1 rejected;
      rules.percentage on page 2: 2 confirmed, 1 rejected, 1 pending; a count added on page 1.
    report B (no series): rules.count on page 1: 3 confirmed; rules.percentage on page 1:
      1 corrected, 1 pending; a count added on page 2, a percentage added on page 3.
    Complete: A page 1; B pages 1 and 2.
    """
    count, pct = ("rules.count", "count", 0.95), ("rules.percentage", "percentage", 0.55)
    plan = ([(0, count, 1, a) for a in ("confirm",) * 4 + ("correct", "reject")]
            + [(0, pct, 2, a) for a in ("confirm", "confirm", "reject", None)]
            + [(1, count, 1, "confirm") for _ in range(3)]
            + [(1, pct, 1, a) for a in ("correct", None)])
    report_ids, ids = seed(engine, ["Boletim", None], [Fact(r, *what, page=p) for r, what, p, _ in plan])
    decide(client, tokens["reviewer"], [(i, a) for i, (_, _, _, a) in zip(ids, plan) if a])
    a, b = report_ids
    add_missed(client, tokens["reviewer"], a, "count", 1)
    add_missed(client, tokens["reviewer"], b, "count", 2)
    add_missed(client, tokens["reviewer"], b, "percentage", 3)
    mark_complete(client, tokens["reviewer"], a, [1])
    mark_complete(client, tokens["reviewer"], b, [1, 2])
    return report_ids


def test_precision_per_extractor_kind_report_and_series_equals_the_hand_count(
        client: TestClient, tokens: dict[str, str], scripted: list[int]) -> None:
    a, b = scripted
    q = quality(client, tokens["operator"])
    assert counts(q["all"], *P_FIELDS) == ("all", 13, 9, 2, 2, 2, 0.6923, 0.4237, 0.8732)
    count_row = (9, 7, 1, 1, 0, 0.7778, 0.4526, 0.9368)  # 7 of 9 right
    pct_row = (4, 2, 1, 1, 2, 0.5, 0.15, 0.85)  # 2 of 4 right
    assert [counts(r, *P_FIELDS) for r in q["by_extractor"]] == [
        ("rules.count", *count_row), ("rules.percentage", *pct_row)]
    assert [counts(r, *P_FIELDS) for r in q["by_kind"]] == [("count", *count_row), ("percentage", *pct_row)]
    report_a = (9, 6, 1, 2, 1, 0.6667, 0.3542, 0.8794)
    report_b = (4, 3, 1, 0, 1, 0.75, 0.3006, 0.9544)
    assert [counts(r, *P_FIELDS) for r in q["by_series"]] == [(None, *report_b), ("Boletim", *report_a)]
    assert [counts(r, *P_FIELDS, "report_id", "added", "series", "drift") for r in q["by_report"]] == [
        (str(a), *report_a, a, 1, "Boletim", []), (str(b), *report_b, b, 2, None, [])]


def test_misses_and_recall_on_pages_marked_complete_equal_the_hand_count(
        client: TestClient, tokens: dict[str, str], scripted: list[int]) -> None:
    a, b = scripted
    q = quality(client, tokens["reviewer"])
    assert q["misses"] == {"all": 3, "by_kind": [{"key": "count", "added": 2, "report_id": None},
                                                 {"key": "percentage", "added": 1, "report_id": None}],
                           "by_report": [{"key": str(a), "added": 1, "report_id": a},
                                         {"key": str(b), "added": 2, "report_id": b}]}
    # A page 1: 4 found, 1 corrected, 1 added (the rejected one is no fact): 4/6.
    # B pages 1-2: 3 found, 1 corrected, 1 pending (not counted), 1 added; page 3 is not complete.
    assert counts(q["recall"]["all"], *R_FIELDS) == ("all", 3, 7, 2, 2, 1, 0.6364, 0.3538, 0.8483)
    assert [counts(r, *R_FIELDS) for r in q["recall"]["by_kind"]] == [
        ("count", 3, 7, 1, 2, 0, 0.7, 0.3968, 0.8922), ("percentage", 3, 0, 1, 0, 1, 0.0, 0.0, 0.7935)]
    assert [counts(r, *R_FIELDS, "report_id") for r in q["recall"]["by_report"]] == [
        (str(a), 1, 4, 1, 1, 0, 0.6667, 0.3, 0.9032, a), (str(b), 2, 3, 1, 1, 1, 0.6, 0.2307, 0.8824, b)]


def test_reliability_bins_the_extraction_confidence_against_observed_precision(
        client: TestClient, tokens: dict[str, str], scripted: list[int]) -> None:
    rel = quality(client, tokens["admin"])["reliability"]
    filled = [counts(b, "bin_low", "bin_high", "decided", "confirmed", "mean_confidence", "precision")
              for b in rel["bins"] if b["decided"]]
    assert len(rel["bins"]) == 10 and rel["decided"] == 13
    assert filled == [(0.5, 0.6, 4, 2, 0.55, 0.5), (0.9, 1.0, 9, 7, 0.95, 0.7778)]
    assert rel["ece"] == round((9 * abs(0.95 - 7 / 9) + 4 * abs(0.55 - 0.5)) / 13, 4)


def test_quality_updates_as_decisions_arrive(client: TestClient, tokens: dict[str, str], engine: Engine) -> None:
    _, ids = seed(engine, [None], [Fact(0, "rules.date", "date", 0.9) for _ in range(3)])
    assert counts(quality(client, tokens["operator"])["all"], "decided", "pending", "precision") == (0, 3, None)
    decide(client, tokens["reviewer"], [(ids[0], "confirm"), (ids[1], "reject")])
    assert counts(quality(client, tokens["operator"])["all"], "decided", "pending", "precision") == (2, 1, 0.5)
    response = client.post(f"/api/v1/extractions/{ids[1]}/review", headers=auth(tokens["reviewer"]),
                           json={"action": "reopen", "version": 2})
    assert response.status_code == 200, response.text
    assert counts(quality(client, tokens["operator"])["all"], "decided", "pending", "precision") == (1, 2, 1.0)


def test_quality_is_for_operators_reviewers_and_admins_only(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/api/v1/quality", headers=auth(tokens["consumer"])).status_code == 403
    assert client.get("/api/v1/quality").status_code == 401
    for role in ("operator", "reviewer", "admin"):
        assert client.get("/api/v1/quality", headers=auth(tokens[role])).status_code == 200


def queue(client: TestClient, token: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/extractions", headers=auth(token),
                          params={"status": "pending", "order": "queue", "limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_an_extractor_always_rejected_goes_to_the_front_of_the_queue_once_refitted(
        client: TestClient, tokens: dict[str, str], engine: Engine) -> None:
    bad = [Fact(0, "rules.count.bad", "count", 0.97) for _ in range(MIN_DECIDED + 3)]
    others = [Fact(0, "rules.date", "date", 0.6)] * 3 + [Fact(0, "rules.percentage", "percentage", 0.8)] * 2
    _, ids = seed(engine, [None], bad + others)
    bad_ids, decided = ids[:MIN_DECIDED + 3], ids[:MIN_DECIDED]
    reviewer = tokens["reviewer"]

    def extractors() -> list[str]:
        return [f["extractor"] for f in queue(client, reviewer)]

    assert extractors() == ["rules.date"] * 3 + ["rules.percentage"] * 2 + ["rules.count.bad"] * (MIN_DECIDED + 3)
    decide(client, reviewer, [(i, "reject") for i in decided[:-1]])  # one decision short: no refit yet
    assert extractors() == ["rules.date"] * 3 + ["rules.percentage"] * 2 + ["rules.count.bad"] * 4
    assert all(f["refitted_confidence"] is None for f in queue(client, reviewer))
    decide(client, reviewer, [(decided[-1], "reject")])
    front = queue(client, reviewer)
    assert [f["extractor"] for f in front] == ["rules.count.bad"] * 3 + ["rules.date"] * 3 + ["rules.percentage"] * 2
    refitted = round(PRIOR * 0.97 / (MIN_DECIDED + PRIOR), 4)  # 0 of 50 right, two pseudo-facts at 0.97
    assert [round(f["refitted_confidence"], 4) for f in front[:3]] == [refitted] * 3
    one = client.get(f"/api/v1/extractions/{bad_ids[-1]}", headers=auth(reviewer)).json()
    assert (one["confidence"], round(one["refitted_confidence"], 4)) == (0.97, refitted)
    [fit] = quality(client, reviewer)["refits"]
    assert (fit["extractor"], fit["decided"], fit["confirmed"]) == ("rules.count.bad", MIN_DECIDED, 0)
    assert [b["refitted"] for b in fit["bins"]] == [round(PRIOR * 0.97 / (MIN_DECIDED + PRIOR), 4)] * 20


def test_the_refit_never_ranks_a_higher_extraction_confidence_lower(
        client: TestClient, tokens: dict[str, str], engine: Engine) -> None:
    # 30 facts at 0.35 all right, 30 at 0.95 half right: the raw bins would invert the order
    facts = [Fact(0, "rules.money", "money", 0.35)] * 30 + [Fact(0, "rules.money", "money", 0.95)] * 32
    _, ids = seed(engine, [None], facts)
    decide(client, tokens["reviewer"], [(i, "confirm") for i in ids[:30]]
           + [(i, "confirm" if n % 2 else "reject") for n, i in enumerate(ids[30:60])])
    [fit] = quality(client, tokens["reviewer"])["refits"]
    values = [b["refitted"] for b in fit["bins"]]
    assert values == sorted(values)
    pooled = round((30 + 15 + PRIOR * 0.35 + PRIOR * 0.95) / (60 + 2 * PRIOR), 4)
    assert values[7] == values[19] == pooled
    assert [f["refitted_confidence"] for f in queue(client, tokens["reviewer"])] == [pytest.approx(pooled, abs=1e-4)] * 2


def test_a_sudden_drop_on_a_new_report_is_flagged_with_its_report(
        client: TestClient, tokens: dict[str, str], engine: Engine) -> None:
    # per report: (decided, confirmed) of rules.count, in upload order
    script = [(25, 24), (10, 5), (10, 9), (9, 0)]
    facts = [Fact(r, "rules.count", "count", 0.9) for r, (n, _) in enumerate(script) for _ in range(n)]
    report_ids, ids = seed(engine, [None] * len(script), facts)
    decisions, at = [], 0
    for n, right in script:
        decisions += [(ids[at + k], "confirm" if k < right else "reject") for k in range(n)]
        at += n
    decide(client, tokens["reviewer"], decisions)
    q = quality(client, tokens["operator"])
    flag = {"report_id": report_ids[1], "extractor": "rules.count", "decided": 10, "confirmed": 5,
            "precision": 0.5, "running_decided": 25, "running_precision": 0.96, "drop": 0.46}
    # report 3 (0.9 against 29/35 = 0.83) is not a drop; report 4 (0 of 9) has too few decisions
    assert q["drift"] == [flag]
    assert [r["drift"] for r in q["by_report"]] == [[], [flag], [], []]


def test_relato_quality_prints_the_same_table_as_the_api(
        client: TestClient, tokens: dict[str, str], scripted: list[int], settings: Settings) -> None:
    api = quality(client, tokens["operator"])
    as_json = run(["quality", "--json"], settings)
    assert as_json.returncode == 0, as_json.stderr
    cli = json.loads(as_json.stdout)
    assert {k: v for k, v in cli.items() if k != "generated_at"} == {k: v for k, v in api.items() if k != "generated_at"}
    table = run(["quality"], settings)
    assert table.returncode == 0, table.stderr
    assert table.stdout == render(QualityPublic.model_validate(api))
    assert "rules.count" in table.stdout and "0.7778" in table.stdout and "0.6364" in table.stdout


def test_the_queue_looks_for_new_decisions_at_most_every_refit_every_s(
        database_url: str, tmp_path: Path, tokens: dict[str, str], engine: Engine) -> None:
    from service.api.app import create_app

    slow = Settings(database_url=database_url, data_dir=tmp_path / "data", refit_every_s=3600)
    _, ids = seed(engine, [None], [Fact(0, "rules.count.bad", "count", 0.97)] * (MIN_DECIDED + 1)
                  + [Fact(0, "rules.date", "date", 0.5)])
    reviewer = tokens["reviewer"]
    with TestClient(create_app(slow, start_worker=False)) as c:
        assert [f["extractor"] for f in queue(c, reviewer)] == ["rules.date"] + ["rules.count.bad"] * (MIN_DECIDED + 1)
        decide(c, reviewer, [(i, "reject") for i in ids[:MIN_DECIDED]])
        # within the hour this process looked already: the queue keeps the old fit
        assert [f["extractor"] for f in queue(c, reviewer)] == ["rules.date", "rules.count.bad"]
        quality(c, reviewer)  # the quality report always brings the fit up to date
        assert [f["extractor"] for f in queue(c, reviewer)] == ["rules.count.bad", "rules.date"]
