"""The operator page, driven as an operator or an admin would: many PDFs dropped at once
(an outcome per file, and the API agrees), upload progress on a large file, the live
reports table, a report's detail and its actions behind a confirmation (cancel changes
nothing), the tokens tab for admins only, the quality tab, and axe on every view."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.quality.report import DRIFT_MIN_REPORT, DRIFT_MIN_RUNNING
from tests.browser.conftest import new_tab, report_pdf
from tests.browser.live import CLI, LiveService, _env, _token, start_service
from tests.browser.test_review_decisions import axe_violations
from tests.browser.test_review_page import DOCS_SCREENSHOT, UPDATE_DOCS
from tests.conftest import PROJECT_CORPUS
from tests.pdfmaker import padded_pdf, slide_pdf

pytestmark = pytest.mark.browser
OPERATOR_SHOT = DOCS_SCREENSHOT.with_name("operator.png")
QUALITY_SHOT = DOCS_SCREENSHOT.with_name("operator-quality.png")
BIG_MB = 50


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """A service of this module's own (its tests upload and re-extract), uploads up to 200 MB."""
    workdir = tmp_path_factory.mktemp("ops")
    live = start_service(workdir, report_pdf(), {"RELATO_MAX_UPLOAD_MB": "200"})
    live.tokens["admin"] = _token(_env(workdir), "admin", "admin")
    yield live
    live.stop()


def sign_in(page: Any, live: LiveService, who: str = "operator", view: str = "") -> None:
    page.goto(f"{live.base_url}/operator?live_ms=500{'#' + view if view else ''}")
    page.get_by_label("Token de operador ou administrador").fill(live.tokens[who])
    page.keyboard.press("Enter")
    page.wait_for_selector("#app:not([hidden])")
    if live.report_id:
        page.wait_for_selector(f"#r-{live.report_id}", state="attached")


