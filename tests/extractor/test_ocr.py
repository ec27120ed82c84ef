"""Scanned PDFs are read by OCR and scored against the same gold as their text originals.

The corpus's slide deck and A4 report are rasterised (tests/rasterise.py: 200 dpi
images, no text layer; the A4 also turned a quarter and tilted 1.5 degrees) and
run through `relato extract`, as a user would. Each is OCR'd once per session
(module fixtures), which is most of this file's time: about a minute on two cores.

Thresholds (issue 10): every kind F1 >= 0.90 and initiative F1 >= 0.95; every fact
named `.ocr`; its box on the page where the text original printed the same fact.
Where Tesseract is missing these tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.limits import allow_more, deadline
from extractor.model import ExtractResult
from extractor.ocr import Frame, _rotation_affine, _size_classes
from tests.conftest import PROJECT_CORPUS, SHARED_REAL
from tests.pdfmaker import simple_deck
from tests.rasterise import iou, mixed, rasterise, skewed_box, turned_box
from tests.scoring import score

HAVE_TESSERACT = shutil.which("tesseract") is not None
needs_tesseract = pytest.mark.skipif(
    not HAVE_TESSERACT and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-por)")
DECK = PROJECT_CORPUS / "status-deck-2025-10.pdf"
A4 = PROJECT_CORPUS / "relatorio-a4-2025-10.pdf"
A4_SIZE = (595.2756, 841.8898)
SKEW = 1.5


def run_extract(pdf: Path, env: dict[str, str] | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor.cli", str(pdf), "--indent", "0"],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def extracted(pdf: Path) -> dict:
    proc = run_extract(pdf)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def facts(result: dict) -> list[dict]:
    return result["report"]["extractions"] + [e for it in result["initiatives"]
                                              for e in it["extractions"]]


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each rasterised PDF's extraction, and its text original's, OCR'd once per session."""
    if not HAVE_TESSERACT:
        pytest.fail("Tesseract is not installed: CI must install tesseract-ocr tesseract-ocr-por")
    tmp = tmp_path_factory.mktemp("scans")
    made = {
        "deck": rasterise(DECK, tmp / "deck.pdf"),
        "a4": rasterise(A4, tmp / "a4.pdf"),
        "a4-turned": rasterise(A4, tmp / "a4-turned.pdf", turn=90),
        "a4-skewed": rasterise(A4, tmp / "a4-skewed.pdf", skew=SKEW),
    }
    out = {name: extracted(pdf) for name, pdf in made.items()}
    out["deck-text"], out["a4-text"] = extracted(DECK), extracted(A4)
    return out


