"""A scanned report through the real service: uploaded as images only, read by OCR in
the worker's child process, reviewed in headless Chromium. The highlight must sit on
the scanned words and the reviewer must see that the fact came from OCR.

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
from tests.rasterise import rasterise

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("tesseract") is None,
                                 reason="Tesseract is not installed (tesseract-ocr tesseract-ocr-por)")]
DECK_PAGES = [1, 3, 5]  # cover, two initiatives: a short scan keeps OCR to seconds


@pytest.fixture(scope="module")
def scanned_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    tmp = tmp_path_factory.mktemp("scan-live")
    pdf = rasterise(PROJECT_CORPUS / "status-deck-2025-10.pdf", tmp / "digitalizado.pdf",
                    pages=DECK_PAGES)
    service = start_service(tmp, pdf)
    yield service
    service.stop()


@pytest.fixture
def scan_page(browser: Any, scanned_live: LiveService) -> Iterator[Any]:
    with new_tab(browser) as tab:
        yield tab


# The share of dark pixels of the page image inside a box given in fractions of it:
# ink under the highlight means it sits on the scanned words.
INK = """([x0, y0, x1, y1]) => {
  const img = document.querySelector('#page-image');
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const X0 = Math.floor(x0 * c.width), Y0 = Math.floor(y0 * c.height);
  const W = Math.max(1, Math.ceil((x1 - x0) * c.width)), H = Math.max(1, Math.ceil((y1 - y0) * c.height));
  const d = g.getImageData(X0, Y0, W, H).data;
  let dark = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] < 110 && d[i + 1] < 110 && d[i + 2] < 110) dark++;
  return dark / (W * H);
}"""


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
    counts = [f for f in facts if f["kind"] == "count"]
    assert counts, facts
    fact = counts[0]
    page.locator(f"#q-{fact['id']}").click()
    page.wait_for_selector(f"#q-{fact['id']}[aria-selected='true']")
    page.wait_for_selector("#page-mark:not([hidden])")
    # the reviewer is told the text came from OCR: the extractor's name is shown
    page.wait_for_selector(f"#fact-extractor:has-text('{fact['extractor']}')")
    assert page.locator("#fact-extractor").inner_text().strip().endswith(".ocr")

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
    # ... and on the scan, the box is on ink, while the page as a whole is mostly paper
    on_word = page.evaluate(INK, [x0 / width, top / height, x1 / width, bottom / height])
    whole = page.evaluate(INK, [0, 0, 1, 1])
    assert on_word > 0.12 and on_word > 2.5 * whole, (on_word, whole, fact)
