"""Request dependencies (`Annotated`, after full-stack-fastapi-template's api/deps.py):
database sessions, settings and the caller's role.

One reading session per request, shared by the token check and the route (FastAPI
caches a dependency per request). It holds a connection only while a statement or
transaction runs: the token check hands it back before the route's thread-pool hop,
and the session dependencies are `async`, so opening and closing them never waits for
a thread. Before issue 11 a request kept a connection "idle in transaction" while it
waited for a thread or for a second connection, and under load every connection of
the pool ended up held that way until the 30 s pool timeout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from service.api.hardening import MISSING_TOKEN, AuthFailures
from service.storage.config import Settings
from service.storage.models import Report
from service.storage.schemas import ErrorOut
from service.storage.tokens import Principal, UseClock, a_role, find_principal, hash_token

bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `relato token create --role ROLE --name NAME`.",
)




# Dependencies that only read app state, or only look at the principal, are `async def`:
# FastAPI runs a plain `def` dependency on the thread pool, and each such hop cost about
# as much as the attribute lookup's whole request share (profiled with bench/api.py).
async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's reading session (autocommit on PostgreSQL, service/storage/db.py). Routes
    end what they begin; closing here finds nothing to send in the usual case."""
    session = Session(request.app.state.read_engine)
    try:
        yield session
    finally:
        session.close()


async def get_write_session(request: Request) -> AsyncIterator[Session]:
    """A session whose transactions take SQLite's write lock up front (see service/storage/db.py)."""
    session = Session(request.app.state.write_engine)
    try:
        yield session
    finally:
        session.close()


# What any /api/v1 operation may answer besides its own codes: documented on every router so
# the OpenAPI document (and a client generated from it) knows every status the API sends.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "a request body that cannot be read (not UTF-8 JSON)"},
    401: {"model": ErrorOut, "description": "missing, unknown or revoked API token"},
    403: {"model": ErrorOut, "description": "the token's role may not do this"},
    413: {"model": ErrorOut, "description": "request body over RELATO_MAX_JSON_KB"},
    422: {"model": ErrorOut, "description": "invalid request: `detail` says what, `errors` lists each problem"},
    429: {"model": ErrorOut, "description": "too many failed authentications from this address (Retry-After)"},
    503: {"model": ErrorOut, "description": "the server is overloaded or its database unreachable; "
                                            "retry after the seconds in Retry-After"},
}

EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": closed as soon as the route function returns, before FastAPI serialises
# the response (for a sync route, on another thread-pool hop): held until after the
# response was sent, the connections of requests waiting for that hop starved the threads
# that needed them.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]


def client_ip(request: Request) -> str:
    """The peer address (uvicorn puts a trusted proxy's X-Forwarded-For here, see --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


def _refuse_wrong_token(request: Request) -> None:
    """A wrong token: 429 with Retry-After while this IP is over its failed-authentication
    budget, else counted against it (the caller then answers 401)."""
    failures: AuthFailures | None = getattr(request.app.state, "auth_failures", None)
    if failures is None:
        return
    if wait := failures.retry_after(client_ip(request)):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed authentications from this address; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    failures.record(client_ip(request))


CHALLENGE = {"WWW-Authenticate": "Bearer"}


def current_principal(
    request: Request, session: Session, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """401 unless a live bearer token is sent; reads it through the request's session and
    ends that read at once, so no connection is held while the route waits for its
    thread or a response streams. A wrong token counts against
    the caller's IP (service/api/hardening.py AuthFailures); a missing one does not.
    A live token is never refused for its address: one script sending a wrong token
    behind an office's NAT must not lock out every reviewer there. The tokens are
    256-bit random strings, so answering a right guess from a blocked address gives
    a guesser nothing; the block still stops a flood of wrong ones."""
    if credentials is None:
        raise _missing_token()
    try:
        principal = find_principal(session, credentials.credentials)
    finally:
        session.rollback()  # hands the connection back (PostgreSQL reads autocommit: nothing sent)
    return _live(request, principal)


def _live(request: Request, principal: Principal | None) -> Principal:
    """`principal`, or 401 (429 once the address is over its failed-authentication budget).
    A live token's use is noted (to the minute, service/storage/tokens.py UseClock)."""
    if principal is not None:
        clock: UseClock | None = getattr(request.app.state, "token_uses", None)
        if clock is not None:
            clock.note(request.app.state.write_engine, principal.token_id)
    if principal is None:
        _refuse_wrong_token(request)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the API token is unknown or revoked; ask an admin for a new one",
            headers=CHALLENGE,
        )
    return principal


