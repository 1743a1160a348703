"""Shared by the OGC routers: the caller's query as an ``ItemQuery``, content negotiation,
simple server-rendered HTML (no external assets), the OpenAPI additions GDAL/QGIS read."""

from __future__ import annotations

import html
import json
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.auth import PrincipalDep
from geo.common.errors import NotPermitted
from geo.common.security import Principal
from geo.common.timeutil import parse_instant
from geo.layers import collections as registry
from geo.layers import cql, params, tiles
from geo.layers import crs as layer_crs
from geo.layers.collections import Collection
from geo.layers.params import ItemQuery

#: Query parameters of /items that are not property filters.
RESERVED = frozenset({"f", "bbox", "bbox-crs", "datetime", "as_known_at", "limit", "offset",
                      "sortby", "properties", "crs", "filter", "filter-lang", "filter-crs",
                      "zoom"})
ZOOM_DOC = ("vendor parameter: geometry simplified for drawing at this Web Mercator zoom "
            "(half a display pixel; the vector tiles' prepared bands); not for measuring")


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def wants_html(request: Request, f: str | None) -> bool:
    if f:
        return f.lower() == "html"
    accept = request.headers.get("accept", "")
    return accept.startswith("text/html")


async def collection_dep(collectionId: str) -> Collection:  # noqa: N803 (the OGC name)
    """A dict lookup: async, so it runs on the loop instead of hopping to a thread."""
    return registry.get(collectionId)


def collection_of(collectionId: str) -> Collection:  # noqa: N803 (the OGC path name)
    return registry.get(collectionId)


CollectionDep = Annotated[Collection, Depends(collection_dep)]


def check_history(coll: Collection, principal: Principal, known) -> None:
    if known is not None and coll.history_cleared_only and not principal.cleared:
        raise NotPermitted(f"as_known_at: the history of {coll.id} is for cleared roles "
                           "(planner, officer, approver, admin)", field="as_known_at")


def item_query(request: Request, coll: CollectionDep, principal: PrincipalDep,
               bbox: str | None = None,
               bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
               datetime: str | None = None, as_known_at: str | None = None,
               limit: Annotated[int, Query(ge=1, le=params.MAX_LIMIT)] = params.DEFAULT_LIMIT,
               offset: Annotated[int, Query(ge=0, le=params.MAX_OFFSET)] = 0,
               sortby: str | None = None, properties: str | None = None,
               filter: str | None = None,  # noqa: A002 (the OGC name)
               filter_lang: Annotated[str | None, Query(alias="filter-lang")] = None,
               filter_crs: Annotated[str | None, Query(alias="filter-crs")] = None,
               zoom: Annotated[int | None, Query(ge=0, le=tiles.MAX_ZOOM,
                                                 description=ZOOM_DOC)] = None,
               ) -> ItemQuery:
    """The caller's query, validated (each problem names its parameter)."""
    known = parse_instant(as_known_at, field="as_known_at")
    check_history(coll, principal, known)
    box = params.parse_bbox(bbox)
    if box is not None:
        box = layer_crs.bbox_to_lonlat(box, layer_crs.parse(bbox_crs, field="bbox-crs"))
    extra = {"filter_crs": layer_crs.parse(filter_crs, field="filter-crs")}
    others = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    return ItemQuery(bbox=box, interval=params.parse_datetime(datetime), as_known_at=known,
                     limit=limit, offset=offset, sortby=params.parse_sortby(sortby, coll),
                     properties=params.parse_properties(properties, coll),
                     filters=params.parse_filters(others, coll),
                     cql=cql.parse(filter, filter_lang, coll), cleared=principal.cleared,
                     extra=extra, zoom=zoom)


QueryDep = Annotated[ItemQuery, Depends(item_query)]


# ----------------------------------------------------------------------------- HTML
_PAGE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}"
         "</title><style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:"
         "collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;font-size:90%}}</style>"
         "</head><body><h1>{title}</h1>{body}</body></html>")


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body))


def links_html(links: list[dict]) -> str:
    items = "".join(f"<li><a href=\"{html.escape(li['href'])}\">{html.escape(li['rel'])}: "
                    f"{html.escape(li.get('title') or li['href'])}</a></li>" for li in links)
    return f"<ul>{items}</ul>"


def features_html(title: str, doc: dict) -> HTMLResponse:
    features = doc.get("features", [])
    names = sorted({k for f in features for k in (f.get("properties") or {})})
    head = "".join(f"<th>{html.escape(n)}</th>" for n in ["id", *names])
    rows = "".join("<tr>" + "".join(
        f"<td>{html.escape(str(v))}</td>" for v in
        [f.get("id"), *((f.get("properties") or {}).get(n, "") for n in names)]) + "</tr>"
        for f in features)
    summary = (f"<p>{doc.get('numberReturned', len(features))} of "
               f"{doc.get('numberMatched', '?')} features</p>")
    return page(title, summary + links_html(doc.get("links", []))
                + f"<table><tr>{head}</tr>{rows}</table>")


def json_or_html(request: Request, f: str | None, title: str, doc: dict):
    if wants_html(request, f):
        body = links_html(doc.get("links", []))
        if "collections" in doc:
            body += "<ul>" + "".join(
                f"<li><a href=\"{html.escape(c['links'][0]['href'])}?f=html\">"
                f"{html.escape(c['title'])}</a> ({html.escape(c['id'])})</li>"
                for c in doc["collections"]) + "</ul>"
        elif "conformsTo" in doc:
            body += "<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in doc["conformsTo"])
        else:
            body += f"<pre>{html.escape(json.dumps(doc, indent=1, ensure_ascii=False))}</pre>"
        return page(title, body)
    return JSONResponse(doc)


# ----------------------------------------------------------------------------- OpenAPI
_OBJECT, _TEXT = {"schema": {"type": "object"}}, {"schema": {"type": "string"}}
#: Declared answers (FastAPI would otherwise announce application/json only).
JSON_OR_HTML = {200: {"content": {"application/json": _OBJECT, "text/html": _TEXT}}}
FEATURES = {200: {"content": {"application/geo+json": _OBJECT, "text/html": _TEXT}}}
SCHEMA_JSON = {200: {"content": {"application/schema+json": _OBJECT}}}
TILE = {200: {"content": {"application/vnd.mapbox-vector-tile": {
    "schema": {"type": "string", "format": "binary"}}}},
    304: {"description": "not modified (If-None-Match matched the ETag)"}}
LIMIT_PARAMETER = {"name": "limit", "in": "query", "required": False, "style": "form",
                   "explode": False, "description": "features per page",
                   "schema": {"type": "integer", "minimum": 1, "maximum": params.MAX_LIMIT,
                              "default": params.DEFAULT_LIMIT}}


def document(app: FastAPI) -> None:
    """Declare ``components.parameters.limit`` and the concrete items path of every
    collection (``/ogc/collections/<id>/items``), as GDAL and QGIS look them up."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("parameters", {})["limit"] = \
            LIMIT_PARAMETER
        generic = schema.get("paths", {}).get("/ogc/collections/{collectionId}/items", {})
        for coll in registry.COLLECTIONS:
            operation = json.loads(json.dumps(generic.get("get", {})))
            operation["operationId"] = f"getFeatures_{coll.id}"
            operation["summary"] = f"{coll.title}: features"
            operation["parameters"] = [{"$ref": "#/components/parameters/limit"}] + [
                p for p in operation.get("parameters", [])
                if p.get("name") not in ("limit", "collectionId")]
            schema["paths"][f"/ogc/collections/{coll.id}/items"] = {"get": operation}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
