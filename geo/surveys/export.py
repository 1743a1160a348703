"""An approved or published area written as GeoJSON, KML or GeoPackage (through pyogrio),
in WGS 84 or a VN-2000 CRS (``crs=EPSG:…``, or ``vn2000`` for the province's 3° zone).

KML is WGS 84 by definition; GeoJSON in another CRS carries the (pre-RFC 7946) ``crs``
member so that GIS software reads it right. VN-2000 goes through the pinned EPSG:6960.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

from geo.common import crs
from geo.common.errors import InvalidInput
from geo.intake import vn2000

FORMATS = {"geojson": ("application/geo+json", "geojson"),
           "kml": ("application/vnd.google-earth.kml+xml", "kml"),
           "gpkg": ("application/geopackage+sqlite3", "gpkg")}
_DRIVERS = {"kml": "KML", "gpkg": "GPKG"}


def target_crs(value: str | None, province_code: str | None) -> int:
    """The EPSG code to export in: WGS 84 by default, ``vn2000`` the province's zone."""
    if value is None or not value.strip():
        return crs.WGS84
    if value.strip().lower() == "vn2000":
        zones = vn2000.province_zones(province_code)
        if not zones:
            raise InvalidInput(f"crs: no VN-2000 3° zone known for province {province_code}; "
                               "name one (EPSG:9205-9218)", field="crs")
        return zones[0]
    return vn2000.accept(value)


def project(geom, epsg: int):
    """A lon/lat geometry in ``epsg`` (x=easting/lon, y=northing/lat)."""
    if epsg == crs.WGS84:
        return geom
    t = crs.transformer(crs.WGS84, epsg)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0],
                                                                           xy[:, 1])))


def export(geom, properties: dict, fmt: str, epsg: int) -> tuple[bytes, str, str]:
    """(bytes, media type, file extension) of the area in ``fmt`` and ``epsg``."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format: one of {', '.join(FORMATS)}", field="format")
    if fmt == "kml" and epsg != crs.WGS84:
        raise InvalidInput("crs: KML is WGS 84 by definition; export KML without crs",
                           field="crs")
    shaped = project(geom, epsg)
    media, ext = FORMATS[fmt]
    if fmt == "geojson":
        doc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": properties,
             "geometry": shapely.geometry.mapping(shaped)}]}
        if epsg != crs.WGS84:
            doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
        return json.dumps(doc, ensure_ascii=False).encode(), media, ext
    return _gdal(shaped, properties, fmt, epsg), media, ext


def _gdal(geom, properties: dict, fmt: str, epsg: int) -> bytes:
    names = list(properties)
    values = [np.array([None if properties[k] is None else str(properties[k])], dtype=object)
              for k in names]
    with tempfile.TemporaryDirectory(prefix="bz-export-") as tmp:
        path = Path(tmp) / f"area.{fmt}"
        pyogrio.raw.write(str(path), np.array([shapely.to_wkb(geom)], dtype=object), values,
                          names, driver=_DRIVERS[fmt], geometry_type=geom.geom_type,
                          crs=f"EPSG:{epsg}", layer="checkpoint_area")
        return path.read_bytes()
