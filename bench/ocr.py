"""OCR figures, printed (never asserted): scores of scans, misread numbers, speed, memory.

    python bench/ocr.py [--only scores,numbers,speed] [--pages 100] [--workers N]

The rasterised corpus: the project's A4 report and October deck (corpus/) and the A4
reports with tables written for the OCR tests (tests/extractor/scans/, drawn by
tests/scanreports.py), each scanned (tests/rasterise.py) at 200 dpi, tilted, blurred,
JPEG-compressed and at 150 dpi.

- scores: every scan of the table reports extracted by `relato extract` and scored
  against its gold (the scoring of ../shared/tools/score.py): F1 per kind, initiatives.
- numbers: every word with a digit in a text original is looked for among the words OCR
  reads on its scan at the same place; printed: how many were read differently (misread)
  or not found, with the number corrections of extractor/ocr.py (ordinal signs read back
  from their raised glyphs, _raised_ordinals; unsure numbers read twice, _reread_numbers)
  off ("before") and on ("after").
- speed: a scan of --pages A4 pages (the table reports' and corpus A4's pages cycled)
  extracted by `relato extract` with RELATO_OCR_WORKERS=1 and =N; pages/s of each, their
  ratio, and the peak memory of the whole extraction (the process and its Tesseract
  children, resident set summed, sampled every 50 ms). Run it on a quiet machine: the
  load average is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import ocr  # noqa: E402
from extractor.pdf import read_pages  # noqa: E402
from tests.rasterise import iou, rasterise  # noqa: E402
from tests.scanreports import SCANS, build, reports, scan  # noqa: E402
from tests.scoring import score  # noqa: E402

CORPUS = [ROOT / "corpus" / "relatorio-a4-2025-10.pdf", ROOT / "corpus" / "status-deck-2025-10.pdf"]
RELATO = [sys.executable, "-m", "extractor.cli"]
KINDS = ("date", "period", "count", "percentage", "money", "municipality")


def extract(pdf: Path, env: dict[str, str] | None = None) -> tuple[dict, float, float]:
    """`relato extract` as a whole process: its JSON, wall seconds, peak MB of its tree."""
    start = time.perf_counter()
    proc = subprocess.Popen([*RELATO, str(pdf)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, cwd=ROOT)
    peak = 0
    root = psutil.Process(proc.pid)
    out: list[bytes] = []
    import threading

    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
    reader.start()
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    reader.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"relato extract {pdf} failed ({proc.returncode})")
    return json.loads(out[0]), seconds, peak / 2**20


def scores(tmp: Path) -> None:
    print("scans of the A4 reports with tables, F1 against their gold (relato extract):")
    print(f"  {'report':28} {'scan':8} " + " ".join(f"{k[:6]:>6}" for k in KINDS) + "  initiatives")
    for src in reports():
        pdf, gold = build(src, tmp)
        for variant in ["text", *SCANS]:
            target = pdf if variant == "text" else scan(pdf, variant, tmp)
            result = score(gold, extract(target)[0])
            cells = " ".join(f"{result[k]['f1']:6.3f}" if result[k]["tp"] + result[k]["fp"] + result[k]["fn"]
                             else f"{'-':>6}" for k in KINDS)
            print(f"  {pdf.stem:28} {variant:8} {cells}  {result['initiatives']['f1']:.3f}", flush=True)


# An ordinal sign does not change a number: 2ª, 2a, 2º and 13°, 13º read alike
_ORDINALS = str.maketrans({"ª": "o", "º": "o", "°": "o", "a": "o"})


def same(printed: str, read: str) -> bool:
    """Whether OCR read a printed number as printed (ordinal signs are one sign)."""
    return printed.strip(".,;:()").translate(_ORDINALS) == read.strip(".,;:()").translate(_ORDINALS)


def _numbers(text_pdf: Path) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """The text original's numbers (words mostly digits: not URLs, not words)."""
    return [(p.number, w.text, (w.x0, w.top, w.x1, w.bottom))
            for p in read_pages(text_pdf) for w in p.words if ocr.looks_numeric(w.text)]