def _missing_token() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        MISSING_TOKEN,
        headers=CHALLENGE,
    )


def _allow(principal: Principal, roles: tuple[str, ...]) -> Principal:
    """`principal` if its role is one of `roles` or admin (who may do everything); else 403."""
    if principal.role == "admin" or principal.role in roles:
        return principal
    allowed = ", ".join((*roles, "admin"))
    raise HTTPException(
        status.HTTP_403_FORBIDDEN,
        f"{a_role(principal.role)} token cannot do this; it needs one of: {allowed}",
    )


def require_role(*roles: str) -> Callable[..., Principal]:
    """A dependency that lets a live token of `roles` (and admin, who may do everything)
    through; others get 401 or 403. One dependency, not three chained ones: FastAPI's
    dependency solving was a sixth of a request's CPU (issue 11)."""

    def check(
        request: Request,
        session: SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        return _allow(current_principal(request, session, credentials), roles)

    return check


@dataclass(frozen=True)
class Caller:
    """A request's bearer token, checked by the route itself on its own thread: the hot
    routes (one fact, a review, a list, a feed page) then cost one thread-pool hop and
    one connection checkout instead of two of each (issue 11). The hottest read the
    token in the same statement as their data (`digest` + service/api/queries.py
    `with_token`, then `admit`); the others call `require`. Made by `caller_of`
    (`CallerDep`), which refuses a missing token as `require_role` does."""

    request: Request
    token: str

    @property
    def digest(self) -> str:
        """What the token's row is looked up by (service/storage/tokens.py)."""
        return hash_token(self.token)

    @property
    def read_engine(self) -> Engine:
        return self.request.app.state.read_engine  # type: ignore[no-any-return]

    @property
    def write_engine(self) -> Engine:
        return self.request.app.state.write_engine  # type: ignore[no-any-return]

    def admit(self, principal: Principal | None, *roles: str) -> Principal:
        """`principal` (read with the route's data) if live and of `roles` (or admin); 401,
        403 or 429 otherwise, exactly as `require_role`."""
        return _allow(_live(self.request, principal), roles)

    def require(self, db: Session | Connection, *roles: str) -> Principal:
        """The caller's principal if its token is live and its role one of `roles` (or admin);
        401, 403 or 429 otherwise, exactly as `require_role`. `db` is left as it is."""
        return self.admit(find_principal(db, self.token), *roles)


async def caller_of(request: Request) -> Caller:
    """The bearer token of a hot route's request, read from the header as HTTPBearer reads
    it. A dependency of its own (`CallerDep`), so that a missing token is 401 before any
    parameter is validated, as on every other route; without HTTPBearer's sub-dependency,
    whose solving cost a tenth of a request's CPU (issue 11). The routes declare the
    scheme with BEARER_OPENAPI."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _missing_token()
    return Caller(request, token)


CallerDep = Annotated[Caller, Depends(caller_of)]


async def token_refusal(request: Request) -> HTTPException | None:
    """What a request's token alone earns it (401, or 429 past the failed-authentication
    budget), or None when it is live. The request-validation handler asks this first: a
    wrong token with invalid parameters was answered 422 and never counted, so rotating
    bad parameters sidestepped the limiter (issue 23). Costs a lookup only on that path."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return _missing_token()

    def lookup() -> Principal | None:
        with request.app.state.read_engine.connect() as conn:
            return find_principal(conn, token)

    try:
        _live(request, await run_in_threadpool(lookup))
    except HTTPException as exc:
        return exc
    return None


# What `Depends(bearer)` would add to an operation in the OpenAPI document (same scheme name).
BEARER_OPENAPI: dict[str, Any] = {"security": [{bearer.scheme_name: []}]}


OperatorDep = Annotated[Principal, Depends(require_role("operator"))]
ReportReaderDep = Annotated[Principal, Depends(require_role("operator", "reviewer"))]
ReviewerDep = Annotated[Principal, Depends(require_role("reviewer"))]
RecordsReaderDep = Annotated[Principal, Depends(require_role("consumer", "reviewer"))]
AdminDep = Annotated[Principal, Depends(require_role())]


def report_or_404(session: Session, report_id: int) -> Report:
    """The stored report, or the 404 every route that names a report answers."""
    report = session.get(Report, report_id)
    if report is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"report {report_id} does not exist")
    return report
