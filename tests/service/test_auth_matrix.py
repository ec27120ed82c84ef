"""Every endpoint with every role, no token and a bad token: 401 / 403 / 2xx as in API.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.api.app import create_app
from service.storage.config import Settings
from service.storage.models import ApiToken, Report
from tests.pdfmaker import simple_deck, slide_pdf
from tests.service.fakes import drain_queue
from tests.service.helpers import extractions, upload

CALLERS = ("operator", "reviewer", "consumer", "admin", "none", "bad")


@dataclass
class Ctx:
    report_id: int
    ext_ids: list[int]
    token_ids: dict[str, int]
    tmp: Path
    role: str = ""

    def ext(self) -> int:  # each caller reviews its own fact, so versions never collide
        return self.ext_ids[CALLERS.index(self.role)]


KEY = "ampliar-o-atendimento-digital"  # the fake extraction's second initiative (service/linking.slug)


def _second_edition(c: TestClient, x: Ctx) -> int:
    """Upload a second edition of the fake report (once); returns its report id."""
    if not hasattr(x, "second"):
        pdf = slide_pdf(x.tmp / "second.pdf", [[("Relatório, segunda edição", 20, False)]])
        token = x.operator_token  # type: ignore[attr-defined]
        x.second = c.post("/api/v1/reports", headers={"Authorization": f"Bearer {token}"},  # type: ignore[attr-defined]
                          files={"file": ("b-2025-11.pdf", pdf.read_bytes(), "application/pdf")}).json()["id"]
        drain_queue(c.app.state.engine, c.app.state.settings)  # type: ignore[attr-defined]
    return x.second  # type: ignore[attr-defined,no-any-return]


def _split_then_merge(c: TestClient, h: dict[str, str], x: Ctx, answer: str) -> Any:
    """Split the second edition's initiative off KEY and merge it back (state restored)."""
    second = _second_edition(c, x)
    tree = c.get(f"/api/v1/reports/{second}/initiatives", headers=h).json()
    later = next((i["id"] for i in tree.get("initiatives", []) if i.get("key") == KEY), 0)
    split = c.post(f"/api/v1/initiatives/{KEY}/split", headers=h, json={"initiative_id": later})
    other = split.json().get("key", "none") if split.status_code == 200 else "none"
    merge = c.post(f"/api/v1/initiatives/{KEY}/merge", headers=h, json={"other_key": other})
    return split if answer == "split" else merge


def _published(c: TestClient, x: Ctx) -> None:
    """Confirm one fact of KEY's initiative (once): consumers see only initiatives with a
    confirmed fact (issue 12)."""
    if getattr(x, "published", False):
        return
    h = {"Authorization": f"Bearer {x.reviewer_token}"}  # type: ignore[attr-defined]
    tree = c.get(f"/api/v1/reports/{x.report_id}/initiatives", headers=h).json()
    ext_id = next(i["extraction_ids"][0] for i in tree["initiatives"] if i.get("key") == KEY)
    version = c.get(f"/api/v1/extractions/{ext_id}", headers=h).json()["version"]
    c.post(f"/api/v1/extractions/{ext_id}/review", headers=h, json={"action": "confirm", "version": version})
    x.published = True  # type: ignore[attr-defined]


Call = Callable[[TestClient, dict[str, str], Ctx], Any]


def _move(c: TestClient, h: dict[str, str], x: Ctx) -> Any:
    """Move the caller's fact to an initiative it is not in (read with an admin's token)."""
    admin = {"Authorization": f"Bearer {x.admin_token}"}  # type: ignore[attr-defined]
    fact = c.get(f"/api/v1/extractions/{x.ext()}", headers=admin).json()
    tree = c.get(f"/api/v1/reports/{x.report_id}/initiatives", headers=admin).json()["initiatives"]
    other = next(i["id"] for i in tree if i["id"] != fact["initiative"]["id"])
    return c.put(f"/api/v1/extractions/{x.ext()}/initiative", headers=h,
                 json={"initiative_id": other, "version": fact["version"]})


