"""Every hostile PDF through `relato extract` as a whole process, under the time limit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.cases import CASES, Case
from tests.hostile.conftest import TIMEOUT_S, HostileFiles

STARTUP_GRACE_S = 15.0  # interpreter and spaCy start-up on a busy CI machine
_SCRIPT = Path(sys.executable).with_name("relato")
RELATO_EXTRACT = [str(_SCRIPT), "extract"] if _SCRIPT.exists() else [sys.executable, "-m", "extractor.cli"]


def run_cli(pdf: Path, limit_s: float) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "RELATO_EXTRACT_TIMEOUT_S": str(limit_s)}
    start = time.monotonic()
    proc = subprocess.run([*RELATO_EXTRACT, str(pdf)], capture_output=True, text=True, env=env,
                          timeout=limit_s + STARTUP_GRACE_S + 30)
    return proc, time.monotonic() - start


def assert_refused(proc: subprocess.CompletedProcess[str], reason: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], proc.stderr


def assert_extracted(proc: subprocess.CompletedProcess[str], case: Case) -> None:
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    proc.stdout.encode("utf-8")  # no lone surrogates made it into the JSON
    assert "\\u0000" not in proc.stdout and "\\ud8" not in proc.stdout.lower()
    if case.title is not None:
        assert case.title in [i["title"] for i in doc["initiatives"]], proc.stdout[:2000]
    if case.absent is not None:
        assert case.absent not in proc.stdout


@pytest.mark.skipif(os.environ.get("RELATO_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="no database involved: runs once, in the SQLite pass")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_relato_extract_refuses_clearly_or_extracts(case: Case, hostile: HostileFiles) -> None:
    limit = case.timeout_s or TIMEOUT_S
    proc, seconds = run_cli(hostile(case.name), limit)
    assert "Traceback" not in proc.stderr
    assert seconds < limit + STARTUP_GRACE_S, f"took {seconds:.1f}s"
    if case.cli == "reject" or (case.cli == "either" and proc.returncode != 0):
        assert_refused(proc, case.reason)
    else:
        assert_extracted(proc, case)
