"""What the editions endpoints return: initiatives over time, series, diffs, link decisions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from service.storage.inputs import BodyId, InputModel
from service.storage.schemas import AreaPublic


class FactEvidence(BaseModel):
    id: int
    report_id: int
    status_date: str | None
    kind: str
    text: str
    value: Any
    unit: str | None
    qualifier: str | None
    name: str | None
    page: int
    bbox: list[float]
    lines: list[list[float]] | None = Field(None, description="one box per printed line when the fact wraps")
    status: str
    orphaned: bool
    page_width: float | None = Field(None, description="the page's size in PDF points (in series answers), "
                                     "to place `bbox` on the page image")
    page_height: float | None = None


class TitleAt(BaseModel):
    status_date: str | None
    report_id: int
    initiative_id: int
    title: str


class InitiativeSummary(BaseModel):
    key: str = Field(description="stable across editions; use it in /initiatives/{key}/series")
    series: str | None = Field(description="the report series (normalised report title, or set explicitly)")
    title: str = Field(description="the title in the latest edition")
    titles: list[TitleAt] = Field(description="title in each edition, oldest first")
    area: AreaPublic | None = Field(description="area in the latest edition")
    editions: list[str | None] = Field(description="status dates of the editions it appears in")
    pinned: bool = Field(description="a reviewer merged or split it; linking will not move it")


class InitiativesList(BaseModel):
    items: list[InitiativeSummary]


class SeriesEdition(BaseModel):
    report_id: int
    status_date: str | None
    initiative_id: int
    title: str
    facts: list[FactEvidence]


class SeriesPoint(BaseModel):
    status_date: str | None
    report_id: int
    extraction_id: int
    value: Any


class CountSeries(BaseModel):
    unit: str | None = Field(description="case-insensitive; 'Acionamentos' and 'acionamentos' are one series")
    qualifier: str | None
    points: list[SeriesPoint]


class InitiativeSeries(BaseModel):
    key: str
    series: str | None
    title: str
    editions: list[SeriesEdition]
    counts: list[CountSeries] = Field(description="count facts grouped by unit (and qualifier), oldest first")


class FactChange(BaseModel):
    before: FactEvidence
    after: FactEvidence


class InitiativeRefOut(BaseModel):
    key: str | None
    initiative_id: int
    title: str


class InitiativeDiff(BaseModel):
    key: str
    title: str
    previous_title: str
    renamed: bool
    facts_added: list[FactEvidence]
    facts_removed: list[FactEvidence]
    facts_changed: list[FactChange] = Field(description="same kind and unit, new value")
    unchanged: int = Field(description="facts identical in both editions")


class ReportDiff(BaseModel):
    report_id: int
    status_date: str | None
    against_report_id: int
    against_status_date: str | None
    added: list[InitiativeRefOut] = Field(description="initiatives new in this report")
    dropped: list[InitiativeRefOut] = Field(description="initiatives of the other report missing here")
    initiatives: list[InitiativeDiff] = Field(description="initiatives in both, with their fact changes")


class MergeIn(InputModel):
    other_key: str = Field(max_length=120, description="its initiatives join this key; the other key disappears")
    note: str | None = Field(None, max_length=2000)


class SplitIn(InputModel):
    initiative_id: BodyId = Field(description="the initiative (of one edition) that is NOT the same as the rest")
    note: str | None = Field(None, max_length=2000)


class SeriesIn(InputModel):
    series: str = Field(min_length=1, max_length=500, description="reports with the same series are editions")


class ConfirmUnchangedIn(InputModel):
    ids: list[BodyId] | None = Field(None, description="only these extractions (default: all flagged in the report)")
    note: str | None = Field(None, max_length=2000)


class ApplyPreviousIn(InputModel):
    ids: list[BodyId] | None = Field(None, description="only these extractions (default: every pending fact "
                                     "of the re-issue whose twin in the edition was decided)")
    note: str | None = Field(None, max_length=2000, description="default: 'igual à decisão em relatório N'")
