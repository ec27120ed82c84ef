"""`relato reextract` after a rules change: reviewer decisions on facts found again are
kept, facts no longer found are orphaned (not deleted), and the feed reports both."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from service.storage.config import Settings
from service.storage.models import Report
from service.storage.timeutil import as_utc
from tests.conftest import ROOT
from tests.service.conftest import auth
from tests.service.editions_support import gold, real_extract_cached, upload_all  # noqa: F401
from tests.service.fakes import drain_queue
from tests.service.helpers import extractions, records, review

pytestmark = pytest.mark.usefixtures("real_extract_cached")
DROPPED_WORDS = ("três", "quatro")  # removed from rules/numbers.yaml `words`


def altered_rules(tmp_path: Path) -> Path:
    """rules/ without the number words três/quatro and without the multiplier "mil"."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    numbers = rules / "numbers.yaml"
    text = numbers.read_text(encoding="utf-8")
    for line in ("  três: 3\n", "  tres: 3\n", "  quatro: 4\n", "  mil: 1000\n"):
        assert line in text
        text = text.replace(line, "", 1)
    numbers.write_text(text, encoding="utf-8")
    return rules


def run_reextract(database_url: str, settings: Settings, *args: str, rules: Path | None = None) -> str:
    env = {**os.environ, "RELATO_DATABASE_URL": database_url, "RELATO_DATA_DIR": str(settings.data_dir)}
    env.pop("RELATO_RULES_DIR", None)
    if rules is not None:
        env["RELATO_RULES_DIR"] = str(rules)
    done = subprocess.run([str(Path(sys.executable).parent / "relato"), "reextract", *args],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _by_text(items: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return next(i for i in items if i["text"] == text)


def test_reextract_keeps_decisions_and_lists_orphans(
    client: TestClient, engine: Engine, settings: Settings, tokens: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    report_id = upload_all(client, tokens["operator"], ["2025-10"])["2025-10"]
    drain_queue(engine, settings)
    reviewer, consumer = tokens["reviewer"], tokens["consumer"]
    marked = [f for i in gold("2025-10")["initiatives"] for f in i["facts"]]
    word_counts = [f["text"] for f in marked if f["kind"] == "count"
                   and set(re.findall(r"\w+", f["text"].lower())) & set(DROPPED_WORDS)]
    thousands = [f for f in marked if f["kind"] == "count" and re.search(r"\bmil\b", f["text"])]
    assert word_counts == ["quatro propostas"] and len(thousands) >= 4
    facts = extractions(client, reviewer, report_id=report_id)
    orphan, meta = _by_text(facts, "quatro propostas"), _by_text(facts, "Meta de 500 mil contribuintes")
    kept, corrected = _by_text(facts, "R$ 412,5 milhões"), _by_text(facts, "mais de 12 mil cidadãos")
    rejected = _by_text(facts, "Mais de 180 mil servidores")
    for item in (orphan, meta, kept):
        assert review(client, reviewer, item["id"], "confirm", 1).status_code == 200
    assert review(client, reviewer, corrected["id"], "correct", 1, value=12500).status_code == 200
    assert review(client, reviewer, rejected["id"], "reject", 1).status_code == 200
    _, cursor = records(client, consumer)
    stamped = _updated_at(engine, report_id)

    out = run_reextract(database_url, settings, str(report_id), rules=altered_rules(tmp_path))
    assert _updated_at(engine, report_id) > stamped  # the review assist's chains of it are stale (assist_cache.py)
    assert f"report {report_id}:" in out and "1 orphaned" in out and "0 new" in out
    orphans = client.get("/api/v1/orphans", params={"report_id": report_id}, headers=auth(reviewer)).json()["items"]
    assert [(o["id"], o["status"], o["orphaned"]) for o in orphans] == [(orphan["id"], "confirmed", True)]
    fed, cursor = records(client, consumer, since=cursor)
    assert {(r["extraction_id"], r["state"], r["value"]) for r in fed} == {
        (orphan["id"], "withdrawn", 4), (meta["id"], "confirmed", 500)}
    after = {i["id"]: i for i in extractions(client, reviewer, report_id=report_id)}
    assert len(after) == len(facts)
    assert (after[corrected["id"]]["status"], after[corrected["id"]]["value"]) == ("corrected", 12500)
    assert (after[rejected["id"]]["status"], after[kept["id"]]["status"]) == ("rejected", "confirmed")
    reviewed = (meta["id"], corrected["id"], rejected["id"])
    pending_thousands = [after[i["id"]] for i in facts if i["status"] == "pending"
                         and re.search(r"\bmil\b", i["text"]) and i["id"] not in reviewed]
    assert pending_thousands and all(p["value"] < 1000 for p in pending_thousands)
    history = client.get(f"/api/v1/extractions/{meta['id']}/history", headers=auth(reviewer)).json()["items"]
    assert (history[-1]["action"], history[-1]["before"]["value"], history[-1]["after"]["value"]) == (
        "reextract", 500000, 500)

    out = run_reextract(database_url, settings, "--all")  # the rules as shipped: found again
    assert "1 no longer orphaned" in out
    assert client.get("/api/v1/orphans", headers=auth(reviewer)).json()["items"] == []
    fed, _ = records(client, consumer, since=cursor)
    assert {(r["extraction_id"], r["state"], r["value"]) for r in fed} == {
        (orphan["id"], "confirmed", 4), (meta["id"], "confirmed", 500000)}


def _updated_at(engine: Engine, report_id: int) -> datetime:
    with Session(engine) as session:
        report = session.get(Report, report_id)
        assert report is not None
        return as_utc(report.updated_at)  # type: ignore[return-value]


def test_reextract_needs_ids_or_all(database_url: str, settings: Settings, engine: Engine) -> None:
    env = {**os.environ, "RELATO_DATABASE_URL": database_url, "RELATO_DATA_DIR": str(settings.data_dir)}
    relato = str(Path(sys.executable).parent / "relato")
    both = subprocess.run([relato, "reextract", "1", "--all"], env=env, capture_output=True, text=True, check=False)
    missing = subprocess.run([relato, "reextract", "999"], env=env, capture_output=True, text=True, check=False)
    assert both.returncode == 2 and missing.returncode == 1 and "report 999" in missing.stderr
