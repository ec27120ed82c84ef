"""Every hostile PDF through the service: upload (4xx with the reason, nothing stored) or
queued and extracted by the worker in a child process (done, or failed with `error`)."""

from __future__ import annotations


import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from service.storage.config import Settings
from service.storage.models import Blob
from tests.hostile.cases import CASES, Case
from tests.hostile.conftest import HostileFiles
from tests.service.conftest import auth
from tests.service.fakes import drain_queue
from tests.service.helpers import extractions, upload


def _stored_pdfs(settings: Settings, engine: Engine) -> list[str]:
    """PDFs kept anywhere: on disk (the `dir` store or the `db` store's cache) or in the database."""
    on_disk = [p.name for p in settings.pdf_dir.rglob("*.pdf")] if settings.pdf_dir.exists() else []
    with engine.connect() as conn:
        return on_disk + list(conn.execute(select(Blob.sha256)).scalars())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_upload_refuses_clearly_or_extracts(
    case: Case, hostile: HostileFiles, client: TestClient, tokens: dict[str, str], engine: Engine,
    settings: Settings,
) -> None:
    response = upload(client, tokens["operator"], hostile(case.name))
    assert response.status_code == case.upload, response.text
    listed = client.get("/api/v1/reports", headers=auth(tokens["operator"])).json()["items"]
    if case.upload != 202:
        assert (case.upload_reason or case.reason) in response.json()["detail"]
        assert listed == [] and _stored_pdfs(settings, engine) == []
        return
    if case.timeout_s is not None:
        settings = settings.model_copy(update={"extract_timeout_s": case.timeout_s})
    assert drain_queue(engine, settings) == 1
    report = client.get(f"/api/v1/reports/{response.json()['id']}", headers=auth(tokens["operator"])).json()
    assert report["status"] == case.final, report
    if case.final == "failed":
        assert case.reason in report["error"]
        return
    tree = client.get(f"/api/v1/reports/{report['id']}/initiatives", headers=auth(tokens["reviewer"]))
    assert tree.status_code == 200
    assert case.title in tree.text
    if case.absent is not None:
        texts = [e["text"] for e in extractions(client, tokens["reviewer"], report_id=report["id"])]
        assert not any(case.absent in t for t in texts) and case.absent not in tree.text
