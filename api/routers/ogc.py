"""OGC API – Features under ``/ogc`` (Part 1 core, Part 2 CRS, Part 3 CQL2 filtering).

Open to every caller; what a caller sees depends on clearance (``geo.layers``: sensitive
zones as footprints for uncleared callers, checkpoint areas approved only, history with
``as_known_at`` for cleared roles). Collections come from the registry
(``geo.layers.collections``); routes are sync, so their database and CPU work run in
FastAPI's thread pool.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.routers.ogc_support import (
    FEATURES,
    JSON_OR_HTML,
    SCHEMA_JSON,
    CollectionDep,
    QueryDep,
    base_url,
    features_html,
    json_or_html,
    wants_html,
)
from geo.common.errors import NotFound
from geo.common.timeutil import now
from geo.layers import collections as registry
from geo.layers import crs as layer_crs
from geo.layers import documents as docs
from geo.store.db import reading
from geo.store.layers import features as layers

router = APIRouter(prefix="/ogc", tags=["ogc"])
F = Annotated[str | None, Query(description="json or html")]
Crs = Annotated[str | None, Query(description="output CRS (CRS84, EPSG:4326, EPSG:3857, "
                                              "VN-2000 codes)")]


def _engine(request: Request):
    return request.app.state.engine


@router.get("", response_class=Response, responses=JSON_OR_HTML)
def landing(request: Request, f: F = None):
    base = base_url(request)
    return json_or_html(request, f, "borderzone map layers", docs.landing(f"{base}/ogc", base))


@router.get("/conformance", response_class=Response, responses=JSON_OR_HTML)
def conformance(request: Request, f: F = None):
    return json_or_html(request, f, "Conformance", {"conformsTo": list(docs.CONFORMANCE)})


@router.get("/collections", response_class=Response, responses=JSON_OR_HTML)
def collections(request: Request, f: F = None):
    base = f"{base_url(request)}/ogc"
    with reading(_engine(request)) as conn:
        listed = [docs.collection(c, base, layers.extent(conn, c))
                  for c in registry.COLLECTIONS]
    return json_or_html(request, f, "Collections", {
        "links": [docs.link(f"{base}/collections", "self", docs.JSON)],
        "collections": listed})


@router.get("/collections/{collectionId}", response_class=Response, responses=JSON_OR_HTML)
def collection(request: Request, coll: CollectionDep, f: F = None):
    with reading(_engine(request)) as conn:
        extent = layers.extent(conn, coll)
    doc = docs.collection(coll, f"{base_url(request)}/ogc", extent)
    return json_or_html(request, f, coll.title, doc)


@router.get("/collections/{collectionId}/queryables", response_class=Response,
            responses=SCHEMA_JSON)
def queryables(request: Request, coll: CollectionDep):
    doc = docs.queryables(coll, f"{base_url(request)}/ogc")
    return Response(json.dumps(doc, ensure_ascii=False), media_type="application/schema+json")


def _crs_headers(code: int) -> dict:
    return {"Content-Crs": f"<{layer_crs.uri(code)}>"}


@router.get("/collections/{collectionId}/items", response_class=Response,
            responses=FEATURES)
def items(request: Request, coll: CollectionDep, q: QueryDep, crs: Crs = None, f: F = None):
    code = layer_crs.parse(crs)
    with reading(_engine(request)) as conn:
        rows, matched = layers.items(conn, coll, q, code)
    names = q.properties if q.properties is not None else [p.name for p in coll.props]
    args = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset", "f")}
    href = f"{base_url(request)}/ogc/collections/{coll.id}/items"
    links = docs.page_links(href, args, q.limit, q.offset, len(rows), matched)
    body = docs.feature_collection([docs.feature(r, names, code) for r in rows], links,
                                   matched, now().isoformat())
    if wants_html(request, f):
        return features_html(coll.title, json.loads(body))
    return Response(body, media_type=docs.GEOJSON, headers=_crs_headers(code))


@router.get("/collections/{collectionId}/items/{featureId}", response_class=Response,
            responses=FEATURES)
def feature(request: Request, coll: CollectionDep, q: QueryDep, featureId: str,  # noqa: N803
            crs: Crs = None, f: F = None):
    code = layer_crs.parse(crs)
    with reading(_engine(request)) as conn:
        row = layers.item(conn, coll, q, code, featureId)
    if row is None:
        raise NotFound(f"{coll.id}: no feature {featureId!r}", field="featureId")
    body = docs.feature(row, [p.name for p in coll.props], code)
    if wants_html(request, f):
        doc = json.loads(body)
        return features_html(f"{coll.title}: {featureId}", {"features": [doc], "links": []})
    return Response(body, media_type=docs.GEOJSON, headers=_crs_headers(code))
