"""Numbers on a scan are read twice where the first reading is unsure (extractor/ocr.py).

A misread number is worse than a missed one: "4º bimestre" read "Aº bimestre", a table's
"1" read "t". A word that looks numeric and was read with little confidence is read
again from its crop, enlarged, as it comes and with numbers only; the surer reading
wins. Read poorly both times, its fact keeps a low confidence and says why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from PIL import Image, ImageDraw, ImageFont

from extractor import calibration, ocr
from extractor.model import Extraction, ExtractResult, Report, Source
from tests.pdfmaker import DEJAVU

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-por)")


@pytest.mark.parametrize(("text", "numeric"), [
    ("4º", True), ("Aº", True), ("2ª", True), ("l0%", True), ("87%", True), ("03/07/2025", True),
    ("1.482.350,00", True), ("R$1,2", True), ("(31)", True), ("27001:2022", True), ("1", True),
    ("bimestre", False), ("Lote", False), ("km/h", False), ("S/A", False), ("R$", False),
    ("https://www.mg.gov.br/2025", False), ("ISO", False), ("e", False),
])
def test_which_words_look_numeric(text: str, numeric: bool) -> None:
    assert ocr.looks_numeric(text) is numeric


@pytest.fixture(autouse=True)
def _tesseract_session() -> Iterator[None]:
    """Tesseract runs only inside an extraction's OCR session (an earlier extraction in
    this process closed the last one), as read_scanned runs it."""
    with ocr._CHILDREN.session():
        yield


def _page(tmp: Path, text: str, dpi: int = 200) -> tuple[Image.Image, list]:
    """An image of one line of 10 pt text at `dpi`, and Tesseract's first reading of it."""
    font = ImageFont.truetype(DEJAVU, round(10 * dpi / 72))
    image = Image.new("L", (round(6 * dpi), round(0.6 * dpi)), 255)
    ImageDraw.Draw(image).text((40, 30), text, font=font, fill=0)
    image.save(tmp / "page.pgm")
    lines = ocr._parse(ocr._run(ocr._tesseract(), tmp / "page.pgm", ocr.READ_ARGS, 60, dpi))
    return image, lines


def _as_first_read(lines: list, printed: str, misread: str, conf: float) -> tuple[int, int]:
    """Make the first reading of `printed` the unsure `misread` (a poor scan's), in place."""
    for li, ln in enumerate(lines):
        for wi, (text, box, _) in enumerate(ln.words):
            if text.startswith(printed):
                ln.words[wi] = (misread, box, conf)
                return li, wi
    raise AssertionError(f"{printed!r} not read at all: {[ln.words for ln in lines]}")


@needs_tesseract
@pytest.mark.parametrize(("printed", "misread"), [("4º", "Aº"), ("17/07/2025", "17/0T/2025"), ("38.415", "3B.4l5")])
def test_an_unsure_number_is_read_again_from_its_crop(tmp_path: Path, printed: str, misread: str) -> None:
    image, lines = _page(tmp_path, f"no {printed} bimestre")
    li, wi = _as_first_read(lines, printed, misread, 40.0)
    doubtful = ocr._reread_numbers(ocr._tesseract(), image, lines, tmp_path / "numbers.pgm", 60, 200)
    text, _, conf = lines[li].words[wi]
    assert text == printed and conf > 40.0
    assert (li, wi) not in doubtful


@needs_tesseract
def test_a_number_read_poorly_twice_is_doubtful(tmp_path: Path) -> None:
    image, lines = _page(tmp_path, "no 4º bimestre")
    li, wi = _as_first_read(lines, "4º", "Aº", 30.0)
    x0, y0, x1, y1 = lines[li].words[wi][1]
    image.paste(Image.effect_noise((x1 - x0, y1 - y0), 120).point(lambda v: 255 if v > 128 else 90),
                (x0, y0))  # the print under it is a smudge
    doubtful = ocr._reread_numbers(ocr._tesseract(), image, lines, tmp_path / "numbers.pgm", 60, 200)
    assert (li, wi) in doubtful


@needs_tesseract
def test_sure_numbers_and_unsure_words_are_not_read_again(tmp_path: Path) -> None:
    image, lines = _page(tmp_path, "foram 12 pontos em julho")
    for ln in lines:  # every number sure, a plain word unsure
        ln.words = [(t, box, 30.0 if t.startswith("julho") else 99.0) for t, box, _ in ln.words]
    before = [list(ln.words) for ln in lines]
    assert ocr._reread_numbers(ocr._tesseract(), image, lines, tmp_path / "n.pgm", 60, 200) == set()
    assert [ln.words for ln in lines] == before
    assert not (tmp_path / "n.pgm").exists()


