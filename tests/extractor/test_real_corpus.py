"""Real PDFs of Brazilian public bodies go through `relato extract` without crashing.

Each must exit 0 with the EXTRACT-JSON shape on stdout within 120 s (a guard
against hangs, not a speed figure: the 32-page gazette takes ~14 s of CPU, far
more wall time on a loaded machine). The two scans (no text layer) are read by
OCR and give facts; where Tesseract is not installed they exit 2 with one line on
stderr saying what to install (their facts are checked in test_ocr.py). Read in
place from ../shared/corpus/real; skipped where absent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.model import ExtractResult
from tests.conftest import SHARED_REAL

REAL = sorted(SHARED_REAL.glob("*.pdf")) if SHARED_REAL.is_dir() else []
SCANNED = {"decreto-mg-coqueiral-1899-2017-01-02-calamidade-financeira-scan.pdf",
           "emenda-lei-organica-mg-coqueiral-014-2013-scan-rotated.pdf"}


def run_extract(pdf: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor.cli", str(pdf)], capture_output=True,
                          text=True, timeout=timeout)


def test_real_corpus_present_or_skipped() -> None:
    if not REAL:
        pytest.skip(f"{SHARED_REAL} not found: real-PDF tests are skipped")
    assert len(REAL) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("pdf", REAL, ids=lambda p: p.stem)
def test_real_pdf_extracts_or_fails_cleanly(pdf: Path) -> None:
    proc = run_extract(pdf)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    if pdf.name in SCANNED and shutil.which("tesseract") is None:
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1
        assert "text layer" in proc.stderr and "tesseract-ocr-por" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    result = ExtractResult.model_validate_json(proc.stdout)
    assert result.source.pages >= 1
    found = [x for it in result.initiatives for x in it.extractions] + result.report.extractions
    for e in found:
        assert 1 <= e.page <= result.source.pages
        x0, top, x1, bottom = e.bbox
        assert x0 <= x1 and top <= bottom
    if pdf.name in SCANNED:  # read by OCR
        assert found and all(e.extractor.endswith(".ocr") for e in found)
