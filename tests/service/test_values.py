"""Corrected values are validated for their kind (spec: EXTRACTION-GUIDE.md shapes)."""

from __future__ import annotations

from typing import Any

import pytest

from service.review.values import InvalidValue, check_qualifier, check_value

VALID = [
    ("date", "2025", "2025"), ("date", "2025-10", "2025-10"), ("date", "2024-02-29", "2024-02-29"),
    ("period", {"start": "2023-12", "end": "2025-10"}, {"start": "2023-12", "end": "2025-10"}),
    ("period", {"start": "2025", "end": "2025-03"}, {"start": "2025", "end": "2025-03"}),
    ("period", {"start": "2025-10-01", "end": "2025-10"}, {"start": "2025-10-01", "end": "2025-10"}),
    ("count", 255766, 255766), ("count", 1500.0, 1500.0), ("count", 0, 0),
    ("percentage", 28.79, 28.79), ("percentage", 0, 0), ("percentage", 100, 100),
    ("money", 1200000, 1200000), ("count", 2**64 + 1, 2**64 + 1), ("money", 10**30 - 1, 10**30 - 1),
    ("municipality", "3168606", "3168606"), ("municipality", 3106200, "3106200"),
    ("municipality", "3550308", "3550308"),  # any state (São Paulo, SP)
]
INVALID = [
    ("date", "2025-13", "not a real date"), ("date", "2023-02-29", "not a real date"),
    ("date", "out/2025", "not an ISO date"), ("date", "2025-1", "not an ISO date"), ("date", 2025, "not an ISO date"),
    ("period", {"start": "2025-10", "end": "2023-12"}, "after it ends"),
    ("period", {"start": "2025-10"}, "a period is"), ("period", "2023-12/2025-10", "a period is"),
    ("period", {"start": "2025-10", "end": "2025-02-30"}, "not a real date"),
    ("count", "255.766", "plain number"), ("count", True, "plain number"), ("count", -1, "negative"),
    ("count", float("nan"), "plain number"), ("percentage", "68%", "plain number"),
    ("percentage", 150, "between 0 and 100"), ("percentage", -3.5, "between 0 and 100"),
    ("percentage", 100.01, "between 0 and 100"),
    ("money", "R$ 1,2 milhão", "plain number"), ("money", -5, "negative"),
    ("municipality", "Teófilo Otoni", "IBGE code"), ("municipality", "3550309", "IBGE code"),
    ("municipality", "31686", "IBGE code"), ("count", None, "needs a `value`"),
    *((kind, sign * 10**digits, "at most 30 digits") for kind in ("count", "money", "percentage")
      for sign in (1, -1) for digits in (30, 309, 4000)),
]


@pytest.mark.parametrize(("kind", "value", "expected"), VALID)
def test_valid_values(kind: str, value: Any, expected: Any) -> None:
    assert check_value(kind, value) == expected


@pytest.mark.parametrize(("kind", "value", "message"), INVALID)
def test_invalid_values(kind: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        check_value(kind, value)


@pytest.mark.parametrize(("qualifier", "ok"), [("at_least", True), ("approx", True), ("mais de", False)])
def test_qualifier(qualifier: str, ok: bool) -> None:
    if ok:
        assert check_qualifier(qualifier) == qualifier
    else:
        with pytest.raises(InvalidValue, match="qualifier must be one of"):
            check_qualifier(qualifier)