def drop_files(page: Any, files: list[tuple[str, bytes, str]]) -> None:
    """Drop files on the drop zone as a browser does: one DataTransfer holding them all."""
    payload = [{"name": n, "type": t, "b64": base64.b64encode(b).decode()} for n, b, t in files]
    page.evaluate("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name, { type: f.type }));
        }
        const zone = document.getElementById('drop-zone');
        for (const type of ['dragover', 'drop']) {
            zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        }
    }""", payload)


def upload_rows(page: Any) -> dict[str, tuple[str, str]]:
    """File name -> (outcome kind, outcome text) of every upload row."""
    return {r["name"]: (r["kind"], r["text"]) for r in page.evaluate("""() => [...document.querySelectorAll(
        '#upload-rows tr')].map((tr) => ({ name: tr.querySelector('th').textContent,
        kind: tr.dataset.outcome || '', text: tr.querySelector('.outcome').textContent }))""")}


def test_twenty_pdfs_dropped_at_once_each_row_tells_its_outcome_and_the_api_agrees(
        page: Any, ops: LiveService, tmp_path: Path) -> None:
    known = report_pdf()
    files = [(f"lote-{n:02d}.pdf", slide_pdf(tmp_path / f"lote-{n:02d}.pdf",
                                             [[(f"Relatorio de teste numero {n}", 20, False)]]).read_bytes(),
              "application/pdf") for n in range(18)]
    files.append(("repetido.pdf", known.read_bytes(), "application/pdf"))
    files.append(("planilha.pdf", b"nome;valor\nana;1\n" * 50, "application/pdf"))  # named .pdf, is not one
    before = ops.get("/api/v1/reports", who="operator")["items"]
    sign_in(page, ops)
    drop_files(page, files)
    page.wait_for_function("() => document.querySelectorAll('#upload-rows tr[data-outcome]').length === 20",
                           timeout=120_000)
    rows = upload_rows(page)
    assert rows["planilha.pdf"] == ("refused", "recusado: não é um PDF")
    assert rows["repetido.pdf"][0] == "known" and f"relatório {ops.report_id})" in rows["repetido.pdf"][1]
    new_ids = {}
    for name, _, _ in files[:18]:
        kind, text = rows[name]
        assert kind == "new", (name, text)
        new_ids[name] = int(re.search(r"relatório (\d+)", text).group(1))  # type: ignore[union-attr]
    after = {r["id"]: r for r in ops.get("/api/v1/reports", who="operator")["items"]}
    assert len(after) == len(before) + 18  # the duplicate and the refused file changed nothing
    assert {after[i]["filename"] for i in new_ids.values()} == set(new_ids)
    assert "planilha.pdf" not in {r["filename"] for r in after.values()}
    for report_id in new_ids.values():  # the live table lists each new report without a reload
        page.wait_for_selector(f"#r-{report_id}")


def test_a_large_pdf_shows_its_upload_progress(page: Any, ops: LiveService, tmp_path: Path) -> None:
    big = padded_pdf(tmp_path / "grande.pdf", BIG_MB * 1024 * 1024)
    sign_in(page, ops)
    page.evaluate("""() => { window.seen = [];
        new MutationObserver((changes) => { for (const c of changes) window.seen.push(Number(c.target.value)); })
          .observe(document.getElementById('upload-rows'), { attributes: true, subtree: true, attributeFilter: ['value'] }); }""")
    page.set_input_files("#file-input", str(big))
    page.wait_for_selector("#upload-rows tr[data-outcome]", timeout=120_000)
    seen = page.evaluate("window.seen")
    assert any(0 < v < 1 for v in seen), f"no intermediate progress among {seen[:20]}"
    assert upload_rows(page)["grande.pdf"][0] == "new"
    report = next(r for r in ops.get("/api/v1/reports", who="operator")["items"] if r["filename"] == "grande.pdf")
    assert report["status"] in ("queued", "processing", "done")


def facts_state(live: LiveService) -> list[tuple[int, int, str]]:
    return [(f["id"], f["version"], f["status"]) for f in live.extractions()]


def test_reextract_asks_first_names_what_changes_and_cancel_changes_nothing(page: Any, ops: LiveService) -> None:
    """Confirmed, the re-extraction is queued for the service's worker: the row tells it queued
    and then processing with the page it has read, and the detail tells its outcome."""
    fact = ops.extractions(status="pending")[0]
    assert ops.post(f"/api/v1/extractions/{fact['id']}/review", {"action": "confirm", "version": fact["version"]}).status_code == 200
    before = facts_state(ops)
    sign_in(page, ops)
    page.get_by_role("button", name=re.compile(f"Detalhes de {re.escape(report_pdf().name)}")).click()
    page.wait_for_selector("#detail-areas .area a[href^='/review/initiatives/']")
    assert page.locator("#detail-review").get_attribute("href") == f"/review?report={ops.report_id}"
    page.get_by_role("button", name="Re-extrair…").click()
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible() and "mantêm as decisões" in dialog.inner_text()
    assert "entra na fila" in dialog.inner_text()
    dialog.get_by_role("button", name="Cancelar").click()
    assert not dialog.is_visible()
    time.sleep(1.0)
    assert facts_state(ops) == before  # cancel: nothing re-extracted, no version moved
    assert ops.get(f"/api/v1/reports/{ops.report_id}", who="operator")["reextraction"] is None
    page.evaluate("""(id) => { window.statuses = [];
        const note = () => { const cell = document.querySelector(`#${id} td`); if (cell) window.statuses.push(cell.textContent); };
        new MutationObserver(note).observe(document.getElementById('report-rows'), { childList: true, subtree: true }); }""",
                  f"r-{ops.report_id}")
    page.get_by_role("button", name="Re-extrair…").click()
    dialog.get_by_role("button", name="Re-extrair").click()
    page.wait_for_selector("#toast.show >> text=/Re-extração na fila/")
    row = page.locator(f"#r-{ops.report_id}")
    page.wait_for_selector(f"#r-{ops.report_id}[data-reextraction='done']", timeout=180_000)
    statuses = page.evaluate("window.statuses")
    assert any(re.fullmatch(r"concluído · re-extra(ção na fila|indo.*)", s) for s in statuses), statuses
    # The page it has read ("re-extraindo (Leitura: página N de M)") is written at most once a
    # second and this deck is read in less: whether the row ever shows it is a race, so the
    # progress line of a running re-extraction is checked through the API
    # (tests/service/test_operator_api.py), not here.
    assert row.locator("td").first.inner_text() == "concluído" and row.get_attribute("data-status") == "done"
    outcome = ops.get(f"/api/v1/reports/{ops.report_id}", who="operator")["reextraction"]["outcome"]
    told = page.locator("#detail-reextraction")
    told.wait_for(state="visible")
    assert told.inner_text().startswith("Última re-extração (") and "pedida por operator" in told.inner_text()
    assert f"{outcome['kept']} fatos reencontrados ({outcome['changed']} com valor novo)" in told.inner_text()
    assert outcome["kept"] == len(before) and outcome["added"] == outcome["orphaned"] == 0
    assert ops.extraction(fact["id"])["status"] == "confirmed"  # the decision is kept
    assert page.get_by_role("button", name="Re-extrair…").is_visible()  # done: it may be asked for again


def test_records_download_from_the_detail_holds_the_confirmed_facts(page: Any, ops: LiveService) -> None:
    confirmed = {f["id"] for f in ops.extractions(status="confirmed")}
    if not confirmed:
        fact = ops.extractions(status="pending")[0]
        ops.post(f"/api/v1/extractions/{fact['id']}/review", {"action": "confirm", "version": fact["version"]})
        confirmed = {fact["id"]}
    sign_in(page, ops)
    page.locator(f"#r-{ops.report_id} button").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Baixar confirmados (JSON)").click()
    body = json.loads(Path(info.value.path()).read_text())
    assert {r["extraction_id"] for r in body["items"]} == confirmed
    with page.expect_download() as info:
        page.get_by_role("button", name="Baixar confirmados (CSV)").click()
    assert info.value.suggested_filename.endswith("-confirmados.csv")
    assert Path(info.value.path()).read_text().splitlines()[0].startswith("change_seq,state,extraction_id")


def test_admin_creates_copies_lists_and_revokes_a_token(browser: Any, ops: LiveService) -> None:
    with new_tab(browser) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ops.base_url)
        sign_in(page, ops, "admin", "tokens")
        page.get_by_label("Nome (pessoa ou sistema)").fill("painel-bi")
        page.get_by_label("Papel").select_option("consumer")
        page.get_by_role("button", name="Criar token").click()
        secret = page.locator("#token-secret-value")
        page.wait_for_selector("#token-secret:not([hidden])")
        value = secret.input_value()
        assert value.startswith("rlt_")
        page.get_by_role("button", name="Copiar").click()
        assert page.evaluate("navigator.clipboard.readText()") == value
        row = page.locator("#token-rows tr", has_text="painel-bi")
        assert "consumidor" in row.inner_text() and "nunca usado" in row.inner_text()
        assert httpx.get(f"{ops.base_url}/api/v1/records", headers={"Authorization": f"Bearer {value}"}).status_code == 200
        page.locator("#tab-reports").click()
        assert secret.input_value() == ""  # shown once: leaving the tab forgets it
        for _ in range(30):  # the last use is written on a thread of its own
            page.locator("#tab-tokens").click()
            if "nunca usado" not in page.locator("#token-rows tr", has_text="painel-bi").inner_text():
                break
            time.sleep(0.3)
        assert "nunca usado" not in page.locator("#token-rows tr", has_text="painel-bi").inner_text()
        page.get_by_role("button", name="Revogar o token painel-bi").click()
        assert "para de funcionar na hora" in page.locator("#confirm-dialog").inner_text()
        page.locator("#confirm-dialog").get_by_role("button", name="Revogar").click()
        page.wait_for_selector("#token-rows tr:has-text('painel-bi') >> text=/revogado em/")
        assert httpx.get(f"{ops.base_url}/api/v1/records", headers={"Authorization": f"Bearer {value}"}).status_code == 401


def test_an_operator_has_no_tokens_tab_and_the_api_refuses_it(page: Any, ops: LiveService) -> None:
    sign_in(page, ops, "operator", "tokens")
    assert page.locator("#tab-tokens").is_hidden() and page.locator("#view-tokens").is_hidden()
    assert page.locator("#view-reports").is_visible()  # asked for #tokens, shown the reports
    with ops.client("operator") as c:
        assert c.get("/api/v1/tokens").status_code == 403
        assert c.post("/api/v1/tokens", json={"name": "x", "role": "admin"}).status_code == 403
    page.locator("#signout-button").click()
    page.get_by_label("Token de operador ou administrador").fill(ops.tokens["reviewer"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#signin-error:has-text('nem de administrador')")
    assert page.locator("#app").is_hidden()


LATER_DECK = "status-deck-2025-08.pdf"  # uploaded after the module's deck: a higher id, a later report


@pytest.fixture(scope="module")
def drifted(ops: LiveService) -> tuple[int, int, str]:
    """Reviewers' decisions through the API that pass the drift thresholds of
    service/quality/report.py: the extractor with the most facts confirmed on DRIFT_MIN_RUNNING
    facts of the module's deck, then on a later deck DRIFT_MIN_REPORT of its facts decided,
    most of them rejected. Yields (earlier report id, later report id, extractor)."""
    pdf = PROJECT_CORPUS / LATER_DECK
    if not pdf.exists():
        pytest.skip(f"{pdf} is missing")
    with ops.client("operator") as c, open(pdf, "rb") as fh:
        later = c.post("/api/v1/reports", files={"file": (pdf.name, fh, "application/pdf")}).json()["id"]
    for _ in range(1500):
        if ops.get(f"/api/v1/reports/{later}")["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert ops.get(f"/api/v1/reports/{later}")["status"] == "done"
    facts = {rid: ops.get("/api/v1/extractions", report_id=rid, status="pending", limit=1000)["items"]
             for rid in (ops.report_id, later)}
    extractor = max({f["extractor"] for f in facts[later]},
                    key=lambda e: sum(f["extractor"] == e for f in facts[later]))
    earlier = [f for f in facts[ops.report_id] if f["extractor"] == extractor][:DRIFT_MIN_RUNNING]
    here = [f for f in facts[later] if f["extractor"] == extractor][:DRIFT_MIN_REPORT]
    assert len(earlier) == DRIFT_MIN_RUNNING and len(here) == DRIFT_MIN_REPORT, extractor
    items = ([{"id": f["id"], "action": "confirm", "version": f["version"]} for f in earlier]
             + [{"id": f["id"], "action": "confirm" if n < 4 else "reject", "version": f["version"]}
                for n, f in enumerate(here)])  # 40 % here against ~100 % before
    response = ops.post("/api/v1/extractions/review", {"items": items})
    assert response.status_code == 200, response.text
    return ops.report_id, later, extractor


def quality_tables(page: Any) -> dict[str, list[list[str]]]:
    """Caption of each table on the quality tab -> its body rows, each a list of cell texts."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#quality-body section')]
        .filter((s) => s.querySelector('table')).map((s) => [s.querySelector('h3').textContent,
          [...s.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent))]))""")


SHOWN = 0.0005 + 1e-9  # the tab shows 0.1 %: a ratio and its figure there differ by half of that at most


def shown_pct(text: str) -> float | None:
    """'62,7 %' -> 0.627; '—' (nothing decided) -> None."""
    return None if text == "—" else float(text.removesuffix(" %").replace(",", ".")) / 100


def assert_precision_cells(cells: list[str], row: dict[str, Any]) -> None:
    """A precision row of the tab against the API's: the counts exactly, the ratios to the 0.1 % shown."""
    assert cells[1:6] == [str(row[k]) for k in ("decided", "confirmed", "corrected", "rejected", "pending")], (cells, row)
    low, _, high = cells[7].partition(" a ")
    for text, value in ((cells[6], row["precision"]), (low, row["ci_low"]), (high or "—", row["ci_high"])):
        shown = shown_pct(text)
        assert (shown is None) == (value is None), (cells, row)
        assert shown is None or abs(shown - value) <= SHOWN, (cells, row)


