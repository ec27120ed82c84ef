"""Browser-test fixtures: Debian's headless Chromium driven by Playwright (never a
downloaded browser) against a real service started by tests/browser/live.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.browser.live import LiveService, start_service
from tests.conftest import PROJECT_CORPUS, SHARED_DEV

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    for item in items:  # the marker, not the folder's name: test_assist.py needs no browser
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def report_pdf() -> Path:
    """A status deck of the project corpus (or the shared dev seed)."""
    for path in (PROJECT_CORPUS / "status-deck-2025-10.pdf", SHARED_DEV / "seed-2025-10.pdf"):
        if path.exists():
            return path
    candidates = sorted(PROJECT_CORPUS.glob("*.pdf"))
    if not candidates:
        pytest.skip("no corpus PDF to ingest (corpus/*.pdf)")
    return candidates[0]


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    service = start_service(tmp_path_factory.mktemp("live"), report_pdf())
    yield service
    service.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@contextmanager
def new_tab(browser: Any) -> Iterator[Any]:
    """A fresh browser context's page; JavaScript errors on it fail the test."""
    context = browser.new_context(viewport=VIEWPORT, locale="pt-BR")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Any, live: LiveService) -> Iterator[Any]:
    with new_tab(browser) as tab:
        yield tab


@pytest.fixture(scope="session")
def two_editions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """A service holding the August deck, then the October deck (opened first: newest)."""
    live = start_service(tmp_path_factory.mktemp("editions"), PROJECT_CORPUS / "status-deck-2025-08.pdf")
    try:
        pdf = PROJECT_CORPUS / "status-deck-2025-10.pdf"
        with live.client("operator") as c, open(pdf, "rb") as fh:
            response = c.post("/api/v1/reports", files={"file": (pdf.name, fh, "application/pdf")})
        response.raise_for_status()
        live.report_id = response.json()["id"]
        for _ in range(600):
            if live.get(f"/api/v1/reports/{live.report_id}")["status"] == "done":
                break
            time.sleep(0.2)
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """A service of the module's own (its tests decide many facts): the corpus deck and a
    second, small report (`second_report_id`)."""
    from tests.pdfmaker import simple_deck

    live = start_service(tmp_path_factory.mktemp("meant"), report_pdf())
    try:
        deck = simple_deck(tmp_path_factory.mktemp("deck") / "outro-relatorio.pdf")
        with live.client("operator") as c, open(deck, "rb") as fh:
            second = c.post("/api/v1/reports", files={"file": (deck.name, fh, "application/pdf")}).json()["id"]
        for _ in range(600):
            if live.get(f"/api/v1/reports/{second}")["status"] == "done":
                break
            time.sleep(0.2)
        live.second_report_id = second  # type: ignore[attr-defined]
        yield live
    finally:
        live.stop()
