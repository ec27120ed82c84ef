"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for the load phase of bench/api.py.

Why not httpx's AsyncClient: on this 2-core machine it costs the client ~5 ms of
CPU per request, so 32 of them measured mostly themselves (the server answered
`/healthz` 5x faster to this client at 32 connections). Here a request is one
write and a few reads on a socket that stays open, enough for the service's
answers (Content-Length or chunked bodies, no redirects, no TLS).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class Connection:
    """One persistent connection to host:port; one request at a time."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.headers = {"Host": f"{host}:{port}", **(headers or {})}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, *, body: bytes = b"", content_type: str | None = None) -> Response:
        if self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        head = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in self.headers.items()]
        if body or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}")
        if content_type:
            head.append(f"Content-Type: {content_type}")
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        try:
            return await self._read_response(self._reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def post_json(self, path: str, payload: Any) -> Response:
        return await self.request("POST", path, body=json.dumps(payload).encode(), content_type="application/json")

    async def post_file(self, path: str, field: str, filename: str, data: bytes, mime: str) -> Response:
        boundary = uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {mime}\r\n\r\n"
        ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return await self.request("POST", path, body=body, content_type=f"multipart/form-data; boundary={boundary}")

    async def _read_response(self, reader: asyncio.StreamReader) -> Response:
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await _read_chunked(reader)
        else:
            body = b""
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, body)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # the empty trailer section
            return b"".join(parts)
        parts.append((await reader.readexactly(size + 2))[:-2])