def test_quality_tab_shows_the_apis_figures_and_the_drop_is_flagged_on_its_report_row(
        page: Any, ops: LiveService, drifted: tuple[int, int, str]) -> None:
    earlier, later, extractor = drifted
    sign_in(page, ops)  # after the decisions: the table asks for the figures when it first loads
    q = ops.get("/api/v1/quality", who="operator")
    drop = next(d for d in q["drift"] if d["extractor"] == extractor)
    assert drop["report_id"] == later and drop["decided"] == DRIFT_MIN_REPORT and drop["precision"] == 0.4
    flag = page.locator(f"#r-{later} .flag.drift")
    flag.wait_for()
    assert flag.inner_text() == "queda de precisão" and extractor in (flag.get_attribute("title") or "")
    assert page.locator(f"#r-{earlier} .flag.drift").count() == 0  # the earlier deck's figures did not drop

    page.locator("#tab-quality").click()
    page.wait_for_selector("#quality-body table")
    tables = quality_tables(page)
    by_extractor = {cells[0]: cells for cells in tables["Por extrator"]}
    assert set(by_extractor) == {r["key"] for r in q["by_extractor"]}
    for row in q["by_extractor"]:
        assert_precision_cells(by_extractor[row["key"]], row)
    by_kind = tables["Por tipo de fato"]
    assert len(by_kind) == len(q["by_kind"])
    for cells, row in zip(by_kind, q["by_kind"], strict=True):
        assert_precision_cells(cells, row)
    assert any(r["precision"] is None for r in q["by_kind"])  # a kind no one decided: null, shown "—"
    by_report = {cells[0]: cells for cells in tables["Por relatório"]}
    for row in q["by_report"]:
        cells = by_report[f"nº {row['report_id']} · {row['filename']}"]
        assert_precision_cells(cells, row)
        assert cells[8] == str(row["added"])
        assert cells[9] == ("queda de precisão" if row["drift"] else "—"), cells
    assert [r["report_id"] for r in q["by_report"] if r["drift"]] == [later]
    bins = next(v for k, v in tables.items() if k.startswith("Confiança da extração contra precisão observada"))
    assert [[int(c) for c in cells[1:3]] for cells in bins] == \
        [[b["decided"], b["confirmed"]] for b in q["reliability"]["bins"] if b["decided"]]
    # what nothing yet says: no fact added by hand, no page marked complete, no extractor refitted
    assert not q["misses"]["by_kind"] and not q["refits"] and not q["recall"]["all"]["pages"]
    hints = page.locator("#quality-body .hint").all_inner_texts()
    assert {"nenhum fato adicionado à mão", "nenhuma página marcada como revisada por completo",
            f"nenhum extrator com {q['refit_min_decided']} decididos ainda"} <= set(hints), hints
    text = page.locator("#view-quality").inner_text()
    overall = re.search(r"Precisão geral: ([^ ]+ %|—) .* em (\d+) fatos decididos; (\d+) fatos adicionados", text)
    assert overall, text
    assert shown_pct(overall.group(1)) == pytest.approx(q["all"]["precision"], abs=SHOWN)
    assert (int(overall.group(2)), int(overall.group(3))) == (q["all"]["decided"], q["misses"]["all"])
    listed = re.search(rf"Relatório nº {later} — {re.escape(extractor)}: 40 % neste relatório contra ([^ ]+ %) antes "
                       rf"\(queda de ([^ ]+ %), {DRIFT_MIN_REPORT} decididos\)", text)
    assert listed, text
    assert shown_pct(listed.group(1)) == pytest.approx(drop["running_precision"], abs=SHOWN)
    assert shown_pct(listed.group(2)) == pytest.approx(drop["drop"], abs=SHOWN)


