"""The change sequence that orders the records feed.

Every review change takes the next number inside its own write transaction. A
consumer's cursor is the last number it saw, so the feed is only exact if it never
hands out a cursor beyond a number that is still uncommitted. A bare PostgreSQL
sequence does not guarantee that: transaction A may take 41, transaction B take
42 and commit first; a consumer pulling then moves its cursor to 42 and never
sees 41.

On PostgreSQL, writers do not wait for each other: each takes the number under a
*shared* transaction-scoped advisory lock (held until its commit), in the same
statement as the write (`numbered_lock_cte`), so a review is one statement that
holds the lock only while PostgreSQL runs it. A feed pull fixes its window's end
(`safe_end`) by taking the same lock *exclusively* for one statement: granted
only once every writer that holds a number has committed or rolled back, and
within that statement it reads the sequence's last value. Every number up to it is
then final; numbers taken later are higher. Until issue 11 one exclusive lock
serialised the writers themselves from `nextval` to COMMIT, which capped reviews
at ~46/s whatever the number of processes.

On SQLite, whose writers are serialised anyway (BEGIN IMMEDIATE), a one-row counter
table bumped in the writer's transaction does the same, and the window's end is
the highest committed number.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlmodel import Session

from service.storage.db import is_sqlite
from service.storage.statements import Fast

PG_SEQUENCE = "relato_change_seq"
PG_FEED_LOCK = 7_264_002
# A CTE for the start of a PostgreSQL writer's statement: MATERIALIZED, so it is run as
# its own plan node, and any row the statement numbers is built from a join with it,
# so the shared lock is held before `nextval` runs.
def _feed_lock(function: str) -> str:
    return f"feed_lock AS MATERIALIZED (SELECT {function}({PG_FEED_LOCK}) AS locked)"


LOCK_CTE = _feed_lock("pg_advisory_xact_lock_shared")


def hold_feed_lock(session: Session) -> None:
    """Take the shared feed lock now, for a write transaction that will take change numbers
    after locking rows (a re-extraction): taken first, it cannot end up waiting behind a
    pull that waits for a writer that waits for those rows (a deadlock PostgreSQL would
    break by failing one of them)."""
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        session.exec(text(f"SELECT pg_advisory_xact_lock_shared({PG_FEED_LOCK})"))  # type: ignore[call-overload]


def next_change_seq(session: Session) -> int:
    """The next change number, valid only inside the caller's write transaction."""
    return next_change_seqs(session, 1)[0]


def next_change_seqs(session: Session, n: int) -> list[int]:
    """`n` ascending change numbers for the caller's write transaction (which commits them)."""
    bind = session.get_bind()
    if is_sqlite(bind):  # type: ignore[arg-type]
        row = session.exec(  # type: ignore[call-overload]
            text("UPDATE change_counter SET value = value + :n WHERE id = 1 RETURNING value"), params={"n": n}
        ).one()
        return list(range(int(row[0]) - n + 1, int(row[0]) + 1))
    rows = session.exec(text(  # type: ignore[call-overload]
        f"WITH {LOCK_CTE} SELECT nextval('{PG_SEQUENCE}') FROM feed_lock, generate_series(1, :n) AS g(i) "
        "ORDER BY g.i"), params={"n": n}).all()
    return sorted(int(r[0]) for r in rows)


def safe_end(conn: Connection) -> int:
    """The highest change number below which nothing can still appear (0 when none).

    PostgreSQL: one statement that waits for the exclusive feed lock (every numbered
    writer has finished) and then reads the sequence; run it outside a transaction
    (autocommit) or end the transaction right after, so writers wait for it only as
    long as the statement runs."""
    if is_sqlite(conn.engine):
        return int(conn.execute(text("SELECT COALESCE(MAX(change_seq), 0) FROM extraction")).scalar_one())
    row = _SAFE_END.first(conn, {})
    return int(row[0] or 0) if row else 0


_SAFE_END = Fast(text(
    f"WITH {_feed_lock('pg_advisory_xact_lock')} "
    f"SELECT pg_sequence_last_value('{PG_SEQUENCE}'::regclass) FROM feed_lock"
))
