"""The stored record is exactly what the reviewer meant: each scenario is done on the review
page the way a person does it, then the fact is read back through the API.

The classes of defect: a guess saved for a choice (municipality), a key that decides a fact
never seen (end of the queue, keys typed ahead, a double click, Enter twice), an editor that
starts from or falls back to something other than the current state (value, qualifier,
unit), and an undo that does not restore the exact earlier state."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.actions import decide, decisions, ready
from tests.browser.conftest import new_tab
from tests.browser.live import LiveService

pytestmark = pytest.mark.browser
STATE = ("status", "value", "unit", "qualifier")


@pytest.fixture
def tab(browser: Any, service: LiveService) -> Iterator[Any]:
    with new_tab(browser) as t:
        yield t


def facts_of(live: LiveService, report_id: int, **params: Any) -> list[dict[str, Any]]:
    return live.get("/api/v1/extractions", report_id=report_id, limit=1000, **params)["items"]  # type: ignore[no-any-return]


def pending(live: LiveService, kind: str, n: int = 1) -> list[dict[str, Any]]:
    facts = live.extractions(status="pending", kind=kind)
    if len(facts) < n:
        pytest.skip(f"the corpus deck has fewer than {n} pending {kind} facts left")
    return facts[:n]


def open_fact(page: Any, live: LiveService, fact: dict[str, Any], status: str = "") -> None:
    """The review page on `fact` (the URL names it), signed in, the fact on screen."""
    page.goto(f"{live.base_url}/review?report={fact['report_id']}&kind={fact['kind']}&status={status}&fact={fact['id']}")
    page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#q-{fact['id']}[aria-selected='true']")
    page.locator("#queue-list").focus()
    ready(page)


def state(fact: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(fact[f] for f in STATE)


def set_state(live: LiveService, fact_id: int, **body: Any) -> dict[str, Any]:
    version = live.extraction(fact_id)["version"]
    answer = live.post(f"/api/v1/extractions/{fact_id}/review", {"version": version, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(("typed", "stored"), [
    ("São Paulo", "3550308"),  # not Monsenhor Paulo (MG, a fuzzy 85.5)
    ("rio de janeiro", "3304557"),  # not Antônio Prado de Minas
    ("Belo", None),  # Belo Horizonte and Belo Oriente tie: the reviewer must pick
    ("Palmas", None),  # TO or PR (not Palma, MG)
    ("x" * 250, None),  # past the input's limit: no page error, nothing stored
])
def test_municipality_enter_takes_only_an_exact_unambiguous_name(
        tab: Any, service: LiveService, typed: str, stored: str | None) -> None:
    fact = pending(service, "municipality")[0]
    open_fact(tab, service, fact)
    tab.keyboard.press("e")
    tab.get_by_label("Município", exact=True).fill(typed)
    tab.keyboard.press("Enter")  # at once, before or after the list arrives
    if stored is None:
        tab.wait_for_selector("#editor-error:has-text('escolha um na lista')")
        assert len(tab.locator("#editor-error").inner_text()) < 200
        assert state(service.extraction(fact["id"])) == state(fact)
        tab.wait_for_selector("#muni-options li")  # the list to pick from, each with its state
        assert " – " in tab.locator("#muni-options li").first.inner_text()
        return
    tab.wait_for_selector(f"#q-{fact['id']}.status-corrected")
    assert service.extraction(fact["id"])["value"] == stored


def test_no_key_at_the_end_of_the_queue_opens_or_decides_another_report(tab: Any, service: LiveService) -> None:
    fact = pending(service, "percentage")[0]
    open_fact(tab, service, fact, status="pending")
    others = {f["id"]: state(f) for f in facts_of(service, service.second_report_id)}  # type: ignore[attr-defined]
    assert others and all(s[0] == "pending" for s in others.values())
    seen = len(tab.locator("#queue-list li").all())
    for _ in range(seen):
        decide(tab, "c")
    tab.wait_for_selector("#queue-done:not([hidden])")
    tab.wait_for_selector("#next-report:not([hidden])")
    for _ in range(7):
        tab.keyboard.press("Enter")
        tab.wait_for_timeout(60)
    tab.wait_for_timeout(500)
    assert f"report={service.report_id}" in tab.url
    assert {f["id"]: state(f) for f in facts_of(service, service.second_report_id)} == others  # type: ignore[attr-defined]


@pytest.mark.parametrize("how", ["keys typed ahead", "double click", "Enter twice in the editor"])
def test_a_fact_not_yet_on_screen_is_never_decided(tab: Any, service: LiveService, how: str) -> None:
    facts = pending(service, "count", 3)
    open_fact(tab, service, facts[0], status="pending")
    queue = [int(x) for x in tab.locator("#queue-list li").evaluate_all("els => els.map(e => e.dataset.id)")]
    before = {i: service.extraction(i)["version"] for i in queue}
    if how == "keys typed ahead":
        for _ in range(10):
            tab.keyboard.press("c")
            tab.wait_for_timeout(30)
    elif how == "double click":
        tab.locator("#act-confirm").dblclick()
    else:
        tab.keyboard.press("e")
        tab.get_by_label("Novo valor").fill("4.321")
        tab.wait_for_selector("#edit-parsed:has-text('4.321')")
        tab.keyboard.press("Enter")
        tab.keyboard.press("Enter")
    tab.wait_for_timeout(1500)
    changed = [i for i in queue if service.extraction(i)["version"] != before[i]]
    assert changed == [queue[0]], f"{how}: decided {changed}, meant only {queue[0]}"
    assert decisions(tab) == 1


def test_the_editor_starts_from_the_current_value_and_keeps_its_qualifier(tab: Any, service: LiveService) -> None:
    fact = pending(service, "count")[0]
    set_state(service, fact["id"], action="correct", value=13000, unit="servidores", qualifier="exact")
    open_fact(tab, service, fact)
    tab.keyboard.press("e")
    assert tab.get_by_label("Novo valor").input_value() == "13.000"
    assert tab.locator("#edit-qualifier").input_value() == "exact"
    tab.locator("#edit-unit").fill("servidores capacitados")  # only the unit changes
    tab.wait_for_selector("#edit-parsed:has-text('13.000 (exato)')")
    tab.locator("#editor button[type='submit']").click()
    tab.wait_for_selector("#editor", state="hidden")
    stored = service.extraction(fact["id"])
    assert state(stored) == ("corrected", 13000, "servidores capacitados", "exact")


def test_value_and_unit_typed_together_keep_the_qualifier(tab: Any, service: LiveService) -> None:
    fact = pending(service, "count")[0]
    set_state(service, fact["id"], action="correct", value=500000, unit="pessoas", qualifier="target")
    open_fact(tab, service, fact)
    tab.keyboard.press("e")
    tab.get_by_label("Novo valor").fill("600 mil pessoas")
    tab.wait_for_selector("#edit-parsed:has-text('600.000 (meta)')")
    tab.locator("#editor button[type='submit']").click()
    tab.wait_for_selector("#editor", state="hidden")
    assert state(service.extraction(fact["id"])) == ("corrected", 600000, "pessoas", "target")


def test_a_unit_typed_before_the_value_is_kept(tab: Any, service: LiveService) -> None:
    fact = pending(service, "count")[0]
    open_fact(tab, service, fact)
    tab.keyboard.press("e")
    tab.locator("#edit-unit").fill("escolas")
    tab.get_by_label("Novo valor").fill("1.500 alunos")
    tab.wait_for_selector("#edit-parsed:has-text('1.500')")
    tab.wait_for_timeout(300)
    assert tab.locator("#edit-unit").input_value() == "escolas"
    tab.locator("#editor button[type='submit']").click()
    tab.wait_for_selector("#editor", state="hidden")
    assert state(service.extraction(fact["id"]))[1:3] == (1500, "escolas")


def test_undo_restores_each_exact_earlier_state(tab: Any, service: LiveService) -> None:
    """A correction of a confirmed fact undone: confirmed again (fed as confirmed). Two
    corrections undone twice: back at the first, then at the original value, pending."""
    fact = pending(service, "count")[0]
    open_fact(tab, service, fact)
    states = [state(service.extraction(fact["id"]))]
    decide(tab, "c")
    tab.keyboard.press("k")
    tab.wait_for_selector(f"#q-{fact['id']}[aria-selected='true']")
    for typed in ("28 milhões", "27,1 milhões"):
        ready(tab)
        tab.keyboard.press("e")
        tab.get_by_label("Novo valor").fill(typed)
        tab.wait_for_selector("#edit-parsed:has-text('milh'), #edit-parsed:has-text('000')")
        before = decisions(tab)
        states.append(state(service.extraction(fact["id"])))
        tab.locator("#editor button[type='submit']").click()
        while decisions(tab) == before:
            tab.wait_for_timeout(25)
        tab.keyboard.press("k")
        tab.wait_for_selector(f"#q-{fact['id']}[aria-selected='true']")
    assert state(service.extraction(fact["id"]))[:2] == ("corrected", 27100000)
    for expected in reversed(states):  # undo three times: each earlier state, exactly
        before = decisions(tab)
        tab.keyboard.press("u")
        while decisions(tab) == before:
            tab.wait_for_timeout(25)
        assert state(service.extraction(fact["id"])) == expected
    fed = [r for r in service.get("/api/v1/records", limit=1000)["items"] if r["extraction_id"] == fact["id"]]
    assert fed[-1]["state"] == "withdrawn"


def test_undo_after_switching_report_still_undoes(tab: Any, service: LiveService) -> None:
    fact = pending(service, "count")[0]
    open_fact(tab, service, fact)
    decide(tab, "x")
    assert service.extraction(fact["id"])["status"] == "rejected"
    tab.select_option("#report-select", str(service.second_report_id))  # type: ignore[attr-defined]
    for _ in range(300):  # the URL follows the report shown (history.replaceState)
        if f"report={service.second_report_id}&" in tab.url:  # type: ignore[attr-defined]
            break
        tab.wait_for_timeout(50)
    assert f"report={service.second_report_id}&" in tab.url, (  # type: ignore[attr-defined]
        tab.locator("#report-select").input_value(), tab.locator("#queue-list").inner_text()[:300],
        tab.locator("#toast").inner_text())
    tab.wait_for_selector("#queue-list li >> nth=0")
    tab.locator("#queue-list").focus()
    before = decisions(tab)
    tab.keyboard.press("u")
    while decisions(tab) == before:
        tab.wait_for_timeout(25)
    assert state(service.extraction(fact["id"])) == state(fact)
    tab.wait_for_selector("#toast:has-text('Desfeito no relatório')")


def test_a_rejected_fact_is_reopened_from_the_page(tab: Any, service: LiveService) -> None:
    fact = pending(service, "count")[0]
    set_state(service, fact["id"], action="reject")
    open_fact(tab, service, fact)
    tab.get_by_role("button", name="Reabrir").click()
    tab.wait_for_selector(f"#q-{fact['id']}.status-pending")
    assert state(service.extraction(fact["id"])) == state(fact)
    assert tab.locator("#act-reopen").is_hidden()


def test_a_fresh_tab_knows_its_own_reviewers_changes(tab: Any, service: LiveService) -> None:
    fact = pending(service, "count")[0]
    open_fact(tab, service, fact)
    set_state(service, fact["id"], action="confirm")  # the same reviewer, elsewhere
    tab.keyboard.press("x")
    tab.wait_for_selector("#banner:has-text('Você mesmo alterou este fato em outra aba ou janela')")
    assert service.extraction(fact["id"])["status"] == "confirmed"


ADD_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "add-fact.png"  # the README's picture


def _on_screen(page: Any, live: LiveService, fact: dict[str, Any]) -> tuple[float, float, float, float]:
    """The fact's printed box on the page image, in screen pixels (x0, top, x1, bottom)."""
    frame = page.locator("#page-frame").bounding_box()
    size = live.get(f"/api/v1/extractions/{fact['id']}/source")
    sx, sy = frame["width"] / size["page_width"], frame["height"] / size["page_height"]
    x0, top, x1, bottom = fact["bbox"]
    return frame["x"] + x0 * sx, frame["y"] + top * sy, frame["x"] + x1 * sx, frame["y"] + bottom * sy


