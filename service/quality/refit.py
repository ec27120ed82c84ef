"""Confidence that learns: each extractor's confidence refitted on this deployment's own
review decisions.

The confidence a fact is extracted with was calibrated on our gold files
(rules/calibration.yaml). A deployment's reports may differ, and its reviewers label every
fact they decide: confirm means right, correct or reject means wrong. Once an extractor
has MIN_DECIDED decided facts here, its facts are put in BINS equal-width bins of their
extraction confidence; a bin's refitted confidence is its observed precision, smoothed by
PRIOR pseudo-decisions at the bin's own mean confidence (a bin of three facts does not
jump to 0 or 1), and made non-decreasing across bins (pool adjacent violators, so a
higher extraction confidence never ranks lower). A bin without decisions takes the value
interpolated between its neighbours. The bins live in the table `confidence_refit`, not
in rules/: each deployment learns from its own reviewers.

When: on demand, never in the review's own write (the hot path). `refresh` compares the
highest change number of any fact with the one the last fit saw (one indexed read) and
refits when they differ: the fit is one GROUP BY over the decided facts, (extractor, bin)
rows out, so its cost does not grow with the facts' rows sent to Python. The quality
report and `relato quality` refresh on every call; the queue's list route at most once per
RELATO_REFIT_EVERY_S per process (`RefitClock`). On PostgreSQL a refit holds a
transaction-scoped advisory lock; a second process that finds it taken skips its refit.

Queries read the refitted value with a LEFT JOIN on (extractor, bin) (`refitted_on`);
the bin is computed in SQL by `confidence_bin`, the same expression the fit groups by.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Integer, and_, case, delete, func, insert, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from service.storage.db import is_sqlite, read_engine, write_engine
from service.storage.models import REVIEWER_EXTRACTOR, ConfidenceRefit, Extraction, RefitState
from service.storage.timeutil import utcnow

BINS = 20  # bins of 0.05 of extraction confidence; the reliability table merges them in pairs
MIN_DECIDED = 50  # decided facts of an extractor before its refit is used
PRIOR = 2.0  # pseudo-decisions at the bin's mean confidence
DECIDED = ("confirmed", "corrected", "rejected")
_PG_REFIT_LOCK = 7_264_021


class confidence_bin(FunctionElement[int]):  # noqa: N801 - used like a SQL function
    """floor(confidence * BINS) as an integer, 1.0 (and above) in the last bin, below 0 in
    the first: SQLite's CAST truncates (= floor for confidences >= 0), PostgreSQL's rounds,
    so it gets FLOOR. The same float product as Python's `bin_of`."""

    type = Integer()
    inherit_cache = True
    name = "confidence_bin"


