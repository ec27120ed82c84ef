"""Statements built once and, on PostgreSQL, run straight on psycopg's cursor.

SQLAlchemy's Core execution costs ~0.15 ms of CPU per statement on top of psycopg's
(execution context, result metadata, Row objects, connection events): on the hot
routes that was a fifth of a request (issue 11). On PostgreSQL a `Fast` statement is
compiled once to psycopg's SQL and run on the connection's own cursor; its rows are
plain tuples holding what SQLAlchemy would have returned, because for the types used
here (integers, text, floats, booleans, JSON, timestamps) the psycopg dialect leaves
result conversion to psycopg (`tests/service/test_statements.py` compares the two).
On SQLite, the embedded database, the statement runs through SQLAlchemy as usual.

Only for reads and single-statement writes on a connection in autocommit (the read
engine, service/storage/db.py): the cursor bypasses SQLAlchemy's transaction tracking.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import BindParameter, Connection
from sqlalchemy.sql import ClauseElement


class Fast:
    """One statement that returns rows, with named bind parameters (no expanding `IN` lists)."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._pg: tuple[str, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def _compiled(self, conn: Connection) -> tuple[str, dict[str, Any]]:
        if self._pg is None:
            with self._lock:
                compiled = self.statement.compile(dialect=conn.dialect)
                binds: dict[str, BindParameter[Any]] = compiled.binds
                if any(b.expanding for b in binds.values()):
                    raise ValueError("Fast statements take no expanding (IN-list) parameters")
                self._pg = (compiled.string, dict(compiled.params))
        return self._pg

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        if conn.dialect.name != "postgresql":
            return [tuple(r) for r in conn.execute(self.statement, params)]
        sql, defaults = self._compiled(conn)
        with conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(sql, {**defaults, **params})
            return cursor.fetchall()  # (not via `description`: building it cost more than the fetch)

    def first(self, conn: Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        rows = self.rows(conn, params)
        return rows[0] if rows else None
