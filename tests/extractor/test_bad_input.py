"""Bad input to `relato extract`: nothing on stdout, one line on stderr, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption

from extractor.errors import BadPDF
from extractor.pdf import probe_pdf
from tests.pdfmaker import image_only_pdf, simple_deck


def _cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor.cli", str(path)],
                          capture_output=True, text=True, timeout=60)


def _empty(tmp: Path) -> Path:
    (tmp / "empty.pdf").write_bytes(b"")
    return tmp / "empty.pdf"


def _html(tmp: Path) -> Path:
    (tmp / "page.pdf").write_text("<!doctype html><html><body>oi</body></html>")
    return tmp / "page.pdf"


def _truncated(tmp: Path) -> Path:
    data = simple_deck(tmp / "full.pdf").read_bytes()
    (tmp / "cut.pdf").write_bytes(data[: len(data) // 3])
    return tmp / "cut.pdf"


def _encrypted(tmp: Path) -> Path:
    return simple_deck(tmp / "locked.pdf", encrypt=StandardEncryption("segredo", canPrint=0))


def _scanned(tmp: Path) -> Path:
    return image_only_pdf(tmp / "scan.pdf")


def _missing(tmp: Path) -> Path:
    return tmp / "nao-existe.pdf"


CASES = [
    (_empty, "empty"),
    (_html, "not a PDF"),
    (_truncated, "damaged"),
    (_encrypted, "encrypted"),
    (_scanned, "text layer"),
    (_missing, "cannot read"),
]


@pytest.mark.parametrize(("make", "reason"), CASES, ids=[r for _, r in CASES])
def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, make, reason: str) -> None:
    proc = _cli(make(tmp_path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("make", "code"), [(_empty, "empty"), (_html, "not_pdf"),
                                            (_encrypted, "encrypted")])
def test_probe_rejects_with_code(tmp_path: Path, make, code: str) -> None:
    with pytest.raises(BadPDF) as err:
        probe_pdf(make(tmp_path))
    assert err.value.code == code


def test_probe_counts_pages_and_enforces_limit(tmp_path: Path) -> None:
    pdf = simple_deck(tmp_path / "deck.pdf")
    assert probe_pdf(pdf) == 2
    with pytest.raises(BadPDF, match="limit is 1"):
        probe_pdf(pdf, max_pages=1)


def test_owner_password_only_pdf_is_readable(tmp_path: Path) -> None:
    """Encrypted with an empty user password (owner restrictions only): must extract."""
    pdf = simple_deck(tmp_path / "owner.pdf", encrypt=StandardEncryption("", ownerPassword="dono"))
    proc = _cli(pdf)
    assert proc.returncode == 0, proc.stderr
    assert "AMPLIAR O ATENDIMENTO DIGITAL" in proc.stdout
