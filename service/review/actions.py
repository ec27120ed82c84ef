"""Review actions on extractions, with optimistic locking and an append-only audit trail.

A review names the version it saw; the change is a conditional
`UPDATE ... WHERE id = ? AND version = ?`, so of two reviewers who saw the same
version exactly one succeeds and the other gets a conflict, with nothing changed.
Each change writes one ReviewEvent (who, when, action, before, after, note) and
takes the next feed number in the same transaction.

`reopen` sends a reviewed fact back to `pending` (the review page's undo of a first
decision) and undoes that decision's value too: value, unit, qualifier and name go
back to what they were before the latest confirm / correct / reject, as that
decision's history event recorded them (`before`), so undoing a correction of 68 to
999 leaves 68 pending. If the value changed since that decision (a re-extraction),
the current value stays. The reopen's own history event records both sides. A fact
that was published stays `published`, so it reappears in the feed as `withdrawn`,
the same path as a rejection. Reopening a pending fact is refused (422), like any
other review that does not fit the fact.

`revert` (the page's undo, one step at a time) restores exactly the state the fact had
at an earlier version N: status, value, unit, qualifier, name and the reviewer's note,
written as a new version with its own history event. The state at version N is read
from the history: every event records the version before and after it (`before.version`,
`after.version`). A revert to a pending state of a published fact feeds `withdrawn`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.review.values import InvalidValue, check_qualifier, check_value, municipality_names
from service.storage.models import PUBLISHED, Extraction, ReviewEvent
from service.storage.schemas import ReviewIn
from service.storage.sequence import next_change_seq
from service.storage.timeutil import utcnow
from service.storage.tokens import Principal

STATUS_OF_ACTION = {"confirm": "confirmed", "correct": "corrected", "reject": "rejected", "reopen": "pending"}
STATE_FIELDS = ("status", "value", "unit", "qualifier", "name", "note")  # what `revert` restores
DECISIONS = ("confirm", "correct", "reject")
VALUE_FIELDS = ("value", "unit", "qualifier", "name")


class ReviewError(Exception):
    """A review refused: `status_code` (404, 409, 422) and a message naming the extraction."""

    def __init__(self, status_code: int, extraction_id: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.extraction_id = extraction_id
        self.detail = detail


@dataclass(frozen=True)
class _NewState:
    status: str
    value: Any
    unit: str | None
    qualifier: str | None
    name: str | None
    note: str | None


def snapshot(ext: Any) -> dict[str, Any]:
    """A fact's state as its history records it: what `revert` restores, and the version it had."""
    return {"status": ext.status, "value": ext.value, "unit": ext.unit, "qualifier": ext.qualifier, "name": ext.name,
            "note": ext.note, "version": ext.version}


def state_at(session: Session, ext: Any, version: int) -> _NewState:
    """The state fact `ext` had at `version`, from the history events that record it (InvalidValue
    when none does: a version that never existed, or one older than version-stamped history)."""
    if not 1 <= version < ext.version:
        raise InvalidValue(f"`to_version` must be an earlier version of this fact (1 to {ext.version - 1}), "
                           f"not {version}")
    events = session.exec(
        select(ReviewEvent.before, ReviewEvent.after).where(col(ReviewEvent.extraction_id) == ext.id)
        .order_by(col(ReviewEvent.id).desc())
    ).all()
    for before, after in events:
        for side in (after, before):
            if isinstance(side, dict) and side.get("version") == version:
                return _NewState(*(side.get(f) for f in STATE_FIELDS))
    raise InvalidValue(f"the history of this fact does not record its state at version {version}")


def _before_last_decision(session: Session, ext: Extraction, note: str | None) -> _NewState | None:
    """The value fields before the latest confirm/correct/reject, if the fact still holds that
    decision's result (nothing, e.g. a re-extraction, changed it since); None otherwise."""
    last = session.exec(
        select(ReviewEvent).where(col(ReviewEvent.extraction_id) == ext.id, col(ReviewEvent.action).in_(DECISIONS))
        .order_by(col(ReviewEvent.change_seq).desc(), col(ReviewEvent.id).desc()).limit(1)
    ).first()
    if last is None or not isinstance(last.before, dict) or not isinstance(last.after, dict):
        return None
    now = snapshot(ext)
    if any(last.after.get(f) != now[f] for f in VALUE_FIELDS):
        return None
    old = {f: last.before.get(f, now[f]) for f in VALUE_FIELDS}
    return _NewState("pending", old["value"], old["unit"], old["qualifier"], old["name"], note)


