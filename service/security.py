"""API tokens: random, shown once, stored as a sha256 hash and compared in constant time;
and the per-IP limit on failed authentications.

A sha256 (not a slow password hash) is right here: tokens are 256-bit random
strings, so there is nothing to brute-force, and lookups must be cheap on every call.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import deque

from sqlmodel import Session, select

from service.models import ApiToken, Role
from service.timeutil import utcnow

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


class AuthFailures:
    """Failed authentications per client IP in a sliding minute; past the limit, 429.

    In-process: each `relato serve` process counts on its own (several processes
    behind a balancer each allow the limit). A blocked IP stays blocked, even with
    a good token, until its oldest failure in the window is a minute old; the
    answer's Retry-After says when that is.
    """

    WINDOW_S = 60.0
    MAX_TRACKED = 10_000  # distinct IPs remembered; the stalest are dropped first

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, ip: str, now: float | None = None) -> int:
        """Seconds until `ip` may try again; 0 when it is not blocked."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._prune(ip, now)
            if len(times) < self.per_minute:
                return 0
            return max(1, math.ceil(times[0] + self.WINDOW_S - now))

    def record(self, ip: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if ip not in self._failures and len(self._failures) >= self.MAX_TRACKED:
                stalest = min(self._failures, key=lambda k: self._failures[k][-1] if self._failures[k] else 0)
                del self._failures[stalest]
            self._failures.setdefault(ip, deque()).append(now)
            self._prune(ip, now)

    def _prune(self, ip: str, now: float) -> deque[float]:
        times = self._failures.get(ip, deque())
        while times and times[0] <= now - self.WINDOW_S:
            times.popleft()
        if not times:
            self._failures.pop(ip, None)
        return times
