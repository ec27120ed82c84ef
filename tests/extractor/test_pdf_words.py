"""extractor/pdf.py reads chars straight off pdfplumber's layout for speed; its words
must stay exactly what pdfplumber's own ``Page.extract_words`` gives (same grouping,
same boxes, same fonts), on every corpus PDF. A pdfplumber upgrade that changes how
chars are built shows up here first."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from extractor.pdf import _chars_and_images
from tests.conftest import PROJECT_CORPUS, SHARED_DEV, SHARED_REAL

PDFS = sorted(PROJECT_CORPUS.glob("*.pdf"))
for extra in (SHARED_DEV, SHARED_REAL):
    if extra.is_dir():
        PDFS += sorted(extra.glob("*.pdf"))[:6]


def _key(w: dict) -> tuple:
    return (w["text"], round(w["x0"], 3), round(w["top"], 3), round(w["x1"], 3),
            round(w["bottom"], 3), w["fontname"], w["size"])


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_words_match_pdfplumber_extract_words(pdf: Path) -> None:
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages[:12]:
            want = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
            images = len(page.images)
            chars, got_images = _chars_and_images(page)
            got = pdfplumber.utils.extract_words(chars, extra_attrs=["fontname", "size"],
                                                 keep_blank_chars=False)
            assert [_key(w) for w in got] == [_key(w) for w in want], f"page {page.page_number}"
            assert got_images == images
            page.close()
