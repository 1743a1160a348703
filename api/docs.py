"""The API docs, offline: Swagger UI at /docs and ReDoc at /redoc, with every script, style
sheet and icon served by borderzone itself (a Border Guard network has no internet).

The assets are the packaged copies of the PyPI package ``fastapi-offline`` (Swagger UI 5
and ReDoc 2 bundles, a favicon), mounted read-only under ``ASSETS``. The bundles hold URL
strings of their own (JSON-schema ids, SVG namespaces, Swagger's online validator, a Redocly
logo); the validator is switched off and the pages carry a Content-Security-Policy that lets
the browser fetch nothing but borderzone's own URLs, so no string in a bundle can reach out.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.openapi import install_openapi

#: where the packaged assets are served (kept apart from any other static mount)
ASSETS = "/docs-static"
ASSET_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
#: the browser may load only borderzone's own URLs (inline: the pages' boot scripts and
#: the styles and blob workers the bundles create)
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
       "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'self'; "
       "base-uri 'self'; form-action 'self'")
#: Swagger UI: no online validator (its default would send the document out)
SWAGGER_PARAMETERS = {"validatorUrl": None}


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CSP
    page.headers["Cache-Control"] = "no-cache"
    return page


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect and /redoc from local assets, and the enriched
    OpenAPI document (``api.openapi``); the app must be built with ``docs_url=None,
    redoc_url=None`` (FastAPI's own pages use a CDN)."""
    if app.docs_url or app.redoc_url:
        raise ValueError("build the app with docs_url=None, redoc_url=None")
    install_openapi(app)
    app.mount(ASSETS, StaticFiles(directory=ASSET_DIR), name="docs-static")
    oauth2 = app.swagger_ui_oauth2_redirect_url

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _offline(get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — Swagger UI",
            oauth2_redirect_url=f"{root}{oauth2}" if oauth2 else None,
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS))

    if oauth2:
        @app.get(oauth2, include_in_schema=False)
        async def swagger_ui_redirect() -> HTMLResponse:
            return _offline(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _offline(get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png", with_google_fonts=False))
