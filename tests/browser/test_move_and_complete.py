"""Moving a fact to another initiative, and marking pages "revisado por completo", done on the
review page the way a person does it, then read back through the API (the fact, its history,
the consumers' feed; the report's completeness).

The classes of defect: a move stored somewhere other than where the reviewer chose, a move a
decision key made (or a decision a move made), a stale move that changes anything, a page
that shows an initiative or a share other than the stored one, an undo that does not put the
fact back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.actions import decisions, ready, wait_decisions
from tests.browser.conftest import new_tab
from tests.browser.live import LiveService
from tests.browser.test_review_decisions import axe_violations
from tests.browser.test_stored_as_meant import open_fact, set_state

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser: Any, service: LiveService) -> Iterator[Any]:
    with new_tab(browser) as t:
        yield t


def initiatives(live: LiveService, report_id: int) -> list[dict[str, Any]]:
    return live.get(f"/api/v1/reports/{report_id}/initiatives")["initiatives"]  # type: ignore[no-any-return]


def movable(live: LiveService, n: int = 1) -> list[dict[str, Any]]:
    """Untouched pending facts (version 1) inside an initiative, in a report of several."""
    if len(initiatives(live, live.report_id)) < 2:
        pytest.skip("the corpus deck has fewer than two initiatives")
    facts = [f for f in live.extractions(status="pending") if f["version"] == 1 and f["initiative"]["id"]]
    if len(facts) < n:
        pytest.skip(f"the corpus deck has fewer than {n} untouched facts in initiatives")
    return facts[:n]


def fed(live: LiveService, fact_id: int) -> list[tuple[str, str | None]]:
    """The consumers' feed records of a fact: (state, initiative title), oldest first."""
    records = live.get("/api/v1/records", limit=1000)["items"]
    return [(r["state"], r["initiative_title"]) for r in records if r["extraction_id"] == fact_id]


def move_options(page: Any) -> list[str]:
    return page.locator("#move-initiative option").evaluate_all("els => els.map(e => e.value)")  # type: ignore[no-any-return]


def choose_and_move(page: Any, target: int | None) -> None:
    page.locator("#move-initiative").select_option("none" if target is None else str(target))
    page.get_by_role("button", name="Mover", exact=True).click()


def shown_share(page: Any) -> str:
    return page.locator("#report-complete-text").inner_text()  # type: ignore[no-any-return]


def api_share(live: LiveService, report_id: int) -> dict[str, Any]:
    return live.get(f"/api/v1/reports/{report_id}/complete")  # type: ignore[no-any-return]


def share_text(c: dict[str, Any]) -> str:
    return f"{c['complete']} de {c['pages']} páginas revisadas por completo ({round(100 * c['share'])}%)"


def wait_share(page: Any, live: LiveService, report_id: int, complete: int) -> dict[str, Any]:
    """Until the API counts `complete` marked pages and the page shows the same share."""
    for _ in range(200):
        c = api_share(live, report_id)
        if c["complete"] == complete and shown_share(page) == share_text(c):
            return c
        page.wait_for_timeout(50)
    raise AssertionError(f"API {api_share(live, report_id)}, page shows {shown_share(page)!r}, meant {complete}")


