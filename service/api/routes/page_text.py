"""The printed text a reviewer points at on a page: under a drawn box, or a span of a fact's
source text found on its page. The review page adds a missed fact from it: the text is read
into a value by POST /parse, with the kind the reviewer picks."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from extractor.box_text import box_of, find_run, words_in_box
from extractor.errors import BadPDF
from extractor.pdf import Word
from service.api.deps import API_ERRORS, report_or_404, EngineDep, ReviewerDep, SessionDep, SettingsDep
from service.api.hardening import retry_later
from service.jobs.extracting import RendersBusy, limits, read_page_words
from service.storage.blobs import BlobDamaged, BlobMissing, local_pdf, open_store
from service.storage.inputs import Id
from service.storage.schemas import ErrorOut

router = APIRouter(prefix="/api/v1/reports", tags=["review assistance"], responses=API_ERRORS)
BOX = r"^-?[0-9]+(\.[0-9]+)?(,-?[0-9]+(\.[0-9]+)?){3}$"


class PageTextOut(BaseModel):
    page: int
    text: str = Field(description="the words, in reading order, one space apart ('' when none)")
    bbox: list[float] | None = Field(description="the words' box [x0, top, x1, bottom] in PDF points; null when none")
    words: int = Field(description="how many words")


@router.get(
    "/{report_id}/pages/{page}/text", response_model=PageTextOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 500: {"model": ErrorOut},
               503: {"model": ErrorOut, "description": "RELATO_MAX_RENDERS pages are being read; Retry-After"}},
    summary="The words printed inside a box of a page, or where a span of text is printed on it",
)
def get_page_text(
    report_id: Id, page: int, _: ReviewerDep, session: SessionDep, engine: EngineDep, settings: SettingsDep,
    bbox: Annotated[str | None, Query(pattern=BOX, description="x0,top,x1,bottom in PDF points: the words inside")] = None,
    find: Annotated[str | None, Query(min_length=1, max_length=500, description="a span of printed text: where it is")] = None,
    near: Annotated[str | None, Query(pattern=BOX, description="with `find`: prefer the run nearest this box")] = None,
) -> PageTextOut:
    """The same words the extraction read (the text layer, or OCR on a scanned page), so the
    value parsed from `text` is the one the rules would have read. Exactly one of `bbox`, `find`."""
    if (bbox is None) == (find is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give exactly one of `bbox` (a box) or `find` (a text)")
    report = report_or_404(session, report_id)
    if not report.pages or not 1 <= page <= report.pages:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"page {page} does not exist; report {report_id} has {report.pages or 0} pages")
    pdf = partial(local_pdf, open_store(settings, engine), settings, report.sha256)
    try:
        with limits(settings.extract_timeout_s, settings.extract_memory_mb):
            rows = read_page_words(pdf, settings.cache_dir / report.sha256, page)
    except BadPDF as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"page {page} cannot be read: {exc.reason}") from exc
    except RendersBusy as exc:
        return retry_later(f"{exc} (RELATO_MAX_RENDERS)")  # type: ignore[return-value]
    except (BlobMissing, BlobDamaged) as exc:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, f"page {page} cannot be read: {exc}") from exc
    words = [Word(text, x0, top, x1, bottom, 0.0, False, page) for text, x0, top, x1, bottom in rows]
    if bbox is not None:
        found = words_in_box(words, [float(v) for v in bbox.split(",")])
    else:
        found = find_run(words, find or "", [float(v) for v in near.split(",")] if near else None)
        if not found:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{(find or '')[:80]!r} is not printed on page {page}")
    return PageTextOut(page=page, text=" ".join(w.text for w in found),
                       bbox=[round(v, 1) for v in box_of(found)] if found else None, words=len(found))
