"""What keeps one careless or hostile client from hurting the service, wired in one call.

`harden(app, settings)` (from service/api/app.py) adds:
- `TokenFirst`: an API request with a body and no token is 401 before its body is read;
- a body limit on every request but the upload route, whatever its content type
  (RELATO_MAX_JSON_KB, default 1 MB): 413 from the declared Content-Length, or as soon
  as a chunked body passes it; uploads have their own streaming limit
  (service/api/uploads.py); and a deadline on reading any body (RELATO_BODY_TIMEOUT_S);
- the failed-authentication limiter (AuthFailures below, per IP,
  RELATO_AUTH_FAILURES_PER_MINUTE) that service/api/deps.py consults;
- an in-flight limit per process (RELATO_MAX_INFLIGHT, `InflightLimit`): past it, API
  requests are answered 503 with Retry-After at once instead of queueing for a thread;
- CORS only when RELATO_CORS_ORIGINS lists origins: closed by default, so a page on
  another site cannot call the API from a reviewer's browser;
- removal of upload spool files left by a killed server (service/api/uploads.py).
- a filter on uvicorn's access log that redacts secrets from the logged URL
  (`RedactSecrets`).
Tokens travel only in the Authorization header, which uvicorn's access log never
prints; no endpoint reads a token from the query string, and one sent there anyway
(`?token=...`) is refused and shown as `token=[redacted]` in the log.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import threading
import time
from collections import deque
from urllib.parse import unquote, unquote_plus

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.uploads import sweep_spool
from service.storage.config import Settings

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


UPLOAD_ROUTES = {("POST", "/api/v1/reports")}  # stream their body against RELATO_MAX_UPLOAD_MB
CLOSE = {"Connection": "close"}  # uvicorn then drops the connection: the unread body is never read


def _has_token(scope: Scope) -> bool:
    """Whether the request carries `Authorization: Bearer <something>` (checked later)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            return scheme.lower() == b"bearer" and bool(token.strip())
    return False


class TokenFirst:
    """Pure ASGI middleware: an API request with a body and no bearer token is answered 401
    at once, before a byte of its body is read, and its connection closed.

    FastAPI reads a JSON route's body before it solves the route's dependencies (the
    token check), so without this a client with no token could make the server read (and
    hold) any body it sent: 1 GB of `multipart/form-data` took a server to 2.19 GB, and 64
    bodies trickling in a byte every 2 s held the in-flight limit (issue 23)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] in BODY_METHODS and scope["path"].startswith("/api/")
                and not _has_token(scope)):
            await JSONResponse({"detail": MISSING_TOKEN}, status_code=401,
                               headers={"WWW-Authenticate": "Bearer", **CLOSE})(scope, receive, send)
            return
        await self.app(scope, receive, send)


MISSING_TOKEN = "missing API token: send 'Authorization: Bearer TOKEN' (an admin creates one with `relato token create`)"


class BodyLimit:
    """Pure ASGI middleware: refuse request bodies larger than `limit` bytes (413), whatever
    their content type, except on the upload route, which streams against its own limit;
    and a body that has not arrived `timeout_s` after the request began (408), plus one
    second per `MIN_BODY_RATE` bytes the request may still send, so a slow link is served
    and a body trickling in a byte every few seconds is not held open for ever."""

    MIN_BODY_RATE = 64 * 1024  # bytes per second, on average, that a body must keep up

    def __init__(self, app: ASGIApp, limit: int, timeout_s: float, upload_limit: int) -> None:
        self.app, self.limit, self.timeout_s, self.upload_limit = app, limit, timeout_s, upload_limit

    def _detail(self) -> str:
        return f"the request body is larger than {self.limit // 1024} KB (RELATO_MAX_JSON_KB)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = (scope["method"], scope["path"]) in UPLOAD_ROUTES
        limit = self.upload_limit if upload else self.limit
        declared = headers.get(b"content-length", b"")
        if not upload and declared.isdigit() and int(declared) > self.limit:
            await JSONResponse({"detail": self._detail()}, status_code=413, headers=CLOSE)(scope, receive, send)
            return
        expected = int(declared) if declared.isdigit() and int(declared) <= limit else limit
        deadline = time.monotonic() + self.timeout_s + expected / self.MIN_BODY_RATE
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
            except TimeoutError:  # FastAPI re-raises HTTPException from body reading as is
                raise HTTPException(408, f"the request body did not arrive within {deadline_s:g} s "
                                         "(RELATO_BODY_TIMEOUT_S)", headers=CLOSE) from None
            seen += len(message.get("body", b""))
            if not upload and seen > self.limit:
                raise HTTPException(413, self._detail(), headers=CLOSE)
            return message

        deadline_s = round(deadline - time.monotonic())
        await self.app(scope, counted, send)


RETRY_AFTER_S = 1
BUSY = "the server is busy; nothing was changed"


def retry_later(detail: str) -> JSONResponse:
    """503 with Retry-After: what the API answers when it cannot serve a request now (too
    many in flight, no database connection free, the connection lost); the client retries."""
    return JSONResponse({"detail": f"{detail}; try again in {RETRY_AFTER_S} s"}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_S)})


class InflightLimit:
    """Pure ASGI middleware: at most `limit` API requests of this process in progress; one
    more is answered 503 + Retry-After at once, without touching the database.

    Past its capacity a process only queues (requests wait for one of RELATO_THREADS
    threads), and every queued request makes all later ones later: at twice the capacity
    the bench measured 2-4 s for everything. With a cap, what is admitted is served in
    about cap / capacity seconds and the rest is told to come back (issue 11). Only
    requests with a token count: one without is refused at once (TokenFirst, the token
    checks), and 64 of them trickling in must not shut out the reviewers (issue 23)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit, self.inflight = app, limit, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or not _has_token(scope):
            await self.app(scope, receive, send)  # no token: answered 401 at once, counts for nothing
            return
        if self.inflight >= self.limit:
            await retry_later(BUSY)(scope, receive, send)
            return
        self.inflight += 1  # one event loop per process: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1


SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:[^=&;#]*(?:token|key|secret|password|passwd|auth|bearer|session)[^=&;#]*)=)[^&;#]*")
TOKEN_VALUE = re.compile(r"rlt_[A-Za-z0-9_\-%]+")  # service/storage/tokens.py TOKEN_PREFIX, anywhere


TOKENISH = re.compile(r"rlt_|[A-Za-z0-9_\-]{32,}")  # a token, or a token's random part (43 characters)
# A token's random part whose '-' a client turned into '+': decoded as a query string it is
# pieces shorter than TOKENISH's run, so the undecoded form is searched as well (a 40-character
# run of words joined by '+', a long search phrase, is redacted too: a log loses nothing by it).
TOKENISH_PLUS = re.compile(r"[A-Za-z0-9_\-+]{40,}")


def _tokenish(text: str) -> bool:
    return bool(TOKENISH.search(unquote_plus(text)) or TOKENISH_PLUS.search(unquote(text)))


def redact_url(url: str) -> str:
    """`url` with the values of secret-looking query parameters, anything shaped like an
    API token, and any query value that looks like a token once URL-decoded (`rlt%5F...`,
    `?q=<the token without its prefix>`), replaced by [redacted]."""
    path, mark, query = SECRET_PARAM.sub(r"\1[redacted]", url).partition("?")
    if _tokenish(path):
        path = TOKEN_VALUE.sub("[redacted]", unquote_plus(path))
    if mark:
        query = "&".join(_redact_pair(pair) for pair in query.split("&"))
    return TOKEN_VALUE.sub("[redacted]", path + mark + query)


def _redact_pair(pair: str) -> str:
    name, equals, value = pair.partition("=")
    if _tokenish(value) or (not equals and _tokenish(name)):
        return f"{name}=[redacted]" if equals else "[redacted]"
    return pair


class RedactSecrets(logging.Filter):
    """On uvicorn's access log, whose record args are (client, method, path?query, http, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_url(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Install RedactSecrets on uvicorn's access logger once (it survives uvicorn's dictConfig)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())


def cors_origins(settings: Settings) -> list[str]:
    return [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]


def harden(app: FastAPI, settings: Settings) -> None:
    app.state.auth_failures = AuthFailures(settings.auth_failures_per_minute)
    app.add_middleware(BodyLimit, limit=settings.max_json_kb * 1024, timeout_s=settings.body_timeout_s,
                       upload_limit=settings.max_upload_bytes + 64 * 1024)
    app.add_middleware(InflightLimit, limit=settings.max_inflight)  # outside BodyLimit, inside CORS
    app.add_middleware(TokenFirst)  # outermost but for CORS: nothing is read or counted before it
    origins = cors_origins(settings)
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"], expose_headers=["X-Next-Cursor", "Retry-After"],
        )
    sweep_spool(settings)
    redact_access_log()


class AuthFailures:
    """Failed authentications per client IP in a sliding minute; past the limit, 429.

    In-process: each `relato serve` process counts on its own (several processes
    behind a balancer each allow the limit). A blocked IP's wrong tokens get 429
    until its oldest failure in the window is a minute old (the answer's Retry-After
    says when that is); its live tokens still pass (service/api/deps.py).
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