def test_axe_finds_nothing_serious_on_any_view(browser: Any, ops: LiveService, drifted: tuple[int, int, str],
                                              tmp_path: Path) -> None:
    _, later, _ = drifted  # real figures on the quality tab, and a drop on the later deck's row
    with new_tab(browser) as page:
        page.goto(f"{ops.base_url}/operator")
        page.wait_for_selector("#token-input")
        assert axe_violations(page) == []
        sign_in(page, ops, "admin")
        page.set_input_files("#file-input", [str(report_pdf())])  # an upload row (already known)
        page.wait_for_selector("#upload-rows tr[data-outcome]")
        page.locator(f"#r-{later} .flag.drift").wait_for()
        page.locator(f"#r-{later} button").click()
        page.wait_for_selector("#detail-areas .area")
        assert axe_violations(page) == []
        shot = OPERATOR_SHOT if os.environ.get(UPDATE_DOCS) == "1" else tmp_path / "operator.png"
        page.screenshot(path=str(shot), full_page=True)
        page.get_by_role("button", name="Re-extrair…").click()
        assert axe_violations(page) == []
        page.locator("#confirm-dialog").get_by_role("button", name="Cancelar").click()
        for view in ("quality", "tokens"):
            page.locator(f"#tab-{view}").click()
            page.wait_for_selector(f"#view-{view} table tbody tr")
            assert axe_violations(page) == [], view
            if view == "quality":
                shot = QUALITY_SHOT if os.environ.get(UPDATE_DOCS) == "1" else tmp_path / "operator-quality.png"
                page.screenshot(path=str(shot), full_page=True)


