"""The records feed: confirmed and corrected facts in change order, streamed.

Each fact appears at the position of its latest review (`change_seq`), so a pull
with `since=<last cursor>` returns exactly what changed after the previous pull:
a fact corrected again reappears with its new value, and a published fact that
is later rejected reappears with state `withdrawn` (see sequence.py for why the
numbers are gap-safe on PostgreSQL).

The window `(since, end]` is fixed before the first byte is sent, so the next
cursor can go in a header and at the top of the JSON; rows are then read in
keyset pages, each in its own short transaction, and written out one by one, so
a pull of 100k records never holds them all in memory. A fact reviewed again
during the pull moves beyond `end` and is delivered by the next pull.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import Engine, and_, or_
from sqlmodel import Session, col, select

from service.models import Area, Extraction, Initiative, Report
from service.sequence import last_change_seq
from service.timeutil import as_utc

FeedFormat = Literal["json", "ndjson", "csv"]
PAGE_SIZE = 500
FIELDS = (
    "change_seq", "state", "extraction_id", "kind", "value", "unit", "qualifier", "name", "text",
    "page", "bbox", "report_id", "report_filename", "report_sha256", "report_title", "status_date",
    "area_number", "area_name", "initiative_title", "reviewer", "reviewed_at",
)
MEDIA_TYPES = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}

_IN_FEED = or_(
    col(Extraction.status).in_(("confirmed", "corrected")),
    and_(col(Extraction.status) == "rejected", col(Extraction.published)),
)


def window_end(engine: Engine, since: int, limit: int | None) -> int:
    """The last change number this pull will deliver (its next cursor)."""
    with Session(engine) as session:
        upto = last_change_seq(session)
        if limit is None or upto <= since:
            return max(upto, since)
        query = (
            select(Extraction.change_seq)
            .where(col(Extraction.change_seq) > since, col(Extraction.change_seq) <= upto, _IN_FEED)
            .order_by(col(Extraction.change_seq)).offset(limit - 1).limit(1)
        )
        last = session.exec(query).first()
        return int(last) if last is not None else upto


def _record(ext: Extraction, report: Report, initiative: Initiative | None, area: Area | None) -> dict[str, Any]:
    reviewed_at = as_utc(ext.reviewed_at)
    return {
        "change_seq": ext.change_seq,
        "state": "withdrawn" if ext.status == "rejected" else ext.status,
        "extraction_id": ext.id, "kind": ext.kind, "value": ext.value, "unit": ext.unit,
        "qualifier": ext.qualifier, "name": ext.name, "text": ext.text, "page": ext.page,
        "bbox": list(ext.bbox), "report_id": report.id, "report_filename": report.filename,
        "report_sha256": report.sha256, "report_title": report.title, "status_date": report.status_date,
        "area_number": area.number if area else None, "area_name": area.name if area else None,
        "initiative_title": initiative.title if initiative else None,
        "reviewer": ext.reviewed_by, "reviewed_at": reviewed_at.isoformat() if reviewed_at else None,
    }


def iter_records(engine: Engine, since: int, end: int) -> Iterator[dict[str, Any]]:
    """Records with since < change_seq <= end in order, read PAGE_SIZE at a time."""
    last = since
    while True:
        with Session(engine) as session:
            rows = session.exec(
                select(Extraction, Report, Initiative, Area)
                .join(Report, col(Report.id) == col(Extraction.report_id))
                .join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
                .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
                .where(col(Extraction.change_seq) > last, col(Extraction.change_seq) <= end, _IN_FEED)
                .order_by(col(Extraction.change_seq)).limit(PAGE_SIZE)
            ).all()
            records = [_record(*row) for row in rows]
        yield from records
        if len(records) < PAGE_SIZE:
            return
        last = records[-1]["change_seq"]


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def render(records: Iterator[dict[str, Any]], fmt: FeedFormat, next_cursor: str) -> Iterator[str]:
    """Serialise records as they come: a JSON object, NDJSON lines or CSV rows."""
    if fmt == "csv":
        yield _csv_line(list(FIELDS))
        for record in records:
            yield _csv_line([_csv_cell(record[name]) for name in FIELDS])
    elif fmt == "ndjson":
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"
    else:
        yield '{"next_cursor": ' + json.dumps(next_cursor) + ', "items": ['
        for index, record in enumerate(records):
            yield ("," if index else "") + json.dumps(record, ensure_ascii=False)
        yield "]}\n"
