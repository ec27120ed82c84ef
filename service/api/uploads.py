"""Read a multipart upload straight from the request stream into a `Spool`.

A body the multipart parser cannot read is a 400, and so is a file name longer than
MAX_FILENAME_BYTES or one with a NUL or control character (service/storage/inputs.py).

Starlette's `request.form()` would first spool the whole body to a temporary file
and only then let us look at its size; parsing the stream ourselves enforces the
limit while bytes arrive and stops reading as soon as it is passed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Request
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartState, parse_options_header

from service.storage.config import Settings
from service.storage.files import Spool, UploadRejected
from service.storage.inputs import bad_text

FIELD = "file"
MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file in the body
MAX_FILENAME_BYTES = 3072  # a part's file name (bytes); the stored display name is cut to 500 characters
MAX_HEADER_BYTES = 16 * 1024  # one part header, name and value


@dataclass
class _PartState:
    settings: Settings
    header_field: bytes = b""
    header_value: bytes = b""
    headers: dict[bytes, bytes] = field(default_factory=dict)
    writing: bool = False
    spool: Spool | None = None
    filename: str | None = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]
        self._bounded(self.header_field)

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]
        self._bounded(self.header_value)

    @staticmethod
    def _bounded(data: bytes) -> None:
        if len(data) > MAX_HEADER_BYTES:
            raise UploadRejected(400, f"a multipart part header is longer than {MAX_HEADER_BYTES // 1024} KB")

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        is_file = params.get(b"name") == FIELD.encode() and self.spool is None
        if is_file:
            self.spool = Spool(self.settings)
            self.filename = _filename(params.get(b"filename", b""))
        self.writing = is_file
        self.headers = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.writing and self.spool is not None:
            self.spool.write(data[start:end])

    def on_part_end(self) -> None:
        self.writing = False


def _filename(raw: bytes) -> str:
    if len(raw) > MAX_FILENAME_BYTES:
        raise UploadRejected(400, f"the file name is longer than {MAX_FILENAME_BYTES} bytes; rename the file")
    name = raw.decode("utf-8", "replace")
    if (why := bad_text(name)) is not None:
        raise UploadRejected(400, f"the file name {why}")
    return name


async def receive_upload(request: Request, settings: Settings) -> tuple[Spool, str | None]:
    """The spooled `file` field and its client file name; raises UploadRejected."""
    mime, params = parse_options_header(request.headers.get("content-type", ""))
    if mime != b"multipart/form-data" or b"boundary" not in params:
        raise UploadRejected(415, "send the PDF as multipart/form-data in a field named 'file'")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > settings.max_upload_bytes + MULTIPART_SLACK:
        raise UploadRejected(413, f"the file is larger than the {settings.max_upload_mb:g} MB limit (RELATO_MAX_UPLOAD_MB)")
    state = _PartState(settings)
    callbacks = {name: getattr(state, name) for name in (
        "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
        "on_part_data", "on_part_end",
    )}
    parser = MultipartParser(params[b"boundary"], callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if parser.state != MultipartState.END:  # the body stopped before its closing boundary
            raise FormParserError("the body ends before the closing boundary (--BOUNDARY--)")
    except BaseException as exc:
        if state.spool is not None:
            state.spool.discard()
        if isinstance(exc, FormParserError):
            raise UploadRejected(400, f"the multipart body could not be read ({exc}); "
                                 "send the PDF as multipart/form-data in a field named 'file'") from exc
        raise
    if state.spool is None:
        raise UploadRejected(422, "no field named 'file' in the form; send the PDF as `file`")
    state.spool.close()
    return state.spool, state.filename


def sweep_spool(settings: Settings, older_than_s: float = 3600.0) -> int:
    """Delete spool files (RELATO_DATA_DIR/tmp/*.part) older than an hour: what a server
    killed mid-upload left. Younger ones may belong to another live server process."""
    removed, cutoff = 0, time.time() - older_than_s
    for part in settings.tmp_dir.glob("*.part") if settings.tmp_dir.is_dir() else ():
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except OSError:
            continue
    return removed
