"""What the API accepts and returns (XPublic / XCreate), separate from the tables so a
column can change without changing the contract in spec/API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.storage.inputs import BodyId, InputModel, Version
from service.storage.models import ReportStatus, ReviewAction, ReviewStatus, Role


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong and what to do about it")


class ReviewCounts(BaseModel):
    pending: int = 0
    confirmed: int = 0
    corrected: int = 0
    rejected: int = 0


class UploadPublic(BaseModel):
    id: int
    status: ReportStatus
    sha256: str
    filename: str


class ReportPublic(BaseModel):
    id: int
    filename: str
    sha256: str
    status: ReportStatus
    error: str | None
    pages: int | None
    title: str | None
    status_date: str | None
    created_at: datetime
    counts: ReviewCounts
    reissue_of: int | None = Field(None, description=(
        "the report id of the edition this one repeats: an earlier upload of its series with the same "
        "status date. A re-issue stays out of the series' editions (charts, assist, diffs); "
        "PUT /reports/{id}/series moves it to a series of its own"))


class ReportsPublic(BaseModel):
    items: list[ReportPublic]


class AreaPublic(BaseModel):
    number: int | None
    name: str


class InitiativeRef(BaseModel):
    title: str | None = Field(description="null for facts on the cover or closing pages")
    area: AreaPublic | None
    key: str | None = Field(None, description="stable across editions: /api/v1/initiatives/{key}/series")


class InitiativePublic(BaseModel):
    id: int
    title: str
    area: AreaPublic | None
    pages: list[int]
    extraction_ids: list[int]
    key: str | None = Field(None, description="stable across editions: /api/v1/initiatives/{key}/series")


class InitiativesPublic(BaseModel):
    report_id: int
    report_extraction_ids: list[int] = Field(description="facts outside any initiative")
    initiatives: list[InitiativePublic]


class AssistPublic(BaseModel):
    """Review help from the previous edition of the same initiative (see service/editions/series.py)."""

    unchanged_since: str | None = Field(
        description="status date of the edition since which this exact fact (kind, value, unit) "
        "has been confirmed; null if it is new, changed or the earlier one is not confirmed")
    previous_extraction_id: int | None = Field(description="the same fact in the previous edition")
    previous_value: Any = None
    moved_backwards: bool = Field(description="a count that fell since the previous edition: look twice")


class ExtractionPublic(BaseModel):
    id: int
    report_id: int
    initiative: InitiativeRef
    kind: str
    text: str
    value: Any
    unit: str | None
    qualifier: str | None
    name: str | None
    page: int
    bbox: list[float]
    lines: list[list[float]] | None = Field(None, description=(
        "one [x0, top, x1, bottom] box per printed line when the fact wraps over lines "
        "(`bbox` is their union and also covers the text between them); null on one line"))
    extractor: str
    confidence: float
    status: ReviewStatus
    version: int
    reviewed_by: str | None
    reviewed_at: datetime | None
    orphaned: bool = Field(False, description="no longer found by the latest re-extraction")
    assist: AssistPublic | None = None


class ExtractionsPublic(BaseModel):
    items: list[ExtractionPublic]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")


class ReviewIn(InputModel):
    action: ReviewAction = Field(description=(
        "`reopen` sets a confirmed, corrected or rejected fact back to `pending` and restores the "
        "value, unit, qualifier and name it had before its latest decision (unless something else "
        "changed it since); a published fact then shows in the records feed as `withdrawn`"))
    value: Any = Field(None, description="required for `correct`; validated for the fact's kind")
    unit: str | None = None
    qualifier: str | None = None
    note: str | None = Field(None, max_length=2000)
    version: Version = Field(description="the version you saw; a stale one is refused with 409")


class BulkReviewItem(ReviewIn):
    id: BodyId


class BulkReviewIn(InputModel):
    items: list[BulkReviewItem] = Field(min_length=1, max_length=5000)


class BulkReviewOut(BaseModel):
    items: list[ExtractionPublic]


class ReviewEventPublic(BaseModel):
    id: int
    extraction_id: int
    actor: str = Field(description="name of the token that made the change")
    at: datetime
    action: ReviewAction | Literal["reextract", "orphan"] = Field(
        description="a reviewer's action, or what a re-extraction did to the fact")
    before: dict[str, Any]
    after: dict[str, Any]
    note: str | None
    change_seq: int


class HistoryPublic(BaseModel):
    extraction_id: int
    items: list[ReviewEventPublic]


class TokenCreate(InputModel):
    role: Role
    name: str = Field(min_length=1, max_length=200)


class TokenPublic(BaseModel):
    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="shown once; only its hash is stored")


class TokensPublic(BaseModel):
    items: list[TokenPublic]
