"""Size limits on input: vertices per geometry, items per batch, and the work bound of a
route (vertices and length), all checked before the work starts.

Refusals are ``PayloadTooLarge`` (413) naming the field and the limit. ``count_vertices``
works on shapely geometries and on GeoJSON mappings alike, so a router can refuse a huge
GeoJSON body before building any geometry from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely

from geo.common.crs import GEOD
from geo.common.errors import InvalidInput, PayloadTooLarge


def _count_positions(coords: Any, depth: int = 0) -> int:
    """Positions in nested GeoJSON coordinate arrays (a position is a list of numbers)."""
    if depth > 6:
        raise InvalidInput("coordinates: nested too deeply for GeoJSON", field="coordinates")
    if not isinstance(coords, Sequence) or isinstance(coords, str | bytes):
        return 0
    if coords and all(isinstance(c, int | float) for c in coords):
        return 1
    return sum(_count_positions(c, depth + 1) for c in coords)


def count_vertices(geometry: Any) -> int:
    """Vertices of a shapely geometry, a GeoJSON geometry, Feature or FeatureCollection.

    Rings count their closing vertex, as stored. Anything else counts 0.
    """
    if isinstance(geometry, shapely.Geometry):
        return int(shapely.get_num_coordinates(geometry))
    if not isinstance(geometry, Mapping):
        return 0
    kind = geometry.get("type")
    if kind == "FeatureCollection":
        return sum(count_vertices(f) for f in geometry.get("features") or ())
    if kind == "Feature":
        return count_vertices(geometry.get("geometry") or {})
    if kind == "GeometryCollection":
        return sum(count_vertices(g) for g in geometry.get("geometries") or ())
    return _count_positions(geometry.get("coordinates"))


def check_vertices(geometry: Any, max_vertices: int, *, field: str = "geometry") -> int:
    """The vertex count, or ``PayloadTooLarge`` when over ``max_vertices`` (0 = no limit)."""
    n = count_vertices(geometry)
    if max_vertices and n > max_vertices:
        raise PayloadTooLarge(f"{field}: {n:,} vertices, more than the limit of "
                              f"{max_vertices:,}", field=field,
                              detail={"limit": max_vertices, "count": n})
    return n


def check_batch(count: int, max_items: int, *, field: str = "points") -> None:
    """``PayloadTooLarge`` when a batch holds more than ``max_items`` (0 = no limit)."""
    if max_items and count > max_items:
        raise PayloadTooLarge(f"{field}: {count:,} items, more than the limit of "
                              f"{max_items:,} per request", field=field,
                              detail={"limit": max_items, "count": count})


def route_length_km(parts: Sequence[np.ndarray]) -> float:
    """Geodesic length on WGS 84, in km, of a route given as parts of [lon, lat] rows."""
    total_m = 0.0
    for a in parts:
        if len(a) > 1:
            _, _, seg_m = GEOD.inv(a[:-1, 0], a[:-1, 1], a[1:, 0], a[1:, 1])
            total_m += float(np.sum(seg_m))
    return total_m / 1000.0


def check_route(parts: Sequence[np.ndarray], *, max_vertices: int, max_km: float,
                field: str = "geometry") -> None:
    """The work bound of a route check, before any zone is looked at.

    A route's cost grows with its segments (each may cross a zone boundary: one passage to
    answer) and with its length (a long segment meets many zone tiles). ``PayloadTooLarge``
    names ``field`` and the limit when the route has more than ``max_vertices`` vertices or
    is longer than ``max_km`` km (geodesic, lon/lat parts; 0 = no limit).
    """
    vertices = sum(len(a) for a in parts)
    if max_vertices and vertices > max_vertices:
        raise PayloadTooLarge(f"{field}: a route of {vertices:,} vertices, more than the "
                              f"limit of {max_vertices:,}; split it into several requests",
                              field=field, detail={"limit": max_vertices, "count": vertices})
    length_km = route_length_km(parts) if max_km else 0.0
    if max_km and length_km > max_km:
        raise PayloadTooLarge(f"{field}: a route of {length_km:,.0f} km, longer than the "
                              f"limit of {max_km:,.0f} km; split it into several requests",
                              field=field, detail={"limit_km": max_km,
                                                   "length_km": round(length_km, 1)})
