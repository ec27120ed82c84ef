"""The change sequence that orders the records feed.

Every review change takes the next number inside its own write transaction. A
consumer's cursor is the last number it saw, so the feed is only exact if no
change can become visible with a number lower than one already handed out. A
bare PostgreSQL sequence does not guarantee that: transaction A may take 41,
transaction B take 42 and commit first; a consumer pulling then moves its
cursor to 42 and never sees 41. So on PostgreSQL the number is taken under a
transaction-scoped advisory lock, held until commit: numbers are then committed
in order, and a pull sees a gap-free prefix. On SQLite, whose writers are
serialised anyway (BEGIN IMMEDIATE), a one-row counter table does the same.
The lock is taken as the last step before the review's UPDATE, so it is held
only for that UPDATE, one INSERT and the commit.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from service.storage.db import is_sqlite

PG_SEQUENCE = "relato_change_seq"
PG_FEED_LOCK = 7_264_002


def next_change_seq(session: Session) -> int:
    """The next change number, valid only inside the caller's write transaction."""
    bind = session.get_bind()
    if is_sqlite(bind):  # type: ignore[arg-type]
        row = session.exec(  # type: ignore[call-overload]
            text("UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value")
        ).one()
        return int(row[0])
    session.exec(text("SELECT pg_advisory_xact_lock(:k)"), params={"k": PG_FEED_LOCK})  # type: ignore[call-overload]
    return int(session.exec(text(f"SELECT nextval('{PG_SEQUENCE}')")).one()[0])  # type: ignore[call-overload]


def last_change_seq(session: Session) -> int:
    """The highest change number committed and visible to this session (0 when none)."""
    row = session.exec(text("SELECT COALESCE(MAX(change_seq), 0) FROM extraction")).one()  # type: ignore[call-overload]
    return int(row[0])
