"""`Fast` statements (service/storage/statements.py) return on PostgreSQL's own cursor
exactly the rows SQLAlchemy returns; on SQLite they run through SQLAlchemy."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, bindparam, select

from service.api import reviews
from service.api.queries import TOKEN_AND_FACT
from service.feed import records as feed
from service.storage.db import read_engine
from service.storage.models import Extraction
from service.storage.statements import Fast
from service.storage.tokens import _LIVE_TOKEN, hash_token
from tests.service.helpers import review


def _both(engine: Engine, statement: Fast, params: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    with read_engine(engine).connect() as conn:
        fast = statement.rows(conn, params)
        plain = [tuple(r) for r in conn.execute(statement.statement, params)]
    return fast, plain


def test_fast_rows_equal_sqlalchemy_rows(client: TestClient, engine: Engine, tokens: dict[str, str],
                                         items: list[dict[str, Any]]) -> None:
    reviewer = tokens["reviewer"]
    for item in items[:3]:
        assert review(client, reviewer, item["id"], "confirm", item["version"]).status_code == 200
    digest = hash_token(reviewer)
    cases = [
        (TOKEN_AND_FACT, {"digest": digest, "extraction_id": items[0]["id"]}),
        (TOKEN_AND_FACT, {"digest": digest, "extraction_id": 2**31 - 1}),  # no such fact: the token's row alone
        (TOKEN_AND_FACT, {"digest": hash_token("rlt_wrong"), "extraction_id": items[0]["id"]}),  # no row
        (reviews._TOKEN_AND_FACT, {"digest": digest, "extraction_id": items[1]["id"]}),
        (_LIVE_TOKEN, {"digest": digest}),
        (feed._PAGE, {"after": 0, "end": 10**9, "limit": 500}),
    ]
    for statement, params in cases:
        fast, plain = _both(engine, statement, params)
        assert fast == plain, statement
        assert all(type(a) is type(b) for f, p in zip(fast, plain, strict=True) for a, b in zip(f, p, strict=True))
    fast, _ = _both(engine, feed._PAGE, {"after": 0, "end": 10**9, "limit": 500})
    assert len(fast) == 3 and {row[1] for row in fast} == {"confirmed"}


def test_fast_refuses_in_lists() -> None:
    statement = Fast(select(Extraction.id).where(Extraction.id.in_(bindparam("ids", expanding=True))))
    from sqlalchemy.dialects import postgresql

    class _Conn:  # only what Fast reads of a connection
        dialect = postgresql.dialect()

    with pytest.raises(ValueError, match="expanding"):
        statement.rows(_Conn(), {"ids": [1]})  # type: ignore[arg-type]
