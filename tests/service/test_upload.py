"""Uploads: accepted, de-duplicated by content, and every kind of bad file refused with a
reason, nothing half-stored, the server still answering."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reportlab.lib.pdfencrypt import StandardEncryption
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from service.storage.config import Settings
from service.storage.models import Report
from tests.pdfmaker import image_only_pdf, simple_deck, slide_pdf
from tests.service.conftest import auth
from tests.service.fakes import drain_queue
from tests.service.helpers import upload


def stored_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.data_dir.rglob("*") if p.is_file() and "cache" not in p.parts)


def report_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Report)).one()


def test_upload_is_queued_and_stored_by_sha256(client: TestClient, tokens: dict[str, str], settings: Settings,
                                                tmp_path: Path) -> None:
    pdf = simple_deck(tmp_path / "status.pdf")
    response = upload(client, tokens["operator"], pdf, name="../../etc/passwd.pdf")
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued" and body["filename"] == "passwd.pdf"
    assert [p.name for p in stored_files(settings)] == [f"{body['sha256']}.pdf"]


def test_same_bytes_again_return_the_existing_report(client: TestClient, tokens: dict[str, str], engine: Engine,
                                                     settings: Settings, tmp_path: Path) -> None:
    pdf = simple_deck(tmp_path / "a.pdf")
    first = upload(client, tokens["operator"], pdf)
    again = upload(client, tokens["operator"], pdf, name="renamed.pdf")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["filename"] == "a.pdf"
    assert report_count(engine) == 1 and len(stored_files(settings)) == 1


def _encrypted(path: Path) -> Path:
    return simple_deck(path, encrypt=StandardEncryption("senha", canPrint=0))


def _truncated(path: Path) -> Path:
    data = simple_deck(path.with_suffix(".full.pdf")).read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


BAD_FILES = [
    ("not-a-pdf", lambda p: (p.write_text("Relatório de status, outubro de 2025\n"), p)[1], 415, "not a PDF"),
    ("empty", lambda p: (p.write_bytes(b""), p)[1], 400, "empty"),
    ("html-named-pdf", lambda p: (p.write_bytes(b"<html><body>%PDF-</body></html>"), p)[1], 422, "cannot read"),
    ("encrypted", _encrypted, 422, "encrypted"),
    ("truncated", _truncated, 422, "cannot read"),
]


@pytest.mark.parametrize(("label", "make", "code", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_upload_is_refused_with_a_reason_and_nothing_stored(
    client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, tmp_path: Path,
    label: str, make, code: int, reason: str,  # type: ignore[no-untyped-def]
) -> None:
    response = upload(client, tokens["operator"], make(tmp_path / f"{label}.pdf"))
    assert response.status_code == code, response.text
    assert reason in response.json()["detail"]
    assert report_count(engine) == 0 and stored_files(settings) == []
    assert client.get("/healthz").status_code == 200


def test_upload_over_the_limit_is_refused_while_streaming(
    engine: Engine, tokens: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    from service.api.app import create_app

    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", max_upload_mb=0.5)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))

    def chunks():  # no Content-Length: the limit must hold while bytes arrive
        boundary = b"xyzzy"
        yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
        data = big.read_bytes()
        for start in range(0, len(data), 64 * 1024):
            yield data[start:start + 64 * 1024]
        yield b"\r\n--" + boundary + b"--\r\n"

    with TestClient(create_app(settings, start_worker=False)) as client:
        headers = {**auth(tokens["operator"]), "Content-Type": "multipart/form-data; boundary=xyzzy"}
        streamed = client.post("/api/v1/reports", headers=headers, content=chunks())
        declared = client.post("/api/v1/reports", headers=auth(tokens["operator"]),
                               files={"file": ("big.pdf", big.read_bytes(), "application/pdf")})
        assert client.get("/healthz").status_code == 200
    for response in (streamed, declared):
        assert response.status_code == 413, response.text
        assert "0.5 MB limit" in response.json()["detail"]
    assert report_count(engine) == 0 and stored_files(settings) == []


def test_too_many_pages_is_refused(engine: Engine, tokens: dict[str, str], database_url: str, tmp_path: Path) -> None:
    from service.api.app import create_app

    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", max_pages=3)
    pdf = slide_pdf(tmp_path / "long.pdf", [[(f"Página {n}", 20, False)] for n in range(5)])
    with TestClient(create_app(settings, start_worker=False)) as client:
        response = upload(client, tokens["operator"], pdf)
    assert response.status_code == 422 and "limit is 3" in response.json()["detail"]
    assert report_count(engine) == 0


@pytest.mark.parametrize(("headers", "kwargs", "code"), [
    ({}, {"content": b"%PDF-1.7"}, 415),
    ({}, {"files": {"document": ("a.pdf", b"%PDF-1.7", "application/pdf")}}, 422),
], ids=["not-multipart", "no-file-field"])
def test_malformed_upload_requests(client: TestClient, tokens: dict[str, str], headers, kwargs, code) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/reports", headers={**auth(tokens["operator"]), **headers}, **kwargs)
    assert response.status_code == code and "file" in response.json()["detail"]


def test_pdf_without_text_layer_ends_failed_with_a_reason(
    client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    response = upload(client, tokens["operator"], image_only_pdf(tmp_path / "scan.pdf"))
    assert response.status_code == 202
    drain_queue(engine, settings)
    report = client.get(f"/api/v1/reports/{response.json()['id']}", headers=auth(tokens["operator"])).json()
    assert report["status"] == "failed" and "text layer" in report["error"]


def test_extraction_crash_ends_failed_and_the_worker_goes_on(
    client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.jobs import extracting

    def explode(path: Path, *, filename: str | None = None) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(extracting, "extract", explode)
    first = upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).json()
    assert drain_queue(engine, settings) == 1
    report = client.get(f"/api/v1/reports/{first['id']}", headers=auth(tokens["operator"])).json()
    assert report["status"] == "failed" and "ZeroDivisionError" in report["error"]


def test_concurrent_uploads_of_the_same_bytes_make_one_report(engine: Engine, settings: Settings,
                                                              tmp_path: Path) -> None:
    import threading

    from service.jobs.intake import register_pdf
    from service.storage.files import spool_file

    pdf, barrier, created = simple_deck(tmp_path / "a.pdf"), threading.Barrier(4), []

    def register() -> None:
        spool = spool_file(pdf, settings)
        barrier.wait()
        created.append(register_pdf(engine, settings, spool, "a.pdf")[1])

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [False, False, False, True]
    assert report_count(engine) == 1 and len(stored_files(settings)) == 1
