"""Vector tiles: OGC API – Tiles under ``/ogc`` and the short XYZ form under ``/tiles``.

* ``/ogc/collections/{id}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}`` — OGC
  order (z, then y, then x);
* ``/tiles/{layer}/{z}/{x}/{y}.mvt`` — the usual XYZ order; ``/tiles/{layer}.json`` is its
  TileJSON, ``/tiles/style.json`` a MapLibre style of every layer.

``datetime`` (an instant or interval; default now) and ``as_known_at`` select the view.
``ETag`` comes from the cached tile (304 without rebuilding); ``Cache-Control`` ends at the
next validity boundary inside the tile (capped at ``MAX_AGE_S``). Uncleared callers get
footprints of sensitive zones, from cache entries of their own.

The tile routes are async: a cached tile is answered on the event loop (a dict lookup);
only a miss, or a due read of the change log, goes to a worker thread. Most cache hits of
the XYZ form never reach these routes: ``api.fast_tiles`` answers them before routing.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import PrincipalDep
from api.routers.ogc_support import TILE, CollectionDep, base_url, check_history, collection_of
from geo.common.security import Principal
from geo.common.timeutil import now, parse_instant
from geo.layers import documents as docs
from geo.layers import params, tiles
from geo.layers.cache import Entry
from geo.layers.collections import Collection
from geo.layers.style import style
from geo.store.db import reading
from geo.store.layers import features as layers

router = APIRouter(tags=["tiles"])
MAX_AGE_S = 300
DateTime = Annotated[str | None, Query(alias="datetime", description="instant or interval")]
Known = Annotated[str | None, Query(description="as recorded at this instant (cleared)")]


async def _serve(request: Request, coll: Collection, principal: Principal, z: int, x: int,
                 y: int, when: str | None, as_known_at: str | None) -> Response:
    tiles.check_tile(z, x, y)
    known = parse_instant(as_known_at, field="as_known_at")
    check_history(coll, principal, known)
    moment = now()
    service = request.app.state.tiles
    view = {"cleared": principal.cleared, "interval": params.parse_datetime(when),
            "known_at": known, "moment": moment}
    answer = service.cached(coll, z, x, y, **view)
    if answer is None:
        answer = await run_in_threadpool(partial(service.tile, coll, z, x, y, **view))
    entry = answer.entry
    headers = tile_headers(entry, principal.cleared, moment, hit=answer.hit)
    if request.headers.get("if-none-match") == entry.etag:
        return Response(status_code=304, headers=headers)
    return Response(entry.data, media_type=docs.MVT, headers=headers)


def tile_headers(entry: Entry, cleared: bool, moment: datetime, *, hit: bool) -> dict:
    """ETag, caching (to the next validity boundary, private for cleared callers), Vary."""
    age = MAX_AGE_S
    if entry.expires_at is not None:
        age = max(0, min(age, math.floor((entry.expires_at - moment).total_seconds())))
    return {"ETag": entry.etag, "Vary": "Authorization, X-API-Key",
            "Cache-Control": f"{'private' if cleared else 'public'}, max-age={age}",
            "X-Tile-Cache": "hit" if hit else "miss"}


@router.get("/ogc/collections/{collectionId}/tiles/WebMercatorQuad/{z}/{row}/{col}",
            response_class=Response, responses=TILE)
async def ogc_tile(request: Request, coll: CollectionDep, principal: PrincipalDep, z: int,
                   row: int, col: int, when: DateTime = None, as_known_at: Known = None
                   ) -> Response:
    return await _serve(request, coll, principal, z, col, row, when, as_known_at)


@router.get("/tiles/style.json")
def map_style(request: Request) -> JSONResponse:
    return JSONResponse(style(f"{base_url(request)}/tiles/{{layer}}.json"))


@router.get("/tiles/{layer}/{z}/{x}/{y}.mvt", response_class=Response, responses=TILE)
async def xyz_tile(request: Request, layer: str, principal: PrincipalDep, z: int, x: int,
                   y: int, when: DateTime = None, as_known_at: Known = None) -> Response:
    return await _serve(request, collection_of(layer), principal, z, x, y, when,
                        as_known_at)


@router.get("/tiles/{layer}.json")
def tilejson(request: Request, layer: str) -> JSONResponse:
    coll = collection_of(layer)
    with reading(request.app.state.engine) as conn:
        extent = layers.extent(conn, coll)
    url = f"{base_url(request)}/tiles/{coll.id}/{{z}}/{{x}}/{{y}}.mvt"
    return JSONResponse(docs.tilejson(coll, url, extent))


@router.get("/ogc/collections/{collectionId}/tiles")
def tilesets(request: Request, coll: CollectionDep) -> JSONResponse:
    base = f"{base_url(request)}/ogc"
    return JSONResponse({"tilesets": [docs.tileset(coll, base, _ogc_url(base, coll))]})


@router.get("/ogc/collections/{collectionId}/tiles/WebMercatorQuad")
def tileset(request: Request, coll: CollectionDep) -> JSONResponse:
    base = f"{base_url(request)}/ogc"
    return JSONResponse(docs.tileset(coll, base, _ogc_url(base, coll)))


def _ogc_url(base: str, coll: Collection) -> str:
    return (f"{base}/collections/{coll.id}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/"
            "{tileCol}")
