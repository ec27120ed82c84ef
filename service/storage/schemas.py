"""What the API accepts and returns (XPublic / XCreate), separate from the tables so a
column can change without changing the contract in spec/API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.storage.inputs import BodyId, InputModel, Version
from service.storage.models import ReextractState, ReportStatus, ReviewAction, ReviewStatus, Role


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


class ReextractCounts(BaseModel):
    kept: int = Field(description="facts found again, their decisions kept")
    changed: int = Field(description="of those, with a new value (a confirmed one is fed again)")
    added: int = Field(description="new facts, pending")
    orphaned: int = Field(description="facts no longer found (kept with their decisions until reviewed)")
    restored: int = Field(description="orphaned facts found again")


class ReextractionPublic(BaseModel):
    """The report's last re-extraction asked for (POST /reports/{id}/reextract or `relato
    reextract`). It runs beside the report, whose status stays `done` throughout."""

    state: ReextractState = Field(description=(
        "queued, processing (the report's `progress` and `stalled` then tell its step), done, or "
        "failed (`error`; the stored facts and decisions are unchanged: ask again)"))
    requested_at: datetime | None
    requested_by: str | None = Field(description="the token's name, or \"relato reextract\"")
    attempts: int = Field(description="workers that took it so far (one that died counts one)")
    finished_at: datetime | None
    error: str | None
    outcome: ReextractCounts | None = Field(description="when done: what the merge did")


class ReportPublic(BaseModel):
    id: int
    filename: str
    sha256: str
    status: ReportStatus
    error: str | None
    progress: str | None = Field(None, description=(
        "while the report (or its re-extraction) is processing, the step under way, e.g. \"Leitura: página 3 de 40\" "
        "or \"OCR: página 12 de 100\" for a scan read page by page; null otherwise"))
    pages: int | None
    title: str | None
    status_date: str | None
    created_at: datetime
    counts: ReviewCounts
    reissue_of: int | None = Field(None, description=(
        "the report id of the edition this one repeats: an earlier upload of its series with the same "
        "status date. A re-issue stays out of the series' editions (charts, assist, diffs); "
        "PUT /reports/{id}/series moves it to a series of its own"))
    series: str | None = Field(None, description="the series its editions share (set by linking or PUT /series)")
    stalled: bool = Field(False, description=(
        "processing (or its re-extraction is), but its worker's lease ran out: the worker stopped without a word (killed, machine "
        "lost); the next worker to look takes it over (attempts + 1) or, after the last attempt, fails it"))
    attempts: int = Field(0, description="extraction attempts so far (a worker that died mid-job counts one)")
    facts_by_kind: dict[str, int] = Field(default_factory=dict, description="facts extracted, by kind (orphans left out)")
    ocr_pages: int = Field(0, description="pages holding facts read by OCR")
    pages_complete: int = Field(0, description="pages reviewers marked \"revisado por completo\"")
    reextraction: ReextractionPublic | None = Field(None, description="null until one is asked for")


class ReportsPublic(BaseModel):
    items: list[ReportPublic]


class AreaPublic(BaseModel):
    number: int | None
    name: str


class InitiativeRef(BaseModel):
    id: int | None = Field(None, description="the initiative's id in this report; null outside any")
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


class PreviousDecisionPublic(BaseModel):
    """A re-issue's fact: the decision already taken on the same fact of the edition it repeats
    (service/editions/carryover.py). A suggestion: POST /reports/{id}/apply-previous-decisions
    takes it."""

    report_id: int = Field(description="the edition this report re-issues")
    extraction_id: int = Field(description="the same fact (same place, words and extracted value) there")
    status: Literal["confirmed", "corrected", "rejected"]
    value: Any
    unit: str | None
    qualifier: str | None
    name: str | None
    note: str | None


class AssistPublic(BaseModel):
    """Review help from the previous edition of the same initiative (see service/editions/series.py)."""

    unchanged_since: str | None = Field(
        None, description="status date of the edition since which this exact fact (kind, value, unit) "
        "has been confirmed; null if it is new, changed or the earlier one is not confirmed")
    previous_extraction_id: int | None = Field(None, description="the same fact in the previous edition")
    previous_value: Any = None
    moved_backwards: bool = Field(False, description="a count that fell since the previous edition: look twice")
    previous_decision: PreviousDecisionPublic | None = Field(
        None, description="re-issues only: the decision on this fact in the edition it repeats")


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
    confidence: float = Field(description="the extraction's confidence (calibrated on the gold sets)")
    refitted_confidence: float | None = Field(None, description=(
        "the precision this deployment's reviewers observed for facts of this extractor at this "
        "confidence (refitted once the extractor has 50 decided facts; null before); the review "
        "queue orders by it where there is one"))
    status: ReviewStatus
    version: int
    reviewed_by: str | None
    reviewed_at: datetime | None
    orphaned: bool = Field(False, description="no longer found by the latest re-extraction")
    note: str | None = Field(None, description="the note of the review that made the current state")
    assist: AssistPublic | None = None


class ExtractionsPublic(BaseModel):
    items: list[ExtractionPublic]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")


MAX_UNIT, MAX_NOTE, MAX_TEXT = 200, 2000, 2000  # characters (issue 20: a 100,000-character unit was stored)


class ReviewIn(InputModel):
    action: ReviewAction = Field(description=(
        "`reopen` sets a confirmed, corrected or rejected fact back to `pending` and restores the "
        "value, unit, qualifier and name it had before its latest decision (unless something else "
        "changed it since); a published fact then shows in the records feed as `withdrawn`. "
        "`revert` restores exactly the state (status, value, unit, qualifier, name, note) the fact had "
        "at version `to_version`, as a new version; the feed publishes the result (`withdrawn` when "
        "it is pending or rejected again after being published)"))
    value: Any = Field(None, description="required for `correct`; validated for the fact's kind")
    unit: str | None = Field(None, max_length=MAX_UNIT)
    qualifier: str | None = Field(None, max_length=20)
    note: str | None = Field(None, max_length=MAX_NOTE)
    version: Version = Field(description="the version you saw; a stale one is refused with 409")
    to_version: Version | None = Field(None, description="`revert` only: the earlier version to restore")


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
    action: ReviewAction | Literal["create", "move", "reextract", "orphan"] = Field(
        description="a reviewer's action (`create`: a fact the reviewer added; `move`: to another "
        "initiative), or what a re-extraction did to the fact")
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
    last_used_at: datetime | None = Field(None, description="last accepted call, to the minute; null: never used")


class TokenCreated(TokenPublic):
    token: str = Field(description="shown once; only its hash is stored")


class TokensPublic(BaseModel):
    items: list[TokenPublic]


class MoveIn(InputModel):
    initiative_id: BodyId | None = Field(description="an initiative of the fact's report; null: outside any")
    version: Version = Field(description="the version you saw; a stale one is refused with 409")
    note: str | None = Field(None, max_length=MAX_NOTE)


class PagesCompleteIn(InputModel):
    pages: list[BodyId] | None = Field(None, max_length=5000, description="page numbers; null: every page")
    complete: bool = Field(True, description="false takes the mark away")


class PageCompletePublic(BaseModel):
    page: int
    complete_by: str | None
    complete_at: datetime | None


class CompletenessPublic(BaseModel):
    report_id: int
    pages: int = Field(description="pages of the report")
    complete: int = Field(description="pages marked \"revisado por completo\" (nothing missing)")
    share: float = Field(description="complete / pages, 0 to 1")
    items: list[PageCompletePublic]
