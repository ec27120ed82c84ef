"""Overload: a request that cannot get a database connection in time is answered 503 with
Retry-After (nothing changed), and the process recovers once connections come free."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.api.app import create_app
from service.storage.config import Settings
from tests.service.conftest import auth


def test_exhausted_pool_answers_503_with_retry_after(settings: Settings, engine: Engine,
                                                     tokens: dict[str, str], items) -> None:  # type: ignore[no-untyped-def]
    tight = settings.model_copy(update={"threads": 1, "pool_timeout_s": 0.1})
    fact = items[0]
    with TestClient(create_app(tight, start_worker=False)) as client:
        app_engine = client.app.state.engine  # type: ignore[attr-defined]
        held = [app_engine.connect() for _ in range(app_engine.pool.size())]
        try:
            for response in (
                client.get(f"/api/v1/extractions/{fact['id']}", headers=auth(tokens["reviewer"])),
                client.post(f"/api/v1/extractions/{fact['id']}/review", headers=auth(tokens["reviewer"]),
                            json={"action": "confirm", "version": 1}),
                client.get("/api/v1/records", headers=auth(tokens["consumer"])),
            ):
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"] == "1"
                assert "busy" in response.json()["detail"]
        finally:
            for conn in held:
                conn.close()
        again = client.get(f"/api/v1/extractions/{fact['id']}", headers=auth(tokens["reviewer"]))
        assert again.status_code == 200 and again.json()["version"] == 1  # the refused review changed nothing


def test_503_is_declared_on_every_api_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    api = [op for path, ops in paths.items() if path.startswith("/api/v1") for op in ops.values()]
    assert api and all("503" in op["responses"] for op in api)


def test_inflight_limit_answers_503_at_once_and_lets_the_next_through() -> None:
    """With the limit reached, one more API request is refused with 503 + Retry-After without
    reaching the app; /healthz is not limited, nor is a request without a token (the app
    answers it 401 at once); once a request ends, the next one passes."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from service.api.hardening import InflightLimit

    release, reached = asyncio.Event(), []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        reached.append(scope["path"])
        if scope["path"] == "/api/v1/slow":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def call(limited: InflightLimit, path: str, token: bool = True) -> tuple[int, dict[bytes, bytes]]:
        sent: list[dict] = []  # type: ignore[type-arg]

        async def receive() -> dict:  # type: ignore[type-arg]
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:  # type: ignore[type-arg]
            sent.append(message)

        headers = [(b"authorization", b"Bearer rlt_x")] if token else []
        await limited({"type": "http", "path": path, "method": "GET", "headers": headers}, receive, send)
        return sent[0]["status"], dict(sent[0].get("headers", []))

    async def scenario() -> None:
        limited = InflightLimit(app, limit=1)
        slow = asyncio.create_task(call(limited, "/api/v1/slow"))
        while not reached:
            await asyncio.sleep(0)
        status, headers = await call(limited, "/api/v1/extractions/1")
        assert status == 503 and headers[b"retry-after"] == b"1"
        assert (await call(limited, "/healthz"))[0] == 200
        assert (await call(limited, "/api/v1/extractions/2", token=False))[0] == 200  # no token: not counted
        release.set()
        assert (await slow)[0] == 200
        assert (await call(limited, "/api/v1/extractions/1"))[0] == 200
        assert reached == ["/api/v1/slow", "/healthz", "/api/v1/extractions/2", "/api/v1/extractions/1"]

    # in a thread of its own: a browser test's sync Playwright may leave a loop running here
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
