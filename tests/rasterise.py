"""Turn a PDF with a text layer into a "scan": every page an image, no text.

Used by the OCR tests and bench/ocr.py: the corpus PDFs have gold files, so their
rasterised copies can be scored against the same gold. Pages are rendered with
pypdfium2 (as the review page renders them), optionally turned a quarter turn (a
page scanned sideways) or tilted a little (a skewed scan), and saved as an
image-only PDF by Pillow at the render resolution, so a page keeps its size in points.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter


def rasterise(src: Path, dst: Path, *, dpi: int = 200, turn: int = 0, skew: float = 0.0,
              blur: float = 0.0, jpeg: int = 0, pages: Sequence[int] | None = None) -> Path:
    """Write `dst`: `src`'s pages (1-based `pages`, default all) as greyscale images.

    `turn` rotates the content counter-clockwise by 90, 180 or 270 degrees (the page
    takes the turned size); `skew` tilts it by that many degrees counter-clockwise
    about the page centre, keeping the page size; `blur` is a Gaussian blur's radius
    in pixels (a scanner out of focus); `jpeg` a JPEG quality (1-95) each page is
    saved at, with its block artefacts (0: stored losslessly).
    """
    doc = pdfium.PdfDocument(str(src))
    try:
        numbers = list(pages) if pages is not None else list(range(1, len(doc) + 1))
        images = []
        for n in numbers:
            image = doc[n - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if turn:
                image = image.rotate(turn, expand=True)
            if skew:
                image = image.rotate(skew, expand=False, fillcolor=255, resample=Image.BICUBIC)
            if blur:
                image = image.filter(ImageFilter.GaussianBlur(blur))
            if jpeg:
                buf = io.BytesIO()
                image.save(buf, format="JPEG", quality=jpeg)
                image = Image.open(io.BytesIO(buf.getvalue())).convert("L")
            images.append(image)
    finally:
        doc.close()
    images[0].save(dst, save_all=True, append_images=images[1:], resolution=float(dpi))
    return dst


def mixed(text_pdf: Path, dst: Path, scanned: Sequence[int], *, dpi: int = 200) -> Path:
    """`text_pdf` with the (1-based) `scanned` pages replaced by their rasterised images."""
    scan = rasterise(text_pdf, dst.with_suffix(".scan.pdf"), dpi=dpi, pages=scanned)
    src, images, out = pdfium.PdfDocument(str(text_pdf)), pdfium.PdfDocument(str(scan)), pdfium.PdfDocument.new()
    try:
        for n in range(1, len(src) + 1):
            if n in scanned:
                out.import_pages(images, [list(scanned).index(n)])
            else:
                out.import_pages(src, [n - 1])
        out.save(str(dst))
    finally:
        for d in (out, images, src):
            d.close()
    return dst


def turned_box(bbox: Sequence[float], width: float, height: float, turn: int) -> tuple[float, ...]:
    """Where a box on a `width` x `height` page lands after `rasterise(turn=...)`."""
    x0, top, x1, bottom = bbox
    if turn == 90:    # counter-clockwise: (x, y) -> (y, width - x)
        return (top, width - x1, bottom, width - x0)
    if turn == 180:
        return (width - x1, height - bottom, width - x0, height - top)
    if turn == 270:   # (x, y) -> (height - y, x)
        return (height - bottom, x0, height - top, x1)
    return (x0, top, x1, bottom)


def skewed_box(bbox: Sequence[float], width: float, height: float, degrees: float) -> tuple[float, ...]:
    """The box around a box's corners after `rasterise(skew=degrees)` (about the centre)."""
    a = math.radians(degrees)
    cx, cy = width / 2, height / 2
    x0, top, x1, bottom = bbox
    xs, ys = [], []
    for x, y in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
        xs.append(cx + (x - cx) * math.cos(a) + (y - cy) * math.sin(a))
        ys.append(cy - (x - cx) * math.sin(a) + (y - cy) * math.cos(a))
    return (min(xs), min(ys), max(xs), max(ys))


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
