"""The pure parts of the open-loop generator (bench/openloop.py): the seeded Poisson
schedule, its mix, and the counting of outcomes. No server, no timing asserted."""

from __future__ import annotations

import statistics

from bench import openloop
from bench.openloop import Outcome, RunLog


def test_schedule_is_seeded_poisson_with_the_mix() -> None:
    arrivals = openloop.schedule(100, 200, seed=3)
    assert arrivals == openloop.schedule(100, 200, seed=3)
    assert arrivals != openloop.schedule(100, 200, seed=4)
    times = [a.at for a in arrivals]
    assert times == sorted(times) and 0 < times[0] and times[-1] < 200
    assert abs(len(arrivals) - 20_000) < 600  # ~4 standard deviations of Poisson(20,000)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert abs(statistics.mean(gaps) - 0.01) < 0.0005
    assert abs(statistics.stdev(gaps) - 0.01) < 0.001  # exponential: sd equals the mean
    share = {op: sum(a.op == op for a in arrivals) / len(arrivals) for op, _ in openloop.MIX}
    for op, weight in openloop.MIX:
        assert abs(share[op] - weight) < 0.02


def test_schedule_empty_without_rate_or_time() -> None:
    assert openloop.schedule(0, 30) == [] and openloop.schedule(50, 0) == []


def test_summary_counts_every_scheduled_request() -> None:
    log = RunLog(scheduled=8, outcomes=[
        Outcome("GET", 0.01, 200), Outcome("review", 0.2, 200), Outcome("feed", 1.5, 200),
        Outcome("GET", 0.02, 503), Outcome("GET", 0.03, 500), Outcome("review", 0.05, 409),
        Outcome("feed", 10.0, None, "timeout"),
    ])  # the 8th never finished within the drain: a timeout too
    s = openloop.summary(log)
    assert (s["answered"], s["s503"], s["s5xx"], s["timeouts"], s["transport"]) == (6, 1, 1, 2, 0)
    assert s["s4xx"] == {409: 1}
    assert s["served_share"] == 3 / 8  # answered < 500 within 1 s, over all scheduled
    assert sorted(log.latency) == ["GET", "feed", "review"] and len(log.latency["GET"]) == 3


def test_achieved_rate_shows_a_generator_that_fell_behind() -> None:
    arrivals = openloop.schedule(50, 10, seed=1)
    on_time = RunLog(lag=[0.0] * len(arrivals), fired_in=arrivals[-1].at)
    late = RunLog(lag=[0.0] * len(arrivals), fired_in=2 * arrivals[-1].at)
    assert abs(openloop.achieved_rate(on_time, arrivals) - len(arrivals) / arrivals[-1].at) < 1e-9
    assert openloop.achieved_rate(late, arrivals) < 0.6 * openloop.achieved_rate(on_time, arrivals)
