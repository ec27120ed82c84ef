"""Issue 13, item 10: two PDFs with the same title and status date are one edition sent
twice, not two editions: the later upload is a re-issue of the first, out of the
series' time axis (no double chart points, no "unchanged since" its own date), its
facts still linked to their initiatives, its diff taken against the edition it repeats."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.storage.config import Settings
from tests.service.conftest import auth
from tests.service.editions_support import (
    DECKS,
    confirm_all,
    get,
    real_extract_cached,  # noqa: F401  (fixture)
    upload_all,
)
from tests.service.fakes import drain_queue
from tests.service.helpers import upload

pytestmark = pytest.mark.usefixtures("real_extract_cached")


def _copy_of_october(tmp_path: Path) -> Path:
    """The October deck with a comment appended: other bytes (a new upload), same content."""
    copy = tmp_path / "status-deck-2025-10-reenviado.pdf"
    copy.write_bytes(DECKS["2025-10"].read_bytes() + b"\n% reenviado\n")
    return copy


def test_same_title_and_status_date_is_a_reissue_not_an_edition(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str], tmp_path: Path
) -> None:
    reviewer = tokens["reviewer"]
    ids = upload_all(client, tokens["operator"], ["2025-08", "2025-10"])
    drain_queue(engine, settings)
    response = upload(client, tokens["operator"], _copy_of_october(tmp_path))
    assert response.status_code == 202, response.text
    copy = response.json()["id"]
    drain_queue(engine, settings)

    assert get(client, reviewer, f"/api/v1/reports/{copy}")["reissue_of"] == ids["2025-10"]
    assert get(client, reviewer, f"/api/v1/reports/{ids['2025-10']}")["reissue_of"] is None
    listed = {r["id"]: r["reissue_of"] for r in get(client, reviewer, "/api/v1/reports")["items"]}
    assert listed == {ids["2025-08"]: None, ids["2025-10"]: None, copy: ids["2025-10"]}

    facts = get(client, reviewer, "/api/v1/extractions", report_id=copy, limit=1000)["items"]
    originals = get(client, reviewer, "/api/v1/extractions", report_id=ids["2025-10"], limit=1000)["items"]
    keys = {f["initiative"]["key"] for f in facts if f["initiative"]["title"]}
    assert None not in keys and keys == {f["initiative"]["key"] for f in originals if f["initiative"]["title"]}
    for key in keys:  # one point per status date: the copy is not on the time axis
        series = get(client, reviewer, f"/api/v1/initiatives/{key}/series", facts="all")
        dates = [e["status_date"] for e in series["editions"]]
        assert len(dates) == len(set(dates)) and copy not in {e["report_id"] for e in series["editions"]}
        assert copy not in {p["report_id"] for c in series["counts"] for p in c["points"]}

    confirm_all(client, reviewer, ids["2025-10"])  # "unchanged since 2025-10" would be its own date
    flagged = get(client, reviewer, "/api/v1/extractions", report_id=copy, limit=1000)["items"]
    assert all(f["assist"]["unchanged_since"] is None and not f["assist"]["moved_backwards"] for f in flagged)
    assert all(f["assist"]["previous_decision"]["status"] == "confirmed" for f in flagged)  # its decisions, offered

    diff = get(client, reviewer, f"/api/v1/reports/{copy}/diff")
    assert diff["against_report_id"] == ids["2025-10"] and diff["added"] == diff["dropped"] == []
    assert all(not (i["facts_added"] or i["facts_removed"] or i["facts_changed"]) for i in diff["initiatives"])
    after = get(client, reviewer, f"/api/v1/reports/{ids['2025-10']}/diff")
    assert after["against_report_id"] == ids["2025-08"]

    one = next(f for f in facts if f["initiative"]["key"])
    tree = get(client, reviewer, f"/api/v1/reports/{copy}/initiatives")
    initiative = next(i["id"] for i in tree["initiatives"] if one["id"] in i["extraction_ids"])
    split = client.post(f"/api/v1/initiatives/{one['initiative']['key']}/split", headers=auth(reviewer),
                        json={"initiative_id": initiative})
    assert split.status_code == 409 and "re-issue" in split.json()["detail"]

    moved = client.put(f"/api/v1/reports/{copy}/series", headers=auth(reviewer), json={"series": "avulso"})
    assert moved.status_code == 200 and moved.json()["reissue_of"] is None
    mine = get(client, reviewer, "/api/v1/extractions", report_id=copy, limit=1000)["items"]
    shared = {f["initiative"]["key"] for f in mine if f["initiative"]["title"]} & keys
    assert not shared, shared
    kept = get(client, reviewer, "/api/v1/extractions", report_id=ids["2025-10"], limit=1000)["items"]
    assert {f["initiative"]["key"] for f in kept if f["initiative"]["title"]} == keys  # the edition's keys stay
