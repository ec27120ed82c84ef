"""uvicorn's HTTP protocol with two guards against clients that open connections and
never get to a request (issue 23): ~22,000 connections that never finished their headers
used up the server's open files, since uvicorn times out only idle keep-alives.

- **Header deadline** (RELATO_HEADER_TIMEOUT_S): a request's headers must be complete
  this long after its connection opened or its first byte arrived; else the connection
  is closed.
- **Per-client cap** (RELATO_MAX_UNAUTHENTICATED_PER_CLIENT, per process): connections
  from one address that have not yet sent a request with a bearer token. One more closes
  that address's oldest such connection, not the new one: the new one may be a reviewer
  behind the same address, who sends a token at once and so leaves the count.

Bodies are guarded in the app (service/api/hardening.py: TokenFirst, BodyLimit's deadline).
`guarded_protocol(settings)` is passed to uvicorn as `http=`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.storage.config import Settings


class GuardedProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with the header deadline and the per-client cap (module docstring)."""

    header_timeout_s: float = 10.0
    per_client: int = 32
    # address -> its connections without a token yet, oldest first (one event loop per process)
    unauthenticated: dict[str, OrderedDict[int, GuardedProtocol]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._address = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else ""
        waiting = self.unauthenticated.setdefault(self._address, OrderedDict())
        waiting[id(self)] = self
        while len(waiting) > self.per_client:
            _, oldest = waiting.popitem(last=False)
            oldest._close()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._forget()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:  # the next request on a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        if any(name == b"authorization" for name, _ in self.headers):
            self._forget()  # a token (checked by the app): no longer counted against the address
        super().on_headers_complete()

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._close)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _forget(self) -> None:
        waiting = self.unauthenticated.get(self._address)
        if waiting is not None:
            waiting.pop(id(self), None)
            if not waiting:
                del self.unauthenticated[self._address]

    def _close(self) -> None:
        self._disarm()
        self._forget()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class for uvicorn's `http=`, with this server's limits."""
    return type("RelatoHttpProtocol", (GuardedProtocol,), {
        "header_timeout_s": settings.header_timeout_s,
        "per_client": settings.max_unauthenticated_per_client,
        "unauthenticated": {},
    })
