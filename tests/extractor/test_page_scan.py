"""How chars come off a page and which pages are read as scans (extractor/pdf.py's
``_CharDevice`` and grouper, extractor/ocr.py's ``scanned``), on generated PDFs:

- a text matrix whose skew terms are float noise (PowerPoint writes b = -3.7e-08,
  c = -7.7e-11) is upright: words come out whole, not one vertical "word" per char;
  text turned a quarter stays turned, noise or not;
- glyphs printed again over themselves (fake bold, 2-4 copies a fraction of a point
  apart, glyph by glyph or the whole string again) are read once; equal letters side
  by side are not copies;
- a page is a scan when its body is a picture or glyph outlines and its text layer at
  most a title or a footer; a chart beside a text body, or a template background
  repeated on every page, leaves the page to its text layer.
"""

from __future__ import annotations

import io
import os
import random
import shutil
from pathlib import Path

import pytest
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from extractor.ocr import scanned
from extractor.pdf import read_pages
from tests.conftest import PROJECT_CORPUS, SHARED_DEV
from tests.pdfmaker import matrix_text_pdf, outlined_pdf, placed_pdf

PHRASES = ["Abaeté", "561", "São João del-Rei", "Município de Conceição"]


def words_of(path: Path) -> list[str]:
    return [w.text for w in next(read_pages(path)).words]


@pytest.mark.parametrize("size", [7, 12, 24, 40])
@pytest.mark.parametrize("skew", [(-3.7e-8, -7.7e-11), (1e-6, 1e-6), (-2e-4, -3e-4), (5e-4, 9e-4)],
                         ids=["powerpoint", "1e-6", "2e-4", "9e-4"])
def test_text_matrix_with_skew_noise_reads_as_upright_words(tmp_path: Path, size: float,
                                                            skew: tuple[float, float]) -> None:
    b, c = skew
    runs = [(text, (size, b * size, c * size, size), 40.0, 60.0 + i * size * 2)
            for i, text in enumerate(PHRASES)]
    pdf = matrix_text_pdf(tmp_path / "skew.pdf", runs)
    assert words_of(pdf) == " ".join(PHRASES).split()


@pytest.mark.parametrize("noise", [1e-8, -3.7e-8, 5e-4])
def test_text_turned_a_quarter_stays_turned(tmp_path: Path, noise: float) -> None:
    """Noise in the scale terms of a turned matrix changes nothing: the chars are read
    as turned text, as without noise (never as an upright line)."""
    size = 14.0

    def words(a: float) -> list[tuple]:
        pdf = matrix_text_pdf(tmp_path / f"turned{a}.pdf",
                              [("Abaeté 561", (a * size, size, -size, a * size), 300.0, 400.0)])
        return [(w.text, round(w.x0), round(w.top)) for w in next(read_pages(pdf)).words]

    turned = words(0.0)
    assert [t for t, _, _ in turned] != ["Abaeté", "561"]
    assert words(noise) == turned


def overprinted(text: str, size: float, copies: int, offset: float, whole: bool,
                x: float = 40.0, y: float = 100.0) -> list[tuple]:
    """``text`` drawn ``copies`` times, each copy ``offset`` em right and down of the
    last: glyph by glyph (each glyph's copies in a row) or the whole string again."""
    shifts = [(k * offset * size, k * offset * size) for k in range(copies)]
    if whole:
        return [(x + dx, y + dy, text, size) for dx, dy in shifts]
    out, cx = [], x
    for ch in text:
        out += [(cx + dx, y + dy, ch, size) for dx, dy in shifts]
        cx += stringWidth(ch, "Helvetica", size)
    return out


@pytest.mark.parametrize("whole", [False, True], ids=["glyph-by-glyph", "whole-string"])
@pytest.mark.parametrize("copies,offset", [(2, 0.0), (2, 0.05), (3, 0.02), (4, 0.032)])
@pytest.mark.parametrize("size", [7.44, 12, 20])
def test_glyphs_printed_over_themselves_are_read_once(tmp_path: Path, whole: bool, copies: int,
                                                      offset: float, size: float) -> None:
    lines = ["SUBTOTAL 5.883.556,42", "Saldo anterior em 31/12/2016", "Mississippi 1100 alloo"]
    glyphs = [g for i, line in enumerate(lines)
              for g in overprinted(line, size, copies, offset, whole, y=100.0 + i * size * 3)]
    pdf = placed_pdf(tmp_path / "bold.pdf", glyphs)
    assert words_of(pdf) == " ".join(lines).split()


