"""Reviews as the API writes them: few statements, and the feed lock held only while
PostgreSQL runs them (issue 11).

A review reads the fact once, in the same statement as the caller's token (with its
initiative and area, which is also what the answer shows), checks it
(service/review/actions.py: `plan_review`), and writes:

- PostgreSQL, one fact: ONE autocommit statement. It takes the shared feed lock and the
  change number (service/storage/sequence.py), runs the guarded `UPDATE … WHERE id = ?
  AND version = ?` and inserts the history row from the UPDATE's RETURNING; no row
  back means someone reviewed the fact since it was read (409), and nothing was written.
- Many facts (bulk) or SQLite: one write transaction: change numbers for all items in
  one statement, the current versions checked (`FOR UPDATE` on PostgreSQL; SQLite's
  writer holds the database), one executemany UPDATE and one multi-row INSERT of the
  history; a stale item rolls everything back.

The answer is built from the row as read plus what was written, so it needs no read
after the write. Reads and the one-statement write go through a Core connection, not an
ORM session (a third of a statement's CPU). On SQLite the read's snapshot is ended
before the write transaction begins.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import HTTPException, status
from sqlalchemy import Connection, Engine, bindparam, insert, select, text, update
from sqlmodel import Session, col

from service.api.deps import Caller
from service.api.queries import TOKEN_FIELDS, public_from_row, with_token
from service.review.actions import Planned, conflict, plan_review
from service.storage.db import is_sqlite
from service.storage.models import Extraction, ReviewEvent
from service.storage.schemas import ExtractionPublic, ReviewIn
from service.storage.sequence import LOCK_CTE, PG_SEQUENCE, next_change_seqs
from service.storage.statements import Fast
from service.storage.timeutil import utcnow
from service.storage.tokens import Principal, principal_of

_TABLE, _EVENTS = Extraction.__table__, ReviewEvent.__table__  # type: ignore[attr-defined]
# Built once (building a select cost more than running it); plain columns, not ORM objects.
_TOKEN_AND_FACTS = with_token(col(Extraction.id).in_(bindparam("ids", expanding=True)), Extraction.published)
_TOKEN_AND_FACT = Fast(with_token(col(Extraction.id) == bindparam("extraction_id"), Extraction.published))


@dataclass(frozen=True)
class _Fact:
    """What plan_review reads of a fact (the fields of Extraction it uses)."""

    id: int
    kind: str
    value: Any
    unit: str | None
    qualifier: str | None
    name: str | None
    status: str
    version: int
    published: bool
    note: str | None

_PG_ONE = Fast(text(f"""
WITH {LOCK_CTE},
upd AS (
    UPDATE extraction AS e SET status = :status, value = CAST(:value AS JSON), unit = :unit,
        qualifier = :qualifier, name = :name, note = :fact_note, version = e.version + 1,
        change_seq = nextval('{PG_SEQUENCE}'), published = :published, reviewed_by = :actor, reviewed_at = :at
    FROM feed_lock WHERE e.id = :id AND e.version = :version
    RETURNING e.id, e.change_seq
),
ev AS (
    INSERT INTO review_event (extraction_id, token_id, actor, at, action, before, after, note, change_seq)
    SELECT upd.id, :token_id, :actor, :at, :action, CAST(:before AS JSON), CAST(:after AS JSON), :note,
        upd.change_seq
    FROM upd
)
SELECT change_seq FROM upd
"""))


def review_facts(caller: Caller, items: Sequence[tuple[int, ReviewIn]]) -> list[ExtractionPublic]:
    """Check the caller's token (a reviewer's) and apply every review or none (ReviewError:
    404, 409, 422); returns the facts as now stored. The token and the facts are read in
    one statement (service/api/queries.py `with_token`)."""
    ids = [ext_id for ext_id, _ in items]
    with caller.read_engine.connect() as read:  # autocommit on PostgreSQL
        if len(ids) == 1:
            rows = _TOKEN_AND_FACT.rows(read, {"digest": caller.digest, "extraction_id": ids[0]})
        else:
            rows = list(read.execute(_TOKEN_AND_FACTS, {"digest": caller.digest, "ids": ids}))
        principal = caller.admit(principal_of(rows[0] if rows else None, caller.digest), "reviewer")
        if len(set(ids)) != len(ids):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                "an extraction id appears twice in one bulk review")
        shown, facts = {}, {}
        for row in rows:
            if row[TOKEN_FIELDS] is None:  # the token's row alone: none of the ids exists
                continue
            public = shown[row[TOKEN_FIELDS]] = public_from_row(row[TOKEN_FIELDS:-1])
            facts[public.id] = _Fact(public.id, public.kind, public.value, public.unit, public.qualifier, public.name,
                                     public.status, public.version, row[-1], public.note)
        with Session(bind=read) as session:  # a reopen reads the fact's last decision through it
            plans = [plan_review(session, facts.get(i), i, review) for i, review in items]  # type: ignore[arg-type]
        now = utcnow()
        one_pg = len(plans) == 1 and not is_sqlite(read.engine)
        if one_pg:
            seqs = [_write_one_pg(read, plans[0], principal, now)]
    if not one_pg:  # after the block: SQLite's read snapshot (and connection) ended first
        seqs = _write_in_transaction(caller.write_engine, plans, principal, now)
    if len(seqs) != len(plans):  # pragma: no cover - next_change_seqs returns one per plan
        raise RuntimeError("change numbers do not match the reviews")
    return [_answer(shown[p.extraction_id], p, principal, now) for p in plans]


def _dump(value: Any) -> str:
    return json.dumps(value)


def _write_one_pg(conn: Connection, plan: Planned, principal: Principal, now: datetime) -> int:
    new = plan.new
    row = _PG_ONE.first(conn, {
        "status": new.status, "value": _dump(new.value), "unit": new.unit, "qualifier": new.qualifier,
        "name": new.name, "fact_note": new.note, "published": plan.published, "actor": principal.name, "at": now,
        "id": plan.extraction_id, "version": plan.version, "token_id": principal.token_id,
        "action": plan.action, "before": _dump(plan.before), "after": _dump(plan.after), "note": plan.note,
    })
    conn.commit()  # autocommit: nothing to send
    if row is None:
        raise conflict(plan.extraction_id, None)
    return int(row[0])


_GUARDED = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.version == bindparam("b_version"))
    .values(status=bindparam("b_status"), value=bindparam("b_value"), unit=bindparam("b_unit"),
            qualifier=bindparam("b_qualifier"), name=bindparam("b_name"), note=bindparam("b_note"),
            version=_TABLE.c.version + 1,
            change_seq=bindparam("b_seq"), published=bindparam("b_published"),
            reviewed_by=bindparam("b_actor"), reviewed_at=bindparam("b_at"))
)


def _write_in_transaction(engine: Engine, plans: list[Planned], principal: Principal, now: datetime) -> list[int]:
    with Session(engine) as session:
        seqs = next_change_seqs(session, len(plans))
        ids = [p.extraction_id for p in plans]
        current = select(_TABLE.c.id, _TABLE.c.version).where(_TABLE.c.id.in_(ids)).order_by(_TABLE.c.id)
        if not is_sqlite(engine):
            current = current.with_for_update()
        versions = {int(i): int(v) for i, v in session.execute(current)}
        for plan in plans:
            if versions.get(plan.extraction_id) != plan.version:
                raise conflict(plan.extraction_id, versions.get(plan.extraction_id))
        session.execute(_GUARDED, [
            {"b_id": p.extraction_id, "b_version": p.version, "b_status": p.new.status, "b_value": p.new.value,
             "b_unit": p.new.unit, "b_qualifier": p.new.qualifier, "b_name": p.new.name, "b_note": p.new.note,
             "b_seq": seq,
             "b_published": p.published, "b_actor": principal.name, "b_at": now}
            for p, seq in zip(plans, seqs, strict=True)
        ])
        session.execute(insert(_EVENTS), [
            {"extraction_id": p.extraction_id, "token_id": principal.token_id, "actor": principal.name, "at": now,
             "action": p.action, "before": p.before, "after": p.after, "note": p.note, "change_seq": seq}
            for p, seq in zip(plans, seqs, strict=True)
        ])
        session.commit()
    return seqs


def _answer(shown: ExtractionPublic, plan: Planned, principal: Principal, now: datetime) -> ExtractionPublic:
    new = plan.new
    return shown.model_copy(update={
        "status": new.status, "value": new.value, "unit": new.unit, "qualifier": new.qualifier, "name": new.name,
        "note": new.note, "version": plan.version + 1, "reviewed_by": principal.name, "reviewed_at": now,
    })

