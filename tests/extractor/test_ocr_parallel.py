"""One report's scanned pages are OCR'd on up to RELATO_OCR_WORKERS Tesseracts at once.

Reading pages side by side must not change what is read; progress is reported page by
page ("OCR: página 2 de 3"); and an extraction that ends early (its deadline) leaves no
Tesseract running behind it.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import psutil
import pytest

from extractor import limits, ocr, progress
from extractor.pdf import read_pages
from tests.rasterise import rasterise
from tests.scanreports import build, reports

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-por)")


@pytest.mark.parametrize(("raw", "expected"), [("", None), ("1", 1), ("3", 3), ("0", 1), (" 2 ", 2)])
def test_ocr_workers_setting(raw: str, expected: int | None) -> None:
    cpus = len(os.sched_getaffinity(0))
    assert ocr.workers({"RELATO_OCR_WORKERS": raw}) == (expected or cpus)


@pytest.mark.parametrize("raw", ["dois", "-1"])
def test_a_bad_ocr_workers_setting_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="RELATO_OCR_WORKERS"):
        ocr.workers({"RELATO_OCR_WORKERS": raw})


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("parallel")
    pdf, _ = build(reports()[0], tmp)
    return rasterise(pdf, tmp / "scan.pdf", dpi=200)


def _read(scan: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> tuple[list, list[str]]:
    monkeypatch.setenv("RELATO_OCR_WORKERS", str(workers))
    lines: list[str] = []
    undo = progress.listen(lines.append)
    try:
        pages = ocr.read_scanned(scan, list(read_pages(scan)), [])
    finally:
        undo()
    return [[(w.text, w.x0, w.top, w.size, w.bold) for w in p.words] for p in pages], lines


@needs_tesseract
def test_pages_read_side_by_side_read_the_same(scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, one_progress = _read(scan, 1, monkeypatch)
    two, two_progress = _read(scan, 2, monkeypatch)
    assert one == two and all(one)
    n = len(one)
    ocr_lines = [[line for line in lines if line.startswith("OCR: ")] for lines in (one_progress, two_progress)]
    assert ocr_lines[0] == ocr_lines[1] == [f"OCR: página {k} de {n}" for k in range(1, n + 1)]


def _tesseracts() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "tesseract" in p.name()]


@needs_tesseract
def test_no_tesseract_outlives_an_extraction_stopped_at_its_deadline(
        scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELATO_OCR_WORKERS", "2")
    # No allowance for the scanned pages: the deadline ends the extraction while both
    # Tesseracts read (a page's own limit, which fails only that page, stays far off).
    monkeypatch.setattr(limits, "allow_more", lambda _seconds: None)
    seen: list[int] = []
    undo = progress.listen(lambda _line: seen.append(len(_tesseracts())))
    try:
        with pytest.raises(limits.ExtractTimeout), limits.deadline(0.3):
            ocr.read_scanned(scan, list(read_pages(scan)), [])
            time.sleep(5)  # a read that beat the deadline: the deadline still ends the test
    finally:
        undo()
    assert _tesseracts() == []
