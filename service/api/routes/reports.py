"""Reports: upload a PDF, list and inspect reports, their initiatives and page images."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from extractor.errors import BadPDF
from service.api.deps import API_ERRORS, report_or_404, EngineDep, OperatorDep, ReportReaderDep, ReviewerDep, SessionDep, SettingsDep
from service.api.queries import initiative_tree, list_reports, one_report_public
from service.api.uploads import receive_upload
from service.api.hardening import retry_later
from service.jobs.extracting import RendersBusy, limits, render_page
from service.jobs.intake import register_pdf
from service.jobs.retry import NotRetryable, retry_report
from service.storage.blobs import BlobDamaged, BlobMissing, local_pdf, open_store
from service.storage.files import UploadRejected, display_filename
from service.storage.inputs import Id
from service.storage.models import Extraction
from service.storage.schemas import ErrorOut, InitiativesPublic, ReportPublic, ReportsPublic, UploadPublic

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=API_ERRORS)

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary", "description": "the report PDF"}},
        }}},
    }
}
UPLOAD_ERRORS = {
    400: {"model": ErrorOut, "description": "empty file, unreadable multipart body, or a bad file name"},
    413: {"model": ErrorOut, "description": "larger than RELATO_MAX_UPLOAD_MB"},
    415: {"model": ErrorOut, "description": "not a PDF, or not multipart/form-data"},
    422: {"model": ErrorOut, "description": "unreadable PDF: encrypted, corrupt, too many pages"},
}


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=UploadPublic, openapi_extra=UPLOAD_BODY,
    summary="Upload a report PDF (queued for extraction)",
    responses={200: {"model": UploadPublic, "description": "the same bytes were uploaded before"}, **UPLOAD_ERRORS},
)
async def upload_report(
    request: Request, response: Response, _: OperatorDep, engine: EngineDep, settings: SettingsDep
) -> UploadPublic:
    """Stream the multipart field `file` to disk, check it, and queue it; the same bytes twice
    return the existing report with 200."""
    try:
        spool, filename = await receive_upload(request, settings)
        report, created = await run_in_threadpool(register_pdf, engine, settings, spool, display_filename(filename))
    except UploadRejected as exc:
        raise HTTPException(exc.status_code, exc.detail) from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    assert report.id is not None
    return UploadPublic(id=report.id, status=report.status, sha256=report.sha256, filename=report.filename)  # type: ignore[arg-type]


@router.get("", response_model=ReportsPublic, summary="Reports, newest first")
def get_reports(_: ReportReaderDep, session: SessionDep) -> ReportsPublic:
    return ReportsPublic(items=list_reports(session))


@router.get("/{report_id}", response_model=ReportPublic, responses={404: {"model": ErrorOut}},
            summary="One report: status, error, title, status date, review counts")
def get_report(report_id: Id, _: ReportReaderDep, session: SessionDep) -> ReportPublic:
    return one_report_public(session, report_or_404(session, report_id))


@router.post("/{report_id}/retry", response_model=ReportPublic,
             responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut, "description": "the report is not failed"}},
             summary="Queue a failed report again (its attempts start from zero)")
def post_retry(report_id: Id, _: OperatorDep, session: SessionDep, engine: EngineDep) -> ReportPublic:
    try:
        report = retry_report(engine, report_id)
    except NotRetryable as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return one_report_public(session, report)


@router.get("/{report_id}/initiatives", response_model=InitiativesPublic, responses={404: {"model": ErrorOut}},
            summary="Areas, initiatives and their extraction ids, in page order")
def get_initiatives(report_id: Id, _: ReviewerDep, session: SessionDep) -> InitiativesPublic:
    report_or_404(session, report_id)
    return initiative_tree(session, report_id)


@router.get(
    "/{report_id}/pages/{page}.png", response_class=FileResponse, summary="A page as PNG, a fact highlighted",
    responses={200: {"content": {"image/png": {}}}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut},
               500: {"model": ErrorOut, "description": "the report's stored PDF is missing or damaged"},
               503: {"model": ErrorOut, "description": "RELATO_MAX_RENDERS page images are being drawn; Retry-After"}},
)
def get_page_image(
    report_id: Id, page: int, _: ReviewerDep, session: SessionDep, engine: EngineDep, settings: SettingsDep,
    highlight: Annotated[Id | None, Query(description="an extraction id on this page")] = None,
) -> FileResponse:
    report = report_or_404(session, report_id)
    if not report.pages or not 1 <= page <= report.pages:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"page {page} does not exist; report {report_id} has {report.pages or 0} pages")
    bbox, key = None, "plain"
    if highlight is not None:
        ext = session.get(Extraction, highlight)
        if ext is None or ext.report_id != report_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"extraction {highlight} is not in report {report_id}")
        if ext.page != page:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"extraction {highlight} is on page {ext.page}, not {page}")
        bbox, key = ext.bbox, f"h{highlight}"
    pdf = partial(local_pdf, open_store(settings, engine), settings, report.sha256)  # fetched on a cache miss
    try:  # in a child process under the extraction limits: a hostile page ends there
        with limits(settings.extract_timeout_s, settings.extract_memory_mb):
            png = render_page(pdf, settings.cache_dir / report.sha256, page, key=key, bbox=bbox)
    except BadPDF as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"page {page} of report {report_id} cannot be shown: {exc.reason}") from exc
    except RendersBusy as exc:  # a render child may take RELATO_EXTRACT_MEMORY_MB: a few at a time
        return retry_later(f"{exc} (RELATO_MAX_RENDERS)")  # type: ignore[return-value]
    except (BlobMissing, BlobDamaged) as exc:  # not the client's doing: the operator has to restore the PDF
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR,
                            f"page {page} of report {report_id} cannot be shown: {exc}") from exc
    return FileResponse(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
