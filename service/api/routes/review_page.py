"""The review page: one HTML file and its ES modules, served as they are (no build step).

The page holds the reviewer's token in sessionStorage and sends it as a bearer
header on every API call, so the page itself is public; a strict Content
Security Policy keeps any injected markup from running script or sending the
token elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

router = APIRouter(tags=["review page"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ASSET_NAME = re.compile(r"^[a-z][a-z0-9_-]*\.(?:js|css|svg)$")
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@router.get("/review", response_class=FileResponse, summary="The review page (sign in with a reviewer token)",
            responses={200: {"content": {"text/html": {}}}})
def review_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "review.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/review/assets/{name}", include_in_schema=False)
def review_asset(name: str) -> FileResponse:
    """A script or stylesheet of the page; only plain file names from service/api/static."""
    path = STATIC_DIR / name
    if not ASSET_NAME.match(name) or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no asset {name!r}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)
