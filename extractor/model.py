"""Pydantic models at the extractor's boundary: the JSON of EXTRACT-JSON.md.

These are what `relato extract` prints and what the service stores, so tests,
gold files and downstream tools read one shape.
"""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field

FactKind = Literal["date", "period", "count", "percentage", "money", "municipality"]
FACT_KINDS: tuple[FactKind, ...] = ("date", "period", "count", "percentage", "money", "municipality")
Qualifier = Literal["exact", "at_least", "approx", "target", "at_most"]
BBox = tuple[float, float, float, float]


class PeriodValue(BaseModel):
    """A span; each endpoint is ISO at the precision written (YYYY, YYYY-MM or YYYY-MM-DD)."""

    model_config = ConfigDict(extra="forbid")
    start: str
    end: str


FactValue = Union[str, float, int, PeriodValue]


class Extraction(BaseModel):
    """One fact with its evidence: where it was read and how sure we are."""

    kind: FactKind
    text: str
    value: FactValue
    unit: str | None = None
    qualifier: Qualifier | None = None
    name: str | None = None
    page: int
    bbox: BBox
    # one box per printed line when the fact wraps; left out of the JSON otherwise
    # (EXTRACT-JSON.md allows added fields; `bbox` stays the union)
    lines: list[BBox] | None = Field(default=None, exclude_if=lambda v: v is None)
    extractor: str
    confidence: float = Field(ge=0.0, le=1.0)
    # why the confidence is low, when the reading itself is in doubt ("número lido com
    # baixa confiança": OCR read a number poorly twice); left out of the JSON otherwise
    warning: str | None = Field(default=None, exclude_if=lambda v: v is None)


class Area(BaseModel):
    number: int | None
    name: str


class Initiative(BaseModel):
    title: str
    area: Area | None
    pages: list[int]
    text: str
    extractions: list[Extraction] = []


class Source(BaseModel):
    filename: str
    sha256: str
    pages: int


class Report(BaseModel):
    title: str | None
    status_date: str | None
    extractions: list[Extraction] = []


class ExtractResult(BaseModel):
    """The whole document: `relato extract FILE.pdf` prints exactly this."""

    schema_version: int = 1
    source: Source
    report: Report
    initiatives: list[Initiative]
    warnings: list[str] = []
