"""Shared fixtures and options: where the corpora are, and the golden-file flag."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("RELATO_SHARED_DIR", ROOT.parent / "shared"))
SHARED_DEV = SHARED / "corpus" / "dev"
SHARED_REAL = SHARED / "corpus" / "real"
PROJECT_CORPUS = ROOT / "corpus"
_CACHE = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regenerate-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current extractor output "
                          "(refused when CI is set)")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--regenerate-golden") and os.environ.get("CI"):
        raise pytest.UsageError("--regenerate-golden is refused in CI: regenerate locally, "
                                "review the diff and commit it")
    if "RELATO_CACHE_DIR" not in os.environ:  # compiled rules (extractor/cache.py): a private, fresh cache
        os.environ["RELATO_CACHE_DIR"] = config.stash.setdefault(_CACHE, tempfile.mkdtemp(prefix="relato-cache-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if (made := config.stash.get(_CACHE, None)) is not None:
        os.environ.pop("RELATO_CACHE_DIR", None)
        shutil.rmtree(made, ignore_errors=True)


@pytest.fixture(scope="session")
def regenerate_golden(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--regenerate-golden"))