@pytest.fixture
def web_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveService, Path]]:
    """A service with no worker of its own: the test runs `relato worker` processes beside it."""
    workdir = tmp_path_factory.mktemp("killed")
    live = start_service(workdir, None, {"RELATO_LEASE_S": "3"}, factory="create_web_app")
    yield live, workdir
    live.stop()


def start_worker(workdir: Path, delay_s: float) -> subprocess.Popen[bytes]:
    env = {**_env(workdir), "RELATO_LEASE_S": "3", "RELATO_TEST_EXTRACT_DELAY_S": str(delay_s)}
    log = open(workdir / f"worker-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115 - the process owns it
    return subprocess.Popen([sys.executable, "-c", CLI, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_job_leaves_the_row_truthful(page: Any, web_only: tuple[LiveService, Path],
                                                         tmp_path: Path) -> None:
    live, workdir = web_only
    deck = slide_pdf(tmp_path / "interrompido.pdf", [[("Relatorio interrompido", 20, False)]])
    with live.client("operator") as c, open(deck, "rb") as fh:
        live.report_id = c.post("/api/v1/reports", files={"file": (deck.name, fh, "application/pdf")}).json()["id"]
    sign_in(page, live)
    row = page.locator(f"#r-{live.report_id}")
    assert row.get_attribute("data-status") == "queued" and "na fila" in row.inner_text()
    worker = start_worker(workdir, delay_s=120)
    try:
        page.wait_for_selector(f"#r-{live.report_id}[data-status='processing']", timeout=60_000)
        assert "processando" in row.inner_text()
        os.kill(worker.pid, signal.SIGKILL)  # mid-job: no word to anyone
        worker.wait(timeout=10)
        page.wait_for_selector(f"#r-{live.report_id}[data-status='stalled']", timeout=30_000)
        assert "parou sem avisar" in row.inner_text()
        assert live.get(f"/api/v1/reports/{live.report_id}", who="operator")["stalled"] is True
        worker = start_worker(workdir, delay_s=0)
        page.wait_for_selector(f"#r-{live.report_id}[data-status='done']", timeout=120_000)
        assert "concluído" in row.inner_text()
        assert live.get(f"/api/v1/reports/{live.report_id}", who="operator")["attempts"] == 2
    finally:
        worker.kill()
        worker.wait(timeout=10)
