"""What keeps one careless or hostile client from hurting the service, wired in one call.

`harden(app, settings)` (from service/app.py) adds:
- a body limit on every request that is not a multipart upload (RELATO_MAX_JSON_KB,
  default 1 MB): 413 from the declared Content-Length, or as soon as a chunked body
  passes it; uploads have their own streaming limit (service/uploads.py);
- the failed-authentication limiter (service/security.py AuthFailures, per IP,
  RELATO_AUTH_FAILURES_PER_MINUTE) that service/deps.py consults;
- CORS only when RELATO_CORS_ORIGINS lists origins: closed by default, so a page on
  another site cannot call the API from a reviewer's browser;
- removal of upload spool files left by a killed server (service/uploads.py).
Tokens travel only in the Authorization header, which uvicorn's access log never
prints; no endpoint reads a token from the query string.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings
from service.security import AuthFailures
from service.uploads import sweep_spool

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class BodyLimit:
    """Pure ASGI middleware: refuse non-multipart request bodies larger than `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    def _detail(self) -> str:
        return f"the request body is larger than {self.limit // 1024} KB (RELATO_MAX_JSON_KB)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data"):
            await self.app(scope, receive, send)  # uploads stream against their own limit
            return
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await JSONResponse({"detail": self._detail()}, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # FastAPI re-raises HTTPException from body reading as is
                raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counted, send)


def cors_origins(settings: Settings) -> list[str]:
    return [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]


def harden(app: FastAPI, settings: Settings) -> None:
    app.state.auth_failures = AuthFailures(settings.auth_failures_per_minute)
    app.add_middleware(BodyLimit, limit=settings.max_json_kb * 1024)
    origins = cors_origins(settings)
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"], expose_headers=["X-Next-Cursor", "Retry-After"],
        )
    sweep_spool(settings)
