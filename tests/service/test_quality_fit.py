"""The pieces of the refit and the quality figures: the Wilson interval at its edges, the
non-decreasing fit, the refit of one extractor's bins, and the confidence bin computed in
SQL (both databases) equal to the one computed in Python."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, literal, select
from sqlmodel import Session

from service.quality.refit import BINS, PRIOR, BinCount, bin_of, confidence_bin, fit
from service.quality.stats import non_decreasing, ratio, wilson


@pytest.mark.parametrize(("k", "n", "expected"), [
    (0, 0, (None, None)),            # no decision: no interval
    (0, 10, (0.0, 0.2775)),          # none right: the interval still reaches above 0
    (10, 10, (0.7225, 1.0)),         # all right: and below 1
    (7, 9, (0.4526, 0.9368)),
    (95, 100, (0.8882, 0.9785)),
])
def test_wilson_interval(k: int, n: int, expected: tuple[float | None, float | None]) -> None:
    assert wilson(k, n) == expected
    low, high = wilson(k, n)
    if n:
        assert low is not None and high is not None and low <= k / n <= high


@pytest.mark.parametrize(("k", "n", "expected"), [(0, 0, None), (2, 3, 0.6667), (3, 3, 1.0)])
def test_ratio_is_null_without_a_denominator(k: int, n: int, expected: float | None) -> None:
    assert ratio(k, n) == expected


@pytest.mark.parametrize(("values", "weights", "expected"), [
    ([0.2, 0.5, 0.9], [1, 1, 1], [0.2, 0.5, 0.9]),          # already in order: unchanged
    ([0.9, 0.1], [1, 1], [0.5, 0.5]),                        # one violation: pooled
    ([0.9, 0.1], [3, 1], [0.7, 0.7]),                        # pooled by weight
    ([0.5, 0.8, 0.2, 0.9], [1, 1, 1, 1], [0.5, 0.5, 0.5, 0.9]),  # a later violation reaches back
])
def test_non_decreasing_fit(values: list[float], weights: list[float], expected: list[float]) -> None:
    assert non_decreasing(values, weights) == pytest.approx(expected)


def test_the_fit_smooths_each_bin_keeps_the_order_and_fills_empty_bins_between_neighbours() -> None:
    counts = {4: BinCount(10, 10, 4.2), 14: BinCount(40, 20, 28.4)}  # 0.42: all right; 0.71: half
    bins = fit(counts)
    assert len(bins) == BINS
    low = (10 + PRIOR * 0.42) / (10 + PRIOR)
    high = (20 + PRIOR * 0.71) / (40 + PRIOR)
    pooled = (low * 12 + high * 42) / 54  # low > high: the two are pooled
    assert [round(b.refitted, 6) for b in bins] == [round(pooled, 6)] * BINS
    rising = fit({4: BinCount(10, 2, 4.2), 14: BinCount(40, 36, 28.4)})
    values = [b.refitted for b in rising]
    assert values == sorted(values) and values[0] == values[4] and values[14] == values[19]
    assert values[9] == pytest.approx((values[4] + values[14]) / 2, abs=1e-6)  # halfway between 4 and 14
    assert (rising[4].decided, rising[4].confirmed, rising[4].mean_confidence) == (10, 2, 0.42)


CONFIDENCES = [0.0, 0.01, 0.05, 0.1, 0.15, 0.3, 0.35, 0.45, 0.55, 0.7, 0.85, 0.9, 0.94999, 0.95, 0.97, 0.999, 1.0]


def test_sql_bins_equal_python_bins(engine: Engine) -> None:
    with Session(engine) as session:
        got = [session.execute(select(confidence_bin(literal(c)))).scalar() for c in CONFIDENCES]
    assert got == [bin_of(c) for c in CONFIDENCES]
    assert bin_of(1.0) == BINS - 1 and bin_of(0.05) == 1 and bin_of(0.94999) == 18
