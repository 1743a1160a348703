"""The 12 nm edge of the sea border area, probed from the 1982 baseline (RULES.md GEO-SEA-01).

On the open sea south-east of the long straight segments A2-A3 (Hòn Khoai to Côn Đảo) and
A5-A6 (Côn Đảo to Phú Quý), points are set off perpendicular to the segment's middle, just
inside and just outside 12 nautical miles (22,224 m). The reference distance of every probe
is measured independently: pyproj's ``Geod`` against the baseline read from the data file
and densified along the geodesic to 10 m — nothing of the code under test.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Geod

from geo.location.check import check_points
from tests.conftest import DATA_DIR

NM12_M = 12 * 1852.0
GEOD = Geod(ellps="WGS84")
#: How close to 12 nm the probes lie. The waters are a coarse buffer (geo/location/sea.py
#: COARSE: 150 km local transverse Mercator stretches, edges densified to 2 km); measured, its
#: edge at A5-A6's middle lies 10-25 m inside 12 nm (at A2-A3 under 3 m). The baseline's
#: segments are geodesics here; read as straight lon/lat lines they would bulge 112 m
#: (A2-A3) and 311 m (A5-A6) seaward at the middle, which these probes would catch.
EDGE_M = 50.0


def _baseline_points() -> dict[str, tuple[float, float]]:
    data = json.loads((DATA_DIR / "vn_baseline_1982.geojson").read_text())
    return {f["properties"]["point"]: tuple(f["geometry"]["coordinates"])
            for f in data["features"] if f["geometry"]["type"] == "Point"}


def _baseline_line() -> np.ndarray:
    data = json.loads((DATA_DIR / "vn_baseline_1982.geojson").read_text())
    [line] = [f["geometry"]["coordinates"] for f in data["features"]
              if f["geometry"]["type"] == "LineString"]
    return np.asarray(line)


def _distance_to_baseline(lon: float, lat: float) -> float:
    """Geodesic distance to the baseline, each segment densified along its geodesic."""
    best = np.inf
    line = _baseline_line()
    for (x0, y0), (x1, y1) in zip(line[:-1], line[1:], strict=True):
        length = GEOD.inv(x0, y0, x1, y1)[2]
        between = GEOD.npts(x0, y0, x1, y1, max(int(length // 10), 1))
        xs = np.array([x0, *[p[0] for p in between], x1])
        ys = np.array([y0, *[p[1] for p in between], y1])
        best = min(best, float(GEOD.inv(np.full_like(xs, lon), np.full_like(ys, lat),
                                        xs, ys)[2].min()))
    return best


def _probe(start: str, end: str, offset_m: float) -> tuple[float, float]:
    """``offset_m`` seaward (to the right, going ``start`` → ``end``) of the middle of the
    baseline segment between the two named points."""
    points = _baseline_points()
    (x0, y0), (x1, y1) = points[start], points[end]
    azimuth, _, length = GEOD.inv(x0, y0, x1, y1)
    mx, my, back = GEOD.fwd(x0, y0, azimuth, length / 2)
    lon, lat, _ = GEOD.fwd(mx, my, back + 180 + 90, offset_m)
    return float(lon), float(lat)


@pytest.mark.parametrize("segment", [("A2", "A3"), ("A5", "A6")])
@pytest.mark.parametrize(("offset_m", "inside"), [
    (NM12_M - 2_000, True), (NM12_M - EDGE_M, True),
    (NM12_M + EDGE_M, False), (NM12_M + 2_000, False)])
def test_sea__12_nm_edge_of_the_baseline(index, segment, offset_m, inside):
    lon, lat = _probe(*segment, offset_m)
    reference = _distance_to_baseline(lon, lat)
    assert reference == pytest.approx(offset_m, abs=1.0)  # the probe is where it is meant
    [answer] = check_points(index, np.array([lon]), np.array([lat]))
    assert answer.in_sea_border_area is inside, (segment, reference)
    # the territorial sea is Vietnam's (Law 06/2003 Art 1); past it, no state's territory
    assert answer.in_vietnam is inside and answer.commune is None
    assert answer.surface == ("territorial_sea" if inside else None)


def test_sea__probes_are_seaward_of_the_baseline(index):
    """The side is right: the landward probe at the same distance is in internal waters
    (behind the baseline), the seaward one 2 nm past the edge is not in the area."""
    lon, lat = _probe("A5", "A6", -(NM12_M + 2_000))  # towards the coast
    [answer] = check_points(index, np.array([lon]), np.array([lat]))
    assert answer.in_sea_border_area is True