def test_a_fact_moved_on_the_page_is_stored_fed_and_undone(tab: Any, service: LiveService) -> None:
    fact = movable(service)[0]
    confirmed = set_state(service, fact["id"], action="confirm")  # in the feed, so consumers see the move
    inits = initiatives(service, service.report_id)
    here = fact["initiative"]["id"]
    others = [i for i in inits if i["id"] != here]
    open_fact(tab, service, fact, status="")
    on_page = [str(i["id"]) for i in others if fact["page"] in i["pages"]]
    elsewhere = [str(i["id"]) for i in others if fact["page"] not in i["pages"]]
    assert move_options(tab) == ["", "none", *on_page, *elsewhere]  # its page's initiatives first
    assert tab.get_by_role("button", name="Mover", exact=True).is_disabled()  # nothing chosen yet
    target = (elsewhere or on_page)[-1]
    title = next(i["title"] for i in others if str(i["id"]) == target)
    before = decisions(tab)
    choose_and_move(tab, int(target))
    wait_decisions(tab, before + 1)
    stored = service.extraction(fact["id"])
    assert (stored["initiative"]["id"], stored["initiative"]["title"], stored["status"], stored["version"]) == (
        int(target), title, "confirmed", confirmed["version"] + 1)
    assert service.get(f"/api/v1/extractions/{fact['id']}/history")["items"][-1]["action"] == "move"
    assert fed(service, fact["id"])[-1] == ("confirmed", title)
    now_in = next(i for i in initiatives(service, service.report_id) if i["id"] == int(target))
    assert fact["id"] in now_in["extraction_ids"]
    ready(tab)  # the panel and the queue row say where it is now
    assert title in tab.locator("#fact-initiative").inner_text()
    assert tab.locator(f"#q-{fact['id']} .q-initiative").inner_text() == title
    newest = tab.locator("#history-list li").first  # the history names both initiatives
    assert "moveu de iniciativa" in newest.inner_text()
    assert f"{fact['initiative']['title']} → {title}" in newest.inner_text()
    assert target not in move_options(tab) and str(here) in move_options(tab)

    tab.keyboard.press("u")  # undo: back where it was, fed there again
    wait_decisions(tab, before + 2)
    back = service.extraction(fact["id"])
    assert (back["initiative"]["id"], back["status"]) == (here, "confirmed")
    assert fed(service, fact["id"])[-1] == ("confirmed", fact["initiative"]["title"])
    ready(tab)
    assert tab.locator(f"#q-{fact['id']} .q-initiative").inner_text() == fact["initiative"]["title"]


def test_a_fact_moved_outside_any_initiative(tab: Any, service: LiveService) -> None:
    fact = movable(service)[0]
    open_fact(tab, service, fact, status="")
    before = decisions(tab)
    choose_and_move(tab, None)
    wait_decisions(tab, before + 1)
    stored = service.extraction(fact["id"])
    assert (stored["initiative"]["id"], stored["status"], stored["version"]) == (None, "pending", 2)
    ready(tab)
    assert "Capa, apresentação ou encerramento" in tab.locator("#fact-initiative").inner_text()
    assert "none" not in move_options(tab)


def test_a_stale_move_changes_nothing_and_says_who_changed_the_fact(tab: Any, service: LiveService) -> None:
    fact = movable(service)[0]
    open_fact(tab, service, fact, status="")
    target = next(i for i in initiatives(service, service.report_id) if i["id"] != fact["initiative"]["id"])
    other = service.post(f"/api/v1/extractions/{fact['id']}/review", {"action": "confirm", "version": 1}, who="other")
    assert other.status_code == 200, other.text  # another reviewer, after this page loaded the fact
    choose_and_move(tab, target["id"])
    tab.wait_for_selector("#banner:has-text('Outra pessoa (other) alterou este fato')")
    stored = service.extraction(fact["id"])
    assert (stored["initiative"]["id"], stored["version"], stored["status"]) == (
        fact["initiative"]["id"], 2, "confirmed")
    assert [e["action"] for e in service.get(f"/api/v1/extractions/{fact['id']}/history")["items"]] == ["confirm"]
    assert fed(service, fact["id"]) == [("confirmed", fact["initiative"]["title"])]
    ready(tab)
    assert fact["initiative"]["title"] in tab.locator("#fact-initiative").inner_text()
    assert tab.locator(f"#q-{fact['id']} .q-initiative").inner_text() == fact["initiative"]["title"]
    assert decisions(tab) == 0


