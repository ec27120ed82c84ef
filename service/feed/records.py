"""The records feed: confirmed and corrected facts in change order, streamed.

Each fact appears at the position of its latest review (`change_seq`), so a pull
with `since=<last cursor>` returns exactly what changed after the previous pull:
a fact corrected again reappears with its new value, and a published fact that
is later rejected or reopened (back to pending) reappears with state `withdrawn` (see sequence.py for why the
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

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.storage.models import PUBLISHED, Area, Extraction, Initiative, Report
from service.storage.sequence import last_change_seq
from service.storage.timeutil import as_utc

FeedFormat = Literal["json", "ndjson", "csv"]
PAGE_SIZE = 500
CHUNK_CHARS = 64 * 1024
FIELDS = (
    "change_seq", "state", "extraction_id", "kind", "value", "unit", "qualifier", "name", "text",
    "page", "bbox", "report_id", "report_filename", "report_sha256", "report_title", "status_date",
    "area_number", "area_name", "initiative_title", "reviewer", "reviewed_at",
)
MEDIA_TYPES = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}

# In the feed: confirmed and corrected facts, and published facts later rejected or reopened. A
# confirmation or correction always sets `published` (review.py), so `published` alone
# says exactly this. Spelled with `status IN (...) OR ...`, the filter led SQLite's
# planner to the low-selectivity status index and a sort of the whole feed for every
# 500-record page (a 100k pull was quadratic); on `published` it walks the change_seq
# index and stops after one page.
_IN_FEED = col(Extraction.published)


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


# Plain columns, not ORM entities: building four mapped objects per row (and loading
# each initiative's whole text) cost more than the query itself.
_COLUMNS = (
    Extraction.change_seq, Extraction.status, Extraction.orphaned, Extraction.id, Extraction.kind,
    Extraction.value, Extraction.unit, Extraction.qualifier, Extraction.name, Extraction.text,
    Extraction.page, Extraction.bbox, Extraction.reviewed_by, Extraction.reviewed_at, Extraction.report_id,
    col(Report.filename).label("report_filename"), col(Report.sha256).label("report_sha256"),
    col(Report.title).label("report_title"), Report.status_date,
    col(Area.number).label("area_number"), col(Area.name).label("area_name"),
    col(Initiative.title).label("initiative_title"),
)


def _record(row: Any) -> dict[str, Any]:
    reviewed_at = as_utc(row.reviewed_at)
    return {
        "change_seq": row.change_seq,
        "state": row.status if row.status in PUBLISHED and not row.orphaned else "withdrawn",
        "extraction_id": row.id, "kind": row.kind, "value": row.value, "unit": row.unit,
        "qualifier": row.qualifier, "name": row.name, "text": row.text, "page": row.page,
        "bbox": list(row.bbox), "report_id": row.report_id, "report_filename": row.report_filename,
        "report_sha256": row.report_sha256, "report_title": row.report_title, "status_date": row.status_date,
        "area_number": row.area_number, "area_name": row.area_name, "initiative_title": row.initiative_title,
        "reviewer": row.reviewed_by, "reviewed_at": reviewed_at.isoformat() if reviewed_at else None,
    }


def iter_records(engine: Engine, since: int, end: int) -> Iterator[dict[str, Any]]:
    """Records with since < change_seq <= end in order, read PAGE_SIZE at a time."""
    last = since
    while True:
        with Session(engine) as session:
            rows = session.exec(
                select(*_COLUMNS)
                .join(Report, col(Report.id) == col(Extraction.report_id))
                .join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
                .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
                .where(col(Extraction.change_seq) > last, col(Extraction.change_seq) <= end, _IN_FEED)
                .order_by(col(Extraction.change_seq)).limit(PAGE_SIZE)
            ).all()
            records = [_record(row) for row in rows]
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
    """Serialise records as they come, in chunks of about CHUNK_CHARS: each chunk costs the
    response a hop from the thread pool to the event loop, so one per record would cost more
    than serialising it."""
    buffer: list[str] = []
    size = 0
    for piece in _pieces(records, fmt, next_cursor):
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _pieces(records: Iterator[dict[str, Any]], fmt: FeedFormat, next_cursor: str) -> Iterator[str]:
    """A JSON object, NDJSON lines or CSV rows, one piece per record."""
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
