"""The planners' map page, ``GET /dashboard``.

The page is Leaflet (vendored under ``api/static/leaflet``) and one script of ours; every file
it loads is served by borderzone, so it works on a network with no internet. A base map is
drawn only when ``BORDERZONE_BASEMAP_URL`` is set; the vector layers never need it. The page's
Content-Security-Policy allows no other host than this one (and the base map's, when set).

The layers are the registry's collections with a ``map`` declaration
(``geo.layers.collections``), read from ``/ogc/collections/{id}/items`` with the vendor
parameter ``zoom`` (geometry simplified for drawing, from the tiles' prepared bands): the
same registry, SQL and clearance rules as every other client. Uncleared callers get
footprints of sensitive zones and may not ask ``as_known_at`` of the zones and decisions.
"""

from __future__ import annotations

import json
from importlib import resources
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep
from api.settings import Settings
from geo.layers.collections import FAMILY, on_map
from geo.layers.style import DATA_ATTRIBUTION

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


def _layers() -> list[dict]:
    return [{"id": c.id, "title_vi": c.map.title_vi, "title_en": c.map.title_en,
             "geometry": FAMILY[c.geometry_type], "temporal": c.time_bound,
             "filters": dict(c.map.filters)} for c in on_map()]


def _page_config(settings: Settings) -> dict:
    return {"items_base": "/ogc/collections", "layers": _layers(),
            "basemap_url": settings.basemap_url.strip(),
            "basemap_attribution": settings.basemap_attribution,
            "data_attribution": DATA_ATTRIBUTION}


def _csp(settings: Settings) -> str:
    """Only this host, plus the base map's origin when one is configured."""
    img = "'self' data:"
    url = settings.basemap_url.strip()
    if url:
        parts = urlsplit(url.replace("{s}", "a"))
        img += f" {parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return (f"default-src 'self'; img-src {img}; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; connect-src 'self'; frame-ancestors 'none'")


@router.get("", response_class=HTMLResponse, include_in_schema=False)
def dashboard(settings: SettingsDep) -> HTMLResponse:
    """The map page (Vietnamese and English)."""
    page = resources.files("api").joinpath("templates/dashboard.html").read_text("utf-8")
    config = json.dumps(_page_config(settings), ensure_ascii=False).replace("</", "<\\/")
    return HTMLResponse(page.replace("{{CONFIG}}", config),
                        headers={"Content-Security-Policy": _csp(settings),
                                 "Cache-Control": "no-store"})
