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


GridCell = tuple[int, int, int, int, str]  # first row, first column, rows spanned, columns spanned, text


def grid_table_pdf(path: Path, columns: list[float], rows: list[float], cells: list[GridCell], *,
                   rules: str = "lines", shaded: bool = False, top: float = 100.0, title: str = "",
                   size: float = 8.0) -> Path:
    """One A4 page with a table drawn as spreadsheet exports draw it: every cell's
    border, cells spanning rows and columns, a cell's text over several lines ("\\n")
    centred in it. ``columns`` are the x edges, ``rows`` the row heights from ``top``.
    ``rules`` draws the borders as stroked ``lines`` or as thin filled ``rects`` (0.6 pt);
    ``shaded`` fills the first two rows grey and puts a white box behind every line of
    text, as some exports do, rectangles that are not borders."""
    width, height = 595.0, 842.0
    c = canvas.Canvas(str(path), pagesize=(width, height))
    c.setPageCompression(0)
    if title:
        c.setFont("Helvetica-Bold", 11)
        c.drawString(columns[0], height - top + 16, title)
    ys = [top]
    for h in rows:
        ys.append(ys[-1] + h)
    c.setFont("Helvetica", size)
    for r, col, nrows, ncols, text in cells:
        x0, x1, y0, y1 = columns[col], columns[col + ncols], ys[r], ys[r + nrows]
        if shaded and r < 2:
            c.setFillGray(0.85)
            c.rect(x0, height - y1, x1 - x0, y1 - y0, stroke=0, fill=1)
        lines = text.split("\n")
        first = (y0 + y1) / 2 - (len(lines) - 1) * (size + 1) / 2 + size / 3
        for k, line in enumerate(lines):
            base = first + k * (size + 1)
            w = c.stringWidth(line, "Helvetica", size)
            if shaded:
                c.setFillGray(1.0)
                c.rect((x0 + x1 - w) / 2 - 1, height - base - 2, w + 2, size + 1, stroke=0, fill=1)
            c.setFillGray(0.0)
            c.drawCentredString((x0 + x1) / 2, height - base, line)
        edges = [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
        for ex0, ey0, ex1, ey1 in edges:
            if rules == "lines":
                c.setLineWidth(0.5)
                c.line(ex0, height - ey0, ex1, height - ey1)
            else:
                c.setFillGray(0.0)
                c.rect(ex0 - 0.3, height - ey1 - 0.3, ex1 - ex0 + 0.6, ey1 - ey0 + 0.6, stroke=0, fill=1)
    c.showPage()
    c.save()
    return path


def matrix_text_pdf(path: Path, runs: list[tuple[str, tuple[float, float, float, float], float, float]]) -> Path:
    """One page of strings each set with its own text matrix: (text, (a, b, c, d), x,
    baseline from the top), the font at size 1 so the matrix alone scales it (as
    PowerPoint writes ``Tm``). Float noise in b and c, or a genuine turn, as given."""
    height = 595.0
    c = canvas.Canvas(str(path), pagesize=(842, height))
    c.setPageCompression(0)
    for text, (a, b, cc, d), x, y in runs:
        t = c.beginText()
        t.setFont("Helvetica", 1)
        t.setTextTransform(a, b, cc, d, x, height - y)
        t.textOut(text)
        c.drawText(t)
    c.showPage()
    c.save()
    return path


def _glyph_runs(ch: str, size: float, step: float) -> list[tuple[float, float, float]]:
    """(x, y from the baseline up, width) of each run of ink in ``ch`` rendered by Pillow
    at ``step`` points a pixel, DejaVu Sans: rectangles that together draw the glyph."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(DEJAVU, round(size / step))
    ascent, descent = font.getmetrics()
    w = max(int(font.getlength(ch)) + 2, 1)
    img = Image.new("1", (w, ascent + descent), 0)
    ImageDraw.Draw(img).text((0, 0), ch, font=font, fill=1)
    px = img.load()
    runs = []
    for row in range(img.height):
        col = 0
        while col < w:
            if px[col, row]:
                start = col
                while col < w and px[col, row]:
                    col += 1
                runs.append((start * step, (ascent - row - 1) * step, (col - start) * step))
            col += 1
    return runs


DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def outlined_pdf(path: Path, lines: list[tuple[str, float]], *, text: list[tuple[str, float]] = (),
                 pagesize: tuple[float, float] = (595.0, 842.0)) -> Path:
    """One page whose ``lines`` (text, size) are drawn as filled vector outlines, one path
    a glyph (as a browser print with text converted to paths), with no text layer; then
    ``text`` lines (text, size) in machine text under them (a title, a footer)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    c = canvas.Canvas(str(path), pagesize=pagesize)
    c.setPageCompression(1)
    y = pagesize[1] - 60
    step = 0.25
    for line, size in lines:
        x = 40.0
        for ch in line:
            if not ch.isspace():
                p = c.beginPath()
                for rx, ry, rw in _glyph_runs(ch, size, step):
                    p.rect(x + rx, y + ry - size * 0.25, rw, step)
                c.drawPath(p, stroke=0, fill=1)
            x += stringWidth(ch, "Helvetica", size) * 1.05
        y -= size * 1.8
    for line, size in text:
        c.setFont("Helvetica", size)
        c.drawString(40, y, line)
        y -= size * 1.8
    c.showPage()
    c.save()
    return path


def padded_pdf(path: Path, size_bytes: int, title: str = "Relatorio grande") -> Path:
    """A valid one-page PDF of about `size_bytes`: its bulk is one unused stream of random
    bytes (nothing to compress, nothing to render), written with a correct xref."""
    import os

    text = f"BT /F1 24 Tf 43 480 Td ({title}) Tj ET".encode()
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 960 540]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(text) + text + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    padding = max(size_bytes - 1000, 0)
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(bodies, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        offsets.append(out.tell())
        out.write(b"6 0 obj\n<</Length %d>>stream\n" % padding)
        for start in range(0, padding, 1 << 20):
            out.write(os.urandom(min(1 << 20, padding - start)))
        out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 7\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets))
        out.write(b"trailer\n<</Size 7/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return path
