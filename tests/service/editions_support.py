"""Shared by the editions tests: the three deck editions of the sample corpus, extracted
once per session by the real extractor, and what the corpus texts say about them.

Expectations come from corpus/<doc>.gold.json, which corpus/make.py builds from the
marked texts in corpus/texts/ (the facts as written), never from extractor output.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from extractor.model import ExtractResult
from service.jobs import extracting
from tests.conftest import PROJECT_CORPUS
from tests.service.conftest import auth
from tests.service.helpers import upload

EDITIONS = ("2025-06", "2025-08", "2025-10")
DECKS = {d: PROJECT_CORPUS / f"status-deck-{d}.pdf" for d in EDITIONS}
# Written in corpus/texts/status-deck-2025-10.txt: the PIX slide was renamed ("NOS" -> "EM"),
# the CENSO slide dropped, the ASSISTENTE VIRTUAL slide is new.
PIX_OLD, PIX_NEW = "AMPLIAR O PIX NOS SERVIÇOS ESTADUAIS", "AMPLIAR O PIX EM SERVIÇOS ESTADUAIS"
CENSO = "REALIZAR O CENSO DE MATURIDADE DIGITAL DOS MUNICÍPIOS"
ASSISTENTE = "IMPLANTAR ASSISTENTE VIRTUAL COM INTELIGÊNCIA ARTIFICIAL NO ATENDIMENTO"
RURAL = "LEVAR INTERNET MÓVEL A LOCALIDADES RURAIS"
_CACHE: dict[str, ExtractResult] = {}


def gold(edition: str) -> dict[str, Any]:
    return json.loads((PROJECT_CORPUS / f"status-deck-{edition}.gold.json").read_text(encoding="utf-8"))


def same_title(title: str) -> str:
    """The title an initiative has in the other editions (the one rename the texts make)."""
    return PIX_OLD if title == PIX_NEW else title


def norm_value(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) else json.dumps(value, sort_keys=True)


def gold_facts(edition: str) -> dict[str, set[tuple[str, Any]]]:
    """(kind, value) of every fact the text marks, per initiative (renames folded)."""
    return {same_title(i["title"]): {(f["kind"], norm_value(f["value"])) for f in i["facts"]}
            for i in gold(edition)["initiatives"]}


@pytest.fixture
def real_extract_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real extractor, each PDF extracted once per test session (they are read-only)."""
    real = extracting.extract

    def extract(path: Path, *, filename: str | None = None) -> ExtractResult:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if digest not in _CACHE:
            _CACHE[digest] = real(path, filename=filename)
        return _CACHE[digest].model_copy(deep=True)

    monkeypatch.setattr(extracting, "extract", extract)


def upload_all(client: TestClient, token: str, editions: list[str]) -> dict[str, int]:
    ids = {}
    for edition in editions:
        response = upload(client, token, DECKS[edition])
        assert response.status_code == 202, response.text
        ids[edition] = response.json()["id"]
    return ids


def get(client: TestClient, token: str, url: str, **params: Any) -> Any:
    response = client.get(url, headers=auth(token), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def by_title(initiatives: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Initiative summaries by each title they ever had."""
    return {t["title"]: item for item in initiatives for t in item["titles"]}


def confirm_all(client: TestClient, token: str, report_id: int) -> None:
    items = get(client, token, "/api/v1/extractions", report_id=report_id, status="pending", limit=1000)["items"]
    body = {"items": [{"id": i["id"], "action": "confirm", "version": i["version"]} for i in items]}
    response = client.post("/api/v1/extractions/review", headers=auth(token), json=body)
    assert response.status_code == 200, response.text
