"""Footprints of sensitive zones: a cover of whole metric grid cells that contains the zone,
and validity widened to whole Hanoi days."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
import shapely

from geo.common import crs
from geo.common.errors import InvalidInput
from geo.common.timeutil import HANOI
from geo.location.footprint import (
    FootprintSpec,
    cells,
    day_ceil,
    day_floor,
    footprint,
    is_sensitive,
)
from geo.location.index import Feature, Layer, public_layer

# Lạng Sơn city centre (the batch and route tests' point); an L of two 1.2 km x 0.4 km arms
LANG_SON = (106.7615, 21.8537)


def _l_shape(lon0: float, lat0: float):
    e, n = crs.to_metric(np.array([lon0]), np.array([lat0]))
    x, y = float(e[0]), float(n[0])
    arms = shapely.union(shapely.box(x, y, x + 1_200, y + 400),
                         shapely.box(x, y, x + 400, y + 1_200))
    return shapely.transform(arms, lambda xy: np.column_stack(
        crs.from_metric(xy[:, 0], xy[:, 1])))


@pytest.mark.parametrize("spec", [FootprintSpec(), FootprintSpec(cell_m=250, margin_m=100),
                                  FootprintSpec(cell_m=2_000, margin_m=10)])
def test_footprint__contains_the_zone_and_is_whole_cells_of_the_configured_size(spec):
    zone = _l_shape(*LANG_SON)
    cover = footprint(zone, spec)
    assert cover.covers(zone) and cover.geom_type == "MultiPolygon"
    boxes = cells(zone, spec)
    xy = shapely.get_coordinates(boxes)
    # every cell is cell_m square, on a grid fixed to EPSG:3405's origin
    assert np.allclose(shapely.area(boxes), spec.cell_m ** 2)
    assert np.allclose(xy / spec.cell_m, np.round(xy / spec.cell_m))
    # each cell touches the zone grown by the margin, and no cell is left out
    metric = shapely.transform(zone, lambda c: np.column_stack(crs.to_metric(c[:, 0], c[:, 1])))
    assert np.all(shapely.distance(boxes, metric) <= spec.margin_m + 1e-6)
    area_m2 = shapely.transform(cover, lambda c: np.column_stack(
        crs.to_metric(c[:, 0], c[:, 1]))).area
    assert area_m2 == pytest.approx(len(boxes) * spec.cell_m ** 2, rel=1e-6)
    grown = metric.buffer(spec.margin_m)
    assert shapely.union_all(boxes).covers(grown)


def test_footprint__bigger_cells_hide_more():
    zone = _l_shape(*LANG_SON)
    areas = [footprint(zone, FootprintSpec(cell_m=c, margin_m=100)).area
             for c in (250, 1_000, 4_000)]
    assert areas[0] < areas[1] < areas[2]
    assert zone.area / areas[1] < 0.5  # the 0.8 km2 L inside km cells: less than half


def test_footprint__settings_are_checked():
    with pytest.raises(InvalidInput, match="cell_m"):
        FootprintSpec(cell_m=5)
    with pytest.raises(InvalidInput, match="margin_m"):
        FootprintSpec(margin_m=0)
    with pytest.raises(InvalidInput, match="geometry"):
        footprint(shapely.Polygon())


def test_days__widen_outward_to_hanoi_midnight():
    t = datetime(2026, 5, 3, 14, 37, 12, tzinfo=HANOI)
    assert day_floor(t) == datetime(2026, 5, 3, tzinfo=HANOI)
    assert day_ceil(t) == datetime(2026, 5, 4, tzinfo=HANOI)
    midnight = datetime(2026, 5, 4, tzinfo=HANOI)
    assert day_ceil(midnight) == midnight and day_floor(midnight) == midnight
    utc = (t - timedelta(hours=10)).astimezone(HANOI)  # 04:37 Hanoi the same day
    assert day_floor(utc) == datetime(2026, 5, 3, tzinfo=HANOI)
    assert day_ceil(None) is None


def test_public_layer__sensitive_zones_become_footprints_valid_over_whole_days():
    zone = _l_shape(*LANG_SON)
    start = datetime(2026, 5, 3, 14, 37, tzinfo=HANOI)
    props = {"kind": "prohibited_zone_land", "sensitivity": "secret", "legal_basis": "x"}
    secret = Feature("1", "Khu cấm", zone, props, start, start + timedelta(hours=5))
    public = Feature("2", "Khu công khai", zone, {**props, "sensitivity": "public"}, start)
    layer = Layer([secret, public])
    shown = public_layer(layer)
    assert shown.features[1] is public  # public zones stay exact
    hidden = shown.features[0]
    assert hidden.geom.equals(footprint(zone)) and hidden.props["extent"] == "generalised"
    assert hidden.valid_from == datetime(2026, 5, 3, tzinfo=HANOI)
    assert hidden.valid_to == datetime(2026, 5, 4, tzinfo=HANOI)
    assert public_layer(Layer([public])).features[0] is public
    assert is_sensitive("restricted") and is_sensitive("secret") and not is_sensitive(None)