def _save_added(page: Any, live: LiveService) -> dict[str, Any]:
    """Press "Salvar fato"; the fact it stored (the newest reviewer fact)."""
    before = decisions(page)
    page.get_by_role("button", name="Salvar fato").click()
    while decisions(page) == before:
        page.wait_for_timeout(25)
    return max((f for f in live.extractions() if f["extractor"] == "reviewer"), key=lambda f: f["id"])


def test_a_missed_fact_is_added_by_drawing_a_box_on_the_page(tab: Any, service: LiveService, tmp_path: Path) -> None:
    """The box is drawn around a figure printed on the page: the words under it are read from
    the page (not typed), parsed as the kind picked, shown in the preview, and stored."""
    printed = next(f for f in pending(service, "count", 3) if not f["lines"] and f["unit"])
    open_fact(tab, service, printed)
    tab.get_by_role("button", name="Adicionar fato que faltou").click()
    x0, top, x1, bottom = _on_screen(tab, service, printed)
    tab.mouse.move(x0 - 3, top - 3)
    tab.mouse.down()
    tab.mouse.move(x1 + 3, bottom + 3, steps=4)
    tab.mouse.up()
    tab.wait_for_selector("#add-form:not([hidden])")
    tab.wait_for_function("() => document.getElementById('add-value').value !== ''")
    read = tab.locator("#add-value").input_value()
    assert printed["text"] in read  # the page's own words under the box
    parsed = service.post("/api/v1/parse", {"kind": "count", "text": read}).json()
    shown = f"{parsed['value']:,}".replace(",", ".")
    tab.wait_for_selector(f"#add-preview:has-text('{shown}')")
    assert tab.locator("#add-unit").input_value() == (parsed["unit"] or "")
    shot = ADD_SCREENSHOT if os.environ.get("RELATO_UPDATE_SCREENSHOT") == "1" else tmp_path / "add-fact.png"
    tab.screenshot(path=str(shot))
    new = _save_added(tab, service)
    assert (new["status"], new["kind"], new["value"], new["unit"], new["page"], new["text"]) == (
        "confirmed", "count", parsed["value"], parsed["unit"], printed["page"], read)
    bx0, btop, bx1, bbottom = new["bbox"]
    assert bx0 <= printed["bbox"][0] + 1 and bx1 >= printed["bbox"][2] - 1 and btop < bbottom
    fed = [r for r in service.get("/api/v1/records", limit=1000)["items"] if r["extraction_id"] == new["id"]]
    assert [r["state"] for r in fed] == ["confirmed"]
    before = decisions(tab)
    tab.keyboard.press("u")  # undo: pending again, out of the feed
    while decisions(tab) == before:
        tab.wait_for_timeout(25)
    assert service.extraction(new["id"])["status"] == "pending"


