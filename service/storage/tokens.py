"""API tokens: random, shown once, stored as a sha256 hash and compared in constant time;
and the `Principal` a live token stands for (recorded in the audit trail).

A sha256 (not a slow password hash) is right here: tokens are 256-bit random
strings, so there is nothing to brute-force, and lookups must be cheap on every call.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, update
from sqlmodel import Session, col, select

from service.storage.models import ApiToken, Role
from service.storage.statements import Fast
from service.storage.timeutil import utcnow

TOKEN_PREFIX = "rlt_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, role: Role, name: str) -> tuple[ApiToken, str]:
    """Store a new token's hash and return (row, plaintext); the caller shows it once."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, role=role, token_hash=hash_token(plaintext), created_at=utcnow())
    session.add(row)
    session.commit()
    session.refresh(row)
    return row, plaintext


def find_token(session: Session, plaintext: str) -> ApiToken | None:
    """The live token matching `plaintext`, or None (unknown or revoked)."""
    digest = hash_token(plaintext)
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or row.revoked_at is not None:
        return None
    return row if hmac.compare_digest(row.token_hash, digest) else None


# The caller's token as plain columns; TOKEN_COLUMNS also lead the hot routes' one-statement
# reads (service/api/queries.py `with_token`), which check the token and read in one round trip.
TOKEN_COLUMNS = (ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.token_hash)
LIVE_TOKEN = (ApiToken.token_hash == bindparam("digest"), col(ApiToken.revoked_at).is_(None))
_LIVE_TOKEN = Fast(select(*TOKEN_COLUMNS).where(*LIVE_TOKEN))  # built once


def principal_of(row: Sequence[Any] | None, digest: str) -> Principal | None:
    """The principal in a row that starts with TOKEN_COLUMNS, or None (no row: no live token)."""
    if row is None or not hmac.compare_digest(row[3], digest):
        return None
    return Principal(token_id=row[0] or 0, name=row[1], role=row[2])


def find_principal(db: Session | Connection, plaintext: str) -> Principal | None:
    """Who a live token stands for, or None: `find_token` as plain columns (it runs on every
    API call, and building the ORM object was most of its cost). `db` is a session or a
    Core connection (cheaper per statement)."""
    digest = hash_token(plaintext)
    conn = db.connection() if isinstance(db, Session) else db
    return principal_of(_LIVE_TOKEN.first(conn, {"digest": digest}), digest)


def a_role(role: str) -> str:
    """'an operator', 'a reviewer': a role with its article, for messages."""
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, oldest first, revoked ones included (their hashes stay, never a secret)."""
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.id))))


def revoke(session: Session, row: ApiToken) -> ApiToken:
    """Revoke `row` now (it stops working at once); a revoked token keeps its first revocation time."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
        session.refresh(row)
    return row



@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name (recorded in the audit trail) and role."""

    token_id: int
    name: str
    role: str


USE_RESOLUTION_S = 60.0  # a token's last use is kept to the minute


class UseClock:
    """Records when tokens are used without a write per API call: per process, a token's
    `last_used_at` is written at most once a minute, on a thread of its own (an
    authenticated read never waits on a write, nor on SQLite's write lock)."""

    def __init__(self, resolution_s: float = USE_RESOLUTION_S) -> None:
        self.resolution_s = resolution_s
        self._written: dict[int, float] = {}
        self._lock = threading.Lock()

    def due(self, token_id: int, now: float | None = None) -> bool:
        """Whether this use should be written (and, if so, take the slot)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            last = self._written.get(token_id)
            if last is not None and now - last < self.resolution_s:
                return False
            self._written[token_id] = now
            return True

    def note(self, engine: Engine, token_id: int) -> None:
        if token_id and self.due(token_id):
            threading.Thread(target=write_use, args=(engine, token_id), name="relato-token-use", daemon=True).start()


def write_use(engine: Engine, token_id: int) -> None:
    """Set the token's last use to now; a failure only loses this minute's mark."""
    try:
        with engine.begin() as conn:
            conn.execute(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=utcnow()))
    except Exception:  # noqa: BLE001 - bookkeeping, never the caller's error
        logging.getLogger("relato.tokens").warning("could not record the use of token %s", token_id, exc_info=True)