GOLD = {"deck": DECK, "a4": A4, "a4-turned": A4, "a4-skewed": A4}


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("name", list(GOLD))
def test_scan_scores_against_the_gold(scans: dict[str, dict], name: str) -> None:
    gold = json.loads(GOLD[name].with_suffix(".gold.json").read_text(encoding="utf-8"))
    result = score(gold, scans[name])
    low = {k: v["f1"] for k, v in result.items()
           if isinstance(v, dict) and "f1" in v and k != "initiatives" and v["f1"] < 0.90}
    assert not low, (low, result["misses"], result["false_alarms"])
    assert result["initiatives"]["f1"] >= 0.95, result["initiatives"]
    assert result["status_date_ok"]
    ExtractResult.model_validate(scans[name])


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("name", list(GOLD))
def test_ocr_facts_are_marked_and_less_sure(scans: dict[str, dict], name: str) -> None:
    original = {(e["kind"], json.dumps(e["value"]), e["page"]): e
                for e in facts(scans[f"{name.split('-')[0]}-text"])}
    found = facts(scans[name])
    assert found and all(e["extractor"].endswith(".ocr") for e in found)
    assert any("read by OCR" in w for w in scans[name]["warnings"])
    for e in found:
        same = original.get((e["kind"], json.dumps(e["value"]), e["page"]))
        if same is not None:
            assert e["extractor"] == same["extractor"] + ".ocr"
            assert e["confidence"] <= same["confidence"]


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("name", list(GOLD))
def test_ocr_boxes_sit_where_the_text_was_printed(scans: dict[str, dict], name: str) -> None:
    """The same fact's box from the text layer, moved as the page was turned or tilted,
    overlaps the OCR'd one: the review page's highlight sits on the scanned words."""
    original: dict[tuple, list] = {}
    for e in facts(scans[f"{name.split('-')[0]}-text"]):  # a value can be printed more than once
        original.setdefault((e["kind"], json.dumps(e["value"]), e["page"]), []).append(e["bbox"])
    width, height = A4_SIZE
    overlaps = []
    for e in facts(scans[name]):
        boxes = original.get((e["kind"], json.dumps(e["value"]), e["page"]), [])
        if name == "a4-turned":
            boxes = [turned_box(box, width, height, 90) for box in boxes]
        elif name == "a4-skewed":
            boxes = [skewed_box(box, width, height, SKEW) for box in boxes]
        if boxes:
            overlaps.append(max((iou(box, e["bbox"]), e["text"], box, e["bbox"]) for box in boxes))
    assert len(overlaps) >= 40
    overlaps.sort()
    good = sum(o >= 0.5 for o, *_ in overlaps)
    assert good >= 0.9 * len(overlaps), overlaps[:5]
    assert overlaps[len(overlaps) // 2][0] >= 0.8, overlaps[:5]


@needs_tesseract
@pytest.mark.slow
def test_turned_scan_boxes_are_on_the_turned_page(scans: dict[str, dict]) -> None:
    width, height = A4_SIZE  # turned a quarter: the page is now landscape
    for e in facts(scans["a4-turned"]):
        x0, top, x1, bottom = e["bbox"]
        assert 0 <= x0 <= x1 <= height + 1 and 0 <= top <= bottom <= width + 1
        assert bottom - top > x1 - x0 or len(e["text"]) <= 3  # the words run down the page


@needs_tesseract
def test_mixed_pdf_only_ocrs_its_image_pages(tmp_path: Path) -> None:
    pdf = mixed(simple_deck(tmp_path / "deck.pdf"), tmp_path / "mixed.pdf", scanned=[2])
    result = extracted(pdf)
    by_page = {e["page"]: e["extractor"] for e in facts(result)}
    assert not by_page[1].endswith(".ocr")  # the cover's status date, from the text layer
    page2 = [e for e in facts(result) if e["page"] == 2]
    assert {e["text"] for e in page2} >= {"12.500 atendimentos", "80%"}
    assert all(e["extractor"].endswith(".ocr") for e in page2)
    assert result["initiatives"][0]["title"] == "AMPLIAR O ATENDIMENTO DIGITAL"


SCANS = {"decreto-mg-coqueiral-1899-2017-01-02-calamidade-financeira-scan.pdf",
         "emenda-lei-organica-mg-coqueiral-014-2013-scan-rotated.pdf"}


@pytest.fixture(scope="module")
def real_scans() -> dict[str, dict]:
    if not SHARED_REAL.is_dir():
        pytest.skip(f"{SHARED_REAL} not found")
    return {name: extracted(SHARED_REAL / name) for name in sorted(SCANS)}


@needs_tesseract
@pytest.mark.slow
def test_real_scanned_decree_gives_its_dates_not_its_number(real_scans: dict[str, dict]) -> None:
    result = real_scans["decreto-mg-coqueiral-1899-2017-01-02-calamidade-financeira-scan.pdf"]
    found = facts(result)
    dates = {e["value"] for e in found if e["kind"] == "date"}
    assert {"2017-01-02", "1964-03-17"} <= dates
    assert not [e for e in found if e["kind"] == "count" and e["value"] in (1899, 2017)]
    assert result["report"]["status_date"] == "2017-01"
    assert all(e["extractor"].endswith(".ocr") for e in found)
    assert all(1 <= e["page"] <= 3 for e in found)


@needs_tesseract
@pytest.mark.slow
def test_real_scan_turned_sideways_is_read_upright(real_scans: dict[str, dict]) -> None:
    result = real_scans["emenda-lei-organica-mg-coqueiral-014-2013-scan-rotated.pdf"]
    text = " ".join([result["report"]["title"] or ""] + [it["text"] for it in result["initiatives"]])
    assert "EMENDA" in text and "Lei Orgânica" in text
    found = facts(result)
    assert {e["name"] for e in found if e["kind"] == "municipality"} == {"Coqueiral"}
    for e in found:  # on the landscape page as printed, where the lines run down the page
        x0, top, x1, bottom = e["bbox"]
        assert 0 <= x0 < x1 <= 792 and 0 <= top < bottom <= 612
        assert bottom - top > x1 - x0


def test_ocr_off_refuses_a_scan_naming_the_setting(tmp_path: Path) -> None:
    pdf = rasterise(simple_deck(tmp_path / "deck.pdf"), tmp_path / "scan.pdf", dpi=100)
    proc = run_extract(pdf, {"RELATO_OCR": "off"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"relato extract: {pdf}: the PDF has no text layer (scanned images?); "
        "OCR is off (RELATO_OCR=off)"]


def test_without_tesseract_a_scan_says_what_to_install(tmp_path: Path) -> None:
    """No `tesseract` on PATH (an empty directory): exit 2, one line naming the packages."""
    pdf = rasterise(simple_deck(tmp_path / "deck.pdf"), tmp_path / "scan.pdf", dpi=100)
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {"PATH": str(empty)}
    proc = run_extract(pdf, env)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "Tesseract (OCR) is not installed" in lines[0]
    assert "apt-get install tesseract-ocr tesseract-ocr-por" in lines[0]


def test_without_portuguese_data_a_scan_says_what_to_install(tmp_path: Path) -> None:
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\necho 'List of available languages (1):'\necho eng\n")
    fake.chmod(0o755)
    pdf = rasterise(simple_deck(tmp_path / "deck.pdf"), tmp_path / "scan.pdf", dpi=100)
    proc = run_extract(pdf, {"RELATO_TESSERACT": str(fake)})
    assert proc.returncode == 2, proc.stderr
    assert "no Portuguese data" in proc.stderr and "tesseract-ocr-por" in proc.stderr


def test_without_tesseract_a_mixed_pdf_keeps_its_text_pages(tmp_path: Path) -> None:
    pdf = mixed(simple_deck(tmp_path / "deck.pdf"), tmp_path / "mixed.pdf", scanned=[2])
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = run_extract(pdf, {"PATH": str(empty)})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["report"]["status_date"] == "2025-08"
    assert any("page 2 is scanned" in w and "tesseract-ocr-por" in w for w in result["warnings"])


def test_bad_ocr_setting_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_extract(simple_deck(tmp_path / "deck.pdf"), {"RELATO_OCR": "sometimes"})
    assert proc.returncode == 1 and "RELATO_OCR must be auto or off" in proc.stderr


# --- the pieces ---------------------------------------------------------------------------

@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_frame_maps_an_upright_box_back_to_the_turned_page(turn: int) -> None:
    """A box found on the upright image lands where it is on the page as printed."""
    from tests.rasterise import turned_box as on_turned

    w, h = 600.0, 400.0  # the printed page
    box = (100.0, 50.0, 160.0, 70.0)  # where the text is upright ...
    upright_w, upright_h = (w, h) if turn in (0, 180) else (h, w)
    # ... and where it is printed: the upright page turned back counter-clockwise by `turn`
    printed = on_turned(box, upright_w, upright_h, turn)
    frame = Frame(to_page=_rotation_affine(turn, w, h), width=w, height=h)
    assert frame.box(box) == pytest.approx(printed)


def test_sizes_are_snapped_to_the_documents_few_sizes() -> None:
    sizes = [(17.6, 100), (18.0, 900), (18.4, 300), (23.6, 50), (24.1, 200), (9.4, 10)]
    snapped = _size_classes(sizes)
    assert {snapped[s] for s, _ in sizes[:3]} == {18.0}
    assert {snapped[23.6], snapped[24.1]} == {24.0}
    assert snapped[9.4] == 9.5


def test_allow_more_moves_the_deadline() -> None:
    """OCR's per-page allowance: an extraction past its first limit but within the
    allowance finishes; the timeout names the whole time allowed."""
    import time

    from extractor.limits import ExtractTimeout

    with deadline(0.3):
        allow_more(0.5)
        time.sleep(0.5)  # past 0.3 s, within 0.8 s
    with pytest.raises(ExtractTimeout, match="longer than 0.4 s"):
        with deadline(0.2):
            allow_more(0.2)
            time.sleep(2)
