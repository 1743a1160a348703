"""Belt geometry invariants on synthetic lines (no database)."""

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from geo.common import crs
from geo.location import border


def _offset(lon, lat, azimuth, distance_m):
    x, y, _ = crs.GEOD.fwd(lon, lat, azimuth, distance_m)
    return float(x), float(y)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(lon=st.floats(102.2, 109.0), lat=st.floats(9.0, 23.0), az=st.floats(0, 180),
       depth=st.sampled_from([100.0, 300.0, 1000.0]))
def test_geodesic_buffer__edge_within_a_metre_of_the_depth(lon, lat, az, depth):
    end = _offset(lon, lat, az, 30_000)
    line = LineString([(lon, lat), end])
    strip = border.geodesic_buffer([line], depth)
    mid = _offset(lon, lat, az, 15_000)
    for side in (90, -90):
        inside = shapely.Point(_offset(*mid, az + side, depth - 1.0))
        outside = shapely.Point(_offset(*mid, az + side, depth + 1.0))
        assert strip.contains(inside)
        assert not strip.contains(outside)


def test_belt__one_sided_inside_territory():
    line = LineString([(105.0, 21.0), (105.2, 21.0)])
    territory = box(104.9, 20.8, 105.3, 21.0)  # Vietnam south of the line
    strip = border.belt(line, territory, 1000.0)
    assert strip.contains(shapely.Point(_offset(105.1, 21.0, 180, 990)))
    assert not strip.contains(shapely.Point(_offset(105.1, 21.0, 180, 1010)))
    assert not strip.contains(shapely.Point(_offset(105.1, 21.0, 0, 500)))


def test_split_line__pieces_share_end_vertices():
    coords = np.column_stack([np.linspace(105, 106, 1001), np.full(1001, 21.0)])
    pieces = border.split_line(LineString(coords), max_vertices=200)
    assert all(len(p.coords) <= 200 for p in pieces)
    assert sum(len(p.coords) - 1 for p in pieces) == 1000
    assert all(a.coords[-1] == b.coords[0] for a, b in zip(pieces, pieces[1:], strict=False))


def test_as_multipolygon__keeps_only_polygons():
    mixed = shapely.GeometryCollection([box(0, 0, 1, 1), LineString([(0, 0), (2, 2)])])
    assert border.as_multipolygon(mixed).geom_type == "MultiPolygon"
    assert border.as_multipolygon(LineString([(0, 0), (1, 1)])) is None
