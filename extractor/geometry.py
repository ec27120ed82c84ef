"""Tiny pure helpers on boxes and 1-D intervals (pdfplumber's ``utils/geometry`` habit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar


class Boxed(Protocol):
    x0: float
    top: float
    x1: float
    bottom: float


B = TypeVar("B", bound=Boxed)


def rows_of(items: Iterable[B]) -> list[list[B]]:
    """Items clustered into rows, top to bottom, each left to right.

    An item joins the row above when its vertical middle falls within that row's
    span so far (which grows with each item), so words of one line set at
    different sizes or baselines stay together.
    """
    rows: list[list[B]] = []
    spans: list[tuple[float, float]] = []
    for it in sorted(items, key=lambda it: (it.top, it.x0)):
        mid = (it.top + it.bottom) / 2
        if rows and spans[-1][0] <= mid <= spans[-1][1]:
            rows[-1].append(it)
            lo, hi = spans[-1]
            spans[-1] = (min(lo, it.top), max(hi, it.bottom))
        else:
            rows.append([it])
            spans.append((it.top, it.bottom))
    return [sorted(r, key=lambda it: it.x0) for r in rows]


def merge_bboxes(items: Iterable[Boxed]) -> tuple[float, float, float, float]:
    """The union box ``(x0, top, x1, bottom)`` of ``items`` (which must not be empty)."""
    x0 = top = float("inf")
    x1 = bottom = float("-inf")
    for it in items:
        x0, top = min(x0, it.x0), min(top, it.top)
        x1, bottom = max(x1, it.x1), max(bottom, it.bottom)
    if x0 == float("inf"):
        raise ValueError("merge_bboxes() needs at least one box")
    return (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2))


def interval_gaps(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Empty stretches between the union of 1-D ``spans`` (each ``(lo, hi)``), in order."""
    gaps: list[tuple[float, float]] = []
    if not spans:
        return gaps
    ordered = sorted(spans)
    reach = ordered[0][1]
    for lo, hi in ordered[1:]:
        if lo > reach:
            gaps.append((reach, lo))
        reach = max(reach, hi)
    return gaps


def median(values: Sequence[float]) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted character spans with overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
