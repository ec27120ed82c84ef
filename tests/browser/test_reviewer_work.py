"""The reviewer's work on the page stored as meant: re-issues, merges, bulk retries, long
text, late answers, labels. Each test does it on the page the way a person does, then reads
the stored state back through the API.

Every item of the review-page issue (stored as meant / work blocked / cosmetic) has such a
test; this table says where:

| item | what | test |
|---|---|---|
| 1 | municipality: only an exact name with Enter | test_stored_as_meant.py::test_municipality_enter_takes_only_an_exact_unambiguous_name |
| 2 | end of the queue never opens another report | test_stored_as_meant.py::test_no_key_at_the_end_of_the_queue_opens_or_decides_another_report |
| 3 | a fact not on screen is never decided | test_stored_as_meant.py::test_a_fact_not_yet_on_screen_is_never_decided |
| 4 | the editor starts from the current value | test_stored_as_meant.py::test_the_editor_starts_from_the_current_value_and_keeps_its_qualifier |
| 5 | value + unit keeps the qualifier | test_stored_as_meant.py::test_value_and_unit_typed_together_keep_the_qualifier |
| 6 | a unit typed first is kept | test_stored_as_meant.py::test_a_unit_typed_before_the_value_is_kept |
| 7, 8 | undo restores each exact earlier state | test_stored_as_meant.py::test_undo_restores_each_exact_earlier_state |
| 9 | undo across reports; reopen a rejected fact | test_stored_as_meant.py::test_undo_after_switching_report_still_undoes, ::test_a_rejected_fact_is_reopened_from_the_page |
| 10 | a re-issue takes the edition's decisions | test_a_reissue_offers_the_editions_decisions_and_applies_them_at_once |
| 11 | the 409 banner goes after a good retry | test_the_conflict_banner_goes_once_the_bulk_retry_succeeds |
| 12 | merge list and the surviving title | test_the_merge_list_offers_only_accepted_merges_and_the_page_keeps_its_title |
| 13 | length limits | test_over_long_unit_and_note_are_held_to_the_services_limits |
| 14 | a fresh tab knows its own reviewer | test_stored_as_meant.py::test_a_fresh_tab_knows_its_own_reviewers_changes |
| 15 | badges and presence flag fit their row | test_another_reviewers_presence_flag_fits_its_row |
| 16 | initiative page after 404/403 | test_stored_as_meant.py::test_the_initiative_page_after_a_404_or_403_shows_no_empty_sections_and_asks_again |
| 17 | a late parse answer after the editor closed | test_a_parse_answer_after_the_editor_closed_is_ignored |
| 18 | history note and extractor in Portuguese | test_confirmed_unchanged_history_and_extractor_read_in_portuguese |
| 19 | an end before its start is asked, not guessed | test_a_period_ending_before_it_starts_is_asked_not_guessed |
| 20 | 1024 px: rows and Salvar on screen | test_stored_as_meant.py::test_at_1024_px_the_queue_shows_rows_and_salvar_is_on_screen |

Adding a missed fact (box or source text) is in test_stored_as_meant.py; the class of all
of these, a random reviewer checked after every step, is test_reviewer_model.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.actions import decide, ready
from tests.browser.conftest import new_tab
from tests.browser.live import LiveService, start_service
from tests.conftest import PROJECT_CORPUS

pytestmark = pytest.mark.browser
STATE = ("status", "value", "unit", "qualifier")


def state(fact: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(fact[f] for f in STATE)


def upload_and_wait(live: LiveService, pdf: Path) -> int:
    with live.client("operator") as c, open(pdf, "rb") as fh:
        answer = c.post("/api/v1/reports", files={"file": (pdf.name, fh, "application/pdf")})
    answer.raise_for_status()
    report = answer.json()["id"]
    for _ in range(900):
        if live.get(f"/api/v1/reports/{report}")["status"] == "done":
            return report  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"report {report} was not extracted")


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """August, then October, then October again with other bytes (a re-issue of it)."""
    live = start_service(tmp_path_factory.mktemp("work"), PROJECT_CORPUS / "status-deck-2025-08.pdf")
    try:
        live.august = live.report_id  # type: ignore[attr-defined]
        live.october = upload_and_wait(live, PROJECT_CORPUS / "status-deck-2025-10.pdf")  # type: ignore[attr-defined]
        copy = tmp_path_factory.mktemp("copy") / "status-deck-2025-10-reenviado.pdf"
        copy.write_bytes((PROJECT_CORPUS / "status-deck-2025-10.pdf").read_bytes() + b"\n% reenviado\n")
        live.copy = upload_and_wait(live, copy)  # type: ignore[attr-defined]
        yield live
    finally:
        live.stop()


@pytest.fixture
def tab(browser: Any, editions: LiveService) -> Iterator[Any]:
    with new_tab(browser) as t:
        yield t


def facts_of(live: LiveService, report_id: int, **params: Any) -> list[dict[str, Any]]:
    return live.get("/api/v1/extractions", report_id=report_id, limit=1000, **params)["items"]  # type: ignore[no-any-return]


def review(live: LiveService, fact: dict[str, Any], who: str = "reviewer", **body: Any) -> dict[str, Any]:
    version = live.extraction(fact["id"])["version"]
    answer = live.post(f"/api/v1/extractions/{fact['id']}/review", {"version": version, **body}, who=who)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def open_review(page: Any, live: LiveService, report_id: int, **params: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in {"report": str(report_id), "status": "", **params}.items())
    page.goto(f"{live.base_url}/review?{query}")
    page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#queue-list li[aria-selected='true']")
    page.locator("#queue-list").focus()
    ready(page)


def untouched_pending(live: LiveService, report_id: int, kind: str) -> list[dict[str, Any]]:
    return [f for f in facts_of(live, report_id, kind=kind, status="pending") if f["version"] == 1]


def test_a_reissue_offers_the_editions_decisions_and_applies_them_at_once(tab: Any, editions: LiveService) -> None:
    live = editions
    october, copy = live.october, live.copy  # type: ignore[attr-defined]
    counts = untouched_pending(live, october, "count")
    dates = untouched_pending(live, october, "date") or untouched_pending(live, october, "percentage")
    decided = {
        counts[0]["id"]: review(live, counts[0], action="correct", value=counts[0]["value"] + 7,
                                unit="pessoas atendidas", qualifier="at_least"),
        counts[1]["id"]: review(live, counts[1], action="confirm"),
        dates[0]["id"]: review(live, dates[0], action="reject", note="não é um fato"),
    }
    twins = {f["assist"]["previous_decision"]["extraction_id"]: f for f in facts_of(live, copy)
             if f["assist"] and f["assist"]["previous_decision"]}
    assert set(twins) == set(decided)
    before = {f["id"]: f for f in facts_of(live, copy)}

    open_review(tab, live, copy, fact=str(twins[counts[0]["id"]]["id"]))
    note = tab.locator("#fact-previous")
    assert note.is_visible() and f"Igual à decisão em relatório {october}: corrigido para" in note.inner_text()
    assert tab.locator(f"#q-{twins[counts[1]['id']]['id']} .flag:has-text('decidido antes')").count() == 1
    tab.get_by_role("button", name="Aplicar aos 3 fatos pendentes as decisões tomadas antes na mesma edição").click()
    tab.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
    tab.wait_for_selector("#toast:has-text('3 decisões anteriores aplicadas')")
    assert tab.locator("#apply-previous").is_hidden()

    stored = {f["id"]: f for f in facts_of(live, copy)}
    for original_id, twin in twins.items():
        assert state(stored[twin["id"]]) == state(decided[original_id])
        history = live.get(f"/api/v1/extractions/{twin['id']}/history")["items"]
        assert history[-1]["note"] == f"igual à decisão em relatório {october}"
    others = [i for i in before if i not in {t["id"] for t in twins.values()}]
    assert all(stored[i]["version"] == before[i]["version"] for i in others)  # nothing else was decided


def test_the_merge_list_offers_only_accepted_merges_and_the_page_keeps_its_title(
        tab: Any, editions: LiveService) -> None:
    live = editions
    items = live.get("/api/v1/initiatives")["items"]
    both = [i for i in items if i["editions"] == ["2025-08", "2025-10"] and len({t["title"] for t in i["titles"]}) == 1]
    first, second = both[0], next(i for i in both[1:] if i["title"] != both[0]["title"])

    def split_october(summary: dict[str, Any]) -> str:
        october = next(t["initiative_id"] for t in summary["titles"] if t["report_id"] == live.october)  # type: ignore[attr-defined]
        answer = live.post(f"/api/v1/initiatives/{summary['key']}/split", {"initiative_id": october})
        assert answer.status_code == 200, answer.text
        return answer.json()["key"]  # type: ignore[no-any-return]

    split_october(first)
    later = split_october(second)  # October's `second` now has a key of its own: it may join `first`
    tab.goto(f"{live.base_url}/review/initiatives/{first['key']}")
    tab.locator("#ini-token").fill(live.tokens["reviewer"])
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#ini-body[data-ready='1']")
    offered = set(tab.locator("#merge-select option").evaluate_all("os => os.map(o => o.value)"))
    accepted = {i["key"] for i in live.get(f"/api/v1/initiatives/{first['key']}/merge-candidates")["items"]}
    assert later in offered and offered == accepted
    assert second["key"] not in offered  # both in August: the service refuses it
    refused = live.post(f"/api/v1/initiatives/{first['key']}/merge", {"other_key": second["key"]})
    assert refused.status_code == 409
    reports = {i["key"]: {t["report_id"] for t in i["titles"]} for i in live.get("/api/v1/initiatives")["items"]}
    assert all(not reports[k] & reports[first["key"]] for k in offered)

    tab.select_option("#merge-select", later)
    tab.get_by_role("button", name="Juntar…").click()
    tab.locator("#link-dialog").get_by_role("button", name="Confirmar").click()
    tab.wait_for_selector("#ini-message:has-text('Juntada')")
    tab.wait_for_function("() => document.querySelectorAll('.ini-edition').length === 2")
    assert tab.locator("#ini-title").inner_text() == first["title"]  # not the merged-in October title
    stored = live.get(f"/api/v1/initiatives/{first['key']}")
    assert stored["title"] == first["title"] and stored["editions"] == ["2025-08", "2025-10"]
    assert [t["title"] for t in stored["titles"]] == [first["title"], second["title"]]


def test_the_conflict_banner_goes_once_the_bulk_retry_succeeds(tab: Any, editions: LiveService) -> None:
    live = editions
    facts = untouched_pending(live, live.august, "percentage")  # type: ignore[attr-defined]
    assert len(facts) >= 2
    open_review(tab, live, live.august, kind="percentage", status="pending")  # type: ignore[attr-defined]
    taken = facts[-1]
    review(live, taken, who="other", action="reject")
    tab.get_by_label("Selecionar visíveis").check()
    n = tab.locator("#queue-list li").count()
    tab.get_by_role("button", name=f"Confirmar os {n} fatos selecionados").click()
    tab.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
    tab.wait_for_selector("#banner:not([hidden]):has-text('Nenhum fato do lote foi confirmado')")
    tab.get_by_role("button", name=f"Confirmar os {n - 1} fatos selecionados").click()
    tab.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
    for f in facts[:-1]:
        tab.wait_for_selector(f"#q-{f['id']}.status-confirmed")
    assert tab.locator("#banner").is_hidden()  # answered: the retry went through
    assert all(live.extraction(f["id"])["status"] == "confirmed" for f in facts[:-1])
    assert live.extraction(taken["id"])["status"] == "rejected"


def test_over_long_unit_and_note_are_held_to_the_services_limits(tab: Any, editions: LiveService) -> None:
    live = editions
    fact = untouched_pending(live, live.august, "count")[0]  # type: ignore[attr-defined]
    open_review(tab, live, live.august, kind="count", fact=str(fact["id"]))  # type: ignore[attr-defined]
    tab.keyboard.press("e")
    tab.locator("#edit-unit").fill("pessoas " * 40)  # 320 characters
    tab.locator("#editor-note").fill("nota longa " * 300)  # 3,300 characters
    assert len(tab.locator("#edit-unit").input_value()) <= 200
    assert len(tab.locator("#editor-note").input_value()) <= 2000
    tab.get_by_label("Novo valor").fill("321")
    tab.wait_for_selector("#edit-parsed:has-text('321')")
    tab.locator("#editor button[type='submit']").click()
    tab.wait_for_selector(f"#q-{fact['id']}.status-corrected")
    stored = live.extraction(fact["id"])
    assert stored["value"] == 321 and 0 < len(stored["unit"]) <= 200 and 0 < len(stored["note"]) <= 2000
    too_long = live.post(f"/api/v1/extractions/{fact['id']}/review",
                         {"action": "correct", "value": 5, "unit": "u" * 201, "version": stored["version"]})
    assert too_long.status_code == 422 and "unit" in too_long.text
    assert live.extraction(fact["id"]) == stored


def test_another_reviewers_presence_flag_fits_its_row(browser: Any, tab: Any, editions: LiveService) -> None:
    live = editions
    fact = untouched_pending(live, live.august, "count")[0]  # type: ignore[attr-defined]
    with new_tab(browser) as other:
        other.goto(f"{live.base_url}/review?report={live.august}&status=&fact={fact['id']}")  # type: ignore[attr-defined]
        other.get_by_label("Token de revisor").fill(live.tokens["other"])
        other.keyboard.press("Enter")
        other.wait_for_selector(f"#q-{fact['id']}[aria-selected='true']")
        open_review(tab, live, live.august, kind="count")  # type: ignore[attr-defined]
        flag = tab.locator(f"#q-{fact['id']} .flag-busy")
        flag.wait_for(timeout=20_000)
        row = tab.locator(f"#q-{fact['id']}").bounding_box()
        box = flag.bounding_box()
        assert row and box and box["x"] >= row["x"] and box["x"] + box["width"] <= row["x"] + row["width"] + 0.5
        assert flag.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        overflowing = tab.locator("#queue-list .q-meta").evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
        assert overflowing == 0
        tab.locator(f"#q-{fact['id']}").click()
        tab.locator("#queue-list").focus()
        decide(tab, "c")
    assert live.extraction(fact["id"])["status"] == "confirmed"


def test_a_parse_answer_after_the_editor_closed_is_ignored(tab: Any, editions: LiveService) -> None:
    live = editions
    fact = untouched_pending(live, live.august, "count")[0]  # type: ignore[attr-defined]
    open_review(tab, live, live.august, kind="count", fact=str(fact["id"]))  # type: ignore[attr-defined]

    def slow(route: Any) -> None:
        time.sleep(0.6)
        route.continue_()

    tab.route(re.compile(r".*/api/v1/parse.*"), slow)
    tab.keyboard.press("e")
    tab.get_by_label("Novo valor").fill("9.876")
    tab.wait_for_timeout(250)  # the editor has asked /parse
    tab.keyboard.press("Escape")
    tab.wait_for_selector("#editor", state="hidden")
    tab.wait_for_timeout(1500)  # the answers arrive after the editor closed: new_tab fails on a page error
    tab.unroute(re.compile(r".*/api/v1/parse.*"))
    assert state(live.extraction(fact["id"])) == state(fact)


def test_confirmed_unchanged_history_and_extractor_read_in_portuguese(tab: Any, editions: LiveService) -> None:
    live = editions
    august = {f["id"]: f for f in facts_of(live, live.august, kind="municipality")}  # type: ignore[attr-defined]
    for fact in august.values():
        if fact["status"] == "pending":
            review(live, fact, action="confirm")
    same = [f for f in facts_of(live, live.october, kind="municipality", status="pending")  # type: ignore[attr-defined]
            if f["assist"] and f["assist"]["unchanged_since"]]
    assert same
    open_review(tab, live, live.october, kind="municipality", fact=str(same[0]["id"]))  # type: ignore[attr-defined]
    extractor = tab.locator("#fact-extractor")
    assert not re.search(r"\bner\.|rules\.", extractor.inner_text() + (extractor.get_attribute("title") or ""))
    tab.get_by_role("button", name=re.compile("Confirmar (o fato|os .* fatos) sem mudança")).click()
    tab.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
    tab.wait_for_selector(f"#q-{same[0]['id']}.status-confirmed")
    history = live.get(f"/api/v1/extractions/{same[0]['id']}/history")["items"]
    assert history[-1]["note"] == "sem mudança desde 2025-08"
    tab.locator(f"#q-{same[0]['id']}").click()
    tab.wait_for_selector("#history-list:has-text('sem mudança desde 2025-08')")
    shown = tab.locator("#history-list").inner_text()
    assert not re.search(r"unchanged|since|confirmed|pending", shown, re.IGNORECASE)


def test_a_period_ending_before_it_starts_is_asked_not_guessed(tab: Any, editions: LiveService) -> None:
    live = editions
    periods = untouched_pending(live, live.august, "period")  # type: ignore[attr-defined]
    if not periods:
        pytest.skip("the August deck has no pending period left")
    fact = periods[0]
    open_review(tab, live, live.august, kind="period", fact=str(fact["id"]))  # type: ignore[attr-defined]
    tab.keyboard.press("e")
    tab.get_by_label("Novo valor").fill("outubro a agosto de 2025")
    tab.wait_for_selector("#edit-parsed.bad")
    tab.keyboard.press("Enter")
    tab.wait_for_timeout(800)
    assert state(live.extraction(fact["id"])) == state(fact)  # nothing guessed, nothing stored
    tab.get_by_label("Novo valor").fill("outubro de 2024 a agosto de 2025")
    tab.wait_for_selector("#edit-parsed:not(.bad):has-text('2024-10')")
    tab.keyboard.press("Enter")
    tab.wait_for_selector(f"#q-{fact['id']}.status-corrected")
    assert live.extraction(fact["id"])["value"] == {"start": "2024-10", "end": "2025-08"}