def test_a_missed_fact_is_added_by_selecting_its_source_text(tab: Any, service: LiveService) -> None:
    fact = next(f for f in pending(service, "count", 3) if not f["lines"])
    open_fact(tab, service, fact)
    tab.wait_for_selector("#fact-sentence mark")
    tab.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('#fact-sentence mark'));
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    tab.get_by_role("button", name="Adicionar a seleção como fato").click()
    tab.wait_for_selector("#add-form:not([hidden])")
    tab.wait_for_function("() => document.getElementById('add-value').value !== ''")
    read = tab.locator("#add-value").input_value()
    assert fact["text"] in read  # the printed words the span covers, whole ("unidades." with its period)
    parsed = service.post("/api/v1/parse", {"kind": "count", "text": read}).json()
    shown = f"{parsed['value']:,}".replace(",", ".")
    tab.wait_for_selector(f"#add-preview:has-text('{shown}')")
    new = _save_added(tab, service)
    assert (new["kind"], new["value"], new["page"], new["text"], new["status"]) == (
        "count", parsed["value"], fact["page"], read, "confirmed")
    assert all(abs(a - b) < 2 for a, b in zip(new["bbox"], fact["bbox"]))  # where it is printed


def test_the_initiative_page_after_a_404_or_403_shows_no_empty_sections_and_asks_again(
        tab: Any, service: LiveService) -> None:
    tab.goto(f"{service.base_url}/review/initiatives/nao-existe")
    tab.locator("#ini-token").fill(service.tokens["operator"])  # a token that may not see initiatives
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#ini-signin-error:has-text('Este token não pode ver iniciativas')")
    assert tab.locator("#ini-signin").is_visible()
    tab.locator("#ini-token").fill(service.tokens["reviewer"])
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#ini-title:has-text('Iniciativa não encontrada')")
    assert all(s.is_hidden() for s in tab.locator(".ini-section").all())


def _in_view(box: dict[str, float] | None, height: int) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_at_1024_px_the_queue_shows_rows_and_salvar_is_on_screen(tab: Any, service: LiveService) -> None:
    tab.set_viewport_size({"width": 1024, "height": 768})
    fact = pending(service, "count")[0]
    open_fact(tab, service, fact)
    rows = tab.locator("#queue-list li").all()
    listed = tab.locator("#queue-list").bounding_box()
    assert listed is not None
    whole = [r for r in rows if (b := r.bounding_box()) and b["y"] >= listed["y"] and
             b["y"] + b["height"] <= listed["y"] + listed["height"]]
    assert len(whole) >= 4, f"{len(whole)} queue rows on screen"
    overflowing = tab.locator("#queue-list .q-meta").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert overflowing == 0
    tab.keyboard.press("e")
    save = tab.locator("#editor button[type='submit']")
    assert _in_view(save.bounding_box(), 768)
    tab.get_by_label("Novo valor").fill("77")
    tab.wait_for_selector("#edit-parsed:has-text('77')")
    save.click()
    tab.wait_for_selector(f"#q-{fact['id']}.status-corrected")
    assert service.extraction(fact["id"])["value"] == 77
