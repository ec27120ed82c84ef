"""A backlog in one command: `relato extract -j 2 --jsonl FOLDER` against `-j 1`.

    python bench/batch.py [--rounds 3] [--jobs 2]

The corpus (corpus/*.pdf, and ../shared/corpus/dev and real when present) is linked
into one folder; `relato extract --jsonl` runs over it with one process and with
``--jobs`` processes, alternated round by round so both see the same load, with
RELATO_OCR=off (a scan is refused the same way by both: OCR's own parallelism is
bench/ocr.py's). Prints the median wall-clock of each, their ratio (target on the
2-core machine: >= 1.7x), the load average, and whether both printed the same lines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"


def corpus_folder(folder: Path) -> int:
    sources = [ROOT / "corpus", SHARED / "dev", SHARED / "real"]
    n = 0
    for src in sources:
        for pdf in sorted(src.glob("*.pdf")) if src.is_dir() else []:
            (folder / f"{src.name}-{pdf.name}").symlink_to(pdf)
            n += 1
    return n


def run(folder: Path, jobs: int) -> tuple[float, str]:
    relato = Path(sys.executable).parent / "relato"
    cmd = [str(relato), "extract"] if relato.exists() else [sys.executable, "-m", "extractor.cli"]
    t = time.perf_counter()
    proc = subprocess.run([*cmd, "-j", str(jobs), "--jsonl", str(folder)], capture_output=True, text=True,
                          env={**os.environ, "RELATO_OCR": "off"})
    return time.perf_counter() - t, proc.stdout


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n = corpus_folder(folder)
        run(folder, 1)  # warm: the rules cache, the OS file cache
        print(f"{n} PDFs, `relato extract --jsonl`, median of {args.rounds} alternated rounds ({load()}; "
              f"{os.cpu_count()} CPUs)")
        times: dict[int, list[float]] = {1: [], args.jobs: []}
        outputs: dict[int, set[str]] = {1: set(), args.jobs: set()}
        for _ in range(args.rounds):
            for jobs in times:
                secs, out = run(folder, jobs)
                times[jobs].append(secs)
                outputs[jobs].add(out)
        one, many = statistics.median(times[1]), statistics.median(times[args.jobs])
        print(f"  -j 1: {one:6.2f} s wall-clock (runs: {', '.join(f'{t:.2f}' for t in times[1])})")
        print(f"  -j {args.jobs}: {many:6.2f} s wall-clock (runs: {', '.join(f'{t:.2f}' for t in times[args.jobs])})")
        print(f"  ratio: {one / many:.2f}x  (target >= 1.70x on 2 cores; {load()})")
        same = len(outputs[1] | outputs[args.jobs]) == 1
        print(f"  same JSON lines from -j 1 and -j {args.jobs} in every round: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
