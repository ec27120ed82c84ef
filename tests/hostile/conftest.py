"""Hostile-PDF fixtures: each file generated once per session into a temporary folder, and
the service fixtures of tests/service (same database handling: SQLite, or PostgreSQL
with RELATO_TEST_DATABASE_URL) with limits low enough for a quick suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.storage.config import Settings
from tests.hostile.make_hostile import MAKERS
from tests.service.conftest import _clean, client, database_url, engine, tokens  # noqa: F401 - fixtures

TIMEOUT_S = 20.0  # RELATO_EXTRACT_TIMEOUT_S for the suite (the default is 120)
MAX_PAGES = 500  # the 2,000-page case is refused at upload by this limit


class HostileFiles:
    """Makes each case's file on first use and keeps it for the session."""

    def __init__(self, folder: Path) -> None:
        self.folder, self._made = folder, {}  # type: ignore[var-annotated]

    def __call__(self, name: str) -> Path:
        if name not in self._made:
            case_dir = self.folder / name
            case_dir.mkdir()
            self._made[name] = MAKERS[name](case_dir)
        return self._made[name]


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileFiles:
    return HostileFiles(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:  # noqa: F811 - overrides tests/service's
    return Settings(database_url=database_url, data_dir=tmp_path / "data", poll_s=0.05, lease_s=5,
                    max_pages=MAX_PAGES, extract_timeout_s=TIMEOUT_S)
