"""The reference app of `bench/api.py --rate` (issue 11): the same three operations as
relato's open-loop mix, done the minimal way, to tell what the machine, FastAPI and
uvicorn cost from what relato adds.

FastAPI + one psycopg_pool AsyncConnectionPool, one statement per request, on its own
table `ref_fact (id, value, status, version, change_seq)` in its own database
(`relato_ref`, created, seeded and dropped by bench/api.py). Same paths and bodies as
relato, no authentication, no history table:

- `GET /api/v1/extractions/{id}`: one SELECT by primary key.
- `POST /api/v1/extractions/{id}/review` {action, version, value?}: a guarded
  `UPDATE … SET …, version = version + 1, change_seq = nextval(…) WHERE id = %s AND
  version = %s RETURNING …`; 409 when no row comes back (stale version), 404 if absent.
- `GET /api/v1/records?since=S&limit=N`: `SELECT … WHERE change_seq > %s ORDER BY
  change_seq LIMIT %s` on an index of change_seq, serialised with json.dumps.

Run: `REF_DATABASE_URL=postgresql://… uvicorn --factory bench.refapp:create_app`.
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

STATUS_OF = {"confirm": "confirmed", "correct": "corrected", "reject": "rejected"}
COLUMNS = "id, value, status, version, change_seq"

SCHEMA = """
CREATE TABLE ref_fact (
    id integer PRIMARY KEY,
    value jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    version integer NOT NULL DEFAULT 1,
    change_seq bigint
);
CREATE SEQUENCE ref_change_seq;
"""
INDEX = "CREATE UNIQUE INDEX ref_fact_change_seq ON ref_fact (change_seq)"


def seed_sql(rows: int, in_feed: int) -> list[str]:
    """Statements that create and fill the table: `rows` pending facts, the last
    `in_feed` of them confirmed with change numbers 1..in_feed."""
    first_in_feed = rows - in_feed + 1
    return [
        SCHEMA,
        f"INSERT INTO ref_fact (id, value, status, change_seq) SELECT i, to_jsonb(mod(i * 7, 100000)), "
        f"CASE WHEN i >= {first_in_feed} THEN 'confirmed' ELSE 'pending' END, "
        f"CASE WHEN i >= {first_in_feed} THEN i - {first_in_feed} + 1 END FROM generate_series(1, {rows}) AS i",
        INDEX,
        f"SELECT setval('ref_change_seq', {max(in_feed, 1)})",
        "ANALYZE ref_fact",
    ]


def _row(r: tuple) -> dict[str, Any]:
    return {"id": r[0], "value": r[1], "status": r[2], "version": r[3], "change_seq": r[4]}


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type="application/json")


def create_app() -> FastAPI:
    url = os.environ["REF_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    size = int(os.environ.get("REF_POOL_SIZE", "10"))
    pool = AsyncConnectionPool(url, min_size=size, max_size=size, open=False, timeout=5)

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # type: ignore[no-untyped-def]
        await pool.open(wait=True)
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> Response:
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
        return _json({"status": "ok"})

    @app.get("/api/v1/extractions/{fact_id}")
    async def get_fact(fact_id: int) -> Response:
        async with pool.connection() as conn:
            row = await (await conn.execute(f"SELECT {COLUMNS} FROM ref_fact WHERE id = %s", (fact_id,))).fetchone()
        return _json(_row(row)) if row else _json({"detail": "not found"}, 404)

    @app.post("/api/v1/extractions/{fact_id}/review")
    async def review(fact_id: int, request: Request) -> Response:
        body = await request.json()
        status = STATUS_OF.get(body.get("action", ""))
        if status is None or not isinstance(body.get("version"), int):
            return JSONResponse({"detail": "action and version required"}, 422)
        async with pool.connection() as conn:
            row = await (await conn.execute(
                f"UPDATE ref_fact SET status = %s, value = COALESCE(%s, value), version = version + 1, "
                f"change_seq = nextval('ref_change_seq') WHERE id = %s AND version = %s RETURNING {COLUMNS}",
                (status, Jsonb(body["value"]) if "value" in body else None, fact_id, body["version"]),
            )).fetchone()
            if row is None:
                exists = await (await conn.execute("SELECT 1 FROM ref_fact WHERE id = %s", (fact_id,))).fetchone()
                return _json({"detail": "stale version" if exists else "not found"}, 409 if exists else 404)
        return _json(_row(row))

    @app.get("/api/v1/records")
    async def records(since: int = 0, limit: int = 500) -> Response:
        async with pool.connection() as conn:
            rows = await (await conn.execute(
                f"SELECT {COLUMNS} FROM ref_fact WHERE change_seq > %s ORDER BY change_seq LIMIT %s",
                (since, min(limit, 5000)),
            )).fetchall()
        items = [_row(r) for r in rows]
        return _json({"items": items, "next_cursor": str(items[-1]["change_seq"] if items else since)})

    return app
