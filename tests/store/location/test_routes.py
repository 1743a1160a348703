"""Route checks on the real geometry, against PostGIS."""

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import text

from geo.common.crs import GEOD
from geo.common.errors import InvalidInput, PayloadTooLarge
from geo.common.timeutil import parse_instant
from geo.common.zones import PersonCategory
from geo.location import routes
from geo.location.answers import answer_route

LANG_SON = (106.7615, 21.8537)  # Lạng Sơn city centre


@pytest.fixture(scope="module")
def target(index):
    """300 m inside the nearest stretch of the China border, seen from Lạng Sơn."""
    b = index.border
    dist, iso = b.nearest(np.array([LANG_SON[0]]), np.array([LANG_SON[1]]))
    assert iso[0] == "CHN"
    # the nearest border point: walk from Lạng Sơn towards it, stop 300 m short
    az, _, _ = GEOD.inv(*LANG_SON, *_nearest_point(index))
    lon, lat, _ = GEOD.fwd(*LANG_SON, az, float(dist[0]) - 300.0)
    return float(lon), float(lat)


def _nearest_point(index):
    from geo.common import crs

    p = np.column_stack(crs.to_metric(np.array([LANG_SON[0]]), np.array([LANG_SON[1]])))
    _, v = index.border.tree.query(p, k=1)
    x, y = crs.from_metric(index.border.a[v, 0], index.border.a[v, 1])
    return float(x[0]), float(y[0])


@pytest.fixture(scope="module")
def route_answer(index, target):
    track = routes.make_track([[list(LANG_SON), list(target)]])
    return answer_route(index, track, parse_instant("2026-03-01T08:00"),
                        PersonCategory.VIETNAMESE_CITIZEN, cleared=False), track


def test_route__lang_son_to_the_border_enters_area_and_belt(route_answer, target):
    answer, _ = route_answer
    kinds = [z["kind"] for z in answer["zones"]]
    assert "land_border_area" in kinds and "border_belt" in kinds
    assert answer["end"]["in_border_belt"] and answer["end"]["nearest_neighbour"] == "CHN"
    assert answer["end"]["border_distance_m"] == pytest.approx(300.0, abs=1.0)
    assert answer["start"]["province"]["name"] == "Lạng Sơn"


def test_route__entry_points_and_lengths_match_postgis(conn, route_answer):
    answer, track = route_answer
    wkt = track.geometry.wkt
    for zone in answer["zones"]:
        table, key = (("commune", "code") if zone["kind"] == "land_border_area"
                      else ("belt_segment", "id"))
        row = conn.execute(text(
            f"SELECT ST_X(ST_StartPoint(g)), ST_Y(ST_StartPoint(g)), "  # test-only SQL
            f"ST_Length(g::geography) FROM (SELECT (ST_Dump(ST_LineMerge(ST_Intersection("
            f"ST_GeomFromText(:wkt, 4326), geom)))).geom g FROM {table} "
            f"WHERE {key}::text = :id AND valid_to IS NULL) s "
            "ORDER BY ST_Distance(ST_StartPoint(g), ST_SetSRID(ST_MakePoint(:x, :y), 4326)) "
            "LIMIT 1"), {"wkt": wkt, "id": zone["id"], "x": zone["entry"]["lon"],
                         "y": zone["entry"]["lat"]}).one()
        _, _, gap = GEOD.inv(row[0], row[1], zone["entry"]["lon"], zone["entry"]["lat"])
        assert gap < 1.0, zone
        assert zone["length_m"] == pytest.approx(row[2], rel=1e-3)


def test_route__gpx_like_timed_track_interpolates_entry_times(index, target):
    t0 = parse_instant("2026-03-01T08:00")
    t1 = t0 + timedelta(hours=1)
    track = routes.make_track([[list(LANG_SON), list(target)]], [[t0, t1]])
    answer = answer_route(index, track, t0, PersonCategory.VIETNAMESE_CITIZEN, cleared=False)
    total = answer["length_m"]
    for zone in answer["zones"]:
        expected = t0 + timedelta(hours=zone["entry"]["along_m"] / total)
        got = parse_instant(zone["entry"]["time"])
        assert abs((got - expected).total_seconds()) < 0.01
        assert got.utcoffset() == timedelta(hours=7)


def test_make_track__bad_routes_are_refused():
    with pytest.raises(InvalidInput, match="empty"):
        routes.make_track([])
    with pytest.raises(InvalidInput, match="degenerate"):
        routes.make_track([[[106.0, 21.0], [106.0, 21.0]]])
    with pytest.raises(InvalidInput, match="at least 2"):
        routes.make_track([[[106.0, 21.0]]])
    with pytest.raises(PayloadTooLarge):
        routes.make_track([[[106.0 + i * 1e-3, 21.0] for i in range(20)]], max_vertices=10)
    t = parse_instant("2026-03-01T08:00")
    with pytest.raises(InvalidInput, match="out of order"):
        routes.make_track([[[106.0, 21.0], [106.1, 21.0]]], [[t, t - timedelta(minutes=1)]])


def test_make_track__running_back_over_itself_is_allowed():
    track = routes.make_track([[[106.0, 21.0], [106.1, 21.0], [106.05, 21.0]]])
    assert track.length_m == pytest.approx(1.5 * GEOD.inv(106.0, 21.0, 106.1, 21.0)[2])


def test_make_track__crossing_itself_is_allowed():
    track = routes.make_track([[[106.0, 21.0], [106.1, 21.1], [106.1, 21.0], [106.0, 21.1]]])
    assert track.length_m > 30_000