def _plan(session: Session, ext: Extraction, review: ReviewIn) -> _NewState:
    if review.action == "revert":
        if review.to_version is None:
            raise InvalidValue("a revert needs `to_version`, the earlier version to restore")
        if any(v is not None for v in (review.value, review.unit, review.qualifier)):
            raise InvalidValue("a revert restores a recorded state: it takes no `value`, `unit` or `qualifier`")
        return state_at(session, ext, review.to_version)
    if review.to_version is not None:
        raise InvalidValue(f"`to_version` is only accepted with action 'revert', not '{review.action}'")
    status = STATUS_OF_ACTION[review.action]
    if review.action != "correct":
        if review.value is not None:
            raise InvalidValue(f"`value` is only accepted with action 'correct', not '{review.action}'")
        restored = _before_last_decision(session, ext, review.note) if review.action == "reopen" else None
        return restored or _NewState(status, ext.value, ext.unit, ext.qualifier, ext.name, review.note)
    value, unit, qualifier, name = checked_value(ext.kind, review.value, review.unit, review.qualifier,
                                                 ext.unit, ext.qualifier, ext.name)
    return _NewState(status, value, unit, qualifier, name, review.note)


def checked_value(kind: str, value: Any, unit: str | None, qualifier: str | None, current_unit: str | None = None,
                  current_qualifier: str | None = None, current_name: str | None = None,
                  ) -> tuple[Any, str | None, str | None, str | None]:
    """A reviewer's value for `kind` (a correction's, or a fact they add), normalised, with the unit
    and qualifier (the current ones unless given) and a municipality's name; InvalidValue otherwise."""
    value = check_value(kind, value)
    unit = unit if unit is not None else current_unit
    qualifier = check_qualifier(qualifier) if qualifier is not None else current_qualifier
    name = municipality_names()[value] if kind == "municipality" else current_name
    return value, unit, qualifier, name


@dataclass(frozen=True)
class Planned:
    """One review, checked against the fact as loaded: what to write and what to answer."""

    extraction_id: int
    version: int  # the version the reviewer saw (the UPDATE's guard)
    action: str
    note: str | None
    before: dict[str, Any]
    new: _NewState
    published: bool

    @property
    def after(self) -> dict[str, Any]:
        return {**vars(self.new), "version": self.version + 1}  # the fields `snapshot` records, in its order


def plan_review(session: Session, ext: Extraction | None, extraction_id: int, review: ReviewIn) -> Planned:
    """Check one review against the fact as loaded (404, 422, 409); nothing is written."""
    if ext is None:
        raise ReviewError(404, extraction_id, f"extraction {extraction_id} does not exist")
    try:
        new = _plan(session, ext, review)
    except InvalidValue as exc:
        raise ReviewError(422, extraction_id, f"extraction {extraction_id} ({ext.kind}): {exc}") from exc
    if ext.version != review.version:
        raise conflict(extraction_id, ext.version)
    if review.action == "reopen" and ext.status == "pending":
        raise ReviewError(422, extraction_id, f"extraction {extraction_id} ({ext.kind}) is already pending; "
                          "only a confirmed, corrected or rejected fact can be reopened")
    return Planned(extraction_id, review.version, review.action, review.note, snapshot(ext), new,
                   ext.published or new.status in PUBLISHED)


def apply_review(session: Session, extraction_id: int, review: ReviewIn, principal: Principal) -> Extraction:
    """Apply one review inside the caller's write transaction; the caller commits. (The API's
    reviews use service/api/reviews.py, which needs fewer statements; this is the plain path.)"""
    ext = session.get(Extraction, extraction_id)
    planned = plan_review(session, ext, extraction_id, review)
    assert ext is not None
    seq, now = next_change_seq(session), utcnow()
    values = {
        "status": planned.new.status, "value": planned.new.value, "unit": planned.new.unit,
        "qualifier": planned.new.qualifier, "name": planned.new.name, "note": planned.new.note,
        "version": col(Extraction.version) + 1,
        "change_seq": seq, "published": planned.published, "reviewed_by": principal.name, "reviewed_at": now,
    }
    guard = (col(Extraction.id) == extraction_id) & (col(Extraction.version) == review.version)
    result = session.exec(  # type: ignore[call-overload]
        update(Extraction).where(guard).values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise conflict(extraction_id, None)
    session.add(ReviewEvent(
        extraction_id=extraction_id, token_id=principal.token_id, actor=principal.name, at=now,
        action=review.action, before=planned.before, after=planned.after, note=review.note, change_seq=seq,
    ))
    session.flush()
    session.refresh(ext)
    return ext


def conflict(extraction_id: int, current: int | None) -> ReviewError:
    now = f" (it is now at version {current})" if current is not None else ""
    return ReviewError(
        409, extraction_id,
        f"extraction {extraction_id} was changed by someone else since you loaded it{now}; "
        "reload it and review again",
    )
