"""Mutants that bench/fuzz.py found misbehaving, kept as recipes (seed file + operations),
re-made at test time and run through `relato extract`: exit 0 or 2, never a traceback."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.test_cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("relato_bench_fuzz", ROOT / "bench" / "fuzz.py")
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fuzz  # its dataclasses look themselves up there
_spec.loader.exec_module(fuzz)

# bench/fuzz.py --seed 1: run 1 was exit 1 (pdfplumber's MalformedPDFException, a MediaBox
# of garbage bytes, escaped extractor/pdf.py); run 111 was exit 1 (PdfminerException
# "Invalid dictionary construct" while reading the page tree, not caught either).
RECIPES: list[dict[str, Any]] = [
    {"seed_file": "corpus/status-deck-2025-10.pdf",
     "ops": [{"op": "flip", "pos": 36517, "bit": 1}, {"op": "byte", "pos": 3002, "value": 60}]},
    {"seed_file": "corpus/status-deck-2025-06.pdf", "ops": [{"op": "swap", "a": 3522, "b": 30261, "len": 1}]},
]


@pytest.mark.skipif(os.environ.get("RELATO_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="no database involved: runs once, in the SQLite pass")
@pytest.mark.parametrize("recipe", RECIPES, ids=[f"{r['seed_file']}-{i}" for i, r in enumerate(RECIPES)])
def test_fuzz_finding_stays_fixed(recipe: dict[str, Any], tmp_path: Path) -> None:
    seed = ROOT / recipe["seed_file"]
    if not seed.exists():
        pytest.skip(f"{recipe['seed_file']} is no longer in the corpus")
    mutant = tmp_path / "mutant.pdf"
    mutant.write_bytes(fuzz.mutate(seed.read_bytes(), recipe["ops"]))
    proc, _ = run_cli(mutant, 20.0)
    assert proc.returncode in (0, 2), proc.stderr
    assert "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
