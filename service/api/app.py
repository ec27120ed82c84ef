"""The FastAPI application: migrations on start, routes, error shapes, in-process worker.

`create_app()` is what `relato serve` runs in one process; `create_web_app()` is what
each of the processes of `relato serve --workers N` runs (no extraction worker: the
command runs one per machine itself). Tests pass Settings and may turn the worker off
to drive extraction themselves.

Under load (issue 11): request threads are limited to RELATO_THREADS, each with a
database connection (service/storage/db.py); a request that cannot get one within
RELATO_POOL_TIMEOUT_S is answered 503 with Retry-After. After start-up everything
built so far is moved out of the garbage collector's sight (`gc.freeze()`): the
modules, the app and its schemas are ~170k objects that every full collection would
walk again, stalling the process for tens of milliseconds.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from python_multipart.exceptions import FormParserError

from service.api.deps import token_refusal
from service.api.singlequery import SingleQuery
from service.jobs.extracting import limit_renders
from service.api.hardening import BUSY, harden, redact_access_log, retry_later
from service.api.routes import (
    additions,
    assist,
    editions,
    extractions,
    health,
    initiatives,
    live,
    operations,
    page_text,
    quality,
    records,
    reports,
    tokens,
)
from service.quality.refit import RefitClock
from service.storage.config import Settings
from service.web import pages
from service.storage.tokens import UseClock
from service.storage.db import make_engine, read_engine, run_migrations, write_engine

log = logging.getLogger("relato.app")
DESCRIPTION = (
    "Turns status-report PDFs into reviewed, structured records. Every `/api/v1` call needs "
    "`Authorization: Bearer TOKEN` (`relato token create --role ROLE --name NAME`); roles: "
    "operator (upload, read reports and their quality), reviewer (read everything, review), consumer (records "
    "feed), admin (everything, tokens). Errors are `{\"detail\": \"...\"}`."
)


def create_web_app() -> FastAPI:
    """The app of one process of `relato serve --workers N`: API only, no extraction worker."""
    return create_app(start_worker=False)


def create_app(settings: Settings | None = None, *, start_worker: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, threads=settings.threads,
                             pool_timeout_s=settings.pool_timeout_s, pre_ping=False)
        run_migrations(engine)
        app.state.engine, app.state.write_engine = engine, write_engine(engine)
        app.state.read_engine = read_engine(engine)
        app.state.token_uses = UseClock()  # last use of each token, to the minute
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        redact_access_log()  # again, after uvicorn configured its loggers
        stop = threading.Event()
        thread = None
        if start_worker:  # imported here: a web-only process never loads the extractor (spaCy)
            from service.jobs.worker import run_worker

            thread = threading.Thread(target=run_worker, args=(engine, settings, stop), name="relato-worker",
                                      daemon=True)
            thread.start()
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            stop.set()
            if thread is not None and thread.is_alive():
                thread.join(timeout=30)
            engine.dispose()

    app = FastAPI(title="relato", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # /docs, /redoc: service/web/pages.py, no CDN
    app.state.settings = settings
    app.state.refit_clock = RefitClock(settings.refit_every_s)  # the queue's look for new decisions
    app.add_middleware(SingleQuery)  # inside harden's: counted in flight, after the body checks
    limit_renders(settings.max_renders)
    harden(app, settings)  # body limit, failed-auth limiter, CORS (service/api/hardening.py)
    # The hot routers first: a request is matched against the routers in this order (their
    # paths do not overlap, so the order changes nothing else).
    for module in (extractions, records, health, reports, tokens, assist, pages, initiatives, editions, live,
                   additions, operations, quality, page_text):
        app.include_router(module.router)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(FormParserError, _unreadable_form)  # type: ignore[arg-type]
    app.add_exception_handler(PoolTimeout, _overloaded)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, _database_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
    return app


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """One readable sentence in `detail` (plus the structured list in `errors`); on the API,
    only once the token is known to be live (service/api/deps.py token_refusal)."""
    if request.url.path.startswith("/api/") and (refusal := await token_refusal(request)) is not None:
        return JSONResponse({"detail": refusal.detail}, status_code=refusal.status_code, headers=refusal.headers)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    detail = "invalid request: " + "; ".join(parts)
    errors = [{k: v for k, v in err.items() if k != "input"} for err in exc.errors()]
    return AsciiJSONResponse({"detail": detail, "errors": _jsonable(errors)}, status_code=422)


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped: a refused input may hold a lone surrogate (not
    encodable as UTF-8), which a plain JSONResponse would turn into a 500."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def _jsonable(errors: object) -> object:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={Exception: str, float: _finite})


def _finite(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


async def _unreadable_form(_: Request, exc: FormParserError) -> JSONResponse:
    """A multipart body the parser cannot read is the client's error (uploads catch it themselves)."""
    return JSONResponse({"detail": f"the multipart body could not be read ({exc})"}, status_code=400)


async def _overloaded(request: Request, exc: PoolTimeout) -> JSONResponse:
    """No database connection came free within RELATO_POOL_TIMEOUT_S: every request thread is
    busy. Answer at once rather than queue: the client retries, nothing was done."""
    log.warning("503 on %s %s: no database connection free (%s)", request.method, request.url.path, exc)
    return retry_later(BUSY)


async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
    """A lost database connection is a 503 (the pool is renewed; the retry gets a fresh one);
    any other database error is unexpected."""
    if not exc.connection_invalidated:
        return await _unexpected_error(request, exc)
    log.warning("503 on %s %s: database connection lost (%s)", request.method, request.url.path, exc)
    return retry_later("the database connection was lost")


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": f"internal error ({type(exc).__name__}); the server log has the details"}, status_code=500
    )
