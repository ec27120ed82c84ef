"""The `relato` command line: token create, ingest, extract (without the service stack)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.storage.config import Settings
from service.storage.models import Report
from service.storage.tokens import find_token
from tests.conftest import PROJECT_CORPUS
from tests.service.conftest import auth
from tests.pdfmaker import simple_deck

RELATO = Path(sys.executable).parent / "relato"


def run(args: list[str], settings: Settings, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RELATO_DATABASE_URL": settings.database_url, "RELATO_DATA_DIR": str(settings.data_dir)}
    return subprocess.run([str(RELATO), *args], env=env, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]


def test_token_create_prints_a_working_token(engine: Engine, settings: Settings) -> None:
    result = run(["token", "create", "--role", "reviewer", "--name", "Ana Souza"], settings)
    assert result.returncode == 0, result.stderr
    [token] = result.stdout.split()
    with Session(engine) as session:
        row = find_token(session, token)
    assert row is not None and (row.role, row.name) == ("reviewer", "Ana Souza")
    assert row.token_hash != token and len(row.token_hash) == 64


def test_token_create_refuses_an_unknown_role(engine: Engine, settings: Settings) -> None:
    result = run(["token", "create", "--role", "chefe", "--name", "x"], settings)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_token_list_shows_tokens_but_never_a_secret(engine: Engine, settings: Settings) -> None:
    secret = run(["token", "create", "--role", "operator", "--name", "ana"], settings).stdout.strip()
    run(["token", "create", "--role", "consumer", "--name", "bi"], settings)
    result = run(["token", "list"], settings)
    assert result.returncode == 0, result.stderr
    header, *rows = [line.split() for line in result.stdout.splitlines()]
    assert header == ["id", "role", "name", "created", "last_used", "revoked"]
    assert [(r[1], r[2], r[-1]) for r in rows] == [("operator", "ana", "-"), ("consumer", "bi", "-")]
    assert secret not in result.stdout and "rlt_" not in result.stdout


def test_token_revoke_by_name_or_id_and_the_token_gets_401(
    client: TestClient, engine: Engine, settings: Settings,
) -> None:
    ana = run(["token", "create", "--role", "reviewer", "--name", "ana"], settings).stdout.strip()
    bi = run(["token", "create", "--role", "consumer", "--name", "bi"], settings).stdout.strip()
    assert client.get("/api/v1/extractions", headers=auth(ana)).status_code == 200
    result = run(["token", "revoke", "ana"], settings)
    assert result.returncode == 0 and result.stdout.startswith("revoked token "), result.stderr
    assert client.get("/api/v1/extractions", headers=auth(ana)).status_code == 401
    with Session(engine) as session:
        bi_id = find_token(session, bi).id  # type: ignore[union-attr]
    assert run(["token", "revoke", str(bi_id)], settings).returncode == 0
    assert client.get("/api/v1/records", headers=auth(bi)).status_code == 401
    again = run(["token", "revoke", "bi"], settings)
    assert again.returncode == 0 and "already revoked" in again.stderr
    unknown = run(["token", "revoke", "nobody"], settings)
    assert unknown.returncode == 1 and "no token" in unknown.stderr
    listed = run(["token", "list"], settings).stdout
    assert all(line.rstrip().endswith("UTC") for line in listed.splitlines()[1:]), listed


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["token", "create"], ["token", "list"],
                                     ["token", "revoke"], ["ingest"], ["reextract"], ["blobs", "push"], ["quality"]])
def test_every_argument_has_help(command: list[str]) -> None:
    from service.cli import build_parser

    parser = build_parser()
    for name in command:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    for action in parser._actions:
        assert action.help, f"relato {' '.join(command)}: {action.dest} has no help"
    if command != ["token"]:
        assert "RELATO_DATABASE_URL" in parser.format_help()


@pytest.mark.slow
def test_ingest_registers_dedups_and_extracts(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    simple_deck(folder / "a.pdf")
    (folder / "sub" / "copy-of-a.PDF").write_bytes((folder / "a.pdf").read_bytes())
    (folder / "sub" / "notes.pdf").write_text("não é um PDF")
    result = run(["ingest", str(folder), str(PROJECT_CORPUS / "status-deck-2025-06.pdf")], settings)
    assert result.returncode == 1, result.stderr  # one file refused
    assert "refused" in result.stderr and "not a PDF" in result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [line[1].split(":")[0] for line in lines] == ["queued", "known", "queued"]
    with Session(engine) as session:
        stored = session.exec(select(Report).order_by(col(Report.id))).all()
    assert [r.status for r in stored] == ["done", "done"] and stored[1].status_date == "2025-06"


def test_blobs_push_copies_the_local_pdfs_into_the_database(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], fake_extract: None,
) -> None:
    from service.cli import main
    from service.jobs.intake import register_pdf
    from service.storage.blobs import DatabaseBlobs, pdf_path
    from service.storage.files import spool_file
    from tests.service.fakes import drain_queue

    on_disk = settings.model_copy(update={"blob_store": "dir"})
    report, _ = register_pdf(engine, on_disk, spool_file(simple_deck(tmp_path / "a.pdf"), on_disk), "a.pdf")
    elsewhere = settings.model_copy(update={"blob_store": "db", "data_dir": tmp_path / "elsewhere"})
    drain_queue(engine, elsewhere)  # a worker on another machine: the database lacks the PDF
    with Session(engine) as session:
        failed = session.get(Report, report.id)
        assert failed is not None and failed.status == "failed" and "relato blobs push" in (failed.error or "")
    wrong = pdf_path(on_disk, "f" * 64)
    wrong.parent.mkdir()
    wrong.write_bytes(b"%PDF-1.4 not the bytes its name promises")
    monkeypatch.setenv("RELATO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RELATO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RELATO_BLOB_STORE", "db")
    assert main(["blobs", "push"]) == 1
    out = capsys.readouterr()
    assert "1 PDFs copied into the database, 0 were there already, 1 left out" in out.out
    assert f"queued again (they had failed for want of their PDF): reports {report.id}" in out.out
    assert str(wrong) in out.err
    store = DatabaseBlobs(engine)
    assert b"".join(store.chunks(report.sha256)) == pdf_path(on_disk, report.sha256).read_bytes()
    assert not store.exists("f" * 64)
    drain_queue(engine, elsewhere)
    with Session(engine) as session:
        assert session.get(Report, report.id).status == "done"  # type: ignore[union-attr]
    wrong.unlink()
    assert main(["blobs", "push"]) == 0
    assert "0 PDFs copied into the database, 1 were there already, 0 left out" in capsys.readouterr().out
    monkeypatch.setenv("RELATO_BLOB_STORE", "dir")
    assert main(["blobs", "push"]) == 2


def test_extract_runs_without_the_service_stack(tmp_path: Path) -> None:
    pdf = simple_deck(tmp_path / "deck.pdf")
    probe = (
        "import sys, json; from service.cli import main; rc = main(['extract', sys.argv[1]]); "
        "heavy = sorted(m for m in ('fastapi', 'sqlmodel', 'sqlalchemy', 'psycopg') if m in sys.modules); "
        "print(json.dumps({'rc': rc, 'heavy': heavy}), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(pdf)], capture_output=True, text=True, timeout=120)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report == {"rc": 0, "heavy": []}
    assert json.loads(result.stdout)["source"]["pages"] == 2
