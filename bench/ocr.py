"""OCR speed: pages per second for scanned pages, printed as figures (never asserted).

    python bench/ocr.py [--dpi 200] [--rounds 1]

The corpus's slide deck and A4 report are rasterised (tests/rasterise.py) upright
and turned a quarter, then extracted in this process with `extract_pdf`, as the
service's child does; each line gives pages/s for the whole extraction (render,
Tesseract, layout, facts) and the share of it the text-layer original takes.
Tesseract runs one thread per page (OMP_THREAD_LIMIT=1, see extractor/ocr.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.pipeline import extract_pdf  # noqa: E402
from tests.rasterise import rasterise  # noqa: E402

SOURCES = [ROOT / "corpus" / "status-deck-2025-10.pdf", ROOT / "corpus" / "relatorio-a4-2025-10.pdf"]


def timed(pdf: Path, rounds: int) -> tuple[float, int]:
    best = float("inf")
    pages = 0
    for _ in range(rounds):
        start = time.perf_counter()
        result = extract_pdf(pdf)
        best = min(best, time.perf_counter() - start)
        pages = result.source.pages
    return best, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the rasterised copies")
    parser.add_argument("--rounds", type=int, default=1, help="best of this many runs")
    args = parser.parse_args()
    extract_pdf(SOURCES[0])  # warm up: spaCy, rules, gazetteer
    total_pages, total_s = 0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for src in SOURCES:
            text_s, _ = timed(src, args.rounds)
            for turn in (0, 90):
                scan = rasterise(src, Path(tmp) / f"{src.stem}-{turn}.pdf", dpi=args.dpi, turn=turn)
                seconds, pages = timed(scan, args.rounds)
                total_pages += pages
                total_s += seconds
                print(f"{src.name} scanned at {args.dpi} dpi, turned {turn:>2}°: {pages} pages in "
                      f"{seconds:.1f} s = {pages / seconds:.2f} pages/s "
                      f"(text-layer original: {text_s:.2f} s)")
    print(f"all scanned pages: {total_pages} in {total_s:.1f} s = {total_pages / total_s:.2f} pages/s")


if __name__ == "__main__":
    main()
