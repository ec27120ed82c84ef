"""String columns hold at most their declared length, on both databases alike.

PostgreSQL refuses a value longer than a `VARCHAR(n)` (StringDataRightTruncation, a 500
in the worker); SQLite stores it. Code that worked on SQLite then broke on PostgreSQL
(a title normalising past 500 characters stored its series on one and failed linking on
the other, issue 23). `enforce_bounds` checks every object a session flushes against
its table's lengths and raises `TooLong` on both databases, before the database sees it;
the writers bound what they store (service/editions/linking.py SERIES_MAX, uploads'
file names, the pydantic input models)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String, event, inspect
from sqlalchemy.orm import Session
from sqlmodel.sql.sqltypes import AutoString


class TooLong(ValueError):
    """A string longer than its column's declared length."""


def bounded_length(column: Column[Any]) -> int | None:
    """The declared length of a string column (String, or sqlmodel's AutoString), else None."""
    length = getattr(column.type, "length", None)
    return length if isinstance(length, int) and isinstance(column.type, String | AutoString) else None


def _check(obj: Any) -> None:
    mapper = inspect(obj).mapper
    for column in mapper.columns:
        length = bounded_length(column)
        if length is None:
            continue
        value = getattr(obj, mapper.get_property_by_column(column).key, None)
        if isinstance(value, str) and len(value) > length:
            raise TooLong(f"{column.table.name}.{column.name} holds at most {length} characters, not {len(value)}")


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        _check(obj)


def enforce_bounds() -> None:
    """Install the check on every ORM session (once; safe to call again)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
