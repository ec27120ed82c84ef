"""The shape of GET /api/v1/quality and `relato quality --json` (one model, so the terminal
and the API cannot disagree). Ratios are rounded to 4 decimals; a ratio or interval whose
denominator is 0 is null."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PrecisionRow(BaseModel):
    """Decided facts of one group: precision = confirmed / decided, with its 95 % Wilson interval."""

    key: str | None = Field(description="extractor id, kind, series (null: reports without one), report id, or 'all'")
    decided: int = Field(description="confirmed + corrected + rejected")
    confirmed: int
    corrected: int
    rejected: int
    pending: int
    precision: float | None
    ci_low: float | None
    ci_high: float | None


class DriftFlag(BaseModel):
    """An extractor much less precise on one report than on the reports uploaded before it."""

    report_id: int
    extractor: str
    decided: int
    confirmed: int
    precision: float
    running_decided: int = Field(description="decided facts of the extractor on earlier reports (lower ids)")
    running_precision: float
    drop: float = Field(description="running_precision - precision")


class ReportRow(PrecisionRow):
    report_id: int
    filename: str
    series: str | None
    added: int = Field(description="facts reviewers added by hand to this report (misses)")
    drift: list[DriftFlag]


class MissRow(BaseModel):
    key: str
    added: int
    report_id: int | None = None


class Misses(BaseModel):
    all: int
    by_kind: list[MissRow]
    by_report: list[MissRow]


class RecallRow(BaseModel):
    """Recall on pages marked "revisado por completo": found / (found + corrected + added)."""

    key: str
    report_id: int | None = None
    pages: int = Field(description="pages marked complete in this scope")
    found: int = Field(description="extracted facts confirmed on those pages")
    corrected: int = Field(description="extracted facts corrected there: the fact exists, its value was wrong")
    added: int = Field(description="facts reviewers added there by hand")
    pending: int = Field(description="extracted facts still undecided there (not counted)")
    recall: float | None
    ci_low: float | None
    ci_high: float | None


class Recall(BaseModel):
    all: RecallRow
    by_kind: list[RecallRow]
    by_report: list[RecallRow]


class ReliabilityBin(BaseModel):
    bin_low: float
    bin_high: float
    decided: int
    confirmed: int
    mean_confidence: float | None
    precision: float | None
    ci_low: float | None
    ci_high: float | None


class Reliability(BaseModel):
    bins: list[ReliabilityBin]
    decided: int
    ece: float | None = Field(description="facts-weighted mean of |mean_confidence - precision| over the bins")


class RefitBin(BaseModel):
    bin_low: float
    bin_high: float
    decided: int
    confirmed: int
    mean_confidence: float | None
    refitted: float


class Refit(BaseModel):
    extractor: str
    decided: int
    confirmed: int
    fitted_at: datetime | None
    through_change: int | None
    bins: list[RefitBin]


class QualityPublic(BaseModel):
    generated_at: datetime
    through_change: int | None = Field(description="the highest change number counted (a feed cursor)")
    refit_min_decided: int
    all: PrecisionRow
    by_extractor: list[PrecisionRow]
    by_kind: list[PrecisionRow]
    by_series: list[PrecisionRow]
    by_report: list[ReportRow]
    misses: Misses
    recall: Recall
    reliability: Reliability
    refits: list[Refit]
    drift: list[DriftFlag]
