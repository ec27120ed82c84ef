"""The quality report: what reviewers' decisions say about extraction, computed on each
call from the stored decisions (no batch job, nothing cached but the refit).

Every figure comes from a few GROUP BY aggregates, so the rows sent to Python are
(report, extractor, kind, status) groups and (extractor, confidence bin) groups, never
one per fact:

- precision = confirmed / decided, decided = confirmed + corrected + rejected (confirm
  means right; correct or reject means wrong), per extractor, kind, series and report,
  with a 95 % Wilson interval. Facts reviewers added (extractor `reviewer`) are misses
  and never count in precision.
- misses per kind and report; recall on the pages marked "revisado por completo" =
  found / (found + corrected + added): a confirmed extracted fact was found, a corrected
  one exists but was delivered wrong, an added one was not found at all; rejected facts
  are not facts and pending ones are only counted.
- reliability: the extraction confidence in ten bins against the observed precision, ECE.
- drift: an extractor's precision on one report DRIFT_DROP or more below its running
  precision on the reports uploaded before it (lower ids), with at least DRIFT_MIN_REPORT
  decided facts of it on that report and DRIFT_MIN_RUNNING on the earlier ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from service.quality import refit as refits
from service.quality.schemas import (
    DriftFlag,
    MissRow,
    Misses,
    PrecisionRow,
    QualityPublic,
    Recall,
    RecallRow,
    Refit,
    RefitBin,
    Reliability,
    ReliabilityBin,
    ReportRow,
)
from service.quality.stats import DECIMALS, ratio, wilson
from service.storage.models import REVIEWER_EXTRACTOR, ConfidenceRefit, Extraction, Page, RefitState, Report
from service.storage.timeutil import as_utc, utcnow

DRIFT_DROP = 0.20
DRIFT_MIN_REPORT = 10
DRIFT_MIN_RUNNING = 20
RELIABILITY_BINS = 10  # each merges two of the refit's bins


@dataclass
class _Tally:
    confirmed: int = 0
    corrected: int = 0
    rejected: int = 0
    pending: int = 0

    def add(self, status: str, n: int) -> None:
        setattr(self, status, getattr(self, status) + n)

    @property
    def decided(self) -> int:
        return self.confirmed + self.corrected + self.rejected

    def row(self, key: str | None) -> PrecisionRow:
        low, high = wilson(self.confirmed, self.decided)
        return PrecisionRow(key=key, decided=self.decided, confirmed=self.confirmed, corrected=self.corrected,
                            rejected=self.rejected, pending=self.pending,
                            precision=ratio(self.confirmed, self.decided), ci_low=low, ci_high=high)


@dataclass
class _RecallTally:
    pages: int = 0
    found: int = 0
    corrected: int = 0
    added: int = 0
    pending: int = 0

    def row(self, key: str, report_id: int | None = None) -> RecallRow:
        total = self.found + self.corrected + self.added
        low, high = wilson(self.found, total)
        return RecallRow(key=key, report_id=report_id, pages=self.pages, found=self.found, corrected=self.corrected,
                         added=self.added, pending=self.pending, recall=ratio(self.found, total), ci_low=low,
                         ci_high=high)


@dataclass
class _Groups:
    """The (report, extractor, kind, status) counts, folded into every grouping at once."""

    all: _Tally = field(default_factory=_Tally)
    extractor: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    kind: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    series: dict[str | None, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    report: dict[int, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    report_extractor: dict[tuple[int, str], _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    added_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    added_report: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _sorted_rows(tallies: dict[str, _Tally]) -> list[PrecisionRow]:
    return [tallies[k].row(k) for k in sorted(tallies)]


def _groups(session: Session, series_of: dict[int, str | None]) -> _Groups:
    """One scan of the covering index `ix_extraction_quality`, in its order (no sort)."""
    query = (
        select(Extraction.report_id, Extraction.extractor, Extraction.kind, Extraction.status, func.count())
        .group_by(col(Extraction.report_id), col(Extraction.extractor), col(Extraction.kind), col(Extraction.status))
    )
    groups = _Groups()
    for report_id, extractor, kind, status, n in session.exec(query):  # type: ignore[call-overload]
        if extractor == REVIEWER_EXTRACTOR:  # a miss, unless a reviewer rejected the addition again
            if status != "rejected":
                groups.added_kind[kind] += n
                groups.added_report[report_id] += n
            continue
        for tally in (groups.all, groups.extractor[extractor], groups.kind[kind], groups.report[report_id],
                      groups.series[series_of.get(report_id)], groups.report_extractor[(report_id, extractor)]):
            tally.add(status, n)
    return groups


def _drift(groups: _Groups) -> list[DriftFlag]:
    flags: list[DriftFlag] = []
    running: dict[str, _Tally] = defaultdict(_Tally)
    for report_id, extractor in sorted(groups.report_extractor):
        here, before = groups.report_extractor[(report_id, extractor)], running[extractor]
        if here.decided >= DRIFT_MIN_REPORT and before.decided >= DRIFT_MIN_RUNNING:
            precision, earlier = here.confirmed / here.decided, before.confirmed / before.decided
            if earlier - precision >= DRIFT_DROP - 1e-9:
                flags.append(DriftFlag(
                    report_id=report_id, extractor=extractor, decided=here.decided, confirmed=here.confirmed,
                    precision=round(precision, DECIMALS), running_decided=before.decided,
                    running_precision=round(earlier, DECIMALS), drop=round(earlier - precision, DECIMALS)))
        before.confirmed += here.confirmed
        before.corrected += here.corrected
        before.rejected += here.rejected
    return flags


def _recall(session: Session) -> Recall:
    """Counts on complete pages: one GROUP BY over the facts joined to their marked pages."""
    pages_of = dict(session.exec(  # type: ignore[call-overload]
        select(Page.report_id, func.count()).where(col(Page.complete_by).is_not(None)).group_by(col(Page.report_id))
    ).all())
    query = (
        select(Extraction.report_id, Extraction.kind, Extraction.extractor, Extraction.status, func.count())
        .join(Page, and_(col(Page.report_id) == col(Extraction.report_id), col(Page.number) == col(Extraction.page)))
        .where(col(Page.complete_by).is_not(None))
        .group_by(col(Extraction.report_id), col(Extraction.kind), col(Extraction.extractor), col(Extraction.status))
    )
    total_pages = sum(pages_of.values())
    everything = _RecallTally(pages=total_pages)
    by_kind: dict[str, _RecallTally] = defaultdict(lambda: _RecallTally(pages=total_pages))
    by_report: dict[int, _RecallTally] = {rid: _RecallTally(pages=n) for rid, n in pages_of.items()}
    for report_id, kind, extractor, status, n in session.exec(query):  # type: ignore[call-overload]
        added = extractor == REVIEWER_EXTRACTOR
        for tally in (everything, by_kind[kind], by_report.setdefault(report_id, _RecallTally())):
            if added:
                tally.added += n if status != "rejected" else 0
            elif status in ("confirmed", "corrected", "pending"):
                attr = {"confirmed": "found", "corrected": "corrected", "pending": "pending"}[status]
                setattr(tally, attr, getattr(tally, attr) + n)
    return Recall(all=everything.row("all"), by_kind=[by_kind[k].row(k) for k in sorted(by_kind)],
                  by_report=[by_report[r].row(str(r), r) for r in sorted(by_report)])


def _reliability(counts: dict[str, dict[int, refits.BinCount]]) -> Reliability:
    per = refits.BINS // RELIABILITY_BINS
    merged = [[0, 0, 0.0] for _ in range(RELIABILITY_BINS)]
    for bins in counts.values():
        for number, c in bins.items():
            cell = merged[number // per]
            cell[0] += c.decided
            cell[1] += c.confirmed
            cell[2] += c.confidence_sum
    out, decided, gap = [], 0, 0.0
    for number, (n, k, total) in enumerate(merged):
        n, k = int(n), int(k)
        low, high = wilson(k, n)
        lo, hi = refits.bin_bounds(number, RELIABILITY_BINS)
        mean = round(total / n, DECIMALS) if n else None
        out.append(ReliabilityBin(bin_low=lo, bin_high=hi, decided=n, confirmed=k, mean_confidence=mean,
                                  precision=ratio(k, n), ci_low=low, ci_high=high))
        if n:
            decided += n
            gap += n * abs(total / n - k / n)
    return Reliability(bins=out, decided=decided, ece=round(gap / decided, DECIMALS) if decided else None)


def _refits(session: Session) -> list[Refit]:
    state = session.get(RefitState, 1)
    rows = session.scalars(select(ConfidenceRefit).order_by(col(ConfidenceRefit.extractor), col(ConfidenceRefit.bin))).all()
    by_extractor: dict[str, list[ConfidenceRefit]] = defaultdict(list)
    for row in rows:
        by_extractor[row.extractor].append(row)
    return [
        Refit(extractor=extractor, decided=sum(b.decided for b in bins), confirmed=sum(b.confirmed for b in bins),
              fitted_at=as_utc(state.fitted_at) if state else None,
              through_change=state.through_change if state else None,
              bins=[RefitBin(bin_low=refits.bin_bounds(b.bin)[0], bin_high=refits.bin_bounds(b.bin)[1],
                             decided=b.decided, confirmed=b.confirmed, mean_confidence=_round(b.mean_confidence),
                             refitted=round(b.refitted, DECIMALS)) for b in bins])
        for extractor, bins in by_extractor.items()
    ]


def _round(value: float | None) -> float | None:
    return round(value, DECIMALS) if value is not None else None


def _misses(groups: _Groups) -> Misses:
    return Misses(
        all=sum(groups.added_kind.values()),
        by_kind=[MissRow(key=k, added=groups.added_kind[k]) for k in sorted(groups.added_kind)],
        by_report=[MissRow(key=str(r), report_id=r, added=groups.added_report[r]) for r in sorted(groups.added_report)],
    )


def _series_key(key: str | None) -> tuple[bool, str]:
    return key is not None, key or ""


def quality_report(session: Session) -> QualityPublic:
    """Every figure of the quality report from the stored decisions (refresh the refit first:
    service/quality/refit.py `refresh`)."""
    through = session.execute(select(func.max(Extraction.change_seq))).scalar()
    reports = {rid: (filename, series) for rid, filename, series in
               session.exec(select(Report.id, Report.filename, Report.series))}  # type: ignore[call-overload]
    groups = _groups(session, {rid: series for rid, (_, series) in reports.items()})
    flags = _drift(groups)
    flags_of: dict[int, list[DriftFlag]] = defaultdict(list)
    for flag in flags:
        flags_of[flag.report_id].append(flag)
    report_ids: Iterable[int] = sorted(set(groups.report) | set(groups.added_report))
    by_report = [
        ReportRow(**groups.report[rid].row(str(rid)).model_dump(), report_id=rid,
                  filename=reports.get(rid, ("", None))[0], series=reports.get(rid, ("", None))[1],
                  added=groups.added_report.get(rid, 0), drift=flags_of.get(rid, []))
        for rid in report_ids
    ]
    return QualityPublic(
        generated_at=utcnow(), through_change=through, refit_min_decided=refits.MIN_DECIDED,
        all=groups.all.row("all"), by_extractor=_sorted_rows(groups.extractor), by_kind=_sorted_rows(groups.kind),
        by_series=[groups.series[k].row(k) for k in sorted(groups.series, key=_series_key)],
        by_report=by_report, misses=_misses(groups), recall=_recall(session),
        reliability=_reliability(refits.decided_by_bin(session)), refits=_refits(session), drift=flags,
    )
