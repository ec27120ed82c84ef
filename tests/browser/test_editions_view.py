"""The review page shows, for the current fact's initiative, its counts over the editions
(SVG chart, service/web/static/series.js) and the diff with the previous edition."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, VIEWPORT  # noqa: F401
from tests.browser.live import LiveService

pytestmark = pytest.mark.browser
RURAL = "LEVAR INTERNET MÓVEL A LOCALIDADES RURAIS"


def test_initiative_series_and_diff_in_the_fact_panel(browser: Any, two_editions: LiveService) -> None:
    live = two_editions
    context = browser.new_context(viewport=VIEWPORT, locale="pt-BR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)
    page.goto(f"{live.base_url}/review")
    page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#page-image[src^='blob:']")
    page.select_option("#filter-initiative", RURAL)
    page.wait_for_selector("#editions-view .diff-changed:has-text('312')")
    changed = page.locator("#editions-view .diff-changed").all_inner_texts()
    assert any("327" in t and "312" in t for t in changed), changed
    assert page.locator("#editions-view svg.series-chart circle").count() >= 2
    assert page.locator("#editions-view .diff-fell").count() >= 1
    assert page.locator("#editions-view svg .series-fell").count() >= 1
    context.close()
    assert not errors, errors
