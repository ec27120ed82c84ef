"""The review page orders its queue by the confidence refitted on the deployment's own
decisions, and the fact panel shows both numbers: once reviewers have rejected 50 facts
of one extractor, that extractor's remaining facts come first, as in the API's queue order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from service.quality.refit import MIN_DECIDED
from tests.browser.conftest import new_tab
from tests.browser.live import LiveService, start_service
from tests.browser.test_review_page import sign_in, visible_ids
from tests.conftest import PROJECT_CORPUS

pytestmark = pytest.mark.browser
DECKS = ("status-deck-2025-08.pdf", "status-deck-2025-10.pdf")  # the newest is the one the page opens


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveService, str]]:
    """A service of its own with both decks, where reviewers rejected MIN_DECIDED facts of the
    extractor with the most facts (the older deck's first); yields it and that extractor."""
    live = start_service(tmp_path_factory.mktemp("refit"), PROJECT_CORPUS / DECKS[0])
    try:
        first = live.report_id
        pdf = PROJECT_CORPUS / DECKS[1]
        with live.client("operator") as c, open(pdf, "rb") as fh:
            live.report_id = c.post("/api/v1/reports", files={"file": (pdf.name, fh, "application/pdf")}).json()["id"]
        for _ in range(600):
            if live.get(f"/api/v1/reports/{live.report_id}")["status"] == "done":
                break
            time.sleep(0.2)
        facts = [f for rid in (first, live.report_id)
                 for f in live.get("/api/v1/extractions", report_id=rid, limit=1000)["items"]]
        extractor = max({f["extractor"] for f in facts}, key=lambda e: sum(f["extractor"] == e for f in facts))
        targets = [f for f in facts if f["extractor"] == extractor][:MIN_DECIDED]
        assert len(targets) == MIN_DECIDED and any(f["report_id"] == first for f in targets)
        response = live.post("/api/v1/extractions/review", {"items": [
            {"id": f["id"], "action": "reject", "version": f["version"]} for f in targets]})
        assert response.status_code == 200, response.text
        live.get("/api/v1/quality")  # brings the refit up to date now (the list route looks every 10 s)
        yield live, extractor
    finally:
        live.stop()


def test_the_queue_puts_a_rejected_extractor_first_and_the_panel_shows_both_confidences(
        browser: Any, rejected: tuple[LiveService, str]) -> None:
    live, extractor = rejected
    api = live.get("/api/v1/extractions", report_id=live.report_id, status="pending", order="queue", limit=1000)["items"]
    assert api[0]["extractor"] == extractor and api[0]["refitted_confidence"] < 0.2 < api[0]["confidence"]
    with new_tab(browser) as page:
        sign_in(page, live)
        shown = visible_ids(page)
        assert shown == [f["id"] for f in api]  # the page's queue is the API's queue order
        assert page.locator("#fact-extractor").inner_text() != ""
        assert page.locator("#fact-confidence").inner_text() == f"{round(api[0]['confidence'] * 100)}%"
        assert page.locator("#fact-refitted").inner_text() == f"{round(api[0]['refitted_confidence'] * 100)}%"
        others = next(f for f in api if f["refitted_confidence"] is None)
        page.locator(f"#q-{others['id']}").click()
        page.wait_for_selector(f"#q-{others['id']}[aria-selected='true']")
        assert page.locator("#fact-refitted").inner_text().startswith("—")
