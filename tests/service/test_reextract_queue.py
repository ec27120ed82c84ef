"""Re-extraction asked for through the API is a worker job: the request answers 202 at once
with the report (still `done`, its re-extraction queued), a worker claims it under a lease,
merges the new extraction keeping every reviewer decision and records the counts; a
failed re-extraction changes no fact; a worker that lost its lease stores nothing. Runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from extractor.errors import BadPDF
from extractor.model import ExtractResult
from service.jobs import extracting
from service.jobs.worker import claim_next, finish_reextracted, process
from service.storage.config import Settings
from service.storage.models import Extraction, Report, ReviewEvent
from service.storage.timeutil import utcnow
from tests.pdfmaker import simple_deck, slide_pdf
from tests.service.conftest import auth
from tests.service.fakes import _fact, drain_queue, fake_result
from tests.service.helpers import extractions, records, review, upload


def altered(result: ExtractResult) -> ExtractResult:
    """The fake extraction after a rules change: the count reads one more, the money fact is
    no longer found, a second percentage is new."""
    first, second = result.initiatives
    facts = [f.model_copy(update={"text": "255.767 Acionamentos", "value": 255767}) if f.kind == "count" else f
             for f in first.extractions]
    return result.model_copy(update={"initiatives": [
        first.model_copy(update={"extractions": [*facts, _fact("percentage", "75%", 75)]}),
        second.model_copy(update={"extractions": [f for f in second.extractions if f.kind != "money"]}),
    ]})


def extract_with(monkeypatch: pytest.MonkeyPatch, change: Callable[[ExtractResult], ExtractResult]) -> None:
    monkeypatch.setattr(extracting, "extract", lambda path, *, filename=None: change(fake_result(path, filename)))


@pytest.fixture
def report_id(client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, fake_extract: None,
              tmp_path: Path) -> int:
    response = upload(client, tokens["operator"], simple_deck(tmp_path / "deck.pdf"))
    assert response.status_code == 202
    assert drain_queue(engine, settings) == 1
    return int(response.json()["id"])


def ask(client: TestClient, tokens: dict[str, str], report_id: int) -> Any:
    return client.post(f"/api/v1/reports/{report_id}/reextract", headers=auth(tokens["operator"]))


def report(client: TestClient, tokens: dict[str, str], report_id: int) -> dict[str, Any]:
    got = client.get(f"/api/v1/reports/{report_id}", headers=auth(tokens["operator"]))
    assert got.status_code == 200, got.text
    return dict(got.json())


def snapshot(client: TestClient, tokens: dict[str, str], report_id: int) -> list[tuple[Any, ...]]:
    return sorted((f["id"], f["version"], f["status"], f["value"], f["orphaned"])
                  for f in extractions(client, tokens["reviewer"], report_id=report_id))


def by_kind(client: TestClient, tokens: dict[str, str], report_id: int, kind: str) -> dict[str, Any]:
    return next(f for f in extractions(client, tokens["reviewer"], report_id=report_id) if f["kind"] == kind)


def test_reextract_answers_at_once_and_a_worker_merges_it_keeping_decisions(
        client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, report_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    reviewer = tokens["reviewer"]
    count, money = by_kind(client, tokens, report_id, "count"), by_kind(client, tokens, report_id, "money")
    percentage = by_kind(client, tokens, report_id, "percentage")
    assert review(client, reviewer, count["id"], "confirm", count["version"]).status_code == 200
    assert review(client, reviewer, money["id"], "reject", money["version"]).status_code == 200
    assert review(client, reviewer, percentage["id"], "correct", percentage["version"], value=70).status_code == 200
    before = snapshot(client, tokens, report_id)
    _, cursor = records(client, tokens["consumer"])
    extract_with(monkeypatch, altered)

    got = ask(client, tokens, report_id)
    assert got.status_code == 202, got.text
    body = got.json()
    assert body["status"] == "done" and body["reextraction"]["state"] == "queued"
    assert body["reextraction"]["requested_by"] == "operator-ana" and body["reextraction"]["outcome"] is None
    assert snapshot(client, tokens, report_id) == before  # nothing changes before a worker runs it

    assert drain_queue(engine, settings) == 1
    done = report(client, tokens, report_id)
    assert done["status"] == "done" and done["progress"] is None and not done["stalled"]
    assert done["reextraction"]["state"] == "done" and done["reextraction"]["finished_at"]
    assert (done["reextraction"]["attempts"], done["reextraction"]["error"]) == (1, None)
    assert done["reextraction"]["outcome"] == {"kept": 6, "changed": 1, "added": 1, "orphaned": 1, "restored": 0}
    after = {f["id"]: f for f in extractions(client, reviewer, report_id=report_id)}
    assert len(after) == 8
    assert (after[count["id"]]["status"], after[count["id"]]["value"]) == ("confirmed", 255767)
    assert (after[money["id"]]["status"], after[money["id"]]["orphaned"]) == ("rejected", True)
    assert (after[percentage["id"]]["status"], after[percentage["id"]]["value"]) == ("corrected", 70)
    fed, _ = records(client, tokens["consumer"], since=cursor)
    assert [(r["extraction_id"], r["state"], r["value"]) for r in fed] == [(count["id"], "confirmed", 255767)]

    again = ask(client, tokens, report_id)  # a finished re-extraction may be asked for again
    assert again.status_code == 202 and again.json()["reextraction"]["state"] == "queued"
    assert again.json()["reextraction"]["outcome"] is None


def _queued_upload(client: TestClient, tokens: dict[str, str], report_id: int, engine: Engine, settings: Settings,
                   tmp_path: Path) -> int:
    return int(upload(client, tokens["operator"], slide_pdf(tmp_path / "outro.pdf", [[("Outro relatório", 20, False)]]))
               .json()["id"])


def _asked(client: TestClient, tokens: dict[str, str], report_id: int, engine: Engine, settings: Settings,
           tmp_path: Path) -> int:
    assert ask(client, tokens, report_id).status_code == 202
    return report_id


def _running(client: TestClient, tokens: dict[str, str], report_id: int, engine: Engine, settings: Settings,
             tmp_path: Path) -> int:
    assert ask(client, tokens, report_id).status_code == 202
    claim = claim_next(engine, settings, "worker-a")
    assert claim is not None and claim.reextract
    return report_id


@pytest.mark.parametrize(("setup", "code", "said"), [
    (_queued_upload, 409, "is queued; only extracted (done) reports"),
    (_asked, 409, "already queued for re-extraction (asked by operator-ana)"),
    (_running, 409, "already in re-extraction"),
    (lambda *_: 999, 404, "does not exist"),
], ids=["not-done", "already-queued", "running", "missing"])
def test_reextract_is_refused_when_not_done_or_already_pending(
        client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, report_id: int,
        tmp_path: Path, setup: Callable[..., int], code: int, said: str) -> None:
    target = setup(client, tokens, report_id, engine, settings, tmp_path)
    before = snapshot(client, tokens, report_id)
    got = ask(client, tokens, target)
    assert got.status_code == code and said in got.json()["detail"], got.text
    assert snapshot(client, tokens, report_id) == before


def _raise(exc: Exception) -> Callable[[ExtractResult], ExtractResult]:
    def change(_: ExtractResult) -> ExtractResult:
        raise exc
    return change


@pytest.mark.parametrize(("exc", "reason"), [
    (BadPDF("the PDF is encrypted with a password"), "the PDF is encrypted with a password"),
    (extracting.ExtractionCrashed("the child was killed by signal 9"), "extraction crashed (the child was killed"),
    (RuntimeError("boom"), "extraction crashed (RuntimeError: boom)"),
], ids=["bad-pdf", "child-crashed", "bug"])
def test_a_failed_reextraction_leaves_facts_and_decisions_untouched_and_the_report_done(
        client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, report_id: int,
        monkeypatch: pytest.MonkeyPatch, exc: Exception, reason: str) -> None:
    fact = by_kind(client, tokens, report_id, "count")
    assert review(client, tokens["reviewer"], fact["id"], "confirm", fact["version"]).status_code == 200
    before = snapshot(client, tokens, report_id)
    _, cursor = records(client, tokens["consumer"])
    extract_with(monkeypatch, _raise(exc))
    assert ask(client, tokens, report_id).status_code == 202

    assert drain_queue(engine, settings) == 1  # the worker records the failure and goes on
    failed = report(client, tokens, report_id)
    assert (failed["status"], failed["error"]) == ("done", None)  # the report itself is as it was
    assert failed["reextraction"]["state"] == "failed" and reason in failed["reextraction"]["error"]
    assert failed["reextraction"]["outcome"] is None and failed["reextraction"]["finished_at"]
    assert snapshot(client, tokens, report_id) == before
    assert records(client, tokens["consumer"], since=cursor)[0] == []

    extract_with(monkeypatch, lambda result: result)  # the cause is gone: the operator asks again
    assert ask(client, tokens, report_id).status_code == 202
    assert drain_queue(engine, settings) == 1
    assert report(client, tokens, report_id)["reextraction"]["outcome"]["kept"] == 7


def _events(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(ReviewEvent)).one())


def _expire_lease(engine: Engine, report_id: int, attempts: int | None = None) -> None:
    with Session(engine) as session:
        row = session.get(Report, report_id)
        assert row is not None
        row.lease_until = utcnow() - timedelta(seconds=1)
        if attempts is not None:
            row.reextract_attempts = attempts
        session.add(row)
        session.commit()


def test_a_worker_that_lost_its_lease_stores_nothing_and_the_next_merges_once(
        client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, report_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fact = by_kind(client, tokens, report_id, "count")
    assert review(client, tokens["reviewer"], fact["id"], "confirm", fact["version"]).status_code == 200
    extract_with(monkeypatch, altered)
    assert ask(client, tokens, report_id).status_code == 202
    first = claim_next(engine, settings, "worker-a")
    assert first is not None and first.reextract
    _expire_lease(engine, report_id)  # worker-a paused (or died) past its lease
    taken = report(client, tokens, report_id)
    assert taken["stalled"] and taken["status"] == "done" and taken["reextraction"]["state"] == "processing"

    second = claim_next(engine, settings, "worker-b")
    assert second is not None and second.reextract and second.report_id == report_id
    stored, events = snapshot(client, tokens, report_id), _events(engine)
    # worker-a wakes up while worker-b holds the report: its merge is refused
    assert not finish_reextracted(engine, first, altered(fake_result(Path(__file__), "deck.pdf")))
    assert snapshot(client, tokens, report_id) == stored and _events(engine) == events
    assert report(client, tokens, report_id)["reextraction"]["state"] == "processing"
    assert process(engine, settings, second)
    assert not finish_reextracted(engine, first, altered(fake_result(Path(__file__), "deck.pdf")))
    done = report(client, tokens, report_id)["reextraction"]
    assert (done["state"], done["attempts"], done["outcome"]["added"]) == ("done", 2, 1)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Extraction)
                            .where(col(Extraction.report_id) == report_id)).one() == 8


def test_a_reextraction_whose_workers_all_died_fails_alone(
        client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings, report_id: int) -> None:
    before = snapshot(client, tokens, report_id)
    assert ask(client, tokens, report_id).status_code == 202
    assert claim_next(engine, settings, "worker-a") is not None
    _expire_lease(engine, report_id, attempts=settings.max_attempts)
    assert claim_next(engine, settings, "worker-b") is None
    got = report(client, tokens, report_id)
    assert (got["status"], got["stalled"], got["reextraction"]["state"]) == ("done", False, "failed")
    assert f"did not finish after {settings.max_attempts} attempts" in got["reextraction"]["error"]
    assert snapshot(client, tokens, report_id) == before
    assert ask(client, tokens, report_id).status_code == 202  # asked again, attempts from zero
    assert report(client, tokens, report_id)["reextraction"]["attempts"] == 0
