"""Mutation fuzzing of `relato extract` with the corpus PDFs as seeds.

    python bench/fuzz.py --minutes 10 [--seed 1] [--jobs 1] [--limit-s 20] [--out FILE]
    python bench/fuzz.py --replay '{"seed_file": "...", "ops": [...]}'   # one recipe

Each mutant is a corpus PDF (corpus/*.pdf) with 1-4 operations applied: bit flips,
byte overwrites, truncation, chunk swaps, chunk duplication or deletion. A mutant is
run through `relato extract` as a whole process with RELATO_EXTRACT_TIMEOUT_S set,
and it is a *finding* when the run
  - exits with anything but 0 (extracted) or 2 (bad input, one line on stderr),
  - prints a traceback, or prints something other than JSON on exit 0,
  - takes longer than the time limit (plus start-up grace).
Findings are printed and appended as JSON lines (the mutation *recipe*: seed file and
operations, no binary), so a finding is reproduced with --replay and kept as a
regression test in tests/hostile/test_fuzz_regressions.py.

Mutants are derived from (--seed, run number) only, so a run can be repeated exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).with_name("relato")
RELATO = [str(_SCRIPT), "extract"] if _SCRIPT.exists() else [sys.executable, "-m", "extractor.cli"]
STARTUP_GRACE_S = 10.0  # interpreter + spaCy start-up on a loaded 2-core machine
OPS = ("flip", "byte", "truncate", "swap", "dup", "delete")
INTERESTING = (0x00, 0xFF, 0x7F, 0x80, 0x30, 0x39, 0x20, 0x0A, 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, 0x2F)


def random_op(rng: random.Random, size: int) -> dict[str, Any]:
    """One mutation, fully described by numbers, so that it replays byte for byte."""
    kind = rng.choice(OPS)
    pos = rng.randrange(max(size, 1))
    length = rng.choice((1, 4, 16, 64, 512, 4096))
    if kind == "flip":
        return {"op": "flip", "pos": pos, "bit": rng.randrange(8)}
    if kind == "byte":
        return {"op": "byte", "pos": pos, "value": rng.choice(INTERESTING + (rng.randrange(256),))}
    if kind == "truncate":
        return {"op": "truncate", "pos": pos}
    if kind in ("dup", "delete"):
        return {"op": kind, "pos": pos, "len": length}
    return {"op": "swap", "a": pos, "b": rng.randrange(max(size, 1)), "len": length}


def apply_op(data: bytearray, op: dict[str, Any]) -> bytearray:
    size = len(data)
    if size == 0:
        return data
    kind = op["op"]
    if kind == "flip":
        data[op["pos"] % size] ^= 1 << op["bit"]
    elif kind == "byte":
        data[op["pos"] % size] = op["value"]
    elif kind == "truncate":
        del data[op["pos"] % size:]
    elif kind == "dup":
        pos = op["pos"] % size
        data[pos:pos] = data[pos:pos + op["len"]]
    elif kind == "delete":
        pos = op["pos"] % size
        del data[pos:pos + op["len"]]
    else:
        a, b = sorted((op["a"] % size, op["b"] % size))
        n = min(op["len"], b - a, size - b)
        if n > 0:
            data[a:a + n], data[b:b + n] = data[b:b + n], data[a:a + n]
    return data


def mutate(seed_bytes: bytes, ops: list[dict[str, Any]]) -> bytes:
    data = bytearray(seed_bytes)
    for op in ops:
        data = apply_op(data, op)
    return bytes(data)


def recipe(seed: int, run: int, seeds: list[Path]) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{run}")
    source = rng.choice(seeds)
    size = source.stat().st_size
    ops = [random_op(rng, size) for _ in range(rng.choice((1, 1, 2, 3, 4)))]
    return {"seed": seed, "run": run, "seed_file": source.relative_to(ROOT).as_posix(), "ops": ops}


@dataclass
class Outcome:
    exit: int | None
    seconds: float
    stdout_head: str
    stderr_tail: str


def run_extract(pdf: Path, limit_s: float) -> Outcome:
    env = {**os.environ, "RELATO_EXTRACT_TIMEOUT_S": str(limit_s)}
    start = time.monotonic()
    try:
        proc = subprocess.run([*RELATO, str(pdf), "--indent", "0"], capture_output=True, text=True,
                              errors="replace", env=env, cwd=ROOT, timeout=limit_s + STARTUP_GRACE_S + 20)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = None, str(exc.stdout or ""), str(exc.stderr or "")
    return Outcome(code, time.monotonic() - start, out[:200], err[-2000:])


def problems(outcome: Outcome, limit_s: float) -> list[str]:
    """Why this run is a finding (empty list: it behaved)."""
    found = []
    if outcome.exit not in (0, 2):
        found.append(f"exit {outcome.exit}")
    if "Traceback" in outcome.stderr_tail:
        found.append("traceback on stderr")
    if outcome.exit == 2 and len(outcome.stderr_tail.strip().splitlines()) != 1:
        found.append("exit 2 without exactly one stderr line")
    if outcome.exit == 0 and not outcome.stdout_head.startswith("{"):
        found.append("exit 0 without JSON on stdout")
    if outcome.seconds > limit_s + STARTUP_GRACE_S:
        found.append(f"took {outcome.seconds:.1f}s (limit {limit_s:g}s)")
    return found


def check(rec: dict[str, Any], limit_s: float, workdir: Path) -> tuple[dict[str, Any], Outcome, list[str]]:
    pdf = workdir / f"mutant-{rec.get('run', 0)}.pdf"
    pdf.write_bytes(mutate((ROOT / rec["seed_file"]).read_bytes(), rec["ops"]))
    try:
        outcome = run_extract(pdf, limit_s)
    finally:
        pdf.unlink(missing_ok=True)
    return rec, outcome, problems(outcome, limit_s)


def fuzz(args: argparse.Namespace) -> int:
    seeds = sorted((ROOT / "corpus").glob("*.pdf"))
    deadline = time.monotonic() + args.minutes * 60
    runs, findings, exits = 0, 0, {0: 0, 2: 0}
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        run = 0
        while time.monotonic() < deadline:
            batch = [recipe(args.seed, run + i, seeds) for i in range(args.jobs)]
            run += args.jobs
            for rec, outcome, found in pool.map(lambda r: check(r, args.limit_s, Path(tmp)), batch):
                runs += 1
                if outcome.exit in exits:
                    exits[outcome.exit] += 1
                if found:
                    findings += 1
                    report(args.out, rec, outcome, found)
    print(f"fuzz: {runs} runs in {args.minutes:g} min (seed {args.seed}): {exits[0]} extracted, "
          f"{exits[2]} rejected, {findings} findings", file=sys.stderr)
    return 1 if findings else 0


def report(out: Path | None, rec: dict[str, Any], outcome: Outcome, found: list[str]) -> None:
    line = {**rec, "problems": found, "exit": outcome.exit, "seconds": round(outcome.seconds, 1),
            "stderr": outcome.stderr_tail[-600:]}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    if out is not None:
        with out.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--limit-s", type=float, default=20.0, help="RELATO_EXTRACT_TIMEOUT_S for each run")
    parser.add_argument("--out", type=Path, help="append findings here as JSON lines")
    parser.add_argument("--replay", help="one recipe (JSON) to run and judge")
    args = parser.parse_args()
    if args.replay:
        with tempfile.TemporaryDirectory() as tmp:
            _, outcome, found = check(json.loads(args.replay), args.limit_s, Path(tmp))
        print(json.dumps({"exit": outcome.exit, "seconds": round(outcome.seconds, 1),
                          "problems": found, "stderr": outcome.stderr_tail}, ensure_ascii=False))
        return 1 if found else 0
    return fuzz(args)


if __name__ == "__main__":
    raise SystemExit(main())
