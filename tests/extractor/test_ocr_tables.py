"""Scans of A4 reports with tables read as well as their text: every row stays in its table.

The reports (tests/extractor/scans/*.txt, drawn by tests/scanreports.py) carry ruled and
unruled tables of municipality, number and date, two sets side by side on a row, amounts
in R$ and shares. Each is scanned at 200 dpi, tilted, blurred, JPEG-compressed and at
150 dpi, extracted by `relato extract` and scored against its own gold: every kind
F1 >= 0.95, initiatives >= 0.98, and no table row is taken for a title (every title found
is one of the gold's). About a minute on two cores; skipped without Tesseract, except in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from rapidfuzz import fuzz

from extractor.text import fold
from tests.scanreports import SCANS, build, reports, scan
from tests.scoring import KINDS, score

HAVE_TESSERACT = shutil.which("tesseract") is not None
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not HAVE_TESSERACT and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-por)")]
CASES = [(src.stem, variant) for src in reports() for variant in SCANS]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[dict, dict]]:
    """(report, scan) -> (gold, extraction), each scan extracted once per module."""
    tmp = tmp_path_factory.mktemp("scans")
    out = {}
    for src in reports():
        pdf, gold = build(src, tmp)
        for variant in SCANS:
            proc = subprocess.run([sys.executable, "-m", "extractor.cli", str(scan(pdf, variant, tmp))],
                                  capture_output=True, text=True, timeout=600)
            assert proc.returncode == 0, proc.stderr
            out[src.stem, variant] = gold, json.loads(proc.stdout)
    return out


@pytest.mark.parametrize(("report", "variant"), CASES)
def test_scanned_report_with_tables_scores_against_its_gold(outputs: dict, report: str, variant: str) -> None:
    gold, found = outputs[report, variant]
    result = score(gold, found)
    low = {k: result[k]["f1"] for k in KINDS
           if result[k]["tp"] + result[k]["fp"] + result[k]["fn"] and result[k]["f1"] < 0.95}
    assert not low, (low, result["misses"], result["false_alarms"])
    assert result["initiatives"]["f1"] >= 0.98, result["initiatives"]
    assert result["status_date_ok"]


@pytest.mark.parametrize(("report", "variant"), CASES)
def test_no_table_row_becomes_a_title(outputs: dict, report: str, variant: str) -> None:
    gold, found = outputs[report, variant]
    titles = [fold(it["title"]) for it in gold["initiatives"]]
    for it in found["initiatives"]:
        assert max(fuzz.ratio(fold(it["title"]), t) for t in titles) >= 85, it["title"]
