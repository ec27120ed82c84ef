"""Deciding facts on the review page: editors, undo, keys, bulk conflicts, pt-BR messages,
the API docs offline, axe. Each test drives the review page as a reviewer would (the
steps), then checks through the API what was (or was not) saved."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT
from tests.browser.actions import decide, ready
from tests.browser.live import LiveService
from tests.browser.test_review_page import current_id, filter_by, sign_in, visible_ids, wait_status

pytestmark = pytest.mark.browser


def unreviewed(live: LiveService, kind: str) -> list[dict[str, Any]]:
    """Pending facts of `kind` that no earlier test touched (version 1), queue order."""
    facts = [f for f in live.extractions(status="pending", kind=kind) if f["version"] == 1]
    return sorted(facts, key=lambda f: (f["confidence"], f["id"]))


def open_fact(page: Any, ext_id: int) -> None:
    page.locator(f"#q-{ext_id}").click()
    page.wait_for_selector(f"#q-{ext_id}[aria-selected='true']")
    page.locator("#queue-list").focus()


def edit_first_unreviewed(page: Any, live: LiveService, kind: str) -> dict[str, Any]:
    """Sign in, show `kind`, open the first fact no test touched yet and press `e`."""
    fact = unreviewed(live, kind)[0]
    sign_in(page, live)
    filter_by(page, kind=kind)
    open_fact(page, fact["id"])
    page.keyboard.press("e")
    return fact


def test_municipality_editor_never_saves_a_poor_match(page: Any, live: LiveService) -> None:
    facts = unreviewed(live, "municipality")
    assert facts, "the corpus report should have a pending municipality"
    sign_in(page, live)
    filter_by(page, kind="municipality")
    fact = facts[0]
    open_fact(page, fact["id"])
    page.keyboard.press("e")
    muni = page.get_by_label("Município", exact=True)
    for typed, listed in (("xyzxyz", None), ("Belo", "Belo Oriente – MG"), ("sete lagoa", "Sete Lagoas – MG")):
        muni.fill(typed)  # nothing named exactly: listed, never pre-selected, Enter saves nothing
        page.wait_for_selector(f"#muni-options li:has-text('{listed}')" if listed else "#muni-options li")
        assert page.locator("#muni-options li[aria-selected='true']").count() == 0
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#editor-error:has-text('“{typed}” não é o nome exato de um só município')")
        assert "Nada foi salvo" in page.locator("#editor-error").inner_text()
    after = live.extraction(fact["id"])
    assert (after["status"], after["version"], after["value"]) == ("pending", 1, fact["value"])
    assert live.get(f"/api/v1/extractions/{fact['id']}/history")["items"] == []

    muni.fill("sete lagoas")  # the exact name is pre-selected and Enter saves it
    page.wait_for_selector("#muni-options li[aria-selected='true']:has-text('Sete Lagoas – MG')")
    page.keyboard.press("Enter")
    wait_status(page, fact["id"], "corrected")
    after = live.extraction(fact["id"])
    assert (after["status"], after["value"], after["name"]) == ("corrected", "3167202", "Sete Lagoas")
    assert current_id(page) != fact["id"] or len(facts) == 1


def test_undo_of_a_correction_restores_the_value_before_it(page: Any, live: LiveService) -> None:
    fact = edit_first_unreviewed(page, live, "percentage")
    page.get_by_label("Novo valor").fill("99")
    page.wait_for_selector("#edit-parsed:has-text('99')")
    page.keyboard.press("Enter")
    wait_status(page, fact["id"], "corrected")
    assert live.extraction(fact["id"])["value"] == 99
    page.keyboard.press("u")
    wait_status(page, fact["id"], "pending")
    after = live.extraction(fact["id"])
    assert (after["status"], after["value"], after["qualifier"], after["version"]) == (
        "pending", fact["value"], fact["qualifier"], 3)
    history = live.get(f"/api/v1/extractions/{fact['id']}/history")["items"]
    assert [(e["action"], e["after"]["value"]) for e in history] == [("correct", 99), ("revert", fact["value"])]
    assert current_id(page) == fact["id"]
    ready(page)
    page.keyboard.press("c")  # the next decision is on the original value, not 99
    wait_status(page, fact["id"], "confirmed")
    after = live.extraction(fact["id"])
    assert (after["status"], after["value"], after["version"]) == ("confirmed", fact["value"], 4)


def test_a_fact_shown_again_is_ready_only_when_a_key_will_be_taken(page: Any, live: LiveService) -> None:
    """Undo shows the fact twice (selected, then at its restored version): the first
    showing's 300 ms timer must not mark the second one ready early, or the key the
    reviewer presses on "ready" is dropped as "not seen yet"."""
    fact = unreviewed(live, "date")[0]
    sign_in(page, live)
    filter_by(page, kind="date")
    open_fact(page, fact["id"])
    decide(page, "c")
    wait_status(page, fact["id"], "confirmed")

    def slow_revert(route: Any) -> None:
        page.wait_for_timeout(200)  # the first showing completes and arms its timer meanwhile
        route.continue_()

    page.route(f"**/extractions/{fact['id']}/review", slow_revert)
    page.keyboard.press("u")
    wait_status(page, fact["id"], "pending")
    page.unroute(f"**/extractions/{fact['id']}/review")
    assert current_id(page) == fact["id"]
    ready(page)
    page.keyboard.press("c")  # at once: "ready" means the key is taken
    wait_status(page, fact["id"], "confirmed")
    assert "Veja o fato antes de decidir" not in page.locator("body").inner_text()
    after = live.extraction(fact["id"])
    assert (after["status"], after["version"]) == ("confirmed", 4)


def test_next_fact_shows_loading_and_a_key_pressed_before_it_is_dropped(page: Any, live: LiveService) -> None:
    queue = sorted(live.extractions(status="pending", kind="count"), key=lambda f: (f["confidence"], f["id"]))
    first, second = queue[0], queue[1]
    events: list[str] = []

    def slow(route: Any) -> None:
        page.wait_for_timeout(800)
        events.append("answered")
        route.continue_()

    page.route(f"**/pages/*.png?highlight={second['id']}", slow)
    page.route(f"**/extractions/{second['id']}/source", slow)
    page.on("request", lambda r: events.append("review") if r.method == "POST" and r.url.endswith("/review") else None)
    sign_in(page, live)
    filter_by(page, kind="count")
    assert current_id(page) == first["id"]
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    page.wait_for_selector("#fact-sentence mark")
    page.locator("#queue-list").focus()
    page.keyboard.press("j")
    page.keyboard.press("c")  # pressed while the second fact's evidence is on its way: not seen, dropped
    page.wait_for_selector("#page-scroll[aria-busy='true']")
    assert "carregando" in page.locator("#page-label").inner_text()
    assert page.locator("#page-frame.stale").count() == 1
    assert "Carregando" in page.locator("#fact-sentence").inner_text()
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    page.wait_for_timeout(500)
    assert live.extraction(second["id"])["status"] == "pending"
    decide(page, "c")  # once it is on screen
    wait_status(page, second["id"], "confirmed")
    assert live.extraction(first["id"])["status"] == "pending"
    assert live.extraction(second["id"])["status"] == "confirmed"
    assert events == ["answered", "answered", "review"], "the confirm went out before the fact was shown"


def visible_after(page: Any, ext_id: int) -> int:
    ids = [int(x) for x in page.locator("#queue-list li").evaluate_all("els => els.map(e => e.dataset.id)")]
    return ids[ids.index(ext_id) + 1]


def test_keys_go_back_to_the_queue_after_filters_and_bulk_selection(page: Any, live: LiveService) -> None:
    sign_in(page, live)
    page.locator("#filter-kind").click()  # the mouse opens the select ...
    page.select_option("#filter-kind", "period")  # ... and picks an option
    page.wait_for_function("() => document.activeElement.id === 'queue-list'")
    first = current_id(page)
    ready(page)
    page.keyboard.press("c")
    wait_status(page, first, "confirmed")
    assert page.locator("#filter-kind").input_value() == "period"
    assert live.extraction(first)["status"] == "confirmed"

    page.get_by_label("Selecionar visíveis").click()
    page.wait_for_function("() => document.activeElement.id === 'queue-list'")
    assert page.get_by_label("Selecionar visíveis").is_checked()
    before = current_id(page)
    page.keyboard.press("j")
    page.wait_for_function(f"() => document.querySelector('#queue-list li[aria-selected=true]').dataset.id != '{before}'")
    moved = current_id(page)
    ready(page)
    page.keyboard.press("c")
    wait_status(page, moved, "confirmed")
    assert live.extraction(moved)["status"] == "confirmed"
    assert live.extraction(before)["status"] == "pending"

    page.locator("#filter-status").focus()  # from the keyboard: Enter goes back to the queue
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'queue-list'")


def test_end_of_queue_is_done_and_offers_the_next_report(browser: Any, two_editions: LiveService) -> None:
    live = two_editions  # October deck (opened first), August deck
    context = browser.new_context(viewport=VIEWPORT, locale="pt-BR")
    page = context.new_page()
    try:
        sign_in(page, live)
        filter_by(page, kind="money")
        queue = [int(x) for x in page.locator("#queue-list li").evaluate_all("els => els.map(e => e.dataset.id)")]
        assert queue
        for _ in queue:
            decide(page, "c")
        for _ in range(2):  # two presses more than there are facts: nothing to decide
            page.keyboard.press("c")
        page.wait_for_selector("#queue-done:has-text('Fila concluída')")
        for ext_id in queue:
            fact = live.extraction(ext_id)
            assert (fact["status"], fact["version"]) == ("confirmed", 2), fact
            assert [e["action"] for e in live.get(f"/api/v1/extractions/{ext_id}/history")["items"]] == ["confirm"]
        assert page.locator("#queue-list li[aria-selected='true']").count() == 0
        other = next(r for r in live.get("/api/v1/reports")["items"] if r["id"] != live.report_id)
        button = page.get_by_role("button", name=re.compile("Abrir o próximo relatório"))
        assert other["filename"] in button.inner_text()
        page.keyboard.press("k")  # back to the last fact, then past it again
        page.wait_for_selector(f"#q-{queue[-1]}[aria-selected='true']")
        ready(page)
        page.keyboard.press("x")
        wait_status(page, queue[-1], "rejected")
        page.wait_for_selector("#queue-done:not([hidden])")
        assert live.extraction(queue[-1])["version"] == 3
        button.click()
        page.wait_for_function(f"() => document.getElementById('report-select').value === '{other['id']}'")
        page.wait_for_selector("#queue-list li[aria-selected='true']")
        assert page.locator("#queue-done").is_hidden()
    finally:
        context.close()


def test_bulk_conflict_names_the_fact_and_refreshes_the_list(page: Any, live: LiveService) -> None:
    facts = unreviewed(live, "money")
    assert len(facts) >= 2
    sign_in(page, live)
    filter_by(page, kind="money")
    ids = {f["id"] for f in facts}
    assert ids <= set(visible_ids(page))
    taken = facts[-1]
    by_other = live.post(f"/api/v1/extractions/{taken['id']}/review", {"action": "reject", "version": 1}, who="other")
    assert by_other.status_code == 200, by_other.text
    page.get_by_label("Selecionar visíveis").check()
    n = len(visible_ids(page))
    page.get_by_role("button", name=f"Confirmar os {n} fatos selecionados").click()
    page.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
    banner = page.locator("#banner")
    banner.locator(f"text=“{taken['text']}”").wait_for()
    text = banner.inner_text()
    assert "Nenhum fato do lote foi confirmado" in text and "rejeitado por other" in text
    assert f"Confirmar ({n - 1})" in text
    wait_status(page, taken["id"], "rejected")  # the list shows the new state
    assert all(live.extraction(f["id"])["status"] == "pending" for f in facts if f["id"] != taken["id"])
    page.get_by_role("button", name=f"Confirmar os {n - 1} fatos selecionados").click()  # the way out it names
    page.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
    for f in facts:
        if f["id"] != taken["id"]:
            wait_status(page, f["id"], "confirmed")
    after = {f["id"]: live.extraction(f["id"]) for f in facts}
    assert after[taken["id"]]["status"] == "rejected" and after[taken["id"]]["reviewed_by"] == "other"
    assert all(a["status"] == "confirmed" and a["version"] == 2 for i, a in after.items() if i != taken["id"])


ENGLISH = re.compile(r"Failed to fetch|Internal Server Error|Too Many|too many|\(target\)|\(at_least\)|rules\.|ner\.|"
                     r"como este tipo|extraction \d|could not", re.IGNORECASE)


def test_messages_labels_and_errors_are_in_portuguese(page: Any, live: LiveService) -> None:
    def too_many(route: Any) -> None:
        route.fulfill(status=429, headers={"Retry-After": "30"}, content_type="application/json",
                      body='{"detail": "too many failed authentications from this address; try again in 30 s"}')

    page.route("**/api/v1/extractions?limit=1", too_many)
    page.goto(f"{live.base_url}/review")
    page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#signin-error:has-text('tente de novo em 30 s')")
    assert not ENGLISH.search(page.locator("#signin-error").inner_text())
    page.unroute("**/api/v1/extractions?limit=1")

    sign_in(page, live)
    filter_by(page, kind="count")
    fact = live.extraction(current_id(page))
    extractor = page.locator("#fact-extractor").inner_text()
    assert extractor == "regras de texto (contagem)" and fact["extractor"] == "rules.count"
    page.route("**/api/v1/extractions/*/review", lambda route: route.abort())
    ready(page)
    page.keyboard.press("c")
    page.wait_for_selector("#banner:has-text('Sem conexão com o serviço relato')")
    page.route("**/api/v1/extractions/*/review", lambda route: route.fulfill(
        status=500, content_type="text/plain", body="Internal Server Error"))
    ready(page)
    page.wait_for_timeout(300)  # a second press, not the same burst (debounced)
    page.keyboard.press("x")
    page.wait_for_selector("#banner:has-text('Erro interno do serviço (500)')")
    assert not ENGLISH.search(page.locator("#banner").inner_text())
    after = live.extraction(fact["id"])
    assert (after["status"], after["version"]) == (fact["status"], fact["version"])
    page.unroute("**/api/v1/extractions/*/review")

    page.keyboard.press("e")
    page.get_by_label("Novo valor").fill("muitos")
    page.wait_for_selector("#edit-parsed:has-text('Não entendi “muitos” como contagem')")
    page.keyboard.press("Escape")

    labels = page.evaluate("""async () => {
        const { seriesChart } = await import('/review/assets/series.js');
        const counts = ['target', 'at_least'].map((q) => ({ unit: 'escolas', qualifier: q,
            points: [{ status_date: '2025-10', value: 5 }] }));
        return seriesChart({ editions: [{ status_date: '2025-10' }], counts }).textContent;
    }""")
    assert "(meta)" in labels and "(pelo menos)" in labels and not ENGLISH.search(labels)
    body = page.locator("body").inner_text()
    assert not ENGLISH.search(body), ENGLISH.search(body)


def test_percentage_above_100_is_refused_and_marked_invalid(page: Any, live: LiveService) -> None:
    fact = edit_first_unreviewed(page, live, "percentage")
    value = page.get_by_label("Novo valor")
    value.fill("150")
    page.wait_for_selector("#edit-text[aria-invalid='true']")
    assert "de 0 a 100" in page.locator("#edit-parsed").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#editor-error:has-text('Nada foi salvo')")
    after = live.extraction(fact["id"])
    assert (after["status"], after["version"], after["value"]) == ("pending", 1, fact["value"])
    refused = live.post(f"/api/v1/extractions/{fact['id']}/review",
                        {"action": "correct", "value": 150, "version": 1})  # the server says no as well
    assert refused.status_code == 422 and "between 0 and 100" in refused.json()["detail"]
    value.fill("68,5")
    page.wait_for_selector("#edit-text[aria-invalid='false']")
    page.keyboard.press("Enter")
    wait_status(page, fact["id"], "corrected")
    assert live.extraction(fact["id"])["value"] == 68.5


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "redoc-wrap, .api-info")])
def test_api_docs_load_with_no_internet(page: Any, live: LiveService, path: str, ready: str) -> None:
    outside: list[str] = []

    def offline(route: Any) -> None:  # nothing may be asked from another host (ReDoc's badge image neither)
        outside.append(route.request.url)
        route.abort("internetdisconnected")

    page.route(re.compile(r"^(?!" + re.escape(live.base_url) + r"/).*"), offline)
    console: list[str] = []  # a request the page's policy refused is logged there, never routed
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith(live.base_url) else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    response = page.goto(f"{live.base_url}{path}")
    assert response.status == 200
    html = response.text()
    assert not re.search(r"""(src|href)=["']https?://""", html), "the page references assets on other hosts"
    page.wait_for_selector(ready)
    assert "relato" in page.locator("body").inner_text()
    assert "Redocly" not in page.locator("body").inner_text()  # the CDN badge is not drawn either
    assert outside == [] and failed == []
    assert not [m for m in console if "http" in m and live.base_url not in m], console


