"""Page images: rendered from the stored PDF, the fact's bbox highlighted, cached on disk."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from service.storage.config import Settings
from tests.pdfmaker import simple_deck
from tests.service.conftest import auth
from tests.service.fakes import BBOX, drain_queue
from tests.service.helpers import extractions, upload


@pytest.fixture
def report(client: TestClient, tokens: dict[str, str], engine: Engine, settings: Settings,
           fake_extract: None, tmp_path: Path) -> dict:
    created = upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).json()
    drain_queue(engine, settings)
    return created


def test_highlight_is_drawn_over_the_bbox(client: TestClient, tokens: dict[str, str], report: dict,
                                          settings: Settings) -> None:
    ext = extractions(client, tokens["reviewer"])[0]
    url = f"/api/v1/reports/{report['id']}/pages/2.png"
    plain = Image.open(io.BytesIO(client.get(url, headers=auth(tokens["reviewer"])).content)).convert("RGB")
    marked_response = client.get(url, params={"highlight": ext["id"]}, headers=auth(tokens["reviewer"]))
    assert marked_response.headers["content-type"] == "image/png"
    marked = Image.open(io.BytesIO(marked_response.content)).convert("RGB")
    scale = plain.width / 960  # the deck is 960 points wide
    inside = (int((BBOX[0] + BBOX[2]) / 2 * scale), int((BBOX[1] + BBOX[3]) / 2 * scale))
    outside = (int(700 * scale), int(450 * scale))
    assert plain.getpixel(inside) == (255, 255, 255) and marked.getpixel(inside) != (255, 255, 255)
    assert marked.getpixel(outside) == plain.getpixel(outside)
    cached = sorted(p.name for p in (settings.cache_dir / report["sha256"]).iterdir())
    assert cached == [f"p2-h{ext['id']}.png", "p2-plain.png"]


@pytest.mark.parametrize(("page", "highlight", "code", "message"), [
    (3, None, 404, "has 2 pages"), (0, None, 404, "does not exist"),
    (1, "first", 422, "is on page 2"), (2, 999_999, 404, "is not in report"),
])
def test_bad_page_requests(client: TestClient, tokens: dict[str, str], report: dict,
                           page: int, highlight: object, code: int, message: str) -> None:
    params = {}
    if highlight == "first":
        params["highlight"] = extractions(client, tokens["reviewer"])[0]["id"]
    elif highlight is not None:
        params["highlight"] = highlight
    response = client.get(f"/api/v1/reports/{report['id']}/pages/{page}.png", params=params,
                          headers=auth(tokens["reviewer"]))
    assert response.status_code == code and message in response.json()["detail"]


@pytest.mark.parametrize("slots", [1, 2])
def test_renders_past_the_per_process_cap_are_503_with_retry_after(client: TestClient, tokens: dict[str, str],
                                                                  report: dict, monkeypatch: pytest.MonkeyPatch,
                                                                  slots: int) -> None:
    """Every slot taken (RELATO_MAX_RENDERS): a render that finds none within a moment is told
    to come back; a cached image needs no slot; once a slot frees, the render runs."""
    from service.jobs import extracting

    monkeypatch.setattr(extracting, "RENDER_WAIT_S", 0.05)
    extracting.limit_renders(slots)
    url, reviewer = f"/api/v1/reports/{report['id']}/pages/1.png", auth(tokens["reviewer"])
    assert client.get(url, headers=reviewer).status_code == 200  # cached from here on
    held = extracting._RENDERS
    for _ in range(slots):
        assert held.acquire(timeout=1)
    try:
        busy = client.get(f"/api/v1/reports/{report['id']}/pages/2.png", headers=reviewer)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1" and "RELATO_MAX_RENDERS" in busy.text
        assert client.get(url, headers=reviewer).status_code == 200
    finally:
        for _ in range(slots):
            held.release()
    assert client.get(f"/api/v1/reports/{report['id']}/pages/2.png", headers=reviewer).status_code == 200
    extracting.limit_renders(2)
