"""Extraction speed and memory, printed as figures (never asserted in tests).

    python bench/extract.py [--rounds 3] [--big-pages 1000]

1. Speed: over the corpus (corpus/*.pdf, plus ../shared/corpus/dev/*.pdf when
   present), in one process, pdfplumber's own ``extract_words`` on every page
   (the baseline) and relato's full extraction; prints pages/s for both and
   their ratio (target: relato >= 1.5x the baseline). Times are CPU time of
   this process (``time.process_time``), so other work on the machine moves
   both sides less than wall-clock time would.
2. Start-up: `relato extract` on the seed slide PDF as a whole process.
3. Memory: a generated N-page deck extracted in a child process; prints its
   peak RSS (target < 400 MB).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

from extractor.pipeline import extract_pdf  # noqa: E402

SHARED_DEV = ROOT.parent / "shared" / "corpus" / "dev"


def corpus() -> list[Path]:
    pdfs = sorted((ROOT / "corpus").glob("*.pdf"))
    if SHARED_DEV.is_dir():
        pdfs += sorted(SHARED_DEV.glob("*.pdf"))
    return pdfs


def baseline(pdfs: list[Path]) -> int:
    pages = 0
    for pdf in pdfs:
        with pdfplumber.open(pdf) as doc:
            for page in doc.pages:
                page.extract_words()
                page.close()
                pages += 1
    return pages


def relato(pdfs: list[Path]) -> int:
    return sum(extract_pdf(pdf).source.pages for pdf in pdfs)


def timed(fn, pdfs: list[Path], rounds: int) -> tuple[int, float]:
    times = []
    pages = 0
    for _ in range(rounds):
        t = time.process_time()
        pages = fn(pdfs)
        times.append(time.process_time() - t)
    return pages, statistics.median(times)


def speed(rounds: int) -> None:
    pdfs = corpus()
    relato(pdfs[:1])  # warm-up: rules, spaCy pipeline and gazetteer load once per process
    baseline(pdfs[:1])
    n, t_base = timed(baseline, pdfs, rounds)
    _, t_rel = timed(relato, pdfs, rounds)
    print(f"corpus: {len(pdfs)} PDFs, {n} pages, median of {rounds} rounds")
    print(f"  pdfplumber extract_words: {n / t_base:8.1f} pages/s (CPU)")
    print(f"  relato full extraction:   {n / t_rel:8.1f} pages/s (CPU)")
    print(f"  ratio relato/pdfplumber:  {t_base / t_rel:8.2f}x  (target >= 1.50x)")


def startup() -> None:
    seed = SHARED_DEV / "seed-2025-10.pdf"
    if not seed.exists():
        seed = sorted((ROOT / "corpus").glob("*.pdf"))[0]
    relato_bin = Path(sys.executable).parent / "relato"
    cmd = [str(relato_bin), "extract", str(seed)] if relato_bin.exists() else [
        sys.executable, "-m", "extractor.cli", str(seed)]
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    print(f"`relato extract {seed.name}` whole process: median {statistics.median(times):.2f} s"
          f" (min {min(times):.2f} s)")


def memory(pages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / f"big-{pages}.pdf"
        subprocess.run([sys.executable, str(ROOT / "corpus" / "make.py"), "--big", str(pages),
                        str(big)], check=True, stdout=subprocess.DEVNULL)
        code = ("import sys, resource, time; sys.path.insert(0, %r);"
                "from extractor.pipeline import extract_pdf; t=time.perf_counter();"
                "r = extract_pdf(%r); dt=time.perf_counter()-t;"
                "print(r.source.pages, len(r.initiatives), round(dt, 1),"
                " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)") % (str(ROOT), str(big))
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True).stdout.split()
        n, inits, secs, rss_kb = int(out[0]), int(out[1]), float(out[2]), int(out[3])
        print(f"{n}-page generated deck: {inits} initiatives in {secs:.1f} s "
              f"({n / secs:.1f} pages/s), peak RSS {rss_kb / 1024:.0f} MB (target < 400 MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--big-pages", type=int, default=1000)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    speed(args.rounds)
    startup()
    if not args.skip_memory:
        memory(args.big_pages)


if __name__ == "__main__":
    main()