def axe_violations(page: Any) -> list[tuple[str, str, int]]:
    """axe-core (the copy axe-playwright-python ships) on the page as it is: serious issues,
    and any landmark one (the sign-in page had no `main`)."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], len(v["nodes"])) for v in found
            if v["impact"] in ("serious", "critical") or v["id"].startswith("landmark")]


def test_axe_finds_no_serious_issue_and_marking_for_bulk_still_works(page: Any, live: LiveService) -> None:
    page.goto(f"{live.base_url}/review")
    page.wait_for_selector("#token-input")
    assert axe_violations(page) == []
    assert page.get_by_role("main").count() == 1
    sign_in(page, live)
    filter_by(page, kind="date")
    page.wait_for_selector("#fact-sentence mark")
    assert axe_violations(page) == []
    fact = unreviewed(live, "date")[-1]
    option = page.locator(f"#q-{fact['id']}")
    assert option.get_attribute("aria-checked") == "false"
    option.locator(".q-check").click()  # the drawn box marks the fact without opening it
    assert option.get_attribute("aria-checked") == "true"
    page.keyboard.press("e")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Confirmar o fato selecionado").click()
    page.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
    wait_status(page, fact["id"], "confirmed")
    after = live.extraction(fact["id"])
    assert (after["status"], after["version"]) == ("confirmed", 2)


def test_no_error_requests_own_tab_named_and_initiative_in_rows(page: Any, live: LiveService) -> None:
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    sign_in(page, live)  # the live service holds one report: a first edition
    filter_by(page, kind="count")
    page.wait_for_selector("#editions-view .series-empty, #editions-view svg, #editions-view p")
    page.keyboard.press("j")
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    page.keyboard.press("e")
    page.get_by_label("Novo valor").fill("xyz")  # unreadable keystrokes: answered, not refused
    page.wait_for_selector("#edit-parsed:has-text('Não entendi “xyz” como contagem')")
    page.keyboard.press("Escape")
    assert errors == [], errors

    rows = {f["id"]: f for f in live.extractions(status="pending", kind="count")}
    first = current_id(page)
    assert rows[first]["initiative"]["title"] in page.locator(f"#q-{first} .q-initiative").inner_text()
    ready(page)
    page.keyboard.press("c")
    wait_status(page, first, "confirmed")
    second = current_id(page)
    assert second != first
    seen = live.extraction(second)
    mine = live.post(f"/api/v1/extractions/{second}/review", {"action": "confirm", "version": seen["version"]})
    assert mine.status_code == 200  # the same reviewer, from another tab
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    ready(page)
    page.keyboard.press("x")
    page.wait_for_selector("#banner:has-text('Você mesmo alterou este fato em outra aba ou janela')")
    assert "Outra pessoa" not in page.locator("#banner").inner_text()
    after = live.extraction(second)
    assert (after["status"], after["reviewed_by"], after["version"]) == ("confirmed", "reviewer", seen["version"] + 1)
    assert [e for e in errors if not e.startswith("409 ")] == []


def test_at_1024x768_the_page_image_and_actions_are_on_screen(page: Any, live: LiveService) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live)
    page.locator(".filters summary").click()  # folded on a narrow screen
    filter_by(page, kind="count")
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    image = page.locator("#page-image").bounding_box()
    assert image is not None and image["y"] < 200, image
    assert image["x"] + 200 < 1024
    confirm = page.get_by_role("button", name=re.compile("^Confirmar c"))
    box = confirm.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    fact = current_id(page)
    ready(page)
    confirm.click()
    wait_status(page, fact, "confirmed")
    assert live.extraction(fact)["status"] == "confirmed"


def test_reload_keeps_report_filters_position_and_undo(page: Any, live: LiveService) -> None:
    sign_in(page, live)
    filter_by(page, kind="period", status="")
    page.locator("#queue-list").focus()
    page.keyboard.press("j")
    page.keyboard.press("j")
    target = current_id(page)
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    before = live.extraction(target)
    ready(page)
    page.keyboard.press("x")
    wait_status(page, target, "rejected")
    position = current_id(page)
    assert "kind=period" in page.url and f"fact={position}" in page.url and live.tokens["reviewer"] not in page.url
    page.reload()
    page.wait_for_selector("#page-image[src^='blob:']")
    assert page.locator("#filter-kind").input_value() == "period"
    assert page.locator("#filter-status").input_value() == ""
    page.wait_for_selector(f"#q-{position}[aria-selected='true']")
    page.locator("#queue-list").focus()
    page.keyboard.press("u")  # the undo stack survived the reload
    wait_status(page, target, before["status"])
    after = live.extraction(target)
    assert (after["status"], after["value"], after["version"]) == (before["status"], before["value"], before["version"] + 2)


def test_progress_position_and_per_report_bar(page: Any, live: LiveService) -> None:
    sign_in(page, live)
    filter_by(page, kind="count")
    visible = visible_ids(page)
    assert len(visible) == len(live.extractions(status="pending", kind="count"))
    page.wait_for_selector(f"#fact-position:text-is('fato 1 de {len(visible)}')")
    page.locator("#queue-list").focus()
    page.keyboard.press("j")
    page.wait_for_selector(f"#fact-position:text-is('fato 2 de {len(visible)}')")
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    ready(page)
    page.keyboard.press("c")
    wait_status(page, visible[1], "confirmed")
    page.wait_for_selector(f"#fact-position:text-is('fato 3 de {len(visible)}')")
    counts = live.get(f"/api/v1/reports/{live.report_id}")["counts"]
    total, reviewed = sum(counts.values()), sum(counts.values()) - counts["pending"]
    page.wait_for_selector(f"#report-progress-text:has-text('{reviewed} de {total} revisados')")
    assert page.locator("#report-progress").evaluate("p => [p.value, p.max]") == [reviewed, total]
