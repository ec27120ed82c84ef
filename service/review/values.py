"""Validate a reviewer's corrected value for its fact kind (EXTRACTION-GUIDE.md shapes).

Each checker returns the normalised value or raises InvalidValue with a message
that says what is expected, so the review API can answer 422 with it.
"""

from __future__ import annotations

import math
import re
from calendar import monthrange
from collections.abc import Callable
from datetime import date
from typing import Any

from extractor.model import Qualifier

ISO_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits: \d takes "２０２５"
QUALIFIERS: tuple[str, ...] = Qualifier.__args__  # type: ignore[attr-defined]


class InvalidValue(ValueError):
    """A corrected value that does not fit its kind; the message says what would."""


def _date_bounds(value: Any) -> tuple[date, date]:
    """First and last day that an ISO date at any precision (YYYY, YYYY-MM, YYYY-MM-DD) covers."""
    match = ISO_DATE.match(value) if isinstance(value, str) else None
    if not match:
        raise InvalidValue(f"{value!r} is not an ISO date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            exact = date(int(year), int(month), int(day))
            return exact, exact
        if month:
            first = date(int(year), int(month), 1)
            return first, first.replace(day=monthrange(first.year, first.month)[1])
        return date(int(year), 1, 1), date(int(year), 12, 31)
    except ValueError as exc:
        raise InvalidValue(f"{value!r} is not a real date ({exc})") from exc


def check_date(value: Any) -> str:
    _date_bounds(value)
    return value


def check_period(value: Any) -> dict[str, str]:
    """{start, end}, each an ISO date; the period may not end before it starts."""
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise InvalidValue('a period is {"start": "YYYY[-MM[-DD]]", "end": "YYYY[-MM[-DD]]"}')
    start_first, _ = _date_bounds(value["start"])
    _, end_last = _date_bounds(value["end"])
    if start_first > end_last:
        raise InvalidValue(f"the period starts ({value['start']}) after it ends ({value['end']})")
    return {"start": value["start"], "end": value["end"]}


MAX_DIGITS = 30  # of an integer value: R$ 10^29 is no budget line, and a 10^309 broke float checks


def _number(value: Any, kind: str, *, non_negative: bool) -> int | float:
    """`value` if it is a plain JSON number that fits its kind. Integers are kept exact (the
    feed round-trips them, even past 2^63), so they are bounded by digits, not by a float
    conversion that would overflow (an OverflowError was a 500)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(f"a {kind} is a plain number (e.g. 255766 or 28.79), not {_short(value)}")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise InvalidValue(f"a {kind} has at most {MAX_DIGITS} digits")
    elif not math.isfinite(value):
        raise InvalidValue(f"a {kind} is a plain number (e.g. 255766 or 28.79), not {value!r}")
    if non_negative and value < 0:
        raise InvalidValue(f"a {kind} cannot be negative ({value})")
    return value


def _short(value: Any) -> str:
    """`value`'s repr, cut: the message of a 422 echoes what was sent, never megabytes of it."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def municipality_names() -> dict[str, str]:
    """IBGE code -> official name of every Brazilian municipality (EXTRACTION-GUIDE.md: any state)."""
    from service.review.municipalities import names

    return names()


def check_municipality(value: Any) -> str:
    code = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(code, str) or code not in municipality_names():
        raise InvalidValue(f"{value!r} is not the 7-digit IBGE code of a Brazilian municipality (e.g. \"3168606\")")
    return code


PERCENT_RANGE = (0.0, 100.0)  # a share of something done, reached or spent: 150% is a typo, not a value


def check_percentage(value: Any) -> int | float:
    """A plain number from 0 to 100 (the reports' percentages are shares; see PERCENT_RANGE)."""
    number = _number(value, "percentage", non_negative=False)
    low, high = PERCENT_RANGE
    if not low <= number <= high:
        raise InvalidValue(f"a percentage is between {low:g} and {high:g}, not {number:g}")
    return number


CHECKERS: dict[str, Callable[[Any], Any]] = {
    "date": check_date,
    "period": check_period,
    "count": lambda v: _number(v, "count", non_negative=True),
    "percentage": check_percentage,
    "money": lambda v: _number(v, "money amount", non_negative=True),
    "municipality": check_municipality,
}


MAX_VALUE_TEXT = 200  # characters of any text inside a value: no date, code or number is longer


def check_value(kind: str, value: Any) -> Any:
    """The normalised value for `kind`; raises InvalidValue (whose message never repeats a long input)."""
    if value is None:
        raise InvalidValue("a correction needs a `value`")
    texts = [value] if isinstance(value, str) else list(value.values()) if isinstance(value, dict) else []
    if any(isinstance(t, str) and len(t) > MAX_VALUE_TEXT for t in texts):
        raise InvalidValue(f"a {kind} value has no text longer than {MAX_VALUE_TEXT} characters")
    checker = CHECKERS.get(kind)
    if checker is None:
        raise InvalidValue(f"unknown fact kind {kind!r}")
    return checker(value)


def check_qualifier(qualifier: str | None) -> str | None:
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise InvalidValue(f"qualifier must be one of {', '.join(QUALIFIERS)}, not {qualifier!r}")
    return qualifier
