"""The records feed: confirmed and corrected facts in change order, streamed.

Each fact appears at the position of its latest review (`change_seq`), so a pull
with `since=<last cursor>` returns exactly what changed after the previous pull:
a fact corrected again reappears with its new value, and a published fact that
is later rejected or reopened (back to pending) reappears with state `withdrawn` (see sequence.py for why the
numbers are gap-safe on PostgreSQL).

The window `(since, end]` is fixed before the first byte is sent, so the next
cursor can go in a header and at the top of the JSON; rows are then read in
keyset pages, each in its own short statement, and written out page by page, so
a pull of 100k records never holds them all in memory. A fact reviewed again
during the pull moves beyond `end` and is delivered by the next pull. Rows are
plain tuples and JSON is written by orjson (issue 11: record dicts and
`json.dumps` were half of a 500-record page's cost).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, Engine, Text, and_, bindparam, case, cast, or_
from sqlmodel import col, select

from service.storage.exactjson import dumps, exact_loads
from service.storage.models import PUBLISHED, Area, Extraction, Initiative, Report, ReviewEvent
from service.storage.sequence import safe_end
from service.storage.statements import Fast
from service.storage.timeutil import as_utc

FeedFormat = Literal["json", "ndjson", "csv"]
PAGE_SIZE = 500
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


# Plain columns in FIELDS order, not ORM entities: building four mapped objects per row
# (and loading each initiative's whole text) cost more than the query itself. The state
# is worked out by the database; `value` and `bbox` are read as their stored JSON text
# and written out as it is (orjson.Fragment), and orjson writes the timestamps: parsing
# JSON only to serialise it again, and a tuple rebuilt per record, were half of a page.
_STATE = case((and_(or_(*(col(Extraction.status) == s for s in PUBLISHED)),  # no IN list: Fast takes none
                    col(Extraction.orphaned).is_(False)), Extraction.status), else_="withdrawn")
_COLUMNS = (
    Extraction.change_seq, _STATE.label("state"), Extraction.id, Extraction.kind,
    cast(Extraction.value, Text).label("value"), Extraction.unit, Extraction.qualifier, Extraction.name,
    Extraction.text, Extraction.page, cast(Extraction.bbox, Text).label("bbox"), Extraction.report_id,
    col(Report.filename).label("report_filename"), col(Report.sha256).label("report_sha256"),
    col(Report.title).label("report_title"), Report.status_date,
    col(Area.number).label("area_number"), col(Area.name).label("area_name"),
    col(Initiative.title).label("initiative_title"), Extraction.reviewed_by, Extraction.reviewed_at,
    cast(ReviewEvent.before, Text).label("decided_from"),  # past FIELDS: see _withdrawn
)
_VALUE, _BBOX, _REVIEWED_AT = FIELDS.index("value"), FIELDS.index("bbox"), FIELDS.index("reviewed_at")
_STATE_AT, _DECIDED_FROM = FIELDS.index("state"), len(FIELDS)
_WITHDRAWN_FIELDS = tuple((FIELDS.index(f), f) for f in ("unit", "qualifier", "name"))


def _withdrawn(row: Any) -> Any:
    """The row in FIELDS order; a withdrawal names what it withdraws. A `withdrawn` record
    carries the value fields the fact had when the decision that withdrew it was taken (a
    reject keeps them, but a reopen restores the extracted value: fed as it is, that
    would publish an unreviewed value under the name of a withdrawal). Those fields are
    the `before` of the review event at the fact's change number; none (an orphaned fact,
    withdrawn by a re-extraction) keeps the fact's own."""
    if row[_STATE_AT] != "withdrawn" or row[_DECIDED_FROM] is None:
        return row[:_DECIDED_FROM]
    before = exact_loads(row[_DECIDED_FROM])
    if not isinstance(before, dict) or "value" not in before:
        return row[:_DECIDED_FROM]
    out = list(row[:_DECIDED_FROM])
    out[_VALUE] = dumps(before["value"])
    for index, field in _WITHDRAWN_FIELDS:
        out[index] = before.get(field, out[index])
    return out
_JSON_OPTIONS = orjson.OPT_NAIVE_UTC  # SQLite's naive timestamps are UTC (service/storage/timeutil.py)


def _record(row: Any) -> dict[str, Any]:
    """One record for JSON: the row zipped with FIELDS (in C), its JSON texts as fragments."""
    row = _withdrawn(row)
    record = dict(zip(FIELDS, row))
    record["value"], record["bbox"] = orjson.Fragment(row[_VALUE]), orjson.Fragment(row[_BBOX])
    return record


def _csv_values(row: Any) -> list[Any]:
    """One record's CSV cells: JSON values parsed (a list or dict is written back as JSON),
    every text cell safe to open in a spreadsheet (`csv_safe`)."""
    values = list(_withdrawn(row))
    values[_VALUE], values[_BBOX] = _csv_cell(exact_loads(values[_VALUE])), _csv_cell(exact_loads(values[_BBOX]))
    reviewed_at = as_utc(values[_REVIEWED_AT])
    values[_REVIEWED_AT] = reviewed_at.isoformat() if reviewed_at else None
    return [csv_safe(value) for value in values]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula (OWASP)


def csv_safe(cell: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula (a unit `=HYPERLINK(...)`),
    with a leading apostrophe, as OWASP's "CSV injection" advice has it; numbers (JSON
    values, ids) are written as they are, a negative number included."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


