"""Page images for review: the stored PDF rendered with pypdfium2, one fact highlighted.

The service calls this only in a child process (service/jobs/extracting.py
`render_page`), under the extraction limits; pdfium is not thread-safe, so every
call into it still holds `PDFIUM_LOCK` (one lock per process). Rendered
PNGs are cached under RELATO_DATA_DIR/cache/<sha256>/, keyed by page and
highlighted extraction (a fact's bbox never changes), and written atomically so a
reader never sees half a file.
"""

from __future__ import annotations

import io
import os
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

PDFIUM_LOCK = threading.Lock()
MAX_WIDTH_PX = 2000
BASE_SCALE = 2.0  # 144 dpi: small print stays legible for the reviewer
HIGHLIGHT_FILL = (255, 200, 0, 90)
HIGHLIGHT_EDGE = (230, 60, 0, 255)
HIGHLIGHT_PAD_PT = 2.0


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in PDF points of every page."""
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(str(path))
        try:
            return [tuple(doc[i].get_size()) for i in range(len(doc))]  # type: ignore[misc]
        finally:
            doc.close()


def _render(path: Path, number: int) -> tuple[Image.Image, float]:
    """The page as an RGB image and the pixels-per-point scale used."""
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(str(path))
        try:
            page = doc[number - 1]
            width, _ = page.get_size()
            scale = min(BASE_SCALE, MAX_WIDTH_PX / max(width, 1.0))
            image = page.render(scale=scale).to_pil().convert("RGB")
        finally:
            doc.close()
    return image, scale


def highlight(image: Image.Image, bbox: Sequence[float], scale: float) -> Image.Image:
    """Draw a semi-transparent box over `bbox` ([x0, top, x1, bottom] in points, top-left origin)."""
    x0, top, x1, bottom = (float(v) for v in bbox)
    box = [
        (x0 - HIGHLIGHT_PAD_PT) * scale, (top - HIGHLIGHT_PAD_PT) * scale,
        (x1 + HIGHLIGHT_PAD_PT) * scale, (bottom + HIGHLIGHT_PAD_PT) * scale,
    ]
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rectangle(box, fill=HIGHLIGHT_FILL, outline=HIGHLIGHT_EDGE, width=3)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def cached_png(cache_dir: Path, number: int, key: str = "plain") -> Path:
    """Where page `number`'s PNG (highlight `key`) is cached, whether or not it is yet."""
    return cache_dir / f"p{number}-{key}.png"


def page_png(
    pdf: Path, cache_dir: Path, number: int, *, key: str = "plain", bbox: Sequence[float] | None = None
) -> Path:
    """Path of the cached PNG for page `number` (1-based), rendering it on first use."""
    target = cached_png(cache_dir, number, key)
    if target.exists():
        return target
    image, scale = _render(pdf, number)
    if bbox is not None:
        image = highlight(image, bbox, scale)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache_dir / f".{uuid.uuid4().hex}.part"
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, target)
    return target