def test_a_doubtful_number_keeps_a_low_confidence_after_calibration() -> None:
    fact = Extraction(kind="count", text="4 pontos", value=4, unit="pontos", qualifier="exact", page=1,
                      bbox=(1, 1, 2, 2), extractor="count.table.ocr", confidence=0.9,
                      warning=calibration.LOW_NUMBER_WARNING)
    sure = fact.model_copy(update={"warning": None})
    result = ExtractResult(source=Source(filename="x.pdf", sha256="0" * 64, pages=1),
                           report=Report(title=None, status_date=None, extractions=[fact, sure]),
                           initiatives=[], warnings=[])
    calibration.apply(result)
    assert fact.confidence <= calibration.LOW_NUMBER_CONFIDENCE
    assert "warning" in fact.model_dump(mode="json") and "warning" not in sure.model_dump(mode="json")


@given(heights=st.lists(st.integers(min_value=1, max_value=900), max_size=400),
       limit=st.integers(min_value=100, max_value=40_000))
def test_number_crops_split_into_strips_under_the_limit(heights: list[int], limit: int) -> None:
    """Every crop in exactly one strip, in order; a strip passes the limit only when it is one
    crop taller than the limit by itself."""
    runs = list(ocr._strips(heights, limit))
    assert [k for first, last in runs for k in range(first, last)] == list(range(len(heights)))
    assert all(last > first for first, last in runs)
    assert all(sum(heights[first:last]) <= limit or last - first == 1 for first, last in runs)


def test_a_page_of_many_unsure_numbers_never_gives_tesseract_a_taller_image_than_it_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table page holds hundreds of unsure numbers: stacked in one image they passed the
    ~32,000 pixels Tesseract reads, and the whole page's OCR failed."""
    image = Image.new("L", (1600, 2200), 255)
    boxes = [(40 + 300 * (k % 5), 10 + 5 * (k // 5), 120 + 300 * (k % 5), 35 + 5 * (k // 5)) for k in range(900)]
    lines = [ocr._Line(bbox=box, slope=0.0, offset=0.0, size_px=25.0, words=[("1.2B4", box, 40.0)], glyphs=[])
             for box in boxes]
    heights: list[int] = []

    def fake_run(exe: str, path: Path, args: list[str], timeout: float, dpi: float = ocr.DPI) -> str:
        with Image.open(path) as strip:
            heights.append(strip.height)
        if strip.height > 32_000:
            raise RuntimeError("Tesseract failed (Error during processing.)")
        return ""

    monkeypatch.setattr(ocr, "_run", fake_run)
    doubtful = ocr._reread_numbers("tesseract", image, lines, tmp_path / "numbers.pgm", 60, 200)
    assert len(heights) >= 4 and max(heights) <= ocr.MAX_STRIP_PX  # two readings per strip
    assert len(doubtful) == len(lines)  # read poorly both times (nothing came back): flagged


def _line(words: list[tuple[str, tuple[int, int, int, int]]],
          glyphs: list[tuple[str, tuple[int, int, int, int]]]) -> ocr._Line:
    return ocr._Line(bbox=(0, 0, 900, 40), slope=0.0, offset=0.0, size_px=20.0,
                     words=[(t, b, 96.0) for t, b in words], glyphs=glyphs)


@pytest.mark.parametrize(("word", "glyphs", "after", "read"), [
    # the sign small and raised: a sign, its gender from the next word
    ("22", [("2", (100, 10, 112, 30)), ("2", (116, 10, 126, 24))], "Via", "2ª"),
    ("10", [("1", (100, 10, 112, 30)), ("0", (116, 10, 126, 23))], "bimestre", "1º"),
    ("130", [("1", (100, 10, 112, 30)), ("3", (113, 10, 125, 30)), ("0", (128, 10, 137, 24))], "lugar", "13º"),
    # digits of one size on one baseline: a number
    ("22", [("2", (100, 10, 112, 30)), ("2", (116, 10, 128, 30))], "Via", "22"),
    # small but on the baseline (a condensed font), or raised but as tall: a number
    ("22", [("2", (100, 10, 112, 30)), ("2", (116, 16, 126, 30))], "Via", "22"),
    ("22", [("2", (100, 10, 112, 30)), ("2", (116, 4, 128, 24))], "Via", "22"),
    # glyphs that do not match the word's letters one to one: left as read
    ("22", [("2", (100, 10, 126, 30))], "Via", "22"),
])
def test_a_raised_small_last_digit_is_an_ordinal_sign(word: str, glyphs: list, after: str, read: str) -> None:
    box = (min(g[1][0] for g in glyphs), 4, max(g[1][2] for g in glyphs), 30)
    ln = _line([(word, box), (after, (140, 10, 180, 30))], glyphs)
    ocr._raised_ordinals([ln])
    assert ln.words[0][0] == read
    assert ln.words[1][0] == after


@needs_tesseract
@pytest.mark.parametrize(("printed", "after"), [("2ª", "Via da CNH"), ("3º", "lugar no ranking")])
def test_ordinal_signs_on_a_scan_are_read_as_signs(tmp_path: Path, printed: str, after: str) -> None:
    _, lines = _page(tmp_path, f"Solicitação da {printed} {after}")
    ocr._raised_ordinals(lines)
    words = [t for ln in lines for t, _, _ in ln.words]
    assert printed in words, words
