"""`make run` (`relato serve --demo`) run again and again: the sample reports are stored
once, each demo role keeps exactly one live token (the earlier runs' are revoked, so a
printed token is always the one that works), and what it prints stays true."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.jobs.ingest import register_all
from service.jobs.demo import DEMO_ROLES, demo_lines, seed_demo
from service.storage.config import Settings
from service.storage.models import ApiToken, Report
from service.storage.tokens import find_principal
from tests.pdfmaker import slide_pdf
from tests.service.fakes import drain_queue

WALKTHROUGH = "passeio.pdf"


def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf", WALKTHROUGH):
        slide_pdf(folder / name, [[(f"Relatorio {name}", 20, False)]])
    return folder


def live_demo_tokens(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(ApiToken).where(col(ApiToken.name).like("demo-%"), col(ApiToken.revoked_at).is_(None)))
        return sorted(r.name for r in rows)


def test_a_second_run_keeps_one_live_token_per_role_and_says_what_is_true(
        engine: Engine, settings: Settings, tmp_path: Path, fake_extract: None) -> None:
    folder = corpus(tmp_path)
    first = seed_demo(engine, settings, folder, WALKTHROUGH)
    text = "\n".join(demo_lines(first, "127.0.0.1", 8000, WALKTHROUGH))
    assert first.queued == 2 and first.revoked == 0
    assert "2 sample reports queued" in text and f"corpus/{WALKTHROUGH} is not queued" in text and "revoked" not in text
    drain_queue(engine, settings)

    second = seed_demo(engine, settings, folder, WALKTHROUGH)
    text = "\n".join(demo_lines(second, "127.0.0.1", 8000, WALKTHROUGH))
    assert second.queued == 0 and second.revoked == len(DEMO_ROLES)
    assert "queued" not in text.replace("is not queued", "") and "refresh" not in text
    assert "the 2 sample reports are already stored (2 extracted)" in text
    assert "the 3 demo tokens printed by earlier runs are revoked" in text
    assert live_demo_tokens(engine) == sorted(f"demo-{r}" for r in DEMO_ROLES)  # one each, not two
    with Session(engine) as session:
        for role in DEMO_ROLES:
            assert find_principal(session, first.tokens[role]) is None  # the first run's no longer work
            principal = find_principal(session, second.tokens[role])
            assert principal is not None and principal.role == role
        assert len(session.exec(select(Report)).all()) == 2  # stored once

    register_all(engine, settings, [folder / WALKTHROUGH])  # the walk-through uploaded its report
    third = seed_demo(engine, settings, folder, WALKTHROUGH)
    assert "walk-through" not in "\n".join(demo_lines(third, "127.0.0.1", 8000, WALKTHROUGH))
