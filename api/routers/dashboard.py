"""The planners' map page, ``GET /dashboard``, and the generalised layers it draws.

The page is Leaflet (vendored under ``api/static/leaflet``) and one script of ours; every file
it loads is served by borderzone, so it works on a network with no internet. A base map is
drawn only when ``BORDERZONE_BASEMAP_URL`` is set; the vector layers never need it. The page's
Content-Security-Policy allows no other host than this one (and the base map's, when set).

``GET /dashboard/collections/{layer}/items`` answers a GeoJSON FeatureCollection shaped as an
OGC API Features items page (``bbox``, ``datetime``, ``as_known_at``, ``limit``) plus
``zoom``: the geometry is generalised to half a pixel at that zoom, for drawing only. Who
calls decides what is seen: uncleared callers get footprints of sensitive zones and may not
ask ``as_known_at``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.auth import PrincipalDep
from api.deps import SettingsDep
from api.settings import Settings
from geo.common.timeutil import now, stamp
from geo.layers.dashboard import DATA_ATTRIBUTION, LAYERS, ViewQuery, layer_info
from geo.store.db import reading
from geo.store.layers import dashboard as map_layers

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
GEOJSON = "application/geo+json"


def _page_config(settings: Settings) -> dict:
    return {"items_base": "/dashboard/collections",
            "layers": [vars(info) for info in LAYERS.values()],
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


@router.get("/collections/{layer}/items", response_class=JSONResponse)
def layer_items(
    request: Request, layer: str, principal: PrincipalDep,
    bbox: Annotated[str | None, Query(description="west,south,east,north (EPSG:4326)")] = None,
    datetime: Annotated[str | None, Query(description="one ISO-8601 instant; no offset = "
                                                      "Hanoi time; default now")] = None,
    as_known_at: Annotated[str | None, Query(description="as recorded at this instant "
                                                         "(cleared roles)")] = None,
    zoom: Annotated[int, Query(description="Web Mercator zoom the geometry is drawn at")] = 8,
    limit: Annotated[int, Query(description="at most this many features")] = 10_000,
) -> JSONResponse:
    """The features of one map layer in view, generalised for drawing at ``zoom``."""
    info = layer_info(layer)
    view = ViewQuery.parse(datetime_text=datetime, as_known_at=as_known_at, bbox=bbox,
                           zoom=zoom, limit=limit, cleared=principal.cleared, now=now())
    with reading(request.app.state.engine) as conn:
        found = map_layers.features(conn, info.id, view)
    body = {"type": "FeatureCollection", "features": found, "numberReturned": len(found),
            "timeStamp": now().isoformat(), "datetime": stamp(view.at),
            "as_known_at": stamp(view.as_known_at)}
    return JSONResponse(body, media_type=GEOJSON, headers={"Cache-Control": "no-store"})
