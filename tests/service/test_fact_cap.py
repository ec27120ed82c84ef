"""A report stores at most RELATO_MAX_FACTS_PER_PAGE facts per page and _PER_REPORT in all;
past a cap it is still done, with a warning that counts what was dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from service.jobs import extracting
from service.storage.config import Settings
from service.storage.models import Extraction, Report
from tests.pdfmaker import simple_deck
from tests.service.fakes import drain_queue, fake_result
from tests.service.helpers import upload


def _flood(copies: int) -> Any:
    """The fake extraction with its first initiative's facts repeated `copies` times (page 2),
    as a PDF of one number repeated thousands of times gives."""
    def extract(path: Path, *, filename: str | None = None) -> Any:
        result = fake_result(path, filename)
        first = result.initiatives[0]
        flooded = first.model_copy(update={"extractions": list(first.extractions) * copies})
        return result.model_copy(update={"initiatives": [flooded, *result.initiatives[1:]]})
    return extract


@pytest.mark.parametrize(("copies", "per_page", "per_report", "stored", "warning"), [
    (1, 300, 5000, 7, None),  # 4 + 2 facts on page 2, the cover date on page 2 too: under both caps
    (50, 300, 5000, 203, None),
    (100, 300, 5000, 300, "103 facts were dropped, 103 past 300 on one page"),
    (100, 1000, 250, 250, "153 facts were dropped, 153 past 250 in the report"),
    (2500, 300, 5000, 300, "9703 facts were dropped"),
])
def test_facts_past_the_caps_are_dropped_and_counted(client: TestClient, tokens: dict[str, str], engine: Engine,
                                                    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    copies: int, per_page: int, per_report: int, stored: int,
                                                    warning: str | None) -> None:
    monkeypatch.setattr(extracting, "extract", _flood(copies))
    capped = settings.model_copy(update={"max_facts_per_page": per_page, "max_facts_per_report": per_report})
    assert upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).status_code == 202
    drain_queue(engine, capped)
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
        count = session.exec(select(func.count()).select_from(Extraction)).one()
    assert report.status == "done" and count == stored
    dropped = [w for w in report.warnings or [] if "dropped" in w]
    if warning is None:
        assert dropped == []
    else:
        assert len(dropped) == 1 and dropped[0].startswith(warning) and dropped[0].endswith(f"{stored} kept")
