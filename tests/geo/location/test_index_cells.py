"""The single-point cell table: the same features as the tree query, for every point."""

import numpy as np
import shapely
from shapely.geometry import Point, Polygon, box

from geo.location.index import FAR_PAST, CellTable, Feature, Layer

SHAPES = [
    box(105.80, 21.00, 105.83, 21.02),  # a ward-sized box in Hà Nội
    box(105.81, 21.01, 105.90, 21.10),  # overlapping it
    Polygon([(102.1, 22.4), (102.6, 22.9), (103.2, 22.3), (102.1, 22.4)]),  # a triangle
    box(73.0, 18.0, 135.0, 53.0),  # a country-sized box: tested by bounding box
    Polygon(),  # empty: never a candidate
    box(-180.0, -90.0, -179.96, -89.96),  # the corner of the world
    box(106.0, 10.0, 106.05, 10.05),  # exactly on cell lines
]


def _layer() -> Layer:
    return Layer([Feature(id=str(i), name=str(i), geom=g) for i, g in enumerate(SHAPES)])


def test_cells__single_point_path_agrees_with_the_tree():
    layer = _layer()
    rng = np.random.default_rng(17)
    lon = np.concatenate([rng.uniform(101.9, 106.2, 4000), [106.0, 106.05, -180.0, 180.0]])
    lat = np.concatenate([rng.uniform(9.9, 23.5, 4000), [10.0, 10.05, -90.0, 90.0]])
    pts = shapely.points(lon, lat)
    at = np.full(len(pts), FAR_PAST + 1)
    pidx, fidx = layer.hits(pts, at)
    expected = {p: sorted(fidx[pidx == p].tolist()) for p in range(len(pts))}
    for p, point in enumerate(pts):
        assert layer.hits_one(point, at[p]) == expected[p], (lon[p], lat[p])


def test_cells__known_points():
    layer = _layer()
    assert layer.hits_one(Point(105.815, 21.015), FAR_PAST + 1) == [0, 1, 3]
    assert layer.hits_one(Point(106.0, 10.0), FAR_PAST + 1) == [6]  # a corner counts
    assert layer.hits_one(Point(-179.98, -89.98), FAR_PAST + 1) == [5]
    assert layer.hits_one(Point(float("nan"), 21.0), FAR_PAST + 1) == []
    assert layer.hits_one(Point(1e300, -1e300), FAR_PAST + 1) == []


def test_cells__big_and_empty_features_are_not_tabled():
    table = CellTable(shapely.bounds(np.array(SHAPES, dtype=object)), 0.05)
    assert table.big == [3]
    assert 4 not in set(table.members.tolist())
    assert 3 not in set(table.members.tolist())
    # the boxes and the triangle: every 0.05-degree cell their bounding boxes touch,
    # counted with Python's own floor division
    per_feature = np.bincount(table.members, minlength=len(SHAPES))
    for i in (0, 1, 2, 5, 6):
        west, south, east, north = SHAPES[i].bounds
        cells = (int(east // 0.05) - int(west // 0.05) + 1) * (int(north // 0.05)
                                                              - int(south // 0.05) + 1)
        assert per_feature[i] == cells, i
    assert per_feature[2] == 23 * 13
