"""Coordinate reference systems: the storage CRS, the accepted input CRSs and metric work.

* Storage and API CRS: WGS 84 lon/lat, EPSG:4326 (RFC 7946 axis order: lon, lat).
* Input may also be VN-2000 (geographic EPSG:4756, UTM 48N/49N EPSG:3405/3406, TM-3 zones
  EPSG:5896-5899 and the provincial TM-3 zones EPSG:9205-9218). VN-2000 -> WGS 84 always uses
  PROJ's operation EPSG:6960 ("VN-2000 to WGS 84 (2)"), never a hand-typed towgs84.
* The metric working CRS for the land border is VN-2000 / UTM zone 48N (EPSG:3405). Its
  scale error reaches ~0.8 m per km at 108 deg E, so anything that must hold to a metre over
  a kilometre (the belt's inner edge) is built in a local transverse Mercator on WGS 84
  centred on the stretch (``local_metric``), where the scale error stays below 1e-5.

Transformers are built once and cached; all take and return (x=lon/easting, y=lat/northing).
Every cached transformer is a thread-safe ``pyproj.Transformer`` (one PROJ object per thread,
made on first use in that thread). Those handed out by a ``TransformerGroup`` are not: they
share one PROJ object between threads, so the pinned operation is rebuilt from its pipeline.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Geod, Transformer
from pyproj.transformer import TransformerGroup

from geo.common.errors import InvalidInput

WGS84 = 4326
VN2000_GEOGRAPHIC = 4756
METRIC = 3405  # VN-2000 / UTM zone 48N
VN2000_TO_WGS84_OPERATION = "VN-2000 to WGS 84 (2)"  # EPSG:6960

VN2000_CODES = frozenset(
    [VN2000_GEOGRAPHIC, 3405, 3406, *range(5896, 5900), *range(9205, 9219)]
)
ACCEPTED_CODES = frozenset([WGS84, *VN2000_CODES])

#: The WGS 84 ellipsoid for geodesic lengths, distances and offsets (metres).
GEOD = Geod(ellps="WGS84")


def parse_crs(value: str | int | None, *, field: str = "crs") -> int:
    """Turn 'EPSG:3405', '3405', 'urn:ogc:def:crs:EPSG::3405', CRS84 or None into an EPSG code.

    Raises InvalidInput naming ``field`` for anything that is not an accepted CRS.
    """
    if value is None or value == "":
        return WGS84
    text = str(value).strip()
    upper = text.upper()
    if upper in {"CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84"} or upper.endswith(
        "/OGC/1.3/CRS84"
    ):
        return WGS84
    tail = upper.replace("::", ":").rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if not tail.isdigit() or int(tail) not in ACCEPTED_CODES:
        accepted = "EPSG:4326 (WGS 84) or VN-2000: EPSG:4756, 3405, 3406, 5896-5899, 9205-9218"
        raise InvalidInput(f"{field}: unknown or unsupported CRS {text!r}; use {accepted}",
                           field=field)
    return int(tail)


@lru_cache(maxsize=64)
def transformer(src: int, dst: int) -> Transformer:
    """A cached, always_xy, thread-safe transformer; VN-2000 <-> WGS 84 is pinned to EPSG:6960.

    The pinned operation is found in the ``TransformerGroup`` and rebuilt with
    ``Transformer.from_pipeline`` from its exact PROJ pipeline: the group's own transformers
    share one PROJ object across threads (``TransformerUnsafe``), which crashes the process
    when two threads transform at once.
    """
    if src == dst:
        raise ValueError("no transformer needed for identical CRSs")
    group = TransformerGroup(CRS.from_epsg(src), CRS.from_epsg(dst), always_xy=True)
    for candidate in group.transformers:
        if VN2000_TO_WGS84_OPERATION in candidate.description:
            return Transformer.from_pipeline(candidate.definition)
    return Transformer.from_crs(src, dst, always_xy=True)


def to_wgs84(x: np.ndarray, y: np.ndarray, src: int) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised transform of coordinates in ``src`` to WGS 84 (lon, lat) degrees."""
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if src == WGS84:
        return x, y
    lon, lat = transformer(src, WGS84).transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def to_metric(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 lon/lat degrees -> EPSG:3405 easting/northing metres (vectorised)."""
    e, n = transformer(WGS84, METRIC).transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(e), np.asarray(n)


def from_metric(e: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:3405 easting/northing metres -> WGS 84 lon/lat degrees (vectorised)."""
    lon, lat = transformer(METRIC, WGS84).transform(np.asarray(e), np.asarray(n))
    return np.asarray(lon), np.asarray(lat)


@lru_cache(maxsize=512)
def local_metric(lon0_deg: float, lat0_deg: float) -> tuple[Transformer, Transformer]:
    """Forward and inverse transformers to a transverse Mercator centred on (lon0, lat0).

    Scale factor 1 on the central meridian; within 30 km of it the scale error is < 1.2e-5,
    so lengths and buffers built there match geodesic metres to centimetres.
    """
    proj = (
        f"+proj=tmerc +lat_0={lat0_deg:.6f} +lon_0={lon0_deg:.6f} +k=1 "
        "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    )
    local = CRS.from_proj4(proj)
    forward = Transformer.from_crs(CRS.from_epsg(WGS84), local, always_xy=True)
    inverse = Transformer.from_crs(local, CRS.from_epsg(WGS84), always_xy=True)
    return forward, inverse


def geodesic_distance_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Geodesic distance in metres on WGS 84 between paired points (vectorised)."""
    _, _, dist = GEOD.inv(np.asarray(lon1), np.asarray(lat1), np.asarray(lon2), np.asarray(lat2))
    return np.asarray(dist)
