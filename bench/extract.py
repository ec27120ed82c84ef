"""Extraction speed and memory, printed as figures (never asserted in tests).

    python bench/extract.py [--rounds 3] [--big-pages 1000]
    python bench/extract.py --whole-process [--deck-pages 200] [--process-rounds 5]

1. Speed: over the corpus (corpus/*.pdf, plus ../shared/corpus/dev/*.pdf when
   present), in one process, pdfplumber's own ``extract_words`` on every page
   (the baseline) and relato's full extraction; prints pages/s for both and
   their ratio (target: relato >= 1.5x the baseline). Times are CPU time of
   this process (``time.process_time``), so other work on the machine moves
   both sides less than wall-clock time would.
2. Start-up: `relato extract` on a generated one-line PDF as a whole process,
   with the compiled rules cache warm and with ``RELATO_CACHE=off`` (target
   < 0.4 s wall-clock), runs alternated; and on the seed slide PDF.
3. Memory: a generated N-page deck extracted in a child process; prints its
   peak RSS (target < 400 MB).

``--whole-process`` measures start-up (2) and then whole processes on a
generated deck of ``--deck-pages`` pages: `relato extract` against a process
that only opens the PDF with pdfplumber and runs ``extract_words`` on every page,
alternated round by round so that both see the same load (target: relato
>= 1.5x). Wall-clock and CPU (user + system of the child) are both printed,
with the load average, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import resource
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
    relato(pdfs[:1])  # warm-up: rules, tokenizer and gazetteer load once per process
    baseline(pdfs[:1])
    n, t_base = timed(baseline, pdfs, rounds)
    _, t_rel = timed(relato, pdfs, rounds)
    print(f"corpus: {len(pdfs)} PDFs, {n} pages, median of {rounds} rounds")
    print(f"  pdfplumber extract_words: {n / t_base:8.1f} pages/s (CPU)")
    print(f"  relato full extraction:   {n / t_rel:8.1f} pages/s (CPU)")
    print(f"  ratio relato/pdfplumber:  {t_base / t_rel:8.2f}x  (target >= 1.50x)")


def relato_cmd() -> list[str]:
    relato_bin = Path(sys.executable).parent / "relato"
    return [str(relato_bin), "extract"] if relato_bin.exists() else [sys.executable, "-m", "extractor.cli"]


def child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def one_line_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(960, 540))
    c.setFont("Helvetica", 18)
    c.drawString(43, 480, "Foram realizados 12 atendimentos.")
    c.showPage()
    c.save()
    return path


def alternate(cmds: dict[str, tuple[list[str], dict[str, str]]], rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Each command once per round, in turn, so they share whatever load there is."""
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, (cmd, env) in cmds.items():
            out[name].append(child(cmd, env))
    return out


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def startup(rounds: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = one_line_pdf(Path(tmp) / "one-line.pdf")
        child(relato_cmd() + [str(pdf)])  # fills the cache, if it was cold
        print(f"start-up: `relato extract` on a one-line PDF, median of {rounds} alternated runs ({load()})")
        runs = alternate({"cache": (relato_cmd() + [str(pdf)], {}),
                          "no cache": (relato_cmd() + [str(pdf)], {"RELATO_CACHE": "off"})}, rounds)
        for name, r in runs.items():
            wall, cpu = medians(r)
            print(f"  {name:9s} {wall:6.2f} s wall-clock (min {min(w for w, _ in r):.2f}), {cpu:5.2f} s CPU"
                  + ("  (target < 0.40 s)" if name == "cache" else ""))
    seed = SHARED_DEV / "seed-2025-10.pdf"
    if not seed.exists():
        seed = sorted((ROOT / "corpus").glob("*.pdf"))[0]
    wall, cpu = medians([child(relato_cmd() + [str(seed)]) for _ in range(3)])
    print(f"`relato extract {seed.name}` whole process: median {wall:.2f} s wall-clock, {cpu:.2f} s CPU")


PLUMBER_ONLY = ("import sys, pdfplumber\n"
                "with pdfplumber.open(sys.argv[1]) as doc:\n"
                "    for page in doc.pages:\n"
                "        page.extract_words()\n"
                "        page.close()\n")


def whole_process(pages: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(tmp) / f"deck-{pages}.pdf"
        subprocess.run([sys.executable, str(ROOT / "corpus" / "make.py"), "--big", str(pages), str(deck)],
                       check=True, stdout=subprocess.DEVNULL)
        child(relato_cmd() + [str(deck)])  # warm: the rules cache, the OS file cache
        print(f"whole processes on a generated {pages}-page deck, median of {rounds} alternated rounds ({load()})")
        runs = alternate({"relato extract": (relato_cmd() + [str(deck)], {}),
                          "pdfplumber extract_words": ([sys.executable, "-c", PLUMBER_ONLY, str(deck)], {})},
                         rounds)
        (r_wall, r_cpu), (p_wall, p_cpu) = medians(runs["relato extract"]), medians(runs["pdfplumber extract_words"])
        print(f"  relato extract:            {r_wall:6.2f} s wall-clock, {r_cpu:6.2f} s CPU")
        print(f"  pdfplumber extract_words:  {p_wall:6.2f} s wall-clock, {p_cpu:6.2f} s CPU")
        print(f"  ratio pdfplumber/relato:   {p_wall / r_wall:6.2f}x wall-clock, {p_cpu / r_cpu:5.2f}x CPU"
              f"  (target >= 1.50x; {load()})")


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
    ap.add_argument("--whole-process", action="store_true",
                    help="only start-up and whole processes on a generated deck against pdfplumber")
    ap.add_argument("--deck-pages", type=int, default=200)
    ap.add_argument("--process-rounds", type=int, default=5)
    args = ap.parse_args()
    if args.whole_process:
        startup()
        whole_process(args.deck_pages, args.process_rounds)
        return
    speed(args.rounds)
    startup()
    if not args.skip_memory:
        memory(args.big_pages)


if __name__ == "__main__":
    main()