@pytest.mark.parametrize("keys", [
    ["Enter"],  # on the select, an initiative chosen
    ["Escape", "c"],  # back in the queue: c confirms, never moves
    ["Escape", "Enter"],
    ["Tab", "Escape", "x"],
])
def test_decision_keys_never_move_a_fact(tab: Any, service: LiveService, keys: list[str]) -> None:
    fact = movable(service)[0]
    open_fact(tab, service, fact, status="")
    target = next(i for i in initiatives(service, service.report_id) if i["id"] != fact["initiative"]["id"])
    tab.locator("#move-initiative").select_option(str(target["id"]))
    tab.locator("#move-initiative").focus()
    for key in keys:
        tab.keyboard.press(key)
        tab.wait_for_timeout(100)
    tab.wait_for_timeout(800)
    stored = service.extraction(fact["id"])
    assert stored["initiative"]["id"] == fact["initiative"]["id"]
    decided = keys[-1] in ("c", "x") or keys == ["Escape", "Enter"]
    meant = {"c": "confirmed", "Enter": "confirmed", "x": "rejected"}[keys[-1]] if decided else "pending"
    assert (stored["status"], stored["version"]) == (meant, 2 if decided else 1)
    assert all(e["action"] != "move" for e in service.get(f"/api/v1/extractions/{fact['id']}/history")["items"])


def test_pages_and_the_whole_report_marked_complete_show_the_apis_share(tab: Any, service: LiveService) -> None:
    fact = service.extractions()[0]
    second = service.second_report_id  # type: ignore[attr-defined]
    others_before = api_share(service, second)
    open_fact(tab, service, fact, status="")
    box = tab.get_by_label("Página revisada por completo")
    assert not box.is_checked()
    start = wait_share(tab, service, service.report_id, api_share(service, service.report_id)["complete"])
    box.check()
    marked = wait_share(tab, service, service.report_id, start["complete"] + 1)
    assert fact["page"] in [i["page"] for i in marked["items"]]
    assert next(i for i in marked["items"] if i["page"] == fact["page"])["complete_by"] == "reviewer"
    assert axe_violations(tab) == []  # the new controls, one checked, a move target chosen
    tab.locator("#move-initiative").select_option(index=1)
    assert axe_violations(tab) == []

    box.uncheck()  # unmark: the page's mark taken away
    unmarked = wait_share(tab, service, service.report_id, start["complete"])
    assert fact["page"] not in [i["page"] for i in unmarked["items"]]

    tab.once("dialog", lambda d: d.accept())
    tab.get_by_role("button", name="Marcar o relatório todo").click()
    whole = wait_share(tab, service, service.report_id, start["pages"])
    assert whole["share"] == 1.0 and box.is_checked()
    tab.once("dialog", lambda d: d.dismiss())  # asked, and declined: nothing changes
    tab.get_by_role("button", name="Desmarcar o relatório todo").click()
    tab.wait_for_timeout(500)
    assert api_share(service, service.report_id)["share"] == 1.0
    tab.once("dialog", lambda d: d.accept())
    tab.get_by_role("button", name="Desmarcar o relatório todo").click()
    wait_share(tab, service, service.report_id, 0)
    assert not box.is_checked()
    assert api_share(service, second) == others_before  # another report's pages are its own


def test_the_page_is_marked_from_the_keyboard(tab: Any, service: LiveService) -> None:
    fact = service.extractions()[0]
    open_fact(tab, service, fact, status="")
    start = api_share(service, service.report_id)["complete"]
    tab.locator("#page-complete").focus()
    tab.keyboard.press("Space")
    marked = wait_share(tab, service, service.report_id, start + 1)
    assert fact["page"] in [i["page"] for i in marked["items"]]
    service_state = service.extraction(fact["id"])
    assert (service_state["status"], service_state["version"]) == (fact["status"], fact["version"])  # Space marks only
    tab.locator("#page-complete").focus()
    tab.keyboard.press("Space")
    wait_share(tab, service, service.report_id, start)