def _retry(c: TestClient, h: dict[str, str], x: Ctx) -> Any:
    """Retry the report after marking it failed (only a failed report is retried)."""
    with Session(x.engine) as session:  # type: ignore[attr-defined]
        report = session.get(Report, x.report_id)
        assert report is not None
        report.status, report.error = "failed", "the worker was killed"
        session.add(report)
        session.commit()
    return c.post(f"/api/v1/reports/{x.report_id}/retry", headers=h)


def _reextract(c: TestClient, h: dict[str, str], x: Ctx) -> Any:
    """Ask for a re-extraction after clearing the one an earlier caller queued (one at a time)."""
    with Session(x.engine) as session:  # type: ignore[attr-defined]
        report = session.get(Report, x.report_id)
        assert report is not None
        report.reextract_state = None
        session.add(report)
        session.commit()
    return c.post(f"/api/v1/reports/{x.report_id}/reextract", headers=h)


def _upload(c: TestClient, h: dict[str, str], x: Ctx) -> Any:
    pdf = slide_pdf(x.tmp / f"{x.role}.pdf", [[(f"Relatório {x.role}", 20, False)]])
    return c.post("/api/v1/reports", headers=h, files={"file": ("r.pdf", pdf.read_bytes(), "application/pdf")})


ENDPOINTS: dict[tuple[str, str], tuple[set[str], Call]] = {
    ("GET", "/healthz"): (set(CALLERS), lambda c, h, x: c.get("/healthz", headers=h)),
    ("POST", "/api/v1/reports"): ({"operator", "admin"}, _upload),
    ("GET", "/api/v1/reports"): ({"operator", "reviewer", "admin"}, lambda c, h, x: c.get("/api/v1/reports", headers=h)),
    ("GET", "/api/v1/quality"): ({"operator", "reviewer", "admin"}, lambda c, h, x: c.get("/api/v1/quality", headers=h)),
    ("GET", "/api/v1/reports/{report_id}"): (
        {"operator", "reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}", headers=h)),
    ("GET", "/api/v1/reports/{report_id}/initiatives"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/initiatives", headers=h)),
    ("GET", "/api/v1/reports/{report_id}/pages/{page}.png"): (
        {"reviewer", "admin"},
        lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/pages/2.png?highlight={x.ext()}", headers=h)),
    ("GET", "/api/v1/extractions"): ({"reviewer", "admin"}, lambda c, h, x: c.get("/api/v1/extractions", headers=h)),
    ("GET", "/api/v1/extractions/{extraction_id}"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/extractions/{x.ext()}", headers=h)),
    ("POST", "/api/v1/extractions/{extraction_id}/review"): (
        {"reviewer", "admin"},
        lambda c, h, x: c.post(f"/api/v1/extractions/{x.ext()}/review", headers=h, json={"action": "confirm", "version": 1})),
    ("POST", "/api/v1/extractions/review"): (
        {"reviewer", "admin"},
        lambda c, h, x: c.post("/api/v1/extractions/review", headers=h,
                               json={"items": [{"id": x.ext(), "action": "reject", "version": 1}]})),
    ("GET", "/api/v1/extractions/{extraction_id}/history"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/extractions/{x.ext()}/history", headers=h)),
    ("GET", "/api/v1/records"): (
        {"consumer", "reviewer", "admin"}, lambda c, h, x: c.get("/api/v1/records?format=ndjson", headers=h)),
    ("POST", "/api/v1/tokens"): (
        {"admin"}, lambda c, h, x: c.post("/api/v1/tokens", headers=h, json={"role": "consumer", "name": "bi"})),
    ("GET", "/api/v1/tokens"): ({"admin"}, lambda c, h, x: c.get("/api/v1/tokens", headers=h)),
    ("GET", "/review"): (set(CALLERS), lambda c, h, x: c.get("/review", headers=h)),
    ("GET", "/operator"): (set(CALLERS), lambda c, h, x: c.get("/operator", headers=h)),
    ("GET", "/review/initiatives/{key}"): (set(CALLERS), lambda c, h, x: c.get(f"/review/initiatives/{KEY}", headers=h)),
    ("GET", "/api/v1/municipalities"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get("/api/v1/municipalities?q=teofilo", headers=h)),
    ("GET", "/api/v1/extractions/{extraction_id}/source"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/extractions/{x.ext()}/source", headers=h)),
    ("POST", "/api/v1/parse"): (
        {"reviewer", "admin"},
        lambda c, h, x: c.post("/api/v1/parse", headers=h, json={"kind": "percentage", "text": "68%"})),
    ("POST", "/api/v1/parse/check"): (
        {"reviewer", "admin"},
        lambda c, h, x: c.post("/api/v1/parse/check", headers=h, json={"kind": "percentage", "text": "68%"})),
    ("DELETE", "/api/v1/tokens/{token_id}"): (
        {"admin"}, lambda c, h, x: c.delete(f"/api/v1/tokens/{x.token_ids['consumer']}", headers=h)),
    ("GET", "/api/v1/initiatives"): (
        {"consumer", "reviewer", "admin"}, lambda c, h, x: c.get("/api/v1/initiatives", headers=h)),
    ("GET", "/api/v1/initiatives/{key}"): (
        {"consumer", "reviewer", "admin"},
        lambda c, h, x: (_published(c, x), c.get(f"/api/v1/initiatives/{KEY}", headers=h))[1]),
    ("GET", "/api/v1/initiatives/{key}/series"): (
        {"consumer", "reviewer", "admin"},
        lambda c, h, x: (_published(c, x), c.get(f"/api/v1/initiatives/{KEY}/series", headers=h))[1]),
    ("POST", "/api/v1/initiatives/{key}/split"): (
        {"reviewer", "admin"}, lambda c, h, x: _split_then_merge(c, h, x, "split")),
    ("POST", "/api/v1/initiatives/{key}/merge"): (
        {"reviewer", "admin"}, lambda c, h, x: _split_then_merge(c, h, x, "merge")),
    ("GET", "/api/v1/reports/{report_id}/diff"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/reports/{_second_edition(c, x)}/diff", headers=h)),
    ("GET", "/api/v1/reports/{report_id}/assist"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/assist", headers=h)),
    ("POST", "/api/v1/reports/{report_id}/confirm-unchanged"): (
        {"reviewer", "admin"}, lambda c, h, x: c.post(f"/api/v1/reports/{x.report_id}/confirm-unchanged",
                                                      headers=h, json={})),
    ("POST", "/api/v1/reports/{report_id}/apply-previous-decisions"): (
        {"reviewer", "admin"}, lambda c, h, x: c.post(f"/api/v1/reports/{x.report_id}/apply-previous-decisions",
                                                      headers=h, json={})),
    ("GET", "/api/v1/initiatives/{key}/merge-candidates"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/initiatives/{KEY}/merge-candidates", headers=h)),
    ("GET", "/api/v1/reports/{report_id}/pages/{page}/text"): (
        {"reviewer", "admin"},
        lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/pages/1/text?bbox=0,0,600,800", headers=h)),
    ("GET", "/api/v1/orphans"): ({"reviewer", "admin"}, lambda c, h, x: c.get("/api/v1/orphans", headers=h)),
    ("GET", "/api/v1/reports/{report_id}/changes"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/changes?since=0", headers=h)),
    ("PUT", "/api/v1/presence"): (
        {"reviewer", "admin"}, lambda c, h, x: c.put("/api/v1/presence", headers=h, json={
            "tab": f"tab-{x.role}-0001", "report_id": x.report_id, "extraction_id": x.ext()})),
    ("POST", "/api/v1/extractions"): (
        {"reviewer", "admin"}, lambda c, h, x: c.post("/api/v1/extractions", headers=h, json={
            "report_id": x.report_id, "page": 2, "bbox": [10, 10, 40, 20], "kind": "percentage", "value": 12})),
    ("PUT", "/api/v1/extractions/{extraction_id}/initiative"): ({"reviewer", "admin"}, _move),
    ("GET", "/api/v1/reports/{report_id}/complete"): (
        {"reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/complete", headers=h)),
    ("PUT", "/api/v1/reports/{report_id}/complete"): (
        {"reviewer", "admin"},
        lambda c, h, x: c.put(f"/api/v1/reports/{x.report_id}/complete", headers=h, json={"pages": [1]})),
    ("POST", "/api/v1/reports/{report_id}/retry"): ({"operator", "admin"}, _retry),
    ("GET", "/api/v1/tokens/me"): (
        {"operator", "reviewer", "consumer", "admin"}, lambda c, h, x: c.get("/api/v1/tokens/me", headers=h)),
    ("GET", "/api/v1/reports/{report_id}/outline"): (
        {"operator", "reviewer", "admin"}, lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/outline", headers=h)),
    ("GET", "/api/v1/reports/{report_id}/records"): (
        {"operator", "reviewer", "admin"},
        lambda c, h, x: c.get(f"/api/v1/reports/{x.report_id}/records?format=csv", headers=h)),
    ("POST", "/api/v1/reports/{report_id}/reextract"): (
        {"operator", "admin"}, _reextract),
    ("PUT", "/api/v1/reports/{report_id}/series"): (
        {"operator", "reviewer", "admin"},
        lambda c, h, x: c.put(f"/api/v1/reports/{x.report_id}/series", headers=h, json={"series": "painel"})),
}


def test_the_matrix_covers_every_documented_route(settings: Settings) -> None:
    app = create_app(settings, start_worker=False)
    routes = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}
    assert routes == set(ENDPOINTS)


def _headers(role: str, tokens: dict[str, str]) -> dict[str, str]:
    if role == "none":
        return {}
    if role == "bad":
        return {"Authorization": "Bearer rlt_not-a-real-token"}
    return {"Authorization": f"Bearer {tokens[role]}"}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS), ids=[f"{m} {p}" for m, p in ENDPOINTS])
def test_role_matrix(client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings,
                     fake_extract: None, tmp_path: Path, endpoint: tuple[str, str]) -> None:
    report = upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).json()
    drain_queue(engine, settings)
    with Session(engine) as session:
        token_ids = {t.role: t.id for t in session.exec(select(ApiToken))}
    ctx = Ctx(report["id"], [i["id"] for i in extractions(client, tokens["reviewer"])], token_ids, tmp_path)  # type: ignore[arg-type]
    ctx.operator_token = tokens["operator"]  # type: ignore[attr-defined]  (for _second_edition)
    ctx.reviewer_token = tokens["reviewer"]  # type: ignore[attr-defined]  (for _published)
    ctx.admin_token = tokens["admin"]  # type: ignore[attr-defined]  (for _move)
    ctx.engine = engine  # type: ignore[attr-defined]  (for _retry)
    allowed, call = ENDPOINTS[endpoint]
    wrong = {}
    for role in CALLERS:
        ctx.role = role
        response = call(client, _headers(role, tokens), ctx)
        expected = "2xx" if role in allowed else ("401" if role in ("none", "bad") else "403")
        got = "2xx" if 200 <= response.status_code < 300 else str(response.status_code)
        if got != expected:
            wrong[role] = (expected, response.status_code, response.text[:200])
        elif got != "2xx":
            assert isinstance(response.json()["detail"], str) and response.json()["detail"]
        if got == "403":
            article = "an" if role[0] in "aeiou" else "a"
            assert response.json()["detail"].startswith(f"{article} {role} token cannot do this")
    assert wrong == {}
