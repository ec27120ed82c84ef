"""The confirmed-records feed for downstream systems (see service/feed/records.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from service.api.deps import API_ERRORS, BEARER_OPENAPI, CallerDep
from service.feed.records import FIELDS, MEDIA_TYPES, CursorAhead, FeedFormat, open_window, render
from service.storage.inputs import Count, Cursor, cursor_value
from service.storage.schemas import ErrorOut

router = APIRouter(prefix="/api/v1/records", tags=["records"], responses=API_ERRORS)

FEED_DOC = (
    "Confirmed and corrected facts (state `confirmed`/`corrected`), and published facts later "
    "rejected (state `withdrawn`), in change order. Pass the previous pull's next cursor as "
    "`since` to get exactly what changed after it. The next cursor is in the `X-Next-Cursor` "
    "header (all formats) and in `next_cursor` (json). Fields: " + ", ".join(FIELDS) + "."
)


@router.get(
    "", summary="Confirmed records since a cursor (json, ndjson or csv, streamed)", description=FEED_DOC,
    response_class=StreamingResponse, openapi_extra=BEARER_OPENAPI,
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()},
              "headers": {"X-Next-Cursor": {"description": "pass as `since` next time", "schema": {"type": "string"}}}},
        409: {"model": ErrorOut, "description": "`since` is ahead of the feed's head (named in `detail`)"},
        422: {"model": ErrorOut},
    },
)
async def get_records(
    caller: CallerDep,
    since: Annotated[Cursor | None, Query(description="next cursor of the previous pull; omit for everything")] = None,
    limit: Annotated[Count | None, Query(description="at most this many records; omit for all")] = None,
    format: FeedFormat = "json",
) -> StreamingResponse:

    def answer() -> Response:
        """Token check, window and first page in one thread-pool hop; a window that fits in
        that page is answered whole, a longer one streamed page by page."""
        engine = caller.read_engine
        with engine.connect() as conn:  # token, window end and first page on one connection
            caller.require(conn, "consumer", "reviewer")
            try:
                window = open_window(conn, cursor_value(since), limit)
            except CursorAhead as exc:
                raise HTTPException(409, str(exc), headers={"X-Feed-Head": str(exc.head)}) from exc
        headers = {"X-Next-Cursor": str(window.end)}
        if window.complete:
            return Response(b"".join(render(engine, window, format)), media_type=MEDIA_TYPES[format], headers=headers)
        return StreamingResponse(render(engine, window, format), media_type=MEDIA_TYPES[format], headers=headers)

    return await run_in_threadpool(answer)
