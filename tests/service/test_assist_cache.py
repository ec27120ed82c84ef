"""The review assist's per-process cache of chains (service/editions/assist_cache.py): a
chain is reused while its stamp holds and computed again after anything that can move
its flags — a review in an earlier edition, a re-extraction that re-places facts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session

from service.editions.assist_cache import CHAINS, ChainCache
from service.editions.series import assist_for
from service.storage.db import read_engine, write_engine
from service.storage.models import Extraction, Initiative, Report
from service.storage.timeutil import utcnow


def test_chain_cache_answers_only_for_the_same_stamp_and_forgets_the_oldest() -> None:
    cache = ChainCache(max_flags=4)  # a chain counts its flags plus one
    cache.put("s", "a", (1, 2), {7: "flag"})
    assert cache.get("s", "a", (1, 2)) == {7: "flag"}
    assert cache.get("s", "a", (1, 3)) is None  # the chain changed since
    cache.put("s", "b", (1,), {})
    assert cache.get("s", "a", (1, 2)) is not None  # a is now the most recently used
    cache.put("s", "c", (1,), {8: "flag"})  # 2 + 1 + 2 > 4: b, the least recently used, goes
    assert cache.get("s", "b", (1,)) is None and cache.get("s", "a", (1, 2)) is not None
    cache.put("s", "a", (1, 4), {7: "flag"})  # replaced, not counted twice
    assert cache.get("s", "c", (1,)) is not None and cache.get("s", "a", (1, 4)) is not None
    assert (cache.hits, cache.misses) == (5, 2)


def _edition(session: Session, n: int, date: str, values: list[int]) -> tuple[Report, list[Extraction]]:
    now = utcnow()
    report = Report(sha256=f"{n:064d}", filename=f"status-{date}.pdf", size_bytes=1, status="done", series="s",
                    status_date=date, created_at=now, updated_at=now)
    session.add(report)
    session.flush()
    initiative = Initiative(report_id=report.id or 0, position=0, title="Atendimentos", pages=[1], key="atendimentos")
    session.add(initiative)
    session.flush()
    facts = [Extraction(report_id=report.id or 0, initiative_id=initiative.id, position=p, kind="count",
                        text=f"{v} atendimentos", value=v, unit="atendimentos", page=1, bbox=[0, 0, 1, 1],
                        extractor="test", confidence=0.9, orig_value=v, status="confirmed", published=True)
             for p, v in enumerate(values)]
    session.add_all(facts)
    session.flush()
    return report, facts


def _flags(engine: Engine, report_id: int) -> dict[int, tuple[str | None, object]]:
    with Session(read_engine(engine)) as session:
        return {k: (f.unchanged_since, f.previous_value) for k, f in assist_for(session, [report_id], {"atendimentos"}).items()}


def test_assist_is_reused_until_an_earlier_edition_or_a_reextraction_changes_the_chain(engine: Engine) -> None:
    with Session(write_engine(engine)) as session:
        old_report, old = _edition(session, 1, "2025-08", [100, 200])
        new_report, new = _edition(session, 2, "2025-10", [100, 250])
        session.commit()
        old_ids, new_ids, new_report_id = [f.id for f in old], [f.id for f in new], new_report.id or 0
    CHAINS.clear()
    first = _flags(engine, new_report_id)
    assert first == {new_ids[0]: ("2025-08", 100), new_ids[1]: (None, 200)}
    assert _flags(engine, new_report_id) == first and CHAINS.hits == 1  # the same chain again: reused

    with write_engine(engine).begin() as conn:  # a correction in the earlier edition, as a review writes it
        conn.execute(update(Extraction).where(Extraction.id == old_ids[1])
                     .values(value=250, status="corrected", version=Extraction.version + 1))
    assert _flags(engine, new_report_id) == {new_ids[0]: ("2025-08", 100), new_ids[1]: ("2025-08", 250)}

    # A re-extraction re-places facts without a version bump (service/jobs/reextract.py) and
    # stamps its report instead: the two figures of the new edition swap places.
    with write_engine(engine).begin() as conn:
        conn.execute(update(Extraction).where(Extraction.id == new_ids[0]).values(position=5))
        conn.execute(update(Report).where(Report.id == new_report_id)
                     .values(updated_at=utcnow() + timedelta(seconds=1)))
    assert _flags(engine, new_report_id) == {new_ids[0]: ("2025-08", 100), new_ids[1]: ("2025-08", 250)}
    assert CHAINS.misses == 3  # first read, after the correction, after the re-extraction
