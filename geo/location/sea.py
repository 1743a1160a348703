"""The sea border area, as far as the data allows (RULES.md GEO-SEA-01).

Waters: 12 nautical miles seaward of the 1982 straight baseline (A1-A11, Thổ Chu to Cồn
Cỏ), the internal waters behind it, and — where no baseline is in the data (the Gulf of
Tonkin, Hoàng Sa, Trường Sa) — 12 nautical miles from the administrative shoreline, an
approximation of the baselines that are missing. Land: the coastal communes (those whose
boundary meets the shoreline), where commune geometry is loaded. Everything lon/lat; the
12 nm buffers are built per stretch in a local transverse Mercator (geodesic metres).
"""

from __future__ import annotations

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from geo.common import crs
from geo.location.border import as_multipolygon, geodesic_buffer, lines_of

TERRITORIAL_SEA_M = 12 * 1852.0  # Law 06/2003 Art 9: 12 nautical miles
#: 12 nm buffers need no decimetre edges: longer stretches, fewer arc segments
COARSE = {"stretch_m": 150_000.0, "quad_segs": 8, "densify_m": 2_000.0}
COAST_SIMPLIFY_DEG = 0.0005  # ~50 m: ample for a 22 km buffer, 20x fewer vertices
METHOD = ("12 nm seaward of the 1982 baseline (A1-A11) plus internal waters behind it; "
          "elsewhere 12 nm from the administrative shoreline (the Gulf of Tonkin, Hoang Sa "
          "and Truong Sa baselines are not in the data); minus land, and minus gaps in the land "
          "that do not meet the shoreline; internal waters stored apart from the territorial "
          "sea")


def internal_waters(baseline: BaseGeometry, coast: BaseGeometry) -> BaseGeometry:
    """The water between the baseline and the mainland shore: the polygon closed by the
    baseline and the shore points nearest its two ends, minus nothing (land is removed by
    the caller)."""
    line = lines_of(baseline)[0]
    first, last = shapely.Point(line.coords[0]), shapely.Point(line.coords[-1])
    shore = shapely.line_merge(coast)
    a = shapely.ops.nearest_points(shore, first)[0]
    b = shapely.ops.nearest_points(shore, last)[0]
    ring = [*line.coords, (b.x, b.y), (a.x, a.y)]
    return shapely.make_valid(Polygon(ring))


def territorial_waters(baseline: BaseGeometry, coast: BaseGeometry, land: BaseGeometry,
                       neighbours: BaseGeometry) -> BaseGeometry:
    """Waters of the sea border area (lon/lat MultiPolygon)."""
    simple = shapely.simplify(coast, COAST_SIMPLIFY_DEG)
    from_baseline = geodesic_buffer(lines_of(baseline), TERRITORIAL_SEA_M, **COARSE)
    from_shore = _shore_buffer(simple, TERRITORIAL_SEA_M)
    waters = shapely.union_all([from_baseline, from_shore,
                                internal_waters(baseline, simple)])
    water = shapely.difference(shapely.difference(waters, land), neighbours)
    return as_multipolygon(_open_to_the_sea(water, simple))


def _open_to_the_sea(water: BaseGeometry, coast: BaseGeometry) -> BaseGeometry:
    """The parts of ``water`` that meet the shoreline (within ~100 m): a gap in the land
    polygon far inland (a lake, a sliver between communes) is not the sea, although the
    polygon closed by the baseline spans it."""
    parts = shapely.get_parts(water)
    shore = shapely.buffer(coast, 0.001)
    shapely.prepare(shore)
    return shapely.union_all(parts[shapely.intersects(shore, parts)])


def split_waters(waters: BaseGeometry, baseline: BaseGeometry,
                 coast: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry]:
    """``waters`` as (internal waters behind the 1982 baseline, the rest): the rest is the
    territorial sea, measured from the baseline or, where the data has none, from the
    shoreline (there internal waters cannot be told apart and count as territorial sea)."""
    inner = shapely.intersection(waters, internal_waters(baseline, shapely.simplify(
        coast, COAST_SIMPLIFY_DEG)))
    return as_multipolygon(inner), as_multipolygon(shapely.difference(waters, inner))


def _shore_buffer(coast: BaseGeometry, distance_m: float) -> BaseGeometry:
    """Buffer the shoreline in one local transverse Mercator per half-degree cell: the
    mainland coast in 40 km stretches, the ~2,000 island rings grouped by cell."""
    lines = [g for g in lines_of(shapely.line_merge(coast)) if g.length > 0]
    long_lines = [g for g in lines if g.length > 0.3]
    groups: dict[tuple[float, float], list] = {}
    for g in lines:
        if g.length <= 0.3:
            c = g.centroid
            groups.setdefault((round(c.x * 2) / 2, round(c.y * 2) / 2), []).append(g)
    pieces = [geodesic_buffer(long_lines, distance_m, **COARSE)]
    for (lon0, lat0), members in groups.items():
        forward, inverse = crs.local_metric(lon0, lat0)
        local = shapely.transform(shapely.MultiLineString(members), lambda xy, f=forward:
                                  np.column_stack(f.transform(xy[:, 0], xy[:, 1])))
        buffered = shapely.segmentize(shapely.buffer(local, distance_m, quad_segs=8), 2000.0)
        pieces.append(shapely.transform(buffered, lambda xy, i=inverse: np.column_stack(
            i.transform(xy[:, 0], xy[:, 1]))))
    return shapely.union_all(pieces)


def coastal(communes: dict[str, BaseGeometry], coast: BaseGeometry,
            tolerance_deg: float = 0.002) -> list[str]:
    """Codes of communes whose boundary comes within ``tolerance_deg`` (~200 m, the
    simplified communes' error) of the shoreline."""
    near = shapely.buffer(shapely.simplify(coast, COAST_SIMPLIFY_DEG), tolerance_deg)
    shapely.prepare(near)
    return sorted(code for code, geom in communes.items() if near.intersects(geom.boundary))
