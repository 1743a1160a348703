"""The JSON documents of OGC API – Features / Tiles for the registry (no web framework:
``base`` is the service's absolute ``/ogc`` URL, given by the caller)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from urllib.parse import urlencode

import shapely

from geo.common.timeutil import json_default, stamp
from geo.layers import crs as layer_crs
from geo.layers import tiles
from geo.layers.collections import (
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    NUMBER,
    STRINGS,
    Collection,
)

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
MVT = "application/vnd.mapbox-vector-tile"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
)


def link(href: str, rel: str, type_: str, title: str = "") -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def landing(base: str, root: str) -> dict:
    return {"title": "borderzone map layers",
            "description": "Viet Nam's border zones as OGC API – Features and Tiles.",
            "links": [link(base, "self", JSON), link(f"{base}?f=html", "alternate", HTML),
                      link(f"{root}/openapi.json", "service-desc",
                           "application/vnd.oai.openapi+json;version=3.0"),
                      link(f"{root}/docs", "service-doc", HTML),
                      link(f"{base}/conformance", "conformance", JSON),
                      link(f"{base}/collections", "data", JSON)]}


def collection(coll: Collection, base: str, extent: Sequence[float] | None) -> dict:
    href = f"{base}/collections/{coll.id}"
    out = {"id": coll.id, "title": coll.title, "description": coll.description,
           "itemType": "feature", "crs": [layer_crs.uri(c) for c in layer_crs.SUPPORTED],
           "storageCrs": layer_crs.uri(layer_crs.CRS84),
           "links": [link(href, "self", JSON),
                     link(f"{href}/items", "items", GEOJSON),
                     link(f"{href}/items?f=html", "items", HTML),
                     link(f"{href}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/"
                          "queryables", "application/schema+json"),
                     link(f"{href}/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-"
                          "vector", JSON)]}
    if extent:
        out["extent"] = {"spatial": {"bbox": [list(extent)], "crs": layer_crs.CRS84_URI}}
    if coll.time_bound:
        out.setdefault("extent", {})["temporal"] = {"interval": [[None, None]]}
    return out


_SCHEMA = {BOOLEAN: {"type": "boolean"}, INTEGER: {"type": "integer"},
           NUMBER: {"type": "number"}, DATE: {"type": "string", "format": "date"},
           DATETIME: {"type": "string", "format": "date-time"},
           STRINGS: {"type": "array", "items": {"type": "string"}}}


def queryables(coll: Collection, base: str) -> dict:
    props = {p.name: {"title": p.title or p.name, **_SCHEMA.get(p.type, {"type": "string"})}
             for p in coll.props}
    props["geometry"] = {"$ref": f"https://geojson.org/schema/{coll.geometry_type}.json"}
    return {"$schema": "https://json-schema.org/draft/2019-09/schema",
            "$id": f"{base}/collections/{coll.id}/queryables", "type": "object",
            "title": coll.title, "properties": props, "additionalProperties": False}


def _plain(value):
    if isinstance(value, datetime | date):
        return stamp(value)
    return value


def feature(row, names: Iterable[str], code: int) -> str:
    """One GeoJSON Feature as text; ``row._geometry`` is GeoJSON text, or WKB (lon/lat)
    to transform into ``code`` here (the pinned VN-2000 transformation)."""
    geom = row._geometry
    if isinstance(geom, bytes | memoryview):
        geom = shapely.to_geojson(layer_crs.to_crs(shapely.from_wkb(bytes(geom)), code))
    props = {n: _plain(getattr(row, n)) for n in names}
    return ('{"type":"Feature","id":' + json.dumps(_plain(row._id)) + ',"geometry":'
            + (geom or "null") + ',"properties":'
            + json.dumps(props, ensure_ascii=False, default=json_default) + "}")


def page_links(href: str, args: dict, limit: int, offset: int, returned: int,
               matched: int | None) -> list[dict]:
    def at(new_offset: int, f: str | None = None) -> str:
        params = {**args, "limit": limit, "offset": new_offset}
        if f:
            params["f"] = f
        return f"{href}?{urlencode(params)}"

    links = [link(at(offset), "self", GEOJSON), link(at(offset, "html"), "alternate", HTML)]
    more = returned == limit if matched is None else offset + returned < matched
    if more:
        links.append(link(at(offset + limit), "next", GEOJSON))
    if offset > 0:
        links.append(link(at(max(0, offset - limit)), "prev", GEOJSON))
    return links


def feature_collection(features: list[str], links: list[dict], matched: int | None,
                       stamp: str) -> str:
    head = {"type": "FeatureCollection", "timeStamp": stamp,
            "numberReturned": len(features), "links": links}
    if matched is not None:
        head["numberMatched"] = matched
    text = json.dumps(head, ensure_ascii=False)
    return text[:-1] + ',"features":[' + ",".join(features) + "]}"


def tileset(coll: Collection, base: str, tile_url: str) -> dict:
    return {"title": coll.title, "dataType": "vector", "crs": "http://www.opengis.net/def/"
            "crs/EPSG/0/3857", "tileMatrixSetURI": "http://www.opengis.net/def/tilematrixset/"
            "OGC/1.0/WebMercatorQuad",
            "links": [link(f"{base}/collections/{coll.id}/tiles/WebMercatorQuad", "self", JSON),
                      link(tile_url, "item", MVT)],
            "layers": [{"id": coll.id, "dataType": "vector",
                        "geometryType": coll.geometry_type.lower(),
                        "minTileMatrix": str(coll.min_zoom),
                        "maxTileMatrix": str(tiles.MAX_ZOOM)}]}


def tilejson(coll: Collection, tile_url: str, extent: Sequence[float] | None) -> dict:
    return {"tilejson": "3.0.0", "name": coll.id, "description": coll.description,
            "tiles": [tile_url], "minzoom": coll.min_zoom, "maxzoom": tiles.MAX_ZOOM,
            "bounds": list(extent) if extent else [-180, -85.05, 180, 85.05],
            "attribution": "borderzone; boundaries: see the service's README",
            "vector_layers": [{"id": coll.id, "description": coll.title,
                               "fields": {p.name: p.type for p in coll.props}}]}
