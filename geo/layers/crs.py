"""CRSs of OGC API – Features Part 2: what ``crs``, ``bbox-crs`` and ``filter-crs`` accept.

CRS84 (lon, lat), EPSG:4326 (lat, lon: the EPSG axis order, as Part 2 requires),
EPSG:3857 (Web Mercator, for display) and the VN-2000 codes of ``geo.common.crs`` (EPSG:4756 is
lat, lon; the projected ones easting, northing). VN-2000 <-> WGS 84 always goes through
the pinned EPSG:6960 transformer of ``geo.common.crs``.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo.common import crs as base
from geo.common.errors import InvalidInput

CRS84 = 0  # our code for OGC CRS84: EPSG:4326 with lon, lat order
WEB_MERCATOR = 3857
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#: Geographic CRSs whose EPSG axis order is latitude first.
LAT_FIRST = frozenset({base.WGS84, base.VN2000_GEOGRAPHIC})
SUPPORTED = (CRS84, base.WGS84, WEB_MERCATOR, *sorted(base.VN2000_CODES))


def uri(code: int) -> str:
    return CRS84_URI if code == CRS84 else f"http://www.opengis.net/def/crs/EPSG/0/{code}"


def parse(value: str | None, *, field: str = "crs") -> int:
    """A CRS URI, URN, ``EPSG:n`` or ``CRS84`` -> our code (``CRS84`` for CRS84 and none)."""
    if value is None or value.strip() == "":
        return CRS84
    text = value.strip()
    upper = text.upper()
    if upper.rstrip("/").endswith("CRS84"):
        return CRS84
    tail = upper.replace("::", ":").rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if tail == str(WEB_MERCATOR):
        return WEB_MERCATOR
    if tail == str(base.WGS84):
        return base.WGS84
    try:
        return base.parse_crs(text, field=field)
    except InvalidInput:
        raise InvalidInput(f"{field}: {text!r} is not supported; one of "
                           f"{', '.join(uri(c) for c in SUPPORTED)}", field=field) from None


def lat_first(code: int) -> bool:
    return code in LAT_FIRST


def _epsg(code: int) -> int:
    return base.WGS84 if code == CRS84 else code


def to_crs(geom, code: int):
    """A lon/lat (EPSG:4326) shapely geometry in ``code``, axes in that CRS's order."""
    target = _epsg(code)
    if target != base.WGS84:
        t = base.transformer(base.WGS84, target)
        geom = shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0],
                                                                              xy[:, 1])))
    if lat_first(code):
        geom = shapely.transform(geom, lambda xy: xy[:, ::-1])
    return geom


def bbox_to_lonlat(bbox: tuple[float, ...], code: int) -> tuple[float, float, float, float]:
    """A bbox given in ``code`` (its axis order) -> (west, south, east, north) lon/lat."""
    x0, y0, x1, y1 = bbox
    if lat_first(code):
        x0, y0, x1, y1 = y0, x0, y1, x1
    source = _epsg(code)
    if source == base.WGS84:
        return x0, y0, x1, y1
    t = base.transformer(source, base.WGS84)
    steps = np.linspace(0.0, 1.0, 21)
    xs = np.concatenate([x0 + (x1 - x0) * steps, np.full(21, x1), x1 - (x1 - x0) * steps,
                         np.full(21, x0)])
    ys = np.concatenate([np.full(21, y0), y0 + (y1 - y0) * steps, np.full(21, y1),
                         y1 - (y1 - y0) * steps])
    lon, lat = t.transform(xs, ys)  # the edges, densified: a box's image is not a box
    west, south, east, north = np.min(lon), np.min(lat), np.max(lon), np.max(lat)
    if not all(np.isfinite([west, south, east, north])):
        raise InvalidInput("bbox: outside the area its CRS covers", field="bbox")
    return west, south, east, north
