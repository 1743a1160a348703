"""ODK / Kobo geoshape strings: ``lat lon alt acc;lat lon alt acc;…`` (WGS 84 degrees,
altitude and accuracy in metres), the ring closed by repeating the first vertex.

Tolerant of ``; `` separators, of a trailing ``;`` and of missing altitude/accuracy. An
accuracy of 0.0 is what ODK writes for a tapped (not measured) vertex: it means *unknown*,
not perfect, and is reported as such.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from geo.common.errors import InvalidInput

FIELD = "geoshape"


def _vertex(text: str, n: int) -> tuple[float, float, float | None]:
    parts = text.split()
    if not 2 <= len(parts) <= 4:
        raise InvalidInput(f"{FIELD}: vertex {n} has {len(parts)} numbers; ODK writes "
                           "'lat lon alt acc'", field=FIELD)
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidInput(f"{FIELD}: vertex {n} is not numbers: {text[:40]!r}",
                           field=FIELD) from None
    if not all(math.isfinite(v) for v in values):
        raise InvalidInput(f"{FIELD}: vertex {n} is not finite", field=FIELD)
    lat, lon = values[0], values[1]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(f"{FIELD}: vertex {n} ({lat}, {lon}) is out of range; ODK order "
                           "is lat lon", field=FIELD)
    acc = values[3] if len(values) == 4 and values[3] > 0 else None
    return lon, lat, acc


def parse(text: str, max_vertices: int) -> tuple[shapely.Polygon, list[float | None]]:
    """The polygon (lon/lat, EPSG:4326) and the accuracy of each vertex (None = unknown)."""
    items = [t.strip() for t in text.strip().split(";") if t.strip()]
    if len(items) > max_vertices:
        raise InvalidInput(f"{FIELD}: {len(items):,} vertices, more than {max_vertices:,}",
                           field=FIELD)
    vertices = [_vertex(t, i + 1) for i, t in enumerate(items)]
    xy = np.array([(v[0], v[1]) for v in vertices])
    if len(xy) and not np.array_equal(xy[0], xy[-1]):
        xy = np.vstack([xy, xy[:1]])
        vertices.append(vertices[0])
    if len(np.unique(xy, axis=0)) < 3:
        raise InvalidInput(f"{FIELD}: a shape needs at least 3 distinct vertices",
                           field=FIELD)
    return shapely.Polygon(xy), [v[2] for v in vertices]
