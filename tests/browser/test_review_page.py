"""The review page in headless Chromium against a real service: sign in, keyboard
review, typed editors, bulk confirm, conflicts. After each scenario the API must
show what the page showed."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.actions import decide, ready
from tests.browser.live import LiveService

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
DOCS_SCREENSHOT = ROOT / "docs" / "review-page.png"  # the README's picture, rewritten only on request
UPDATE_DOCS = "RELATO_UPDATE_SCREENSHOT"


def sign_in(page: Any, live: LiveService, who: str = "reviewer") -> None:
    page.goto(f"{live.base_url}/review")
    page.get_by_label("Token de revisor").fill(live.tokens[who])
    page.keyboard.press("Enter")
    page.wait_for_selector("#page-image[src^='blob:']")
    page.locator("#queue-list").focus()
    ready(page)  # a decision key counts once the fact has been on screen for a moment


def current_id(page: Any) -> int:
    return int(page.locator("#queue-list li[aria-selected='true']").get_attribute("data-id"))


def visible_ids(page: Any) -> list[int]:
    return [int(x) for x in page.locator("#queue-list li").evaluate_all("els => els.map(e => e.dataset.id)")]


def wait_status(page: Any, ext_id: int, status: str) -> None:
    page.wait_for_selector(f"#q-{ext_id}.status-{status}")


def filter_by(page: Any, **choices: str) -> None:
    labels = {"kind": "#filter-kind", "status": "#filter-status", "area": "#filter-area", "initiative": "#filter-initiative"}
    for name, value in choices.items():
        page.select_option(labels[name], value)


def test_sign_in_review_three_by_keyboard_and_undo(page: Any, live: LiveService, tmp_path: Path) -> None:
    page.goto(f"{live.base_url}/review")
    page.get_by_label("Token de revisor").fill("rlt_not-a-token")
    page.keyboard.press("Enter")
    page.wait_for_selector("#signin-error:has-text('Token desconhecido')")
    page.get_by_label("Token de revisor").fill(live.tokens["operator"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#signin-error:has-text('não é de revisor')")
    sign_in(page, live)
    assert live.tokens["reviewer"] not in page.url
    assert page.evaluate("sessionStorage.getItem('relato.reviewToken')") == live.tokens["reviewer"]
    confidences = [f["confidence"] for f in live.extractions(status="pending")]
    assert page.locator("#queue-list li").count() == len(confidences)
    first = visible_ids(page)[:3]
    assert live.extraction(first[0])["confidence"] == min(confidences), "lowest confidence first"
    page.wait_for_selector("#fact-sentence mark")
    # into pytest's temp folder, so `make test` leaves the checkout clean; with
    # RELATO_UPDATE_SCREENSHOT=1 it replaces the README's docs/review-page.png
    shot = DOCS_SCREENSHOT if os.environ.get(UPDATE_DOCS) == "1" else tmp_path / "review-page.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    for key in ("c", "x", "Enter"):  # each once its fact is on screen
        decide(page, key)
    for ext_id, status in zip(first, ("confirmed", "rejected", "confirmed")):
        wait_status(page, ext_id, status)
    api = {i: live.extraction(i) for i in first}
    assert [api[i]["status"] for i in first] == ["confirmed", "rejected", "confirmed"]
    assert all(api[i]["version"] == 2 and api[i]["reviewed_by"] == "reviewer" for i in first)

    page.keyboard.press("k")  # back to the third, change our mind, then undo that
    page.wait_for_selector(f"#q-{first[2]}[aria-selected='true']")
    decide(page, "x")
    wait_status(page, first[2], "rejected")
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("u")
    wait_status(page, first[2], "confirmed")
    after = live.extraction(first[2])
    assert (after["status"], after["version"]) == ("confirmed", 4)
    history = live.get(f"/api/v1/extractions/{first[2]}/history")["items"]
    assert [e["action"] for e in history] == ["confirm", "reject", "revert"]
    assert history[-1]["after"]["version"] == 4 and history[-1]["after"]["status"] == "confirmed"
    page.wait_for_selector("#history-list li:has-text('desfazer')")

    page.keyboard.press("u")  # undo the first decision too: the fact was pending, so it is pending again
    wait_status(page, first[2], "pending")
    after = live.extraction(first[2])
    assert (after["status"], after["version"], after["value"]) == ("pending", 5, api[first[2]]["value"])
    history = live.get(f"/api/v1/extractions/{first[2]}/history")["items"]
    assert [e["action"] for e in history] == ["confirm", "reject", "revert", "revert"]
    assert history[-1]["note"] == "desfazer (tecla u)"
    page.wait_for_selector("#history-list li:has-text('desfez')")


def test_correct_date_and_municipality_with_editors(page: Any, live: LiveService) -> None:
    sign_in(page, live)
    filter_by(page, kind="date")
    date_id = current_id(page)
    page.keyboard.press("e")
    page.get_by_label("Novo valor").fill("nov/19")
    page.wait_for_selector("#edit-parsed:has-text('2019-11')")
    page.keyboard.press("Enter")
    wait_status(page, date_id, "corrected")
    fact = live.extraction(date_id)
    assert (fact["status"], fact["value"]) == ("corrected", "2019-11")
    page.locator(f"#q-{date_id}").click()
    page.wait_for_selector("#history-list li:has-text('corrigiu')")
    assert "2019-11" in page.locator("#history-list").inner_text()

    filter_by(page, kind="municipality")
    muni_id = current_id(page)
    page.keyboard.press("e")
    page.get_by_label("Município", exact=True).fill("sao joao del rei")
    page.wait_for_selector("#muni-options li[aria-selected='true']:has-text('São João del Rei – MG')")
    page.keyboard.press("Enter")  # picks the highlighted (exact) option and saves
    wait_status(page, muni_id, "corrected")
    fact = live.extraction(muni_id)
    assert (fact["status"], fact["value"], fact["name"]) == ("corrected", "3162500", "São João del Rei")


def area_key(fact: dict[str, Any]) -> str:
    area = fact["initiative"]["area"]
    return f"{area['number']}|{area['name']}" if area else "-"


def test_bulk_confirm_a_filtered_set(page: Any, live: LiveService) -> None:
    pending = live.extractions(status="pending", kind="count")
    by_area: dict[str, set[int]] = {}
    for fact in pending:
        by_area.setdefault(area_key(fact), set()).add(fact["id"])
    area, expected = max(by_area.items(), key=lambda kv: len(kv[1]))
    assert len(expected) >= 2, "the corpus report should have an area with several pending counts"
    sign_in(page, live)
    filter_by(page, kind="count", area=area)
    assert set(visible_ids(page)) == expected
    page.get_by_label("Selecionar visíveis").check()
    page.get_by_role("button", name=f"Confirmar os {len(expected)} fatos selecionados").click()
    dialog = page.locator("#bulk-dialog")
    assert f"Confirmar {len(expected)} fatos de uma vez" in dialog.inner_text()
    dialog.get_by_role("button", name="Confirmar todos").click()
    for ext_id in expected:
        wait_status(page, ext_id, "confirmed")
    assert all(live.extraction(i)["status"] == "confirmed" for i in expected)
    untouched = [f for f in pending if f["id"] not in expected]
    assert all(live.extraction(f["id"])["status"] == "pending" for f in untouched)
    counts = live.get(f"/api/v1/reports/{live.report_id}")["counts"]
    page.wait_for_selector(f"#report-counts li.confirmed strong:text-is('{counts['confirmed']}')")


def test_stale_version_shows_conflict_and_changes_nothing(page: Any, live: LiveService) -> None:
    sign_in(page, live)
    ext_id = current_id(page)
    seen = live.extraction(ext_id)
    other = live.post(f"/api/v1/extractions/{ext_id}/review",
                      {"action": "confirm", "version": seen["version"]}, who="other")
    assert other.status_code == 200, other.text
    page.keyboard.press("x")
    page.wait_for_selector("#banner:has-text('Outra pessoa (other) alterou este fato — recarregue')")
    fact = live.extraction(ext_id)
    assert (fact["status"], fact["reviewed_by"], fact["version"]) == ("confirmed", "other", seen["version"] + 1)
    page.get_by_role("button", name="Recarregar fato").click()
    page.wait_for_selector("#banner", state="hidden")
    page.wait_for_selector("#history-list li:has-text('other')")
    assert "Confirmado" in page.locator("#fact-status").inner_text()


def test_narrow_window_and_labels(page: Any, live: LiveService) -> None:
    page.set_viewport_size({"width": 480, "height": 860})
    sign_in(page, live)
    assert page.evaluate("document.documentElement.scrollWidth") <= 480
    assert page.get_by_role("button", name=re.compile("^Confirmar c")).is_visible()
    unlabeled = page.evaluate("""[...document.querySelectorAll('select, input, button')]
        .filter(e => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !e.textContent.trim()).map(e => e.outerHTML)""")
    assert unlabeled == []
    page.keyboard.press("?")
    assert page.get_by_role("dialog", name="Atalhos de teclado").is_visible()
