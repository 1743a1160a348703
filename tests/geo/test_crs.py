"""CRS parsing and transformations (no database)."""

import numpy as np
import pytest

from geo import crs
from geo.errors import InvalidInput


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


def test_transformer__vn2000_uses_epsg_6960():
    for code in (4756, 3405, 5896, 9205):
        assert "VN-2000 to WGS 84 (2)" in crs.transformer(code, 4326).description


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
