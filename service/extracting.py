"""The service's only door into `extractor/`: probe at upload, extract in the worker.

Imports are lazy so that importing the service does not load spaCy until a
worker really extracts; tests replace `probe` and `extract` here with fakes.
"""

from __future__ import annotations

from pathlib import Path

from extractor.model import ExtractResult


def probe(path: Path, *, max_pages: int) -> int:
    """Page count of the PDF at `path`; raises extractor.errors.BadPDF with a reason."""
    from extractor.pdf import probe_pdf

    return probe_pdf(path, max_pages=max_pages)


def extract(path: Path, *, filename: str | None) -> ExtractResult:
    """The whole extraction of one PDF; raises extractor.errors.BadPDF for unreadable input."""
    from extractor.pipeline import extract_pdf

    return extract_pdf(path, filename=filename)
