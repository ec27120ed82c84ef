"""What the API accepts as an id, a cursor or a piece of text: one validation layer for
every route and request body, so a bad value is a 422 naming the field, never a 500
from the database.

- `Id`: a row id, 1 .. 2**31-1 on every database (PostgreSQL's `integer` columns;
  SQLite shares the bound so the contract does not depend on the database). `BodyId`
  is the same in a JSON body, where `true`, `"1"` or `1.0` are not ids.
- `Cursor`: what a list or the feed returned as its next cursor: ASCII digits only
  (`str.isdigit()` also takes '²' or '٣'), at most 2**31-1 (an extraction id or a change
  number, both `integer` columns), or '' for the start.
- `Text`: a string with no NUL, no other control character but tab and newlines, and
  no lone surrogate (PostgreSQL refuses NUL in text and JSON; neither database can
  encode a surrogate). `InputModel` applies the same rule to every string of a request
  body, nested ones included.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator, BeforeValidator, BaseModel, ConfigDict, StrictInt, StringConstraints, model_validator

MAX_ID = 2**31 - 1
MAX_CURSOR = MAX_ID  # extraction.id and extraction.change_seq are `integer` columns
CURSOR_PATTERN = r"^[0-9]{0,10}$"
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def bad_text(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    found = _BAD_CHARS.search(value)
    if found is None:
        return None
    char = found.group()
    what = "a NUL byte" if char == "\x00" else "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return f"contains {what} ({char!r} at {found.start()}); send printable text"


def _text(value: str) -> str:
    if (why := bad_text(value)) is not None:
        raise ValueError(why)
    return value


def _cursor(value: str) -> str:
    if value and int(value) > MAX_CURSOR:
        raise ValueError("is not a cursor this API returned (too large)")
    return value


def cursor_value(cursor: str | None) -> int:
    """The change or row number a validated `Cursor` stands for (0 at the start)."""
    return int(cursor) if cursor else 0


_DIGITS = re.compile(r"[0-9]{1,10}")


def _plain_digits(value: Any) -> Any:
    """A path or query number as ASCII digits only: int() also takes '+1', ' 1 ' and '1_0'
    (a fuzzer revoked token 1 with `DELETE /tokens/+1`)."""
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("is not a number: send ASCII digits only, no sign, spaces or separators")
    return value


Id = Annotated[int, BeforeValidator(_plain_digits), Ge(1), Le(MAX_ID)]
BodyId = Annotated[StrictInt, Ge(1), Le(MAX_ID)]
Count = Annotated[int, BeforeValidator(_plain_digits), Ge(1), Le(MAX_ID)]  # a `limit`
Version = Annotated[StrictInt, Ge(0), Le(MAX_ID)]
Cursor = Annotated[str, StringConstraints(pattern=CURSOR_PATTERN), AfterValidator(_cursor)]
Text = Annotated[str, AfterValidator(_text)]


def _check_strings(value: Any, where: str = "") -> None:
    if isinstance(value, str):
        if (why := bad_text(value)) is not None:
            raise ValueError(f"{where or 'a string'} {why}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, where)
            _check_strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{where}[{index}]")


class InputModel(BaseModel):
    """Base of every request body: unknown fields refused, every string (at any depth) `Text`."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _printable(cls, data: Any) -> Any:
        _check_strings(data)
        return data