@pytest.mark.parametrize("size", [7, 12])
def test_equal_letters_side_by_side_stay_two(tmp_path: Path, size: float) -> None:
    text = "Mississippi alloo 1100 11.111,11 ..."
    pdf = placed_pdf(tmp_path / "doubles.pdf", [(40.0, 100.0, text, size)])
    assert words_of(pdf) == text.split()


# --- which pages are scans ----------------------------------------------------------------

A4 = (595.0, 842.0)


def _noise_image(seed: int, px: tuple[int, int] = (400, 560)) -> ImageReader:
    """A grey image with speckle, a stand-in for a photographed page (its own stream)."""
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new("L", px, 235)
    for _ in range(px[0] * px[1] // 40):
        img.putpixel((rnd.randrange(px[0]), rnd.randrange(px[1])), rnd.randrange(0, 120))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)


BODY = ("A Secretaria de Estado realizou 1.250 atendimentos no trimestre e ampliou o "
        "programa a 34 municípios da região, com investimento de R$ 2,5 milhões.")


def _text_lines(c: canvas.Canvas, top: float, n: int, size: float = 10.0) -> float:
    c.setFont("Helvetica", size)
    y = top
    for i in range(n):
        c.drawString(40, y, f"{i + 1}. {BODY[: 95]}")
        y -= size * 1.5
    return y


def _page_pdf(path: Path, draw) -> Path:  # noqa: ANN001 - a drawing callback
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in draw:
        page(c)
        c.showPage()
    c.save()
    return path


def _scanned_numbers(path: Path) -> list[int]:
    return [p.number for p in scanned(list(read_pages(path)))]


def test_image_body_under_a_footer_or_title_is_a_scan(tmp_path: Path) -> None:
    def phone_scan(c: canvas.Canvas) -> None:  # the photo, then a scanner app's footer on it
        c.drawImage(_noise_image(1), 0, 0, width=A4[0], height=A4[1])
        c.setFont("Helvetica", 7)
        c.drawString(40, 20, "Digitalizado com CamScanner em 12/03/2024")

    def titled(c: canvas.Canvas) -> None:  # a machine title over an image body
        c.setFont("Helvetica-Bold", 14)
        c.drawString(40, 800, "CASOS CONFIRMADOS POR MUNICÍPIO")
        c.drawImage(_noise_image(2), 40, 80, width=515, height=690)
        c.setFont("Helvetica", 8)
        c.drawString(290, 40, "4")

    assert _scanned_numbers(_page_pdf(tmp_path / "scan.pdf", [phone_scan, titled])) == [1, 2]


def test_image_body_under_an_e_signature_stamp_is_a_scan(tmp_path: Path) -> None:
    def stamped(c: canvas.Canvas) -> None:  # a scanned page, then the signing system's stamp
        c.drawImage(_noise_image(3), 30, 60, width=535, height=740)
        c.rect(30, 12, 535, 40)
        c.setFont("Helvetica", 7)
        c.drawString(36, 40, "Documento assinado eletronicamente por Maria da Silva, Diretora, em 12/03/2024,")
        c.drawString(36, 30, "às 14:32, conforme horário oficial de Brasília, com fundamento no Decreto nº 47.222/2017.")
        c.drawString(36, 20, "A autenticidade deste documento pode ser conferida no site, código verificador 1234567.")

    assert _scanned_numbers(_page_pdf(tmp_path / "stamped.pdf", [stamped])) == [1]


TEXT_PDFS = sorted(PROJECT_CORPUS.glob("*.pdf")) + (sorted(SHARED_DEV.glob("*.pdf")) if SHARED_DEV.is_dir() else [])


@pytest.mark.parametrize("pdf", TEXT_PDFS, ids=lambda p: p.stem)
def test_text_pdfs_of_the_corpus_are_not_ocrd(pdf: Path) -> None:
    assert _scanned_numbers(pdf) == []


def test_chart_beside_a_text_body_is_not_a_scan(tmp_path: Path) -> None:
    def report(c: canvas.Canvas) -> None:
        y = _text_lines(c, 800, 22)
        c.drawImage(_noise_image(3), 40, 60, width=515, height=y - 80)  # a chart, half the page

    assert _scanned_numbers(_page_pdf(tmp_path / "report.pdf", [report])) == []


