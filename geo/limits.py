"""Size limits on input: vertices per geometry and items per batch.

Refusals are ``PayloadTooLarge`` (413) naming the field and the limit. ``count_vertices``
works on shapely geometries and on GeoJSON mappings alike, so a router can refuse a huge
GeoJSON body before building any geometry from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import shapely

from geo.errors import InvalidInput, PayloadTooLarge


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
