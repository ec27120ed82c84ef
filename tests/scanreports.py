"""A4 reports with tables, written for the OCR tests, and their scans.

The sources (tests/extractor/scans/*.txt) use the corpus's text format (corpus/README.md):
the printed text with every fact marked inline, so the PDF and its gold come from one file.
They are drawn with the corpus's own A4 renderer (corpus/pdfdraw.py) into a temp dir, then
"scanned" with tests/rasterise.py at a resolution, tilted, blurred or JPEG-compressed, so
the OCR path can be scored against the same gold as the text original.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests" / "extractor" / "scans"
if str(ROOT / "corpus") not in sys.path:
    sys.path.insert(0, str(ROOT / "corpus"))

import pdfdraw  # noqa: E402
from srcformat import gold, parse  # noqa: E402

from tests.rasterise import rasterise  # noqa: E402

# name -> rasterise() options: the scans every report is read as
SCANS: dict[str, dict] = {
    "200dpi": {"dpi": 200},
    "tilted": {"dpi": 200, "skew": 1.2},
    "blurred": {"dpi": 200, "blur": 1.0},
    "jpeg": {"dpi": 200, "jpeg": 25},
    "150dpi": {"dpi": 150},
}


def reports() -> list[Path]:
    return sorted(SOURCES.glob("*.txt"))


def build(source: Path, out: Path) -> tuple[Path, dict]:
    """Draw ``source`` as a text PDF in ``out``; return it and its gold."""
    doc = parse(str(source))
    pdf = out / f"{doc.name}.pdf"
    pdfdraw.render_a4(doc, str(pdf))
    return pdf, gold(doc)


def scan(pdf: Path, variant: str, out: Path) -> Path:
    """``pdf`` scanned as ``variant`` (a key of SCANS)."""
    return rasterise(pdf, out / f"{pdf.stem}-{variant}.pdf", **SCANS[variant])

