"""/docs and /redoc work offline: their assets come from this service, and the ReDoc
bundle no longer names the CDN it would fetch its badge's logo from."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_redoc_bundle_names_no_cdn_and_the_pages_reference_no_other_host(client: TestClient) -> None:
    bundle = client.get("/docs/assets/redoc.standalone.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    assert "cdn.redoc.ly" not in bundle.text and "redocly logo" in bundle.text  # the badge's image, emptied
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert not re.search(r"""(src|href)=["']https?://""", html), path
