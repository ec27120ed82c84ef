"""The review page beyond single decisions: one mark per printed line of a wrapped
fact, re-issues kept off the time axis, assist flags and confirm-unchanged in
the queue, the live queue, the initiative pages, and a one-line top bar. Each
test drives the page as a reviewer would, then checks through the API what was saved."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT, new_tab
from tests.browser.actions import ready
from tests.browser.live import LiveService
from tests.browser.test_review_decisions import axe_violations, open_fact
from tests.browser.test_review_page import DOCS_SCREENSHOT, UPDATE_DOCS, current_id, filter_by, sign_in, wait_status
from tests.conftest import PROJECT_CORPUS

pytestmark = pytest.mark.browser
INITIATIVE_SHOT = DOCS_SCREENSHOT.with_name("initiative-page.png")


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 1.0) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def scroll_view(page: Any) -> dict[str, float]:
    """The page viewer's visible area (its client box, scroll bars excluded)."""
    return page.evaluate("""() => { const s = document.getElementById('page-scroll'), r = s.getBoundingClientRect();
        return { x: r.left + s.clientLeft, y: r.top + s.clientTop, width: s.clientWidth, height: s.clientHeight }; }""")


def test_wrapped_fact_gets_one_mark_per_line_and_stays_in_view_zoomed(page: Any, live: LiveService) -> None:
    facts = live.extractions()
    wrapped = next(f for f in facts if f["lines"] and len(f["lines"]) == 2 and f["status"] == "pending")
    plain = [f for f in facts if not f["lines"]]
    assert plain, "single-line facts have no `lines`"
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if ".png" in r.url else None)
    sign_in(page, live)
    filter_by(page, status="", kind=wrapped["kind"])
    open_fact(page, wrapped["id"])
    page.wait_for_selector("#page-frame[data-marks='2']")
    page.wait_for_selector("#page-scroll[aria-busy='false']")
    marks = page.locator("#page-frame .page-mark:not([hidden])")
    assert marks.count() == 2
    boxes = [marks.nth(i).bounding_box() for i in range(2)]
    image = page.locator("#page-image").bounding_box()
    size = live.get(f"/api/v1/extractions/{wrapped['id']}/source")
    scale = image["width"] / size["page_width"]
    for box, (x0, top, x1, bottom) in zip(boxes, wrapped["lines"]):  # each mark sits on its line
        assert abs(box["x"] - (image["x"] + (x0 - 2) * scale)) < 2 and abs(box["y"] - (image["y"] + (top - 2) * scale)) < 2
        assert abs(box["width"] - (x1 - x0 + 4) * scale) < 2
    union = wrapped["bbox"]
    assert sum(b["width"] for b in boxes) < 0.8 * (union[2] - union[0] + 8) * scale, "not one box over both lines"
    assert any(f"pages/{wrapped['page']}.png" in u and "highlight" not in u for u in asked), "plain page, marks drawn"

    page.locator("#queue-list").focus()
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.wait_for_selector("#zoom-level:text-is('150%')")
    page.wait_for_timeout(300)  # the scroll happens on the next animation frame
    assert inside(marks.nth(0).bounding_box(), scroll_view(page)), "the first line's mark is cut off at 150 %"

    wide = max((f for f in plain if f["page"] == wrapped["page"] and f["kind"] == wrapped["kind"]),
               key=lambda f: f["bbox"][2] - f["bbox"][0], default=None)
    if wide is not None:  # a one-line fact on the same page, zoomed: its whole mark in view
        open_fact(page, wide["id"])
        page.wait_for_selector("#page-frame[data-marks='1']")
        page.wait_for_selector("#page-scroll[aria-busy='false']")
        page.wait_for_timeout(300)
        assert inside(page.locator("#page-mark").bounding_box(), scroll_view(page))
        open_fact(page, wrapped["id"])
        page.wait_for_selector("#page-scroll[aria-busy='false']")
    ready(page)
    page.keyboard.press("c")
    wait_status(page, wrapped["id"], "confirmed")
    after = live.extraction(wrapped["id"])
    assert (after["status"], after["lines"], after["bbox"]) == ("confirmed", wrapped["lines"], wrapped["bbox"])


