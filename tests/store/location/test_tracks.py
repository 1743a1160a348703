"""Tracks as people travel them: out-and-back walks, jitter at a stop, border crossings."""

import json
from datetime import timedelta

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, shape

from geo.common.crs import GEOD
from geo.common.timeutil import parse_instant
from geo.common.zones import PersonCategory
from geo.location import routes
from geo.location.answers import answer_route
from geo.location.check import check_points
from geo.location.inputs import from_gpx
from tests.conftest import DATA_DIR

README_ROUTE = [[106.7615, 21.8537], [106.70, 22.05]]  # Lạng Sơn city -> Đồng Đăng, README
LUNG_CU = (105.332, 23.378)  # 334 m from the China line
T0 = parse_instant("2026-03-01T08:00")


def _answer(index, parts, times=None):
    track = routes.make_track(parts, times)
    return answer_route(index, track, times[0][0] if times else T0,
                        PersonCategory.VIETNAMESE_CITIZEN, cleared=False)


def _gpx(points, times) -> bytes:
    body = "".join(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><time>{t.isoformat()}</time>'
                   "</trkpt>" for (lon, lat), t in zip(points, times, strict=True))
    return ('<?xml version="1.0"?><gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            f"{body}</trkseg></trk></gpx>").encode()


def _walk(a, b, n):
    """``n`` points from ``a`` to ``b`` along the geodesic (lon, lat)."""
    az, _, dist = GEOD.inv(*a, *b)
    return [GEOD.fwd(a[0], a[1], az, dist * k / (n - 1))[:2] for k in range(n)]


@pytest.fixture(scope="module")
def inland():
    """1.5 km due south of Lũng Cú: in the commune, outside the 1,000 m belt."""
    lon, lat, _ = GEOD.fwd(*LUNG_CU, 180.0, 1_500.0)
    return lon, lat


def test_track__readme_route_leaves_and_reenters_vietnam_at_the_line(index):
    answer = _answer(index, [README_ROUTE], [[T0, T0 + timedelta(hours=1)]])
    crossings = answer["border_crossings"]
    # independently: the route against the China line of the data file, in lon/lat
    lines = json.loads((DATA_DIR / "vn_land_boundary.geojson").read_text())["features"]
    china = next(shape(f["geometry"]) for f in lines if f["properties"]["neighbour_iso3"] == "CHN")
    route = LineString(README_ROUTE)
    points = sorted(shapely.get_parts(route.intersection(china)), key=route.project)
    assert [c["direction"] for c in crossings] == ["exit", "entry", "exit"]
    assert len(points) == 3 and all(c["neighbour"] == "CHN" for c in crossings)
    total = GEOD.inv(*README_ROUTE[0], *README_ROUTE[1])[2]
    for c, p in zip(crossings, points, strict=True):
        assert GEOD.inv(c["lon"], c["lat"], p.x, p.y)[2] < 1.0
        expected = T0 + timedelta(hours=GEOD.inv(*README_ROUTE[0], p.x, p.y)[2] / total)
        assert abs((parse_instant(c["time"]) - expected).total_seconds()) < 1.0
        assert c["time"].endswith("+07:00") and c["nearest_gate"] is None
    assert crossings[0]["time"].startswith("2026-03-01T08:38")
    assert crossings[1]["time"].startswith("2026-03-01T08:52")
    assert answer["end"]["country"] == "CHN"


def test_track__out_and_back_gpx_walk_is_one_belt_passage(index, inland):
    out = _walk(inland, LUNG_CU, 40)
    points = out + out[-2::-1]  # back over its own path
    times = [T0 + timedelta(seconds=20 * k) for k in range(len(points))]
    parsed = from_gpx(_gpx(points, times), max_vertices=10_000)
    answer = _answer(index, [p.tolist() for p in parsed.parts], parsed.times)
    belts = [z for z in answer["zones"] if z["kind"] == "border_belt"]
    assert len(belts) == 1
    belt = belts[0]
    assert not belt["starts_inside"] and not belt["ends_inside"]
    # in at the belt's edge, out at the same place on the way back, time in between
    assert GEOD.inv(belt["entry"]["lon"], belt["entry"]["lat"],
                    belt["exit"]["lon"], belt["exit"]["lat"])[2] < 1.0
    inside_one_way = GEOD.inv(belt["entry"]["lon"], belt["entry"]["lat"], *LUNG_CU)[2]
    assert belt["length_m"] == pytest.approx(2 * inside_one_way, abs=1.0)
    assert parse_instant(belt["exit"]["time"]) > parse_instant(belt["entry"]["time"])
    edge = check_points(index, [belt["entry"]["lon"]], [belt["entry"]["lat"]], T0)[0]
    assert edge.border_distance_m == pytest.approx(1_000.0, abs=15.0)
    area = [z for z in answer["zones"] if z["kind"] == "land_border_area"]
    assert area and area[0]["starts_inside"] and area[0]["ends_inside"]
    assert area[0]["entry"] is None and area[0]["exit"] is None
    assert answer["border_crossings"] == []


def test_track__jittery_stop_ends_inside_the_belt(index, inland):
    rng = np.random.default_rng(20261130)
    stop = np.array(LUNG_CU)
    metres = rng.normal(0.0, 15.0, size=(60, 2))  # ~15 m of GPS noise
    deg = metres / [111_320.0 * np.cos(np.radians(stop[1])), 110_574.0]
    jitter = [tuple(stop + d) for d in deg]
    points = _walk(inland, LUNG_CU, 30) + jitter
    times = [[T0 + timedelta(seconds=10 * k) for k in range(len(points))]]
    answer = _answer(index, [[list(p) for p in points]], times)
    belts = [z for z in answer["zones"] if z["kind"] == "border_belt"]
    assert len(belts) == 1 and belts[0]["ends_inside"] and belts[0]["exit"] is None
    assert not belts[0]["starts_inside"] and belts[0]["entry"]["time"].endswith("+07:00")
    assert answer["end"]["in_border_belt"] and answer["border_crossings"] == []