def _bin_sql(element: confidence_bin, compiler: Any, floor: bool, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    x = compiler.process(arg, **kw)
    product = f"FLOOR({x} * {BINS})" if floor else f"{x} * {BINS}"
    return f"(CASE WHEN {x} >= 1 THEN {BINS - 1} WHEN {x} <= 0 THEN 0 ELSE CAST({product} AS INTEGER) END)"


@compiles(confidence_bin)
def _bin_default(element: confidence_bin, compiler: Any, **kw: Any) -> str:
    return _bin_sql(element, compiler, floor=False, **kw)


@compiles(confidence_bin, "postgresql")
def _bin_postgresql(element: confidence_bin, compiler: Any, **kw: Any) -> str:
    return _bin_sql(element, compiler, floor=True, **kw)


def bin_of(confidence: float) -> int:
    """The bin `confidence_bin` puts `confidence` in."""
    if confidence >= 1:
        return BINS - 1
    if confidence <= 0:
        return 0
    return int(confidence * BINS)


def bin_bounds(number: int, bins: int = BINS) -> tuple[float, float]:
    return round(number / bins, 4), round((number + 1) / bins, 4)


@dataclass(frozen=True)
class BinCount:
    """Decided facts of one extractor in one bin: how many, how many confirmed, and the sum of
    their extraction confidences (for the bin's mean)."""

    decided: int
    confirmed: int
    confidence_sum: float


def decided_by_bin(session: Session) -> dict[str, dict[int, BinCount]]:
    """Decided facts per extractor (reviewer-added ones excluded) and bin: one GROUP BY."""
    bin_ = confidence_bin(col(Extraction.confidence))
    query = (
        select(Extraction.extractor, bin_, func.count(),
               func.sum(case((col(Extraction.status) == "confirmed", 1), else_=0)),
               func.sum(Extraction.confidence))
        .where(col(Extraction.status).in_(DECIDED), col(Extraction.extractor) != REVIEWER_EXTRACTOR)
        .group_by(col(Extraction.extractor), bin_)
    )
    out: dict[str, dict[int, BinCount]] = {}
    for extractor, number, n, k, total in session.exec(query):  # type: ignore[call-overload]
        out.setdefault(extractor, {})[int(number)] = BinCount(int(n), int(k or 0), float(total or 0.0))
    return out


@dataclass(frozen=True)
class FittedBin:
    bin: int
    decided: int
    confirmed: int
    mean_confidence: float | None
    refitted: float


def fit(counts: dict[int, BinCount]) -> list[FittedBin]:
    """Every bin's refitted confidence from one extractor's decided facts (module docstring)."""
    from service.quality.stats import non_decreasing

    seen = sorted(b for b, c in counts.items() if c.decided)
    if not seen:
        return []
    means = {b: counts[b].confidence_sum / counts[b].decided for b in seen}
    smoothed = [(counts[b].confirmed + PRIOR * means[b]) / (counts[b].decided + PRIOR) for b in seen]
    fitted = dict(zip(seen, non_decreasing(smoothed, [counts[b].decided + PRIOR for b in seen]), strict=True))
    out = []
    for number in range(BINS):
        count = counts.get(number, BinCount(0, 0, 0.0))
        out.append(FittedBin(number, count.decided, count.confirmed,
                             round(means[number], 6) if number in means else None,
                             round(_at(number, seen, fitted), 6)))
    return out


def _at(number: int, seen: list[int], fitted: dict[int, float]) -> float:
    """A bin's fitted value: its own, or interpolated between the nearest fitted bins (flat past the ends)."""
    if number in fitted:
        return fitted[number]
    below = [b for b in seen if b < number]
    above = [b for b in seen if b > number]
    if not below:
        return fitted[above[0]]
    if not above:
        return fitted[below[-1]]
    lo, hi = below[-1], above[0]
    return fitted[lo] + (fitted[hi] - fitted[lo]) * (number - lo) / (hi - lo)


_STALENESS = text(
    "SELECT (SELECT MAX(change_seq) FROM extraction), "
    "(SELECT through_change FROM refit_state WHERE id = 1), (SELECT fitted_at FROM refit_state WHERE id = 1)"
)


def refresh(engine: Engine) -> bool:
    """Refit if any fact changed (a change number past the last fit's); True if it refitted."""
    with read_engine(engine).connect() as conn:
        latest, through, fitted_at = conn.execute(_STALENESS).one()
    if fitted_at is not None and latest == through:
        return False
    return refit(engine)


def refit(engine: Engine) -> bool:
    """Fit every extractor with MIN_DECIDED decided facts and replace the stored bins, in one
    transaction; False when another process holds the refit (PostgreSQL)."""
    with Session(write_engine(engine)) as session:
        if not is_sqlite(engine) and not session.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _PG_REFIT_LOCK}).scalar():
            return False
        latest = session.execute(select(func.max(Extraction.change_seq))).scalar()
        rows = [
            {"extractor": extractor, "bin": b.bin, "decided": b.decided, "confirmed": b.confirmed,
             "mean_confidence": b.mean_confidence, "refitted": b.refitted}
            for extractor, counts in decided_by_bin(session).items()
            if sum(c.decided for c in counts.values()) >= MIN_DECIDED
            for b in fit(counts)
        ]
        session.execute(delete(ConfidenceRefit))
        if rows:
            session.execute(insert(ConfidenceRefit), rows)
        session.merge(RefitState(id=1, through_change=latest, fitted_at=utcnow()))
        session.commit()
    return True


class RefitClock:
    """One process's last look for new decisions: the queue's list route refreshes the fit
    at most once per `every_s` seconds (0: on every list)."""

    def __init__(self, every_s: float) -> None:
        self.every_s = every_s
        self._next = 0.0
        self._lock = threading.Lock()

    def due(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                return False
            self._next = now + self.every_s
            return True


def refitted_on() -> Any:
    """The ON clause joining a fact to its extractor's refitted bin (LEFT JOIN ConfidenceRefit)."""
    return and_(col(ConfidenceRefit.extractor) == col(Extraction.extractor),
                col(ConfidenceRefit.bin) == confidence_bin(col(Extraction.confidence)))
