"""Shared fixtures and options: where the corpora are, and the golden-file flag."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("RELATO_SHARED_DIR", ROOT.parent / "shared"))
SHARED_DEV = SHARED / "corpus" / "dev"
SHARED_REAL = SHARED / "corpus" / "real"
PROJECT_CORPUS = ROOT / "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regenerate-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current extractor output "
                          "(refused when CI is set)")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--regenerate-golden") and os.environ.get("CI"):
        raise pytest.UsageError("--regenerate-golden is refused in CI: regenerate locally, "
                                "review the diff and commit it")


@pytest.fixture(scope="session")
def regenerate_golden(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--regenerate-golden"))
