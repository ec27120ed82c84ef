"""Editions over time with the three sample deck editions (real extractor): initiative
links, series, diffs and review-assist flags as the corpus texts construct them,
whatever order the PDFs arrive in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.jobs.ingest import ingest_paths
from service.storage.config import Settings
from tests.service.conftest import auth
from tests.service.editions_support import (
    ASSISTENTE,
    CENSO,
    DECKS,
    EDITIONS,
    PIX_NEW,
    PIX_OLD,
    RURAL,
    by_title,
    confirm_all,
    get,
    gold,
    gold_facts,
    norm_value,
    real_extract_cached,  # noqa: F401  (fixture)
    same_title,
    upload_all,
)
from tests.service.fakes import drain_queue

pytestmark = pytest.mark.usefixtures("real_extract_cached")
ORDERS = [list(reversed(EDITIONS)), ["2025-08", "2025-10", "2025-06"]]


def ingest(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str], order: list[str]
) -> dict[str, int]:
    ids = {}
    for edition in order:  # one at a time: each arrival relinks the series
        ids |= upload_all(client, tokens["operator"], [edition])
        drain_queue(engine, settings)
    return ids


@pytest.mark.parametrize("order", ORDERS, ids=["reversed", "shuffled"])
def test_initiatives_are_linked_across_editions(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str], order: list[str]
) -> None:
    ingest(client, engine, settings, tokens, order)
    items = get(client, tokens["reviewer"], "/api/v1/initiatives")["items"]
    titles = {e: [i["title"] for i in gold(e)["initiatives"]] for e in EDITIONS}
    assert len(items) == len({same_title(t) for e in EDITIONS for t in titles[e]}) == 14
    index = by_title(items)
    for title in titles["2025-06"]:
        expected = ["2025-06", "2025-08"] if title == CENSO else list(EDITIONS)
        assert index[title]["editions"] == expected, title
    pix = index[PIX_OLD]
    assert pix is index[PIX_NEW] and [t["title"] for t in pix["titles"]] == [PIX_OLD, PIX_OLD, PIX_NEW]
    assert index[ASSISTENTE]["editions"] == ["2025-10"] and index[ASSISTENTE]["area"] is None
    assert len({i["series"] for i in items}) == 1


def test_series_groups_counts_by_unit_over_editions(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str]
) -> None:
    ids = ingest(client, engine, settings, tokens, ["2025-10", "2025-06", "2025-08"])
    reviewer, consumer = tokens["reviewer"], tokens["consumer"]
    for edition in ("2025-06", "2025-10"):
        confirm_all(client, reviewer, ids[edition])
    key = by_title(get(client, consumer, "/api/v1/initiatives")["items"])[RURAL]["key"]
    series = get(client, reviewer, f"/api/v1/initiatives/{key}/series")
    assert [e["status_date"] for e in series["editions"]] == list(EDITIONS)
    assert series["editions"][1]["facts"] == []  # 2025-08 is not reviewed: nothing confirmed yet
    series = get(client, consumer, f"/api/v1/initiatives/{key}/series")  # issue 12: not even its title
    assert [e["status_date"] for e in series["editions"]] == ["2025-06", "2025-10"]
    localidades = [s for s in series["counts"] if s["unit"].startswith("localidades")]
    assert [(p["status_date"], p["value"]) for p in localidades[0]["points"]] == [("2025-06", 305), ("2025-10", 312)]
    confirm_all(client, reviewer, ids["2025-08"])
    series = get(client, consumer, f"/api/v1/initiatives/{key}/series")
    points = next(s for s in series["counts"] if s["unit"].startswith("localidades"))["points"]
    assert [p["value"] for p in points] == [305, 327, 312]  # "falls back 305 -> 327 -> 312"
    uai = by_title(get(client, consumer, "/api/v1/initiatives")["items"])[
        "EXPANDIR O ATENDIMENTO DIGITAL NAS UNIDADES DE ATENDIMENTO INTEGRADO"]["key"]
    counts = get(client, consumer, f"/api/v1/initiatives/{uai}/series")["counts"]
    atendimentos = next(s for s in counts if s["unit"].startswith("atendimentos"))["points"]
    per_edition = {e: [p["value"] for p in atendimentos if p["status_date"] == e] for e in EDITIONS}
    assert per_edition == {"2025-06": [41205, 44870], "2025-08": [41205, 44870, 47312],
                           "2025-10": [41205, 44870, 47312, 52968, 49551]}
    assert client.get(f"/api/v1/initiatives/{key}/series", params={"facts": "all"},
                      headers=auth(consumer)).status_code == 403
    assert client.get("/api/v1/initiatives/no-such-key/series", headers=auth(consumer)).status_code == 404


def _changes(initiative: dict[str, Any]) -> set[tuple[str, float, float]]:
    return {(c["after"]["kind"], c["before"]["value"], c["after"]["value"]) for c in initiative["facts_changed"]}


def test_diff_against_previous_and_named_edition(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str]
) -> None:
    ids = ingest(client, engine, settings, tokens, ["2025-08", "2025-10", "2025-06"])
    reviewer = tokens["reviewer"]
    diff = get(client, reviewer, f"/api/v1/reports/{ids['2025-10']}/diff", against="previous")
    assert diff["against_report_id"] == ids["2025-08"] and diff["against_status_date"] == "2025-08"
    assert [i["title"] for i in diff["added"]] == [ASSISTENTE]
    assert [i["title"] for i in diff["dropped"]] == [CENSO]
    per = {i["previous_title"]: i for i in diff["initiatives"]}
    assert per[PIX_OLD]["renamed"] and per[PIX_OLD]["title"] == PIX_NEW
    assert [i for i in diff["initiatives"] if i["renamed"]] == [per[PIX_OLD]]
    rural = per[RURAL]
    assert ("count", 327, 312) in _changes(rural)
    change = next(c for c in rural["facts_changed"] if c["after"]["value"] == 312)
    assert change["before"]["report_id"] == ids["2025-08"] and change["after"]["report_id"] == ids["2025-10"]
    assert change["before"]["page"] == change["after"]["page"] and len(change["after"]["bbox"]) == 4
    assert "327" in change["before"]["text"] and "312" in change["after"]["text"]
    assert {f["name"] for f in rural["facts_added"] if f["kind"] == "municipality"} == {"Araçuaí", "Salinas"}
    assert ("percentage", 36, 40) in _changes(per[PIX_OLD]) and ("count", 1300000, 1800000) in _changes(per[PIX_OLD])
    assert ("count", 9, 14) in _changes(per["DIGITALIZAR A GESTÃO DE PESSOAS DO SERVIDOR ESTADUAL"])
    uai = per["EXPANDIR O ATENDIMENTO DIGITAL NAS UNIDADES DE ATENDIMENTO INTEGRADO"]
    assert {f["value"] for f in uai["facts_added"] if f["kind"] == "count"} == {52968, 49551}
    assert ("count", 164, 186) in _changes(uai) and not uai["facts_removed"]

    older = get(client, reviewer, f"/api/v1/reports/{ids['2025-08']}/diff", against=str(ids["2025-06"]))
    assert not older["added"] and not older["dropped"]
    captar = next(i for i in older["initiatives"] if i["title"].startswith("CAPTAR"))
    assert _changes(captar) == {("count", 3, 4), ("money", 27100000, 38600000)}
    first = client.get(f"/api/v1/reports/{ids['2025-06']}/diff", headers=auth(reviewer))
    assert first.status_code == 404 and "first edition" in first.json()["detail"]
    assert client.get(f"/api/v1/reports/{ids['2025-10']}/diff", headers=auth(tokens["consumer"])).status_code == 403


def _flagged(client: TestClient, token: str, report_id: int) -> list[dict[str, Any]]:
    return get(client, token, "/api/v1/extractions", report_id=report_id, limit=1000)["items"]


def _expected_unchanged(edition: str, earlier: list[str]) -> set[tuple[str, str, Any]]:
    """Facts the texts write identically in `edition` and in every one of `earlier`."""
    now = gold_facts(edition)
    keep = {(t, k, v) for t, facts in now.items() for k, v in facts}
    for other in earlier:
        before = gold_facts(other)
        keep = {(t, k, v) for t, k, v in keep if (k, v) in before.get(t, set())}
    return keep


def _check_flags(items: list[dict[str, Any]], edition: str, runs: dict[str, str]) -> None:
    """Facts the texts write as in earlier editions are flagged with the oldest edition of
    the confirmed run; facts the texts change are not flagged."""
    marked = gold_facts(edition)
    expected = {since: _expected_unchanged(edition, earlier) for since, earlier in runs.items()}
    checked = 0
    for item in items:
        title = same_title(item["initiative"]["title"] or "")
        fact = (item["kind"], norm_value(item["value"]))
        if fact not in marked.get(title, set()):
            continue  # not a fact the text marks (the extractor's extra): no expectation
        since = next((s for s, facts in expected.items() if (title, *fact) in facts), None)
        assert (item["assist"] or {}).get("unchanged_since") == since, (title, fact, item["assist"])
        checked += since is not None
    assert checked > 20


def test_review_assist_unchanged_and_moved_backwards(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str]
) -> None:
    ids = ingest(client, engine, settings, tokens, ["2025-10", "2025-08", "2025-06"])
    reviewer = tokens["reviewer"]
    assert all(i["assist"] is None or not i["assist"]["unchanged_since"]
               for i in _flagged(client, reviewer, ids["2025-10"]))  # nothing confirmed yet
    confirm_all(client, reviewer, ids["2025-08"])
    _check_flags(_flagged(client, reviewer, ids["2025-10"]), "2025-10", {"2025-08": ["2025-08"]})
    confirm_all(client, reviewer, ids["2025-06"])
    _check_flags(_flagged(client, reviewer, ids["2025-10"]), "2025-10",
                 {"2025-06": ["2025-08", "2025-06"], "2025-08": ["2025-08"]})

    backwards = [i for i in _flagged(client, reviewer, ids["2025-10"]) if (i["assist"] or {}).get("moved_backwards")]
    assert [(i["initiative"]["title"], i["value"], i["assist"]["previous_value"]) for i in backwards] == [(RURAL, 312, 327)]
    # 8 -> 7 hours of "Tempo médio de contenção" fell too, but hours are not a running total
    assert not [i for i in _flagged(client, reviewer, ids["2025-08"]) if (i["assist"] or {}).get("moved_backwards")]
    listed = get(client, reviewer, f"/api/v1/reports/{ids['2025-10']}/assist", flag="moved_backwards")["items"]
    assert [i["id"] for i in listed] == [i["id"] for i in backwards]

    flagged = get(client, reviewer, f"/api/v1/reports/{ids['2025-10']}/assist", flag="unchanged", status="pending")
    response = client.post(f"/api/v1/reports/{ids['2025-10']}/confirm-unchanged", headers=auth(reviewer), json={})
    assert response.status_code == 200, response.text
    confirmed = response.json()["items"]
    assert {i["id"] for i in confirmed} == {i["id"] for i in flagged["items"]} and len(confirmed) > 20
    assert all(i["status"] == "confirmed" for i in confirmed)
    history = get(client, reviewer, f"/api/v1/extractions/{confirmed[0]['id']}/history")["items"]
    assert history[-1]["note"] == f"sem mudança desde {flagged['items'][0]['assist']['unchanged_since']}"
    assert get(client, reviewer, f"/api/v1/reports/{ids['2025-10']}/assist", flag="unchanged",
               status="pending")["items"] == []
    again = client.post(f"/api/v1/reports/{ids['2025-10']}/confirm-unchanged", headers=auth(reviewer),
                        json={"ids": [backwards[0]["id"]]})
    assert again.status_code == 422  # a changed fact is not confirmed as unchanged


def test_ingest_orders_editions_by_status_date(
    engine: Engine, settings: Settings, tokens: dict[str, str], client: TestClient,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    files = []
    for name, edition in (("a-outubro.pdf", "2025-10"), ("b-agosto.pdf", "2025-08"), ("c-junho.pdf", "2025-06")):
        files.append(tmp_path / name)
        files[-1].write_bytes(DECKS[edition].read_bytes())
    assert ingest_paths(engine, settings, [tmp_path], extract=True) == 0
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if ln.startswith("series "))
    assert line.index("2025-06 (") < line.index("2025-08 (") < line.index("2025-10 (")
    assert "c-junho.pdf" in line.split("2025-08")[0]
    pix = by_title(get(client, tokens["reviewer"], "/api/v1/initiatives")["items"])[PIX_NEW]
    assert pix["editions"] == list(EDITIONS)