def upload_and_wait(live: LiveService, pdf_bytes: bytes, name: str) -> int:
    with live.client("operator") as c:
        response = c.post("/api/v1/reports", files={"file": (name, pdf_bytes, "application/pdf")})
    response.raise_for_status()
    report_id = int(response.json()["id"])
    for _ in range(900):
        if live.get(f"/api/v1/reports/{report_id}")["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert live.get(f"/api/v1/reports/{report_id}")["status"] == "done"
    return report_id


def test_reissue_is_named_kept_off_the_chart_and_can_get_its_own_series(
    browser: Any, two_editions: LiveService
) -> None:
    live = two_editions  # August deck, then October deck
    october = live.report_id
    copy = upload_and_wait(live, (PROJECT_CORPUS / "status-deck-2025-10.pdf").read_bytes() + b"\n% reenviado\n",
                           "status-deck-2025-10-reenviado.pdf")
    assert live.get(f"/api/v1/reports/{copy}")["reissue_of"] == october
    with new_tab(browser) as page:
        page.on("dialog", lambda d: d.accept())
        page.goto(f"{live.base_url}/review?report={copy}&kind=count&status=")
        page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
        page.keyboard.press("Enter")
        page.wait_for_selector("#page-image[src^='blob:']")
        note = page.locator("#report-note")
        note.locator("text=Reedição").wait_for()
        assert "status-deck-2025-10.pdf" in note.inner_text() and "fora do gráfico" in note.inner_text()
        page.wait_for_selector("#editions-view svg.series-chart")
        axis = page.locator("#editions-view svg .series-axis").all_text_contents()
        assert axis == ["2025-08", "2025-10"], axis  # one point per date: no second "2025-10"
        assert page.locator("#queue-list .flag-same").count() == 0
        fact = live.extraction(current_id(page))
        assert fact["initiative"]["key"] and fact["assist"] is None
        series = live.get(f"/api/v1/initiatives/{fact['initiative']['key']}/series", facts="all")
        assert copy not in {e["report_id"] for e in series["editions"]}

        page.get_by_role("button", name="Tratar como série própria").click()
        page.wait_for_selector("#report-note", state="hidden")
    moved = live.get(f"/api/v1/reports/{copy}")
    assert moved["reissue_of"] is None
    mine = live.get("/api/v1/extractions", report_id=copy, kind="count", limit=1000)["items"]
    assert fact["initiative"]["key"] not in {f["initiative"]["key"] for f in mine}


def test_assist_flags_in_rows_and_confirm_unchanged(browser: Any, two_editions: LiveService) -> None:
    live = two_editions
    reports = live.get("/api/v1/reports")["items"]
    august = next(r["id"] for r in reports if r["status_date"] == "2025-08" and not r["reissue_of"])
    pending = live.get("/api/v1/extractions", report_id=august, status="pending", limit=1000)["items"]
    done = live.post("/api/v1/extractions/review", {"items": [
        {"id": f["id"], "action": "confirm", "version": f["version"]} for f in pending]}, who="other")
    assert done.status_code == 200, done.text
    october = live.get("/api/v1/extractions", report_id=live.report_id, limit=1000)["items"]
    flagged = {f["id"] for f in october if (f["assist"] or {}).get("unchanged_since")}
    same = {f["id"] for f in october if f["status"] == "pending" and f["id"] in flagged}
    fell = {f["id"] for f in october if (f["assist"] or {}).get("moved_backwards")}
    assert same and fell
    with new_tab(browser) as page:
        page.goto(f"{live.base_url}/review?report={live.report_id}&status=")
        page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
        page.keyboard.press("Enter")
        page.wait_for_selector("#page-image[src^='blob:']")
        rows_same = {int(x) for x in page.locator("#queue-list li:has(.flag-same)").evaluate_all(
            "els => els.map(e => e.dataset.id)")}
        rows_fell = {int(x) for x in page.locator("#queue-list li:has(.flag-fell)").evaluate_all(
            "els => els.map(e => e.dataset.id)")}
        assert rows_same == flagged and rows_fell == fell  # a decided fact keeps its flag; the button takes pending ones
        assert page.locator(f"#q-{min(fell)} .flag-fell").inner_text() == "contagem caiu"
        assert page.locator(f"#q-{min(same)} .flag-same").inner_text() == "sem mudança"
        assert axe_violations(page) == []
        button = page.get_by_role("button", name=f"Confirmar os {len(same)} fatos sem mudança desde a edição anterior")
        button.click()
        page.locator("#bulk-dialog").get_by_role("button", name="Confirmar todos").click()
        for ext_id in same:
            wait_status(page, ext_id, "confirmed")
        page.wait_for_selector("#confirm-unchanged", state="hidden")
    for ext_id in same:
        fact = live.extraction(ext_id)
        assert (fact["status"], fact["reviewed_by"]) == ("confirmed", "reviewer")
        assert live.get(f"/api/v1/extractions/{ext_id}/history")["items"][-1]["note"] == "sem mudança desde 2025-08"
    assert all(live.extraction(i)["status"] == "pending" for i in fell - same)


def test_live_queue_shows_others_decisions_and_who_has_a_fact_open(browser: Any, live: LiveService) -> None:
    pending = sorted(live.extractions(status="pending", kind="date"), key=lambda f: (f["confidence"], f["id"]))
    assert len(pending) >= 3
    with new_tab(browser) as a, new_tab(browser) as b, new_tab(browser) as mine:
        sign_in(a, live)
        filter_by(a, kind="date")
        a.evaluate("window.__notReloaded = true")
        first = current_id(a)
        other_fact = next(f for f in pending if f["id"] != first)
        answer = live.post(f"/api/v1/extractions/{other_fact['id']}/review",
                           {"action": "reject", "version": other_fact["version"]}, who="other")
        assert answer.status_code == 200
        wait_status(a, other_fact["id"], "rejected")  # without a reload
        assert a.evaluate("window.__notReloaded") is True
        assert "rejeitado" in a.locator(f"#q-{other_fact['id']}").inner_text().lower()

        sign_in(b, live, who="other")  # another reviewer opens the fact A shows
        filter_by(b, kind="date", status="")
        open_fact(b, first)
        a.wait_for_selector(f"#q-{first} .flag-busy:has-text('em revisão por other')")
        a.wait_for_selector("#fact-presence:has-text('Outra pessoa (other) está com este fato aberto')")
        b.wait_for_selector(f"#q-{first} .flag-busy:has-text('em revisão por reviewer')")

        sign_in(mine, live)  # the same reviewer's second tab, on another fact
        filter_by(mine, kind="date", status="")
        second = next(f["id"] for f in pending if f["id"] not in (first, other_fact["id"]))
        open_fact(mine, second)
        a.wait_for_selector(f"#q-{second} .flag-mine:has-text('aberto em outra aba sua')")
        assert "Outra pessoa" not in a.locator(f"#q-{second}").inner_text()
        with live.client("other") as probe:
            seen = probe.put("/api/v1/presence", json={
                "tab": "test-probe-0001", "report_id": live.report_id, "extraction_id": None}).json()["viewers"]
        assert {(v["extraction_id"], v["reviewer"]) for v in seen} >= {(first, "reviewer"), (first, "other"),
                                                                       (second, "reviewer")}
        a.locator("#queue-list").focus()
        ready(a)
        a.keyboard.press("c")
        wait_status(a, first, "confirmed")
        b.wait_for_selector(f"#q-{first}.status-confirmed")  # B sees A's decision come in
    assert live.extraction(first)["status"] == "confirmed"
    assert live.extraction(other_fact["id"])["status"] == "rejected"


def test_initiative_page_chart_editions_diff_split_and_merge(browser: Any, two_editions: LiveService,
                                                             tmp_path: Path) -> None:
    live = two_editions
    items = live.get("/api/v1/initiatives")["items"]
    rural = next(i for i in items if i["title"] == "LEVAR INTERNET MÓVEL A LOCALIDADES RURAIS"
                 and i["editions"] == ["2025-08", "2025-10"])  # not a re-issue moved to a series of its own
    key = rural["key"]
    series = live.get(f"/api/v1/initiatives/{key}/series", facts="all")
    assert [e["status_date"] for e in series["editions"]] == ["2025-08", "2025-10"]
    fact = next(f for f in series["editions"][-1]["facts"] if f["kind"] == "count")
    with new_tab(browser) as page:
        page.goto(f"{live.base_url}/review?report={fact['report_id']}&status=&fact={fact['id']}")
        page.get_by_label("Token de revisor").fill(live.tokens["reviewer"])
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#q-{fact['id']}[aria-selected='true']")
        page.locator("#fact-initiative a").click()  # linked from each fact
        page.wait_for_url(re.compile(rf"/review/initiatives/{key}$"))
        page.wait_for_selector("#ini-body[data-ready='1']")
        assert page.locator("#ini-title").inner_text() == rural["title"]
        rows = [c for c in series["counts"] if c["points"]]
        assert page.locator("#ini-chart svg .series-label").count() == len(rows)  # one chart row per unit
        assert page.locator(".ini-edition").count() == 2
        facts = sum(len(e["facts"]) for e in series["editions"])
        assert page.locator(".ini-fact").count() == facts
        page.wait_for_function(f"() => document.querySelectorAll('canvas.thumb[data-drawn]').length === {facts}")
        assert page.locator("canvas.thumb[data-drawn='0']").count() == 0
        october = page.locator(f"#edition-{series['editions'][-1]['report_id']}")
        assert "Mudanças desde 2025-08" in october.inner_text()
        assert october.locator(".diff-changed:has-text('327')").count() == 1
        assert axe_violations(page) == []
        shot = INITIATIVE_SHOT if os.environ.get(UPDATE_DOCS) == "1" else tmp_path / "initiative-page.png"
        page.screenshot(path=str(shot), full_page=False)

        october.get_by_role("button", name=re.compile("separar esta edição")).click()
        page.locator("#link-dialog").get_by_role("button", name="Cancelar").click()
        page.wait_for_selector("#ini-message:has-text('Nada foi mudado')")
        assert [e for e in live.get(f"/api/v1/initiatives/{key}")["editions"]] == ["2025-08", "2025-10"]
        october.get_by_role("button", name=re.compile("separar esta edição")).click()
        page.locator("#link-note").fill("outra iniciativa")
        page.locator("#link-dialog").get_by_role("button", name="Confirmar").click()
        page.wait_for_selector("#ini-message:has-text('Separada')")
        assert live.get(f"/api/v1/initiatives/{key}")["editions"] == ["2025-08"]
        new_key = next(i["key"] for i in live.get("/api/v1/initiatives", series=rural["series"])["items"]
                       if i["key"] != key and i["title"] == rural["title"])
        assert live.get(f"/api/v1/initiatives/{new_key}")["editions"] == ["2025-10"]
        assert page.locator(".ini-edition").count() == 1

        page.select_option("#merge-select", new_key)
        page.get_by_role("button", name="Juntar…").click()
        page.locator("#link-dialog").get_by_role("button", name="Confirmar").click()
        page.wait_for_selector("#ini-message:has-text('Juntada')")
        page.wait_for_function("() => document.querySelectorAll('.ini-edition').length === 2")
    assert live.get(f"/api/v1/initiatives/{key}")["editions"] == ["2025-08", "2025-10"]
    assert all(i["key"] != new_key for i in live.get("/api/v1/initiatives")["items"])


def test_top_bar_is_one_line_at_1366_and_singular_bulk_label(page: Any, live: LiveService) -> None:
    assert VIEWPORT["width"] == 1366
    sign_in(page, live)
    bar = page.locator(".topbar").bounding_box()
    tops = page.locator(".topbar > *").evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
    heights = page.locator(".topbar button").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert bar is not None and bar["height"] < 50 and max(tops) - min(tops) < 12, (bar, tops)
    assert max(heights) < 36, f"a top-bar button wraps its label: {heights}"
    fact = live.extraction(current_id(page))
    page.keyboard.press(" ")
    button = page.get_by_role("button", name="Confirmar o fato selecionado")
    assert button.inner_text() == "Confirmar (1)"
    button.click()
    assert "Confirmar 1 fato de uma vez?" in page.locator("#bulk-text").inner_text()
    page.locator("#bulk-dialog").get_by_role("button", name="Cancelar").click()
    page.wait_for_selector("#bulk-dialog:not([open])", state="attached")
    after = live.extraction(fact["id"])  # cancelled: nothing changed
    assert (after["status"], after["version"]) == (fact["status"], fact["version"])
