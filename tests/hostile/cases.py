"""What each hostile PDF must produce, through `relato extract` and through an upload.

A case either extracts correctly (the deck's initiative title is found) or is
refused with a reason a person can act on: exit 2 and one stderr line for the
CLI; a 4xx at upload, or a report that ends `failed` with `error`, for the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.hostile.pdfbytes import TITLE


@dataclass(frozen=True)
class Case:
    name: str
    cli: str  # "extract", "reject", or "either" (a correct extraction or a clear refusal)
    reason: str = ""  # words the refusal must contain (CLI stderr / upload detail / report error)
    upload: int = 202  # HTTP status of the upload
    final: str = "done"  # report status after the worker ran (when the upload was accepted)
    title: str | None = TITLE  # initiative title a correct extraction contains
    timeout_s: float | None = None  # a lower time limit for cases that are slow on purpose
    absent: str | None = None  # text that must never reach the output
    upload_reason: str | None = None  # when the upload refuses for another reason than the CLI


CASES = [
    Case("empty", "reject", "empty", upload=400),
    Case("html_renamed", "reject", "not a PDF", upload=415),
    Case("png_renamed", "reject", "not a PDF", upload=415),
    Case("truncated_10", "reject", "damaged or truncated", upload=422),
    Case("truncated_50", "reject", "damaged or truncated", upload=422),
    Case("truncated_90", "extract"),  # objects intact, xref lost: rebuilt by scanning
    Case("truncated_tail", "extract"),
    Case("broken_xref", "extract"),
    Case("encrypted_user", "reject", "encrypted", upload=422),
    Case("encrypted_owner_only", "extract"),
    Case("many_pages", "either", "took longer than", upload=422, title=None,
         upload_reason="has 2000 pages; the limit is 500"),
    Case("huge_page", "extract"),
    Case("absurd_page", "reject", "at most 14400", upload=422),
    Case("compression_bomb", "reject", "decompression bomb", final="failed"),
    Case("deep_nesting", "extract"),
    Case("cyclic_page_tree", "extract"),
    Case("scanned", "reject", "no text layer", final="failed"),
    Case("javascript_and_attachment", "extract", absent="SEGREDO"),
    Case("tiny_text_objects", "extract"),
    Case("invalid_utf16", "extract"),
    Case("font_without_unicode", "reject", "without a Unicode map", final="failed"),
    Case("xobject_fanout", "reject", "took longer than", final="failed", timeout_s=6),
]
BY_NAME = {case.name: case for case in CASES}
