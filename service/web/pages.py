"""The pages: each one HTML file and its ES modules, served as they are (no build step);
and the API's own pages, /docs (Swagger UI) and /redoc, from assets the fastapi-offline
package ships, so that they work where relato runs: offline, no CDN.

The page holds the reviewer's token in sessionStorage and sends it as a bearer
header on every API call, so the page itself is public; a strict Content
Security Policy keeps any injected markup from running script or sending the
token elsewhere.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(tags=["review page"])

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSET_NAME = re.compile(r"^[a-z][a-z0-9_-]*\.(?:js|css|svg)$")
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_ASSET_NAMES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
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


@router.get("/review/initiatives/{key}", response_class=FileResponse,
            summary="An initiative's page: its counts over the editions, every edition's facts with their "
            "evidence, the diff with the previous edition, merge and split (sign in with a reviewer token)",
            responses={200: {"content": {"text/html": {}}}})
def initiative_page(key: str) -> FileResponse:
    """The same page for any key: its script reads the key from the address and asks the API."""
    return FileResponse(STATIC_DIR / "initiative.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/operator", response_class=FileResponse,
            summary="The operator page: upload PDFs, follow their extraction, act on reports, quality, tokens "
            "(sign in with an operator or admin token)",
            responses={200: {"content": {"text/html": {}}}})
def operator_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "operator.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/review/assets/{name}", include_in_schema=False)
def review_asset(name: str) -> FileResponse:
    """A script or stylesheet of the page; only plain file names from service/web/static."""
    path = STATIC_DIR / name
    if not ASSET_NAME.match(name) or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no asset {name!r}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json", title="relato — API",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js", swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/assets/favicon.png",
    )


# ReDoc draws an "API docs by Redocly" badge whose image it fetches from cdn.redoc.ly (it
# has no option to turn that off, Redocly/redoc#2108). The bundle is served with that one
# address replaced by an empty inline image, so the browser never asks the CDN (not even to
# be refused by the page's policy, which forbids images from other hosts all the same), and
# the page hides the badge.
REDOC_CSP = "img-src 'self' data: blob:"
REDOC_NO_BADGE = '<style>a[href^="https://redocly.com"], img[alt="redocly logo"] { display: none !important; }</style>'
REDOC_BUNDLE = "redoc.standalone.js"
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:image/gif;base64,R0lGODlhAQABAAAAACw="


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    """fastapi-offline's ReDoc bundle without its one address on another host."""
    return (DOCS_ASSETS / REDOC_BUNDLE).read_bytes().replace(REDOC_LOGO, EMPTY_IMAGE)


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}/openapi.json", title="relato — API", redoc_js_url=f"{root}/docs/assets/redoc.standalone.js",
        redoc_favicon_url=f"{root}/docs/assets/favicon.png", with_google_fonts=False,
    )
    html = bytes(page.body).decode("utf-8").replace("</head>", f"{REDOC_NO_BADGE}\n</head>", 1)
    return HTMLResponse(html, headers={"Content-Security-Policy": REDOC_CSP})


@router.get("/docs/assets/{name}", include_in_schema=False)
def docs_asset(name: str) -> Response:
    """Swagger UI and ReDoc as the fastapi-offline package ships them."""
    if name not in DOCS_ASSET_NAMES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no docs asset {name!r}")
    if name == REDOC_BUNDLE:
        return Response(redoc_bundle(), media_type=MEDIA_TYPES[".js"], headers={"Cache-Control": "max-age=86400"})
    return FileResponse(DOCS_ASSETS / name, media_type=MEDIA_TYPES[Path(name).suffix],
                        headers={"Cache-Control": "max-age=86400"})
