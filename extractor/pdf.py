"""Read a PDF into frozen pages of words. The only module that touches pdfplumber.

Each page's words carry font name, size and boldness, which is all the layout
and structure stages need. Pages are read one at a time and released after use
(``page.close()``), so memory stays flat on long PDFs.

Errors a user can cause (not a PDF, empty, truncated, encrypted, scanned) become
:class:`~extractor.errors.BadPDF` with a one-line reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from extractor.errors import BadPDF

log = logging.getLogger(__name__)

_CID = re.compile(r"\(cid:\d+\)")
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold|,b\b|-b\b", re.IGNORECASE)
_HEADER_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Word:
    """One word as printed: text, box in PDF points (top-left origin) and font."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    page: int

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Page:
    """A page's words in content-stream order, plus what we need to judge it."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    images: int


def _check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_HEADER_BYTES)
    except OSError as exc:
        raise BadPDF(f"cannot read the file: {exc.strerror or exc}", code="unreadable") from exc
    if size == 0:
        raise BadPDF("the file is empty", code="empty")
    if b"%PDF-" not in head:
        raise BadPDF("not a PDF: the file does not start with a %PDF header", code="not_pdf")


def _open(path: Path) -> pdfplumber.PDF:
    """Open with pdfplumber, turning parser failures into readable reasons."""
    _check_header(path)
    try:
        pdf = pdfplumber.open(path)
        _ = pdf.pages  # forces the page tree to be read now, not mid-extraction
        return pdf
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise BadPDF("the PDF is encrypted with a password; upload an unprotected copy",
                     code="encrypted") from exc
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise BadPDF("the PDF is encrypted with a password; upload an unprotected copy",
                         code="encrypted") from exc
        raise BadPDF(f"the PDF is damaged or truncated ({_short(inner)})", code="corrupt") from exc
    except (PDFSyntaxError, RecursionError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, AssertionError, EOFError, OSError) as exc:
        raise BadPDF(f"the PDF is damaged or truncated ({_short(exc)})", code="corrupt") from exc


def _short(exc: object) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def probe_pdf(path: str | Path, *, max_pages: int | None = None) -> int:
    """Cheap check at upload time: a readable, unencrypted PDF; returns its page count."""
    with _open(Path(path)) as pdf:
        n = len(pdf.pages)
    if n == 0:
        raise BadPDF("the PDF has no pages", code="empty")
    if max_pages is not None and n > max_pages:
        raise BadPDF(f"the PDF has {n} pages; the limit is {max_pages}", code="too_many_pages")
    return n


def _word(raw: dict, page: int) -> Word | None:
    text = _CID.sub("", raw["text"]).strip()
    if not text:
        return None
    return Word(text=text, x0=float(raw["x0"]), top=float(raw["top"]), x1=float(raw["x1"]),
                bottom=float(raw["bottom"]), size=round(float(raw.get("size") or 0.0), 1),
                bold=bool(_BOLD.search(raw.get("fontname") or "")), page=page)


def _read_page(page: pdfplumber.page.Page, number: int) -> Page:
    raw = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
    words = tuple(w for w in (_word(r, number) for r in raw) if w is not None)
    return Page(number=number, width=float(page.width), height=float(page.height),
                words=words, images=len(page.images))


def read_pages(path: str | Path, warnings: list[str] | None = None) -> Iterator[Page]:
    """Yield each page's words, releasing pdfplumber's caches after each page.

    A page that fails to parse is skipped with a warning (a partial result beats
    none); a file that cannot be opened raises :class:`BadPDF`.
    """
    pdf = _open(Path(path))
    with pdf:
        for i, page in enumerate(pdf.pages, start=1):
            try:
                yield _read_page(page, i)
            except (PdfminerException, PDFSyntaxError, RecursionError, ValueError, KeyError,
                    TypeError, AttributeError, IndexError, AssertionError, EOFError) as exc:
                msg = f"page {i}: could not be read ({_short(exc)})"
                log.warning(msg)
                if warnings is not None:
                    warnings.append(msg)
            finally:
                page.close()
