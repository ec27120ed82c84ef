"""`relato extract` on many files: one JSON line per file, in the order named, the same
facts as one file at a time, a bad file costing only its own line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_CORPUS

_SCRIPT = Path(sys.executable).with_name("relato")
RELATO_EXTRACT = [str(_SCRIPT), "extract"] if _SCRIPT.exists() else [sys.executable, "-m", "extractor.cli"]
PDFS = sorted(PROJECT_CORPUS.glob("*.pdf"))[:2]

pytestmark = pytest.mark.skipif(os.environ.get("RELATO_TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="no database involved: runs once, in the SQLite pass")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RELATO_EXTRACT, *args], capture_output=True, text=True, timeout=300)


def facts(document: dict) -> list[tuple]:
    groups = [document["report"]] + document["initiatives"]
    return [(f["page"], f["kind"], json.dumps(f["value"]), f.get("unit"), f["bbox"])
            for g in groups for f in g.get("extractions", [])]


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sample reports in a folder and a sub-folder, and a file that is not a PDF."""
    folder = tmp_path_factory.mktemp("batch")
    shutil.copy(PDFS[0], folder / PDFS[0].name)
    (folder / "sub").mkdir()
    shutil.copy(PDFS[1], folder / "sub" / PDFS[1].name)
    (folder / "notes.pdf").write_bytes(b"just some notes, no PDF header\n")
    (folder / "readme.txt").write_text("not listed: not a .pdf")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_folder_gives_one_line_per_pdf_in_name_order_with_the_single_file_facts(batch_dir: Path,
                                                                                   jobs: str) -> None:
    proc = run("-j", jobs, str(batch_dir))
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(r["file"]).relative_to(batch_dir).as_posix() for r in lines] == sorted(
        [PDFS[0].name, "notes.pdf", f"sub/{PDFS[1].name}"])
    lines = {Path(r["file"]).name: r for r in lines}
    assert lines["notes.pdf"] == {"file": str(batch_dir / "notes.pdf"), "error": "bad_input",
                        "reason": "not a PDF: the file does not start with a %PDF header"}
    for pdf in PDFS:
        line = lines[pdf.name]
        alone = run(str(pdf))
        assert alone.returncode == 0, alone.stderr
        assert facts(line["extraction"]) == facts(json.loads(alone.stdout))
    assert proc.returncode == 2, "one bad file makes the batch exit as bad input"
    assert proc.stderr.count("\n") == 1 and "notes.pdf: not a PDF" in proc.stderr


def test_jsonl_prints_one_line_even_for_one_file() -> None:
    proc = run("--jsonl", str(PDFS[0]))
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    assert json.loads(line)["extraction"]["source"]["filename"] == PDFS[0].name


@pytest.mark.parametrize("args, message", [
    (["-j", "0", "x.pdf"], "-j must be at least 1"),
    (["-j", "two", "x.pdf"], "invalid int value"),
])
def test_bad_job_counts_are_refused_before_any_file_is_read(args: list[str], message: str) -> None:
    proc = run(*args)
    assert proc.returncode != 0 and proc.stdout == ""
    assert message in proc.stderr


def test_help_says_what_is_printed_the_exit_codes_and_ocr() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for needle in ("EXTRACT-JSON", "exit status", "2 bad input", "RELATO_OCR", "tesseract-ocr-por", "--jsonl"):
        assert needle in proc.stdout, needle
