"""A scanned report through the real service: uploaded as images only, read by OCR in
the worker's child process, reviewed in headless Chromium. The highlight must sit on
the scanned words (placed from the fact's bbox, which overlaps the box the deck's text
layer gives the same fact) and the reviewer must see that the fact came from OCR.

Its own service (tests/browser/live.py), so the other browser tests keep their queue.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import new_tab
from tests.browser.live import LiveService, start_service
from tests.conftest import PROJECT_CORPUS
from extractor.pipeline import extract_pdf
from tests.rasterise import iou, rasterise

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("tesseract") is None,
                                 reason="Tesseract is not installed (tesseract-ocr tesseract-ocr-por)")]
DECK = PROJECT_CORPUS / "status-deck-2025-10.pdf"
DECK_PAGES = [1, 3, 5]  # cover, two initiatives: a short scan keeps OCR to seconds


@pytest.fixture(scope="module")
def scanned_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    tmp = tmp_path_factory.mktemp("scan-live")
    pdf = rasterise(DECK, tmp / "digitalizado.pdf", pages=DECK_PAGES)
    service = start_service(tmp, pdf)
    yield service
    service.stop()


@pytest.fixture
def scan_page(browser: Any, scanned_live: LiveService) -> Iterator[Any]:
    with new_tab(browser) as tab:
        yield tab


def test_ocr_fact_highlight_sits_on_the_scanned_word(scan_page: Any, scanned_live: LiveService) -> None:
    live, page = scanned_live, scan_page
    facts = live.extractions()
    assert facts and all(f["extractor"].endswith(".ocr") for f in facts)
    report = live.get(f"/api/v1/reports/{live.report_id}")
    assert report["status"] == "done"

    page.goto(f"{live.base_url}/review")
    page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#page-image[src^='blob:']")
    page.locator("#queue-list").focus()
    # a count the deck's text layer also gives (OCR may add one: "2ª via" read as "22 via")
    printed = {(DECK_PAGES.index(e.page) + 1, e.kind, e.value): e.bbox
               for it in extract_pdf(DECK).initiatives for e in it.extractions
               if e.page in DECK_PAGES and e.kind == "count"}
    fact = next(f for f in facts if f["kind"] == "count"
                and (f["page"], f["kind"], f["value"]) in printed)
    page.locator(f"#q-{fact['id']}").click()
    page.wait_for_selector(f"#q-{fact['id']}[aria-selected='true']")
    page.wait_for_selector("#page-mark:not([hidden])")
    # the reviewer is told the text came from OCR, in the extractor's pt-BR label
    page.wait_for_selector("#fact-extractor:has-text('texto lido por OCR')")

    source = live.get(f"/api/v1/extractions/{fact['id']}/source")
    width, height = source["page_width"], source["page_height"]  # the scan's page, in points
    assert (round(width), round(height)) == (960, 540)
    x0, top, x1, bottom = fact["bbox"]
    page.wait_for_timeout(300)  # the viewer scrolls the mark into view
    image = page.locator("#page-image").bounding_box()
    mark = page.locator("#page-mark").bounding_box()
    pad = 2.0  # the viewer draws PAD_PT outside the bbox
    expected = {"x": image["x"] + (x0 - pad) / width * image["width"],
                "y": image["y"] + (top - pad) / height * image["height"],
                "width": (x1 - x0 + 2 * pad) / width * image["width"],
                "height": (bottom - top + 2 * pad) / height * image["height"]}
    for key, value in expected.items():
        assert mark[key] == pytest.approx(value, abs=2.0), (key, mark, expected)
    # ... and that box is where the deck's text layer printed the same words
    original = printed[(fact["page"], fact["kind"], fact["value"])]
    assert iou(original, fact["bbox"]) >= 0.6, (fact, original)
