"""A re-issue's facts carry the decisions already taken on the edition it repeats.

A re-issue (service/editions/reissues.py) is the same edition uploaded again, byte-
different: its facts are, almost all, the facts the reviewers already decided on the
first upload. Deciding them again by hand is work thrown away, and a chance to decide
them differently. So each pending fact of a re-issue is paired with the fact the
edition printed in the same place and the same words, and that fact's decision is
offered as a suggestion ("igual à decisão em relatório 4"); the reviewer applies one,
or all at once (POST /reports/{id}/apply-previous-decisions). Nothing is applied
without the reviewer.

Pairing is on what was *printed and read*, never on a reviewer's value: same initiative
key (a re-issue's initiatives carry the edition's keys), same kind, the same text, the
same extracted value and unit (`orig_*`), taken in reading order so the second "50
escolas" of an initiative pairs with the second. A corrected fact is found by what the
extraction read, and suggests the corrected value. Orphaned facts pair with nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from service.editions.factdiff import canonical_value, unit_key
from service.editions.reissues import reissues_of
from service.storage.models import Extraction, Initiative
from service.storage.schemas import PreviousDecisionPublic, ReviewIn

DECIDED = ("confirmed", "corrected", "rejected")
ACTION_OF_STATUS = {"confirmed": "confirm", "corrected": "correct", "rejected": "reject"}


def same_review(previous: PreviousDecisionPublic, version: int, note: str | None = None) -> ReviewIn:
    """The review that takes `previous`'s decision on a fact at `version`."""
    body: dict[str, Any] = {"action": ACTION_OF_STATUS[previous.status], "version": version,
                            "note": note or f"igual à decisão em relatório {previous.report_id}"}
    if previous.status == "corrected":
        body.update(value=previous.value, unit=previous.unit, qualifier=previous.qualifier)
    return ReviewIn(**body)


_COLUMNS = (Extraction.id, Extraction.report_id, Extraction.kind, Extraction.text, Extraction.orig_value,
            Extraction.value, Extraction.orig_unit, Extraction.unit, Extraction.position, Extraction.status,
            Extraction.qualifier, Extraction.name, Extraction.note, Initiative.key)


def _facts(session: Session, report_id: int) -> list[Any]:
    return list(session.exec(
        select(*_COLUMNS).join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
        .where(col(Extraction.report_id) == report_id, col(Extraction.orphaned).is_(False))
        .order_by(col(Extraction.position), col(Extraction.id))
    ).all())


def _printed(row: Any) -> tuple[Any, ...]:
    """What the extraction read, wherever it was printed: the pairing key."""
    (_, _, kind, text, orig_value, value, orig_unit, unit, *_rest, key) = row
    read_value = orig_value if orig_value is not None else value
    return (key, kind, " ".join((text or "").split()), canonical_value(read_value),
            unit_key(orig_unit if orig_value is not None else unit))


def pair_with_edition(session: Session, reissue_id: int, edition_id: int) -> dict[int, PreviousDecisionPublic]:
    """Re-issue fact id -> the decision on its twin in the edition, for twins that were decided."""
    pool: dict[tuple[Any, ...], list[Any]] = {}
    for row in _facts(session, edition_id):
        pool.setdefault(_printed(row), []).append(row)
    out: dict[int, PreviousDecisionPublic] = {}
    for row in _facts(session, reissue_id):
        twins = pool.get(_printed(row))
        if not twins:
            continue
        twin = twins.pop(0)
        if twin[9] in DECIDED:
            out[row[0]] = PreviousDecisionPublic(
                report_id=edition_id, extraction_id=twin[0], status=twin[9], value=twin[5], unit=twin[7],
                qualifier=twin[10], name=twin[11], note=twin[12])
    return out


def previous_decisions(session: Session, report_ids: Iterable[int]) -> dict[int, PreviousDecisionPublic]:
    """For the facts of those of `report_ids` that are re-issues: the edition's decisions."""
    out: dict[int, PreviousDecisionPublic] = {}
    for reissue_id, edition in reissues_of(session, report_ids).items():
        out.update(pair_with_edition(session, reissue_id, edition.id or 0))
    return out
