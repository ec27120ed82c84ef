"""The FastAPI application: migrations on start, routes, error shapes, in-process worker.

`create_app()` is what `relato serve` runs; tests pass Settings and may turn the
worker off to drive extraction themselves.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from python_multipart.exceptions import FormParserError

from service.api.hardening import harden, redact_access_log
from service.api.routes import (
    assist,
    editions,
    extractions,
    health,
    initiatives,
    live,
    records,
    reports,
    review_page,
    tokens,
)
from service.jobs.worker import run_worker
from service.storage.config import Settings
from service.storage.db import make_engine, run_migrations, write_engine

log = logging.getLogger("relato.app")
DESCRIPTION = (
    "Turns status-report PDFs into reviewed, structured records. Every `/api/v1` call needs "
    "`Authorization: Bearer TOKEN` (`relato token create --role ROLE --name NAME`); roles: "
    "operator (upload, read reports), reviewer (read everything, review), consumer (records "
    "feed), admin (everything, tokens). Errors are `{\"detail\": \"...\"}`."
)


def create_app(settings: Settings | None = None, *, start_worker: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        run_migrations(engine)
        app.state.engine, app.state.write_engine = engine, write_engine(engine)
        redact_access_log()  # again, after uvicorn configured its loggers
        stop = threading.Event()
        thread = threading.Thread(target=run_worker, args=(engine, settings, stop), name="relato-worker", daemon=True)
        if start_worker:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread.is_alive():
                thread.join(timeout=30)
            engine.dispose()

    app = FastAPI(title="relato", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # /docs, /redoc: routes/review_page.py, no CDN
    app.state.settings = settings
    harden(app, settings)  # body limit, failed-auth limiter, CORS (service/api/hardening.py)
    for module in (health, reports, extractions, records, tokens, assist, review_page, initiatives, editions, live):
        app.include_router(module.router)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(FormParserError, _unreadable_form)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
    return app


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    """One readable sentence in `detail` (plus the structured list in `errors`)."""
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


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": f"internal error ({type(exc).__name__}); the server log has the details"}, status_code=500
    )
