"""CRS parsing and transformations (no database)."""

import numpy as np
import pytest

from geo.common import crs
from geo.common.errors import InvalidInput


@pytest.mark.parametrize("text, code", [
    (None, 4326), ("EPSG:4326", 4326), ("4326", 4326), ("CRS84", 4326),
    ("urn:ogc:def:crs:EPSG::3405", 3405), ("EPSG:4756", 4756), ("epsg:9210", 9210),
    ("http://www.opengis.net/def/crs/EPSG/0/5897", 5897),
])
def test_parse_crs__accepted(text, code):
    assert crs.parse_crs(text) == code


@pytest.mark.parametrize("text", ["EPSG:3857", "EPSG:9999", "WGS84-ish", "EPSG:32648"])
def test_parse_crs__refused_names_the_field(text):
    with pytest.raises(InvalidInput) as err:
        crs.parse_crs(text)
    assert err.value.field == "crs" and "VN-2000" in err.value.message


# EPSG:6960's published parameters (coordinate frame rotation), as PROJ spells them.
EPSG_6960_HELMERT = ("x=-191.90441429 y=-39.30318279 z=-111.45032835 rx=-0.00928836 "
                     "ry=0.01975479 rz=-0.00427372 s=0.252906278 convention=coordinate_frame")


def test_transformer__vn2000_uses_epsg_6960():
    for code in (4756, 3405, 5896, 9205):
        assert EPSG_6960_HELMERT in crs.transformer(code, 4326).definition
        assert EPSG_6960_HELMERT in crs.transformer(4326, code).definition


def test_transformer__same_answer_as_the_pinned_group_operation():
    # rebuilt from its pipeline, the operation gives the group's answer to the micrometre
    from pyproj import CRS
    from pyproj.transformer import TransformerGroup

    group = TransformerGroup(CRS.from_epsg(9210), CRS.from_epsg(4326), always_xy=True)
    pinned = next(t for t in group.transformers if "VN-2000 to WGS 84 (2)" in t.description)
    x, y = np.array([435_000.0, 512_345.6]), np.array([2_450_000.0, 2_510_000.0])
    lon, lat = crs.transformer(9210, 4326).transform(x, y)
    lon0, lat0 = pinned.transform(x, y)
    assert np.abs(lon - lon0).max() < 1e-11 and np.abs(lat - lat0).max() < 1e-11


def test_transformer__thread_safe_under_concurrent_use():
    # One cached transformer, eight threads at once: each must get the single-thread answer.
    # A TransformerGroup's own transformers share one PROJ object and crash or corrupt here.
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(6960)
    x = rng.uniform(300_000, 700_000, 200_000)
    y = rng.uniform(1_000_000, 2_600_000, 200_000)
    t = crs.transformer(3405, 4326)
    expected = t.transform(x, y)

    def run(_):
        lon, lat = t.transform(x, y)
        return bool(np.array_equal(lon, expected[0]) and np.array_equal(lat, expected[1]))

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(run, range(48)))


def test_to_wgs84__vn2000_geographic_shift_is_about_200_m():
    # The same lon/lat read as VN-2000 lies ~224 m WNW of WGS 84 (SOURCES.md: -196 E / +110 N).
    lon, lat = crs.to_wgs84(np.array([105.85]), np.array([21.03]), 4756)
    _, _, dist = crs.GEOD.inv(105.85, 21.03, lon[0], lat[0])
    assert 215 < dist < 235


def test_to_wgs84__utm48n_roundtrip_is_exact():
    e, n = crs.to_metric(np.array([106.7615]), np.array([21.8537]))
    lon, lat = crs.from_metric(e, n)
    assert abs(lon[0] - 106.7615) < 1e-7 and abs(lat[0] - 21.8537) < 1e-7  # ~1 cm


def test_local_metric__scale_error_below_1e5_within_20km():
    forward, _ = crs.local_metric(105.0, 21.0)
    x0, y0 = forward.transform(105.0, 21.0)
    lon, lat, _ = crs.GEOD.fwd(105.19, 21.0, 90.0, 1000.0)
    x1, y1 = forward.transform(105.19, 21.0)
    x2, y2 = forward.transform(lon, lat)
    assert abs(np.hypot(x2 - x1, y2 - y1) - 1000.0) < 0.01
    assert abs(x0) < 1e-6 and abs(y0) < 1e-6
