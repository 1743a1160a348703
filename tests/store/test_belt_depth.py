"""A belt depth set by an instrument replaces the default strip for its commune."""

from datetime import date, datetime

import numpy as np
import pytest

from geo.check import check_points
from geo.crs import GEOD
from geo.errors import InvalidInput, NotFound
from geo.store.derive import set_belt_depth
from geo.store.snapshot import index_from
from geo.timeutil import HANOI

LUNG_CU = "00715"
INSTRUMENT = "Nghị quyết thử nghiệm số 01/NQ-HĐND (test)"


def _probe_points(index):
    """Points in Lũng Cú at 300 m and 700 m from the border (by the index's distance)."""
    rng = np.random.default_rng(5)
    lon = rng.uniform(105.28, 105.36, 4000)
    lat = rng.uniform(23.33, 23.40, 4000)
    answers = check_points(index, lon, lat, datetime(2027, 1, 2, tzinfo=HANOI))
    ours = [a for a in answers if a.commune and a.commune["code"] == LUNG_CU]
    near = [a for a in ours if 250 < a.border_distance_m < 450]
    middle = [a for a in ours if 550 < a.border_distance_m < 950]
    return near, middle


def test_set_belt_depth__narrower_belt_replaces_the_default(conn, loaded):
    result = set_belt_depth(conn, LUNG_CU, 500.0, INSTRUMENT, date(2027, 1, 1))
    assert result["depth_m"] == 500.0
    # the index built inside this (rolled back) transaction sees the new row
    index = index_from(conn)
    near, middle = _probe_points(index)
    assert len(near) > 20 and len(middle) > 20
    assert all(a.in_border_belt and a.belt["depth_m"] == 500.0 for a in near)
    assert all(a.belt["instrument"] == INSTRUMENT for a in near)
    assert not any(a.in_border_belt for a in middle)
    before = check_points(index, [middle[0].lon], [middle[0].lat],
                          datetime(2026, 12, 31, tzinfo=HANOI))[0]
    assert before.in_border_belt and before.belt["is_default"]  # history: default until then


def test_set_belt_depth__edge_at_500_m_geodesic(conn, loaded):
    set_belt_depth(conn, LUNG_CU, 500.0, INSTRUMENT, date(2027, 1, 1))
    index = index_from(conn)
    near, _ = _probe_points(index)
    a = near[0]
    # walk away from the border through the edge: in at 499 m, out at 501 m
    foot_az = None
    for step in np.linspace(0, 360, 73):
        lon, lat, _ = GEOD.fwd(a.lon, a.lat, step, 10.0)
        d = check_points(index, [lon], [lat])[0].border_distance_m
        if d > a.border_distance_m + 9.0:
            foot_az = step
            break
    assert foot_az is not None
    inside = outside = None
    for dist in np.arange(0, 400, 0.5):
        lon, lat, _ = GEOD.fwd(a.lon, a.lat, foot_az, dist)
        p = check_points(index, [lon], [lat], datetime(2027, 1, 2, tzinfo=HANOI))[0]
        if 498.0 < p.border_distance_m < 499.0:
            inside = p
        if 501.0 < p.border_distance_m < 502.0:
            outside = p
            break
    assert inside is not None and inside.in_border_belt
    assert outside is not None and not outside.in_border_belt


@pytest.mark.parametrize("depth, instrument, field", [
    (1500.0, INSTRUMENT, "depth_m"), (50.0, INSTRUMENT, "depth_m"), (500.0, " ", "instrument")])
def test_set_belt_depth__refusals(conn, loaded, depth, instrument, field):
    with pytest.raises(InvalidInput) as err:
        set_belt_depth(conn, LUNG_CU, depth, instrument, date(2027, 1, 1))
    assert err.value.field == field


def test_set_belt_depth__prime_minister_may_go_under_100_m(conn, loaded):
    result = set_belt_depth(conn, LUNG_CU, 50.0, "Quyết định 679/QĐ-TTg (test)", date(2027, 1, 1))
    assert result["depth_m"] == 50.0


def test_set_belt_depth__unknown_commune(conn, loaded):
    with pytest.raises(NotFound):
        set_belt_depth(conn, "99999", 500.0, INSTRUMENT, date(2027, 1, 1))
