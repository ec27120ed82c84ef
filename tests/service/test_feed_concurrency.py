"""The records feed under concurrent reviews: a consumer paging with `since=cursor`
never skips a change (service/storage/sequence.py), although writers no longer wait
for each other."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select, update
from sqlmodel import Session

from service.storage.db import is_sqlite, write_engine
from service.storage.models import Extraction
from service.storage.sequence import next_change_seq
from tests.service.helpers import records, review

COPIES = 8  # copies of each fact of the fake deck: enough facts for writers that never meet


def _copy_facts(engine: Engine, copies: int) -> list[int]:
    """Every extracted fact `copies` more times (same report and initiative); returns all ids."""
    table = Extraction.__table__  # type: ignore[attr-defined]
    with write_engine(engine).begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]
        top = int(conn.execute(select(func.max(table.c.position))).scalar_one())
        new = []
        for n in range(copies):
            for offset, row in enumerate(rows):
                new.append({k: v for k, v in row.items() if k != "id"} | {"position": top + 1 + n * len(rows) + offset})
        conn.execute(insert(table), new)
    with engine.connect() as conn:
        return list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())


def _pull_all(client: TestClient, token: str, cursor: str, seen: list[dict[str, Any]]) -> str:
    while True:
        page, cursor = records(client, token, since=cursor, limit=7)
        seen.extend(page)
        if not page:
            return cursor


def test_consumer_paging_during_concurrent_reviews_misses_nothing(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], engine: Engine, items) -> None:
    """Four reviewers confirm disjoint facts (each fact once) while a consumer pages through
    the feed; afterwards the consumer has received every confirmed fact exactly once, in
    increasing change order."""
    ids = _copy_facts(engine, COPIES)
    writers, done, seen = 4, threading.Event(), []
    cursor = ["0"]

    def reviewer(part: list[int]) -> None:
        for ext_id in part:
            assert review(client, tokens["reviewer"], ext_id, "confirm", 1).status_code == 200

    def consumer() -> None:
        while not done.is_set():
            cursor[0] = _pull_all(client, tokens["consumer"], cursor[0], seen)

    threads = [threading.Thread(target=reviewer, args=(ids[k::writers],)) for k in range(writers)]
    reader = threading.Thread(target=consumer)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    _pull_all(client, tokens["consumer"], cursor[0], seen)
    assert sorted(r["extraction_id"] for r in seen) == ids
    seqs = [r["change_seq"] for r in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_a_pull_waits_for_a_writer_holding_a_lower_number(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], engine: Engine, items) -> None:
    """A slow writer takes number n and has not committed; a review takes n + 1 and commits.
    A pull in between must not move the cursor past n before n is visible: it waits for
    the slow writer, so the consumer gets both facts."""
    if is_sqlite(engine):
        pytest.skip("SQLite serialises writers: the review would wait for the slow writer")
    slow_id, fast = items[0]["id"], items[1]
    pulled: list[tuple[list[dict[str, Any]], str]] = []
    with Session(write_engine(engine)) as slow:
        seq = next_change_seq(slow)
        slow.execute(update(Extraction).where(Extraction.id == slow_id).values(  # type: ignore[arg-type]
            status="confirmed", published=True, version=2, change_seq=seq))
        assert review(client, tokens["reviewer"], fast["id"], "confirm", 1).status_code == 200
        reader = threading.Thread(target=lambda: pulled.append(records(client, tokens["consumer"])))
        reader.start()
        time.sleep(0.3)  # let the pull reach the feed lock while the slow writer still holds its number
        slow.commit()
    reader.join()
    (first, cursor), = pulled
    rest, _ = records(client, tokens["consumer"], since=cursor)
    assert sorted(r["extraction_id"] for r in first + rest) == sorted([slow_id, fast["id"]])
