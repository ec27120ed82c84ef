"""JSON values that come back exactly as they were stored, on both databases.

A fact's value is often a bare number, and consumers must get the number that was
reviewed, digit for digit (issue 23): `0.30000000000000004`, not `0.3`; an integer past
2^63, not a float.

- SQLite gives a column declared `JSON` NUMERIC affinity: the text `0.30000000000000004`
  or `18446744073709551617` is converted to REAL on the way in, and read back with 15
  significant digits. `ExactJSON` binds the JSON text as a BLOB on SQLite, which no
  affinity converts; `CAST(value AS TEXT)` (the feed) reads it back as the same text.
  Rows written before (REAL, INTEGER or TEXT) still load.
- PostgreSQL's `json` keeps its text as written, but orjson (the fast loader) reads an
  integer past 64 bits as a float: `exact_loads` hands such texts to the json module.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from sqlalchemy import JSON, Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

_LONG_DIGITS_STR = re.compile(r"\d{19}")  # 2^63 has 19 digits: below that orjson is exact
_LONG_DIGITS_BYTES = re.compile(rb"\d{19}")


def exact_loads(data: str | bytes | bytearray | memoryview) -> Any:
    """orjson.loads, except for texts with an integer that orjson would turn into a float."""
    if isinstance(data, memoryview):
        data = bytes(data)
    pattern = _LONG_DIGITS_STR if isinstance(data, str) else _LONG_DIGITS_BYTES
    return json.loads(data) if pattern.search(data) else orjson.loads(data)  # type: ignore[arg-type]


def dumps(value: Any) -> str:
    """The JSON text of a value; the json module, which writes any integer and the
    shortest repr of a float (17 significant digits when needed)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


class _PassedAsIs(TypeEngine[Any]):
    """Declared `JSON`, values passed to and from sqlite3 untouched (ExactJSON converts)."""

    __visit_name__ = "JSON"


class ExactJSON(TypeDecorator[Any]):
    """`JSON` in the schema; on SQLite bound as a UTF-8 BLOB (see the module docstring)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(_PassedAsIs() if dialect.name == "sqlite" else JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return dumps(value).encode() if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name == "sqlite" and isinstance(value, bytes | str):
            return exact_loads(value)
        return value
