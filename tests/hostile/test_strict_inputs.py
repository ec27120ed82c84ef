"""Inputs that used to be read loosely are refused: numbers in paths and queries with a sign,
spaces or separators; a query parameter given twice; a multipart body cut before its closing
boundary; an archive that holds a PDF."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.pdfmaker import simple_deck
from tests.service.conftest import auth


@pytest.mark.parametrize("raw", ["+1", "1%20", "%201", "1_0", "0x1", "%EF%BC%91", "1.0", "-1"])
def test_path_and_query_numbers_are_plain_digits(client: TestClient, tokens: dict[str, str], raw: str) -> None:
    admin = auth(tokens["admin"])
    revoke = client.delete(f"/api/v1/tokens/{raw}", headers=admin)
    assert revoke.status_code == 422, revoke.text
    assert client.get(f"/api/v1/extractions?limit={raw}", headers=admin).status_code == 422
    assert client.get("/api/v1/tokens", headers=admin).status_code == 200  # the admin's own token still works


@pytest.mark.parametrize("query", ["limit=5&limit=500", "since=0&format=csv&since=2", "limit=5&limit=5"])
def test_a_query_parameter_given_twice_is_refused(client: TestClient, tokens: dict[str, str], query: str) -> None:
    path = "/api/v1/records" if "since" in query else "/api/v1/extractions"
    response = client.get(f"{path}?{query}", headers=auth(tokens["reviewer"]))
    assert response.status_code == 422 and "more than once" in response.json()["detail"]
    assert client.get(f"{path}?{query}", headers=auth("rlt_wrong")).status_code == 401  # the token comes first
    assert client.get(f"{path}?{query.split('&')[0]}", headers=auth(tokens["reviewer"])).status_code == 200


def _multipart(pdf: bytes, *, closed: bool) -> bytes:
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    return head + pdf + (b"\r\n--b--\r\n" if closed else b"")


@pytest.mark.parametrize("closed", [True, False])
def test_a_multipart_body_cut_before_its_closing_boundary_is_refused(client: TestClient, tokens: dict[str, str],
                                                                     tmp_path: Path, closed: bool) -> None:
    pdf = simple_deck(tmp_path / "a.pdf").read_bytes()
    response = client.post("/api/v1/reports", content=_multipart(pdf, closed=closed),
                           headers={**auth(tokens["operator"]), "Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == (202 if closed else 400), response.text


def _zipped(pdf: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.pdf", pdf)
    return out.getvalue()


@pytest.mark.parametrize(("wrap", "what"), [(_zipped, "zip"), (gzip.compress, "gzip")])
def test_an_archive_holding_a_pdf_is_not_a_pdf(client: TestClient, tokens: dict[str, str], tmp_path: Path,
                                               wrap, what: str) -> None:  # type: ignore[no-untyped-def]
    pdf = simple_deck(tmp_path / "a.pdf").read_bytes()
    wrapped = wrap(pdf)
    if b"%PDF-" not in wrapped[:1024]:  # gzip compresses the header away: refused as not a PDF at all
        wrapped = wrapped[:10] + b"%PDF-" + wrapped[10:]
    response = client.post("/api/v1/reports", headers=auth(tokens["operator"]),
                           files={"file": ("a.pdf", wrapped, "application/pdf")})
    assert response.status_code == 415 and what in response.json()["detail"], response.text