_RECORD_ROWS = (  # each fact with its report, initiative, area and the event at its change number
    select(*_COLUMNS)
    .join(Report, col(Report.id) == col(Extraction.report_id))
    .join(Initiative, col(Initiative.id) == col(Extraction.initiative_id), isouter=True)
    .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
    .join(ReviewEvent, and_(col(ReviewEvent.change_seq) == col(Extraction.change_seq),
                            col(ReviewEvent.extraction_id) == col(Extraction.id)), isouter=True)
)
_PAGE = Fast(  # built once: building it cost about as much as running it
    _RECORD_ROWS.where(col(Extraction.change_seq) > bindparam("after"), col(Extraction.change_seq) <= bindparam("end"), _IN_FEED)
    .order_by(col(Extraction.change_seq)).limit(bindparam("limit"))
)


def _page(conn: Connection, after: int, end: int, limit: int) -> list[tuple[Any, ...]]:
    return _PAGE.rows(conn, {"after": after, "end": end, "limit": limit})  # one fetchall


class CursorAhead(ValueError):
    """A `since` beyond the feed's head: no cursor the feed handed out, so a consumer
    holding it would silently miss every later change."""

    def __init__(self, since: int, head: int) -> None:
        super().__init__(f"the cursor {since} is ahead of the feed's head ({head}): pass a cursor this feed "
                         f"returned (X-Next-Cursor), or omit `since` to read the feed from its start")
        self.since, self.head = since, head


@dataclass
class Window:
    """A pull's window `(since, end]` (`end` is its next cursor) and its first page of rows."""

    since: int
    end: int
    first: list[tuple[Any, ...]]

    @property
    def complete(self) -> bool:
        """Whether the first page holds the whole window (the usual `limit=500` page)."""
        return len(self.first) < PAGE_SIZE or int(self.first[-1][0]) >= self.end


def open_window(conn: Connection, since: int, limit: int | None) -> Window:
    """Fix the window's end and read its first page, through `conn` (the caller's, which
    closes it). The end is at most the safe end (service/storage/sequence.py); with a
    limit, the limit-th record's number. A limit up to PAGE_SIZE (the usual page) costs
    two statements: the safe end, and the page, whose last row is then the end."""
    upto = safe_end(conn)
    conn.commit()  # no-op in autocommit; otherwise ends the transaction holding the feed lock
    if since > upto:
        raise CursorAhead(since, upto)
    if upto <= since:
        return Window(since, since, [])
    first = min(limit or PAGE_SIZE, PAGE_SIZE)
    rows = _page(conn, since, upto, first)
    end = upto
    if limit is not None and len(rows) == first:
        if limit <= PAGE_SIZE:
            end = int(rows[-1][0])
        else:
            last = conn.execute(
                select(Extraction.change_seq)
                .where(col(Extraction.change_seq) > since, col(Extraction.change_seq) <= upto, _IN_FEED)
                .order_by(col(Extraction.change_seq)).offset(limit - 1).limit(1)
            ).scalar()
            end = int(last) if last is not None else upto
    conn.commit()  # ends SQLite's read transaction: the rest of the pull reads on its own connections
    return Window(since, end, rows)


def iter_pages(engine: Engine, window: Window) -> Iterator[list[tuple[Any, ...]]]:
    """The window's rows in change order, PAGE_SIZE at a time, each page read in its own
    short statement (a 100k pull never holds its rows, nor a transaction, for long)."""
    rows = window.first
    while True:
        if rows:
            yield rows
        if len(rows) < PAGE_SIZE:
            return
        last = int(rows[-1][0])
        if last >= window.end:
            return
        with engine.connect() as conn:
            rows = _page(conn, last, window.end, PAGE_SIZE)


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def render(engine: Engine, window: Window, fmt: FeedFormat) -> Iterator[bytes]:
    """The response body, one chunk per page of rows: each chunk costs the response a hop
    from the thread pool to the event loop, so one per record would cost more than
    serialising it. JSON is written by orjson from each page's records at once."""
    pages = iter_pages(engine, window)
    if fmt == "csv":
        yield _csv_line(list(FIELDS)).encode()
        for rows in pages:
            yield "".join(_csv_line(_csv_values(row)) for row in rows).encode()
    elif fmt == "ndjson":
        for rows in pages:
            yield b"".join(orjson.dumps(_record(row), option=_JSON_OPTIONS | orjson.OPT_APPEND_NEWLINE)
                           for row in rows)
    else:
        yield b'{"next_cursor": ' + orjson.dumps(str(window.end)) + b', "items": ['
        for index, rows in enumerate(pages):
            body = orjson.dumps([_record(row) for row in rows], option=_JSON_OPTIONS)[1:-1]
            yield (b"," + body) if index else body
        yield b"]}\n"


_REPORT_RECORDS = (
    _RECORD_ROWS.where(col(Extraction.report_id) == bindparam("report_id"), col(Extraction.status).in_(PUBLISHED),
                       col(Extraction.orphaned).is_(False))
    .order_by(col(Extraction.page), col(Extraction.id))
)


def report_records(conn: Connection, report_id: int, fmt: Literal["json", "csv"]) -> bytes:
    """One report's confirmed and corrected records as they stand now (no withdrawals, no
    cursor), in page order: the download of the operator page. Same fields and cells as
    the feed."""
    rows = conn.execute(_REPORT_RECORDS, {"report_id": report_id}).all()
    if fmt == "csv":
        return (_csv_line(list(FIELDS)) + "".join(_csv_line(_csv_values(row)) for row in rows)).encode()
    return orjson.dumps({"report_id": report_id, "items": [_record(row) for row in rows]}, option=_JSON_OPTIONS)
