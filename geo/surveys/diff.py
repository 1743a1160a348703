"""Two versions of a gate's area compared: area change (ha and %), symmetric difference,
Hausdorff distance (m) and where it occurs, the parts gained and lost.

Areas are geodesic (WGS 84); the Hausdorff distance is the discrete Hausdorff distance of
the two outlines (every vertex of each to the other's boundary, as GEOS computes it),
measured in a local transverse Mercator centred on the first version.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo.common import crs
from geo.surveys.validate import Metric

MIN_PART_M2 = 1.0  # parts gained or lost smaller than this are numerical dust


def geodesic_m2(geom) -> float:
    return 0.0 if geom.is_empty else abs(crs.GEOD.geometry_area_perimeter(geom)[0])


def _directed(a_m, b_m) -> tuple[float, np.ndarray, np.ndarray]:
    """Largest distance from a vertex of ``a_m`` to the boundary of ``b_m``, the vertex and
    the nearest point of that boundary."""
    xy = shapely.get_coordinates(a_m)
    boundary = b_m.boundary
    shapely.prepare(boundary)
    d = shapely.distance(shapely.points(xy), boundary)
    i = int(np.argmax(d))
    near = shapely.get_coordinates(shapely.shortest_line(shapely.Point(xy[i]), boundary))[1]
    return float(d[i]), xy[i], near


def hausdorff(a_m, b_m) -> tuple[float, np.ndarray, np.ndarray]:
    """The Hausdorff distance (CRS units) and its end points (on a, on b)."""
    d1, p1, q1 = _directed(a_m, b_m)
    d2, p2, q2 = _directed(b_m, a_m)
    return (d1, p1, q1) if d1 >= d2 else (d2, q2, p2)


def _parts(geom, m: Metric) -> list[dict]:
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon":
            continue
        area = geodesic_m2(part)
        if area >= MIN_PART_M2:
            c = part.representative_point()
            out.append({"area_m2": round(area, 1), "lonlat": [round(c.x, 7), round(c.y, 7)]})
    return sorted(out, key=lambda p: -p["area_m2"])


def compare(a, b) -> dict:
    """``b`` against ``a`` (both lon/lat (Multi)Polygons): what changed from a to b."""
    m = Metric(a)
    area_a, area_b = geodesic_m2(a), geodesic_m2(b)
    gained, lost = shapely.difference(b, a), shapely.difference(a, b)
    distance, on_a, on_b = hausdorff(m.to(a), m.to(b))
    change = area_b - area_a
    return {
        "area_before_ha": round(area_a / 1e4, 4), "area_after_ha": round(area_b / 1e4, 4),
        "area_change_ha": round(change / 1e4, 4),
        "area_change_pct": round(100 * change / area_a, 3) if area_a else None,
        "symmetric_difference_m2": round(geodesic_m2(gained) + geodesic_m2(lost), 1),
        "symmetric_difference_ha": round((geodesic_m2(gained) + geodesic_m2(lost)) / 1e4, 4),
        "hausdorff_m": round(distance, 2),
        "hausdorff_where": {"on_before": m.lonlat(*on_a), "on_after": m.lonlat(*on_b)},
        "gained": _parts(gained, m), "lost": _parts(lost, m),
    }
