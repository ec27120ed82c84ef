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
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from service.editions.factdiff import canonical_value, unit_key
from service.editions.reissues import reissues_of
from service.storage.models import Extraction, Initiative

DECIDED = ("confirmed", "corrected", "rejected")
ACTION_OF_STATUS = {"confirmed": "confirm", "corrected": "correct", "rejected": "reject"}


@dataclass(frozen=True)
class PreviousDecision:
    """The decision on the same fact in the edition this report re-issues."""

    report_id: int
    extraction_id: int
    status: str
    value: Any
    unit: str | None
    qualifier: str | None
    name: str | None
    note: str | None

    def review(self, version: int, note: str | None = None) -> dict[str, Any]:
        """The review body that takes the same decision on a fact at `version`."""
        body: dict[str, Any] = {"action": ACTION_OF_STATUS[self.status], "version": version,
                                "note": note or f"igual à decisão em relatório {self.report_id}"}
        if self.status == "corrected":
            body.update(value=self.value, unit=self.unit, qualifier=self.qualifier)
        return body


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


def pair_with_edition(session: Session, reissue_id: int, edition_id: int) -> dict[int, PreviousDecision]:
    """Re-issue fact id -> the decision on its twin in the edition, for twins that were decided."""
    pool: dict[tuple[Any, ...], list[Any]] = {}
    for row in _facts(session, edition_id):
        pool.setdefault(_printed(row), []).append(row)
    out: dict[int, PreviousDecision] = {}
    for row in _facts(session, reissue_id):
        twins = pool.get(_printed(row))
        if not twins:
            continue
        twin = twins.pop(0)
        if twin[9] in DECIDED:
            out[row[0]] = PreviousDecision(edition_id, twin[0], twin[9], twin[5], twin[7], twin[10], twin[11], twin[12])
    return out


def previous_decisions(session: Session, report_ids: Iterable[int]) -> dict[int, PreviousDecision]:
    """For the facts of those of `report_ids` that are re-issues: the edition's decisions."""
    out: dict[int, PreviousDecision] = {}
    for reissue_id, edition in reissues_of(session, report_ids).items():
        out.update(pair_with_edition(session, reissue_id, edition.id or 0))
    return out
