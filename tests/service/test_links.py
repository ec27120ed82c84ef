"""Reviewers fix wrong initiative links through the API (merge, split), and a later
edition follows their choice instead of the automatic match."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.storage.config import Settings
from tests.conftest import ROOT
from tests.service.conftest import auth
from tests.service.editions_support import (  # noqa: F401  (real_extract_cached is a fixture)
    EDITIONS,
    PIX_NEW,
    PIX_OLD,
    by_title,
    get,
    real_extract_cached,
    upload_all,
)
from tests.service.fakes import drain_queue

pytestmark = pytest.mark.usefixtures("real_extract_cached")


def arrive(client: TestClient, engine: Engine, settings: Settings, token: str, *editions: str) -> dict[str, int]:
    ids = upload_all(client, token, list(editions))
    drain_queue(engine, settings)
    return ids


def strict_rules(tmp_path: Path) -> Path:
    """Linking that only accepts identical titles, stopwords included: the PIX rename is missed."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "linking.yaml").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith(("min_title_similarity:", "title_stopwords:"))]
    (rules / "linking.yaml").write_text("\n".join([*lines, "min_title_similarity: 100", "title_stopwords: []", ""]),
                                        encoding="utf-8")
    return rules


def test_merge_is_kept_when_another_edition_arrives(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setenv("RELATO_RULES_DIR", str(strict_rules(tmp_path)))
    operator, reviewer = tokens["operator"], tokens["reviewer"]
    arrive(client, engine, settings, operator, "2025-06", "2025-10")
    index = by_title(get(client, reviewer, "/api/v1/initiatives")["items"])
    old, new = index[PIX_OLD]["key"], index[PIX_NEW]["key"]
    assert old != new  # the strict rules miss the rename

    assert client.post(f"/api/v1/initiatives/{old}/merge", json={"other_key": new},
                       headers=auth(tokens["consumer"])).status_code == 403
    assert client.post(f"/api/v1/initiatives/{old}/merge", json={"other_key": "nope"},
                       headers=auth(reviewer)).status_code == 404
    captar = index["CAPTAR RECURSOS PARA PROJETOS DE TRANSFORMAÇÃO DIGITAL"]["key"]
    clash = client.post(f"/api/v1/initiatives/{old}/merge", json={"other_key": captar}, headers=auth(reviewer))
    assert clash.status_code == 409 and "both appear" in clash.json()["detail"]
    offered = {i["key"] for i in get(client, reviewer, f"/api/v1/initiatives/{old}/merge-candidates")["items"]}
    assert new in offered and captar not in offered and old not in offered
    index_dates = {i["key"]: set(i["editions"]) for i in get(client, reviewer, "/api/v1/initiatives")["items"]}
    assert all(not index_dates[k] & index_dates[old] for k in offered)  # none shares an edition with it
    merged = client.post(f"/api/v1/initiatives/{old}/merge", json={"other_key": new, "note": "renamed"},
                         headers=auth(reviewer))
    assert merged.status_code == 200, merged.text
    assert merged.json()["editions"] == ["2025-06", "2025-10"] and merged.json()["pinned"]
    assert merged.json()["title"] == PIX_OLD  # the surviving key keeps its own title, not the merged one's
    assert get(client, reviewer, f"/api/v1/initiatives/{old}/series", facts="all")["title"] == PIX_OLD

    arrive(client, engine, settings, operator, "2025-08")
    items = get(client, reviewer, "/api/v1/initiatives")["items"]
    pix = next(i for i in items if i["key"] == old)
    assert pix["title"] == PIX_OLD
    assert pix["key"] == old and pix["editions"] == list(EDITIONS)
    assert [t["title"] for t in pix["titles"]] == [PIX_OLD, PIX_OLD, PIX_NEW]
    assert new not in {i["key"] for i in items} and len(items) == 14


def test_split_is_kept_when_another_edition_arrives(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str]
) -> None:
    operator, reviewer = tokens["operator"], tokens["reviewer"]
    ids = arrive(client, engine, settings, operator, "2025-08", "2025-06")
    pix = by_title(get(client, reviewer, "/api/v1/initiatives")["items"])[PIX_OLD]
    assert pix["editions"] == ["2025-06", "2025-08"]
    august = next(t["initiative_id"] for t in pix["titles"] if t["report_id"] == ids["2025-08"])
    split = client.post(f"/api/v1/initiatives/{pix['key']}/split", json={"initiative_id": august},
                        headers=auth(reviewer))
    assert split.status_code == 200, split.text
    new_key = split.json()["key"]
    assert new_key != pix["key"] and split.json()["editions"] == ["2025-08"]
    lonely = client.post(f"/api/v1/initiatives/{new_key}/split", json={"initiative_id": august},
                         headers=auth(reviewer))
    assert lonely.status_code == 409

    arrive(client, engine, settings, operator, "2025-10")
    items = {i["key"]: i for i in get(client, reviewer, "/api/v1/initiatives")["items"]}
    assert items[pix["key"]]["editions"] == ["2025-06"]
    assert items[new_key]["editions"] == ["2025-08", "2025-10"] and items[new_key]["title"] == PIX_NEW
    diff = get(client, reviewer, f"/api/v1/reports/{ids['2025-08']}/diff", against="previous")
    assert [i["title"] for i in diff["added"]] == [PIX_OLD] and [i["title"] for i in diff["dropped"]] == [PIX_OLD]


def test_an_explicit_series_separates_editions(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str]
) -> None:
    ids = arrive(client, engine, settings, tokens["operator"], "2025-06", "2025-08")
    reviewer = tokens["reviewer"]
    moved = client.put(f"/api/v1/reports/{ids['2025-08']}/series", json={"series": "painel-agosto"},
                       headers=auth(reviewer))
    assert moved.status_code == 200 and moved.json()["id"] == ids["2025-08"]
    alone = get(client, reviewer, "/api/v1/initiatives", series="painel-agosto")["items"]
    assert len(alone) == 13 and all(i["editions"] == ["2025-08"] for i in alone)
    rest = [i for i in get(client, reviewer, "/api/v1/initiatives")["items"] if i["series"] != "painel-agosto"]
    assert len(rest) == 13 and all(i["editions"] == ["2025-06"] for i in rest)
    assert not {i["key"] for i in alone} & {i["key"] for i in rest}
    assert client.get(f"/api/v1/reports/{ids['2025-08']}/diff", headers=auth(reviewer)).status_code == 404