def test_template_background_repeated_on_every_page_is_not_a_scan(tmp_path: Path) -> None:
    background = _noise_image(4)

    def slide(title: str):  # noqa: ANN202
        def draw(c: canvas.Canvas) -> None:
            c.drawImage(background, 0, 0, width=A4[0], height=A4[1])
            c.setFont("Helvetica-Bold", 20)
            c.drawString(40, 780, title)
        return draw

    pdf = _page_pdf(tmp_path / "deck.pdf", [slide("Contexto"), slide("Resultados"), slide("Obrigado")])
    assert _scanned_numbers(pdf) == []


@pytest.mark.parametrize("title", [[], [("Página 1/3 - emitido em 28/05/2014", 8)]],
                         ids=["no-text-layer", "machine-footer"])
def test_text_drawn_as_outlines_is_a_scan(tmp_path: Path, title: list) -> None:
    lines = [(f"Cota-Parte FPM {n}.722.500,00", 12) for n in range(1, 9)]
    pdf = outlined_pdf(tmp_path / "outlines.pdf", lines, text=title)
    assert _scanned_numbers(pdf) == [1]


def test_outline_icons_beside_a_text_body_are_not_a_scan(tmp_path: Path) -> None:
    pdf = outlined_pdf(tmp_path / "icons.pdf", [("@ # $", 30)],
                       text=[(BODY[:90], 11)] * 20)
    assert _scanned_numbers(pdf) == []


# --- scanned pages read by OCR, their machine text kept once -------------------------------

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-por)")

TABLE = [("Receita de Impostos 49.068.120,00", 16), ("Cota-Parte FPM 5.722.500,00", 16),
         ("Transferências da União 3.433.200,00", 16), ("Total 58.223.820,00", 16)]


def _photo_of_text(lines: list[tuple[str, float]], width_pt: float, height_pt: float) -> ImageReader:
    """A 200 dpi greyscale picture of ``lines`` (text, size in points), as a camera scan
    of a printed page would show them."""
    from PIL import Image, ImageDraw, ImageFont

    from tests.pdfmaker import DEJAVU

    scale = 200 / 72
    img = Image.new("L", (round(width_pt * scale), round(height_pt * scale)), 245)
    draw = ImageDraw.Draw(img)
    y = 40 * scale
    for text, size in lines:
        draw.text((40 * scale, y), text, font=ImageFont.truetype(DEJAVU, round(size * scale)), fill=20)
        y += size * 2 * scale
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)


def _texts(page) -> list[str]:  # noqa: ANN001 - a Page
    return [w.text for w in page.words]


@needs_tesseract
@pytest.mark.slow
def test_scanned_pages_are_read_with_their_machine_text_once(tmp_path: Path) -> None:
    """A photo of a page under a scanner app's stamp, and text drawn as outlines under a
    machine-text footer: OCR reads the body, and the stamp and the footer, which OCR sees
    on the rendered page too, come out once each."""
    stamp = "Assinado eletronicamente em 12/03/2024"

    def phone_scan(c: canvas.Canvas) -> None:
        c.drawImage(_photo_of_text(TABLE, A4[0], 400), 0, A4[1] - 400, width=A4[0], height=400)
        c.setFont("Helvetica", 9)
        c.drawString(40, A4[1] - 380, stamp)

    scan = _page_pdf(tmp_path / "phone.pdf", [phone_scan])
    outlines = outlined_pdf(tmp_path / "outlines.pdf", TABLE, text=[("Página 1/3", 9)])
    from extractor.ocr import read_scanned

    for pdf, machine in ((scan, stamp), (outlines, "Página 1/3")):
        pages = list(read_pages(pdf))
        warnings: list[str] = []
        words = " ".join(_texts(read_scanned(pdf, pages, warnings)[0]))
        assert any("read by OCR" in w for w in warnings), pdf.name
        assert words.count(machine) == 1, words
        for value in ("49.068.120,00", "5.722.500,00", "3.433.200,00"):
            assert value in words, (pdf.name, words)


@pytest.mark.parametrize("size", [7, 9, 12])
@pytest.mark.parametrize("label,value,shift", [
    ("(2.1+2.8)", "3.587.250,00", 0.0),
    ("PREVISÃO", "1.234,56", 0.5),
    ("Total", "58.223.820,00", 1.5),
])
def test_a_cell_printed_over_its_row_label_reads_both_whole(tmp_path: Path, size: float, label: str,
                                                            value: str, shift: float) -> None:
    """The label drawn first, the cell's value over it (``shift`` em further right):
    each comes out whole, not interleaved char by char."""
    x = 60.0
    pdf = placed_pdf(tmp_path / "over.pdf", [(x, 100.0, label, size),
                                             (x + shift * size, 100.0, value, size)])
    assert sorted(words_of(pdf)) == sorted([label, value])