def _ocr_words(scan_pdf: Path) -> dict[int, list[tuple[str, tuple[float, ...]]]]:
    pages = ocr.read_scanned(scan_pdf, list(read_pages(scan_pdf)), [])
    out: dict[int, list] = {}
    for p in pages:
        for w in p.words:
            box = w.frame.box((w.x0, w.top, w.x1, w.bottom)) if getattr(w, "frame", None) else (
                w.x0, w.top, w.x1, w.bottom)
            out.setdefault(p.number, []).append((w.text, box))
    return out


def misread(text_pdf: Path, scan_pdf: Path) -> tuple[int, int, int]:
    """(numbers printed, read differently, not found) on ``scan_pdf`` (untilted)."""
    numbers = _numbers(text_pdf)
    read = _ocr_words(scan_pdf)
    wrong = missing = 0
    for page, text, box in numbers:
        near = [(iou(box, b), t) for t, b in read.get(page, [])]
        best = max(near, default=(0.0, ""))
        if best[0] < 0.3:
            missing += 1
        elif not same(text, best[1]):
            wrong += 1
    return len(numbers), wrong, missing


def numbers(tmp: Path, only: list[str] | None = None) -> None:
    sources = [build(src, tmp)[0] for src in reports()] + CORPUS
    variants = [v for v, opts in SCANS.items()
                if not opts.get("skew") and (not only or v in only)]  # boxes compare in place
    scans = [(pdf, scan(pdf, v, tmp)) for pdf in sources for v in variants]
    print(f"numbers on the rasterised corpus ({len(sources)} PDFs x {', '.join(variants)}):")
    rates = {}
    threshold, ordinal = ocr.REREAD_BELOW, ocr.ORDINAL_HEIGHT
    for label, below, height in (("before (read once)", 0.0, 0.0),
                                 ("after (signs, unsure numbers twice)", threshold, ordinal)):
        ocr.REREAD_BELOW, ocr.ORDINAL_HEIGHT = below, height
        total = wrong = missing = 0
        for text_pdf, scan_pdf in scans:
            n, w, m = misread(text_pdf, scan_pdf)
            total, wrong, missing = total + n, wrong + w, missing + m
        rates[label] = wrong / total
        print(f"  {label:36} {total} numbers: {wrong} misread ({100 * wrong / total:.2f} %), "
              f"{missing} not found", flush=True)
    ocr.REREAD_BELOW, ocr.ORDINAL_HEIGHT = threshold, ordinal
    before, after = rates.values()
    print(f"  misread rate after / before: {after / before:.2f}" if before else "  nothing misread before")


def speed(tmp: Path, pages: int, workers: int) -> None:
    sources = [build(src, tmp)[0] for src in reports()] + [CORPUS[0]]
    parts = []
    for n, src in enumerate(sources):
        parts.append(rasterise(src, tmp / f"part{n}.pdf", dpi=200))
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    docs = [pdfium.PdfDocument(str(p)) for p in parts]
    k = 0
    while len(out) < pages:
        doc = docs[k % len(docs)]
        out.import_pages(doc, [len(out) % len(doc)])
        k += 1
    big = tmp / f"scan-{pages}.pdf"
    out.save(str(big))
    for d in (*docs, out):
        d.close()
    print(f"speed: a {pages}-page A4 scan at 200 dpi, relato extract as a whole process "
          f"(load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}):")
    rate = {}
    for n in (1, workers):
        result, seconds, peak = extract(big, {"RELATO_OCR_WORKERS": str(n),
                                              "RELATO_EXTRACT_TIMEOUT_S": "0"})
        rate[n] = result["source"]["pages"] / seconds
        print(f"  RELATO_OCR_WORKERS={n}: {seconds:.1f} s = {rate[n]:.2f} pages/s, "
              f"peak memory {peak:.0f} MB (process and Tesseracts)", flush=True)
    print(f"  {workers} workers / 1: {rate[workers] / rate[1]:.2f}x "
          f"(load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="scores,numbers,speed", help="comma-separated parts to run")
    parser.add_argument("--pages", type=int, default=100, help="pages of the speed scan")
    parser.add_argument("--workers", type=int, default=ocr.workers(), help="N for the speed ratio")
    parser.add_argument("--scans", default="", help="comma-separated scans for numbers (default: all untilted)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        if "scores" in parts:
            scores(Path(tmp))
        if "numbers" in parts:
            numbers(Path(tmp), [s for s in args.scans.split(",") if s])
        if "speed" in parts:
            speed(Path(tmp), args.pages, args.workers)


if __name__ == "__main__":
    main()
