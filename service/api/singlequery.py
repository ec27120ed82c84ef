"""Each query parameter at most once: with `?limit=5&limit=500` the last one silently won,
so a client (or a proxy that appends) never learnt that its first value was ignored.
No route takes a list in the query, so a repeated name is always a mistake: 422 naming
it, after the token check as for any invalid parameter (service/api/deps.py
token_refusal)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.deps import token_refusal


def repeated_name(query: bytes) -> str | None:
    """The first query parameter name given twice, or None."""
    if b"&" not in query:
        return None
    seen: set[str] = set()
    for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return name
        seen.add(name)
    return None


class SingleQuery:
    """Pure ASGI middleware: a repeated query parameter on the API is a 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            name = repeated_name(scope.get("query_string", b""))
            if name is not None:
                refusal = await token_refusal(Request(scope, receive))
                answer = (JSONResponse({"detail": refusal.detail}, refusal.status_code, refusal.headers)
                          if refusal is not None else
                          JSONResponse({"detail": f"invalid request: the query parameter {name!r} is given more "
                                                  "than once; send it once"}, status_code=422))
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
