"""Small PDFs made on the fly for tests (reportlab), so no test needs a downloaded file."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import landscape
from reportlab.lib.utils import ImageReader
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

SLIDE = landscape((540, 960))


def slide_pdf(path: Path, pages: list[list[tuple[str, float, bool]]],
              encrypt: StandardEncryption | None = None) -> Path:
    """Write a landscape deck; each page is a list of (text, size, bold) lines top-down."""
    c = canvas.Canvas(str(path), pagesize=SLIDE, encrypt=encrypt)
    c.setPageCompression(0)
    for lines in pages:
        y = SLIDE[1] - 60
        for text, size, bold in lines:
            c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
            c.drawString(43, y, text)
            y -= size * 1.6
        c.showPage()
    c.save()
    return path


def simple_deck(path: Path, encrypt: StandardEncryption | None = None) -> Path:
    return slide_pdf(path, [
        [("Painel de Iniciativas", 40, True), ("STATUS: AGOSTO 2025", 24, False)],
        [("AREA TEMATICA 2 SERVICOS DIGITAIS", 13, True),
         ("AMPLIAR O ATENDIMENTO DIGITAL", 24, True),
         ("Foram realizados 12.500 atendimentos em julho de 2025.", 18, False),
         ("A meta e atingir 80% dos municipios.", 18, False)],
    ], encrypt=encrypt)


def image_only_pdf(path: Path) -> Path:
    """A blank 'scanned' page: one grey image, no text layer, nothing for OCR to read."""
    png = io.BytesIO()
    from PIL import Image

    Image.new("L", (200, 100), color=200).save(png, format="PNG")
    png.seek(0)
    c = canvas.Canvas(str(path))
    c.drawImage(ImageReader(png), 50, 500, width=400, height=200)
    c.showPage()
    c.save()
    return path


def tracked_pdf(path: Path, lines: list[tuple[str, float, float]], font: str = "Helvetica",
                word_space: float = 0.0) -> Path:
    """One page of text lines set with tracking: each line is (text, size, tracking),
    tracking in thousandths of an em, written as the PDF ``Tc`` operator (char
    spacing, in text-space units: tracking / 1000 * size). ``word_space`` (in em)
    is the ``Tw`` operator, added to every blank: negative for a tight justified line."""
    c = canvas.Canvas(str(path), pagesize=(842, 595))
    c.setPageCompression(0)
    y = 560.0
    for text, size, tracking in lines:
        t = c.beginText(30, y)
        t.setFont(font, size)
        t.setCharSpace(tracking / 1000 * size)
        t.setWordSpace(word_space * size)
        t.textOut(text)
        c.drawText(t)
        y -= size * 2
    c.showPage()
    c.save()
    return path


def placed_pdf(path: Path, glyphs: list[tuple[float, float, str, float]],
               font: str = "Helvetica") -> Path:
    """One page of strings each drawn at its own place: (x, baseline from the top,
    text, size). For lines no text operator spaces by itself: words with no blank
    between them, blanks kerned back over, char boxes that overlap."""
    height = 595.0
    c = canvas.Canvas(str(path), pagesize=(842, height))
    c.setPageCompression(0)
    for x, y, text, size in glyphs:
        c.setFont(font, size)
        c.drawString(x, height - y, text)
    c.showPage()
    c.save()
    return path


def table_pdf(path: Path, pages: list[list[tuple[float, float, str]]], *, ruled: bool = False,
              size: float = 9.0, title: str = "") -> Path:
    """A table over one or more A4 pages: each page a list of (x, baseline from the top,
    text) cells; numbers are drawn right-aligned at ``x`` when they start with a digit.
    ``ruled`` draws a rule under every row and between columns, as spreadsheets print;
    ``title`` is set above the table on the first page."""
    width, height = 595.0, 842.0
    c = canvas.Canvas(str(path), pagesize=(width, height))
    c.setPageCompression(0)
    for n, cells in enumerate(pages):
        if title and n == 0:
            c.setFont("Helvetica-Bold", 12)
            c.drawString(40, height - 60, title)
        c.setFont("Helvetica", size)
        for x, y, text in cells:
            if text[:1].isdigit():
                c.drawRightString(x, height - y, text)
            else:
                c.drawString(x, height - y, text)
        if ruled and cells:
            ys = sorted({y for _, y, _ in cells})
            for y in ys:
                c.line(35, height - y - 3, width - 35, height - y - 3)
            for x in sorted({x for x, _, t in cells if not t[:1].isdigit()})[1:]:
                c.line(x - 4, height - ys[0] - size, x - 4, height - ys[-1] - 3)
        c.showPage()
    c.save()
    return path
