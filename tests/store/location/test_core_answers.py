"""Wrong answers of the core, each against an independent reference (issue 17):
route exit times at part ends (the times given), overlapping communes (PostGIS), answers at
a past instant (the geometry valid then, as PostGIS holds it)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest
from sqlalchemy import text

from geo.common.security import Principal, Role
from geo.common.timeutil import HANOI
from geo.common.zones import PersonCategory
from geo.location import routes
from geo.location.answer_rules import Lookups, answer_columns
from geo.location.answers import answer_route
from geo.location.check import check_points
from geo.location.index import as_utc64
from geo.location.overlaps import commune_overlaps
from geo.store import models as m
from geo.store.zones.derive import set_belt_depth
from geo.store.zones.load import Loader
from geo.store.zones.snapshot import index_from
from tests.conftest import DATA_DIR

DONG_DANG = "06184"  # Lạng Sơn, on the land border list
IN_DONG_DANG = (106.71253517896174, 21.947843)  # PostGIS ST_PointOnSurface of its shape
LANG_SON = (106.7615, 21.8537)  # Lạng Sơn city centre, outside Đồng Đăng
#: In all three overlapping Lào Cai wards and in their three default belt rows (PostGIS
#: ST_PointOnSurface of the intersection), 505 m from the border line.
IN_THREE_WARDS = (103.94492676080498, 22.516887940697508)
THREE_WARDS = ("02647", "02683", "02746")


def _t(hour: int, day: int = 1, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=HANOI)


def _one(index, lon_lat, at):
    [answer] = check_points(index, np.array([lon_lat[0]]), np.array([lon_lat[1]]), at)
    return answer


def _columns(index, lon_lat, at):
    when = np.array([as_utc64(at, None)], dtype="datetime64[us]")
    return answer_columns(index, np.array([lon_lat[0]]), np.array([lon_lat[1]]), when,
                         Lookups.of(index))


# -- a route whose part ends inside a zone -------------------------------------------------
def test_route__exit_at_the_end_of_a_part_takes_that_parts_last_time(index):
    track = routes.make_track([[[106.60, 21.90], list(IN_DONG_DANG)],
                               [list(LANG_SON), [106.80, 21.80]]],
                              times=[[_t(8), _t(9)], [_t(10), _t(11)]])
    found = [p for p in routes.passages(index, track, _t(8))
             if p.kind == "land_border_area" and p.feature.id == DONG_DANG]
    assert len(found) == 1
    assert found[0].exit_along_m == pytest.approx(float(track.cumulative_m[0][-1]), abs=0.01)
    assert found[0].exit_time == _t(9)  # the time given for the part's last vertex
    answer = answer_route(index, track, _t(8), PersonCategory.VIETNAMESE_CITIZEN,
                          cleared=False)
    zone = next(z for z in answer["zones"]
                if z["kind"] == "land_border_area" and z.get("id") == DONG_DANG)
    # the part stops inside Đồng Đăng: no edge is crossed there (exit is null), and the
    # last position known inside carries the part's last time, not the next part's start
    assert zone["exit"] is None and zone["ends_inside"] is True
    assert zone["last_inside"]["time"] == "2026-03-01T09:00:00+07:00"


# -- overlapping communes --------------------------------------------------------------------
def test_overlap__one_rule_decides_commune_belt_and_land_border_list(conn, index):
    point = "ST_SetSRID(ST_Point(:lon, :lat), 4326)"
    args = {"lon": IN_THREE_WARDS[0], "lat": IN_THREE_WARDS[1]}
    holding = conn.execute(text(f"SELECT code FROM commune WHERE valid_to IS NULL AND "
                                f"ST_Covers(geom, {point}) ORDER BY code"), args).scalars().all()
    assert holding == list(THREE_WARDS)
    belt_rows = dict(conn.execute(text(
        f"SELECT commune_code, id FROM belt_segment WHERE valid_to IS NULL AND "
        f"ST_Covers(geom, {point})"), args).all())
    assert set(belt_rows) == set(THREE_WARDS)
    answer = _one(index, IN_THREE_WARDS, _t(8))
    chosen = answer.commune["code"]
    assert chosen == "02647"  # the documented rule: the lowest code
    assert answer.belt["commune_code"] == chosen and answer.belt["id"] == str(belt_rows[chosen])
    assert answer.in_land_border_area
    cols = _columns(index, IN_THREE_WARDS, _t(8))
    assert cols["commune_code"][0] == chosen and cols["belt_id"][0] == str(belt_rows[chosen])


def test_overlap__an_instrument_narrowing_the_chosen_communes_belt_applies_there(conn):
    distance_m = conn.execute(text(
        "SELECT min(ST_Distance(ST_SetSRID(ST_Point(:lon, :lat), 4326)::geography, "
        "geom::geography)) FROM border_segment WHERE source = 'bando_2026'"),
        {"lon": IN_THREE_WARDS[0], "lat": IN_THREE_WARDS[1]}).scalar_one()
    assert distance_m == pytest.approx(505.4, abs=1.0)
    set_belt_depth(conn, "02647", 300.0, "Quyết định 17/2026/QĐ-UBND", date(2026, 1, 1),
                   issuer="provincial_peoples_committee",
                   principal=Principal(subject="test-core-admin", roles=frozenset({Role.ADMIN})))
    index = index_from(conn)
    answer = _one(index, IN_THREE_WARDS, _t(8))
    assert answer.commune["code"] == "02647"
    assert not answer.in_border_belt and answer.belt is None  # 505 m > 300 m
    cols = _columns(index, IN_THREE_WARDS, _t(8))
    assert not cols["in_border_belt"][0]
    before = _one(index, IN_THREE_WARDS, datetime(2025, 12, 31, 12, tzinfo=HANOI))
    assert before.in_border_belt and before.belt["commune_code"] == "02647"


def test_overlap__detected_with_its_geodesic_area_and_reported_at_load(conn):
    expected = conn.execute(text(
        "SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) FROM commune a, commune b "
        "WHERE a.code = '02647' AND b.code = '02746' AND a.valid_to IS NULL "
        "AND b.valid_to IS NULL")).scalar_one()
    assert expected == pytest.approx(3.49e6, rel=0.01)
    loader = Loader(conn.engine, DATA_DIR, log=lambda _: None)
    result = loader._communes(conn)  # nothing changed: no writes, the overlaps reported
    pairs = {(o["a"], o["b"]): o["area_m2"] for o in result["overlaps"]["pairs"]}
    assert pairs[("02647", "02746")] == pytest.approx(expected, rel=1e-3)
    assert {("02647", "02683"), ("02683", "02746")} <= set(pairs)
    assert any("02647" in w and "02746" in w and "3.49 km²" in w
               for w in loader.report.warnings)


def test_overlap__pairs_found_by_the_domain_function():
    from shapely.geometry import box

    found = commune_overlaps(["a", "b", "c"], [box(105.0, 21.0, 105.1, 21.1),
                                               box(105.05, 21.0, 105.15, 21.1),
                                               box(105.15, 21.0, 105.2, 21.1)],
                             min_area_m2=1.0)
    assert [(o.a, o.b) for o in found.pairs] == [("a", "b")]  # b and c only touch
    assert found.pairs[0].area_m2 == pytest.approx(5.80e7, rel=0.01)  # 0.05 x 0.1 deg


# -- answers at a past instant use the shapes of their time -------------------------------
def _reshape_dong_dang(conn, on: date) -> None:
    """Close Đồng Đăng's version on ``on`` and open one without a 2 km disc around
    ``IN_DONG_DANG`` (the legal history: nothing overwritten)."""
    t = m.commune
    cols = [c.name for c in t.columns if c.name not in ("id", "geom", "valid_from", "valid_to")]
    listed = ", ".join(cols)
    conn.execute(text("UPDATE commune SET valid_to = :on WHERE code = :c AND valid_to IS NULL"),
                 {"on": on, "c": DONG_DANG})
    conn.execute(text(
        f"INSERT INTO commune ({listed}, geom, valid_from) SELECT {listed}, ST_Multi("
        "ST_Difference(geom, ST_Buffer(ST_SetSRID(ST_Point(:lon, :lat), 4326)::geography, "
        "2000)::geometry)), :on FROM commune WHERE code = :c AND valid_to = :on"),
        {"on": on, "c": DONG_DANG, "lon": IN_DONG_DANG[0], "lat": IN_DONG_DANG[1]})


def test_past_instant__land_border_area_uses_the_commune_shape_valid_then(conn):
    _reshape_dong_dang(conn, date(2026, 2, 1))
    covers = text("SELECT valid_from FROM commune WHERE code = :c AND "
                  "ST_Covers(geom, ST_SetSRID(ST_Point(:lon, :lat), 4326)) ORDER BY valid_from")
    versions = conn.execute(covers, {"c": DONG_DANG, "lon": IN_DONG_DANG[0],
                                     "lat": IN_DONG_DANG[1]}).scalars().all()
    assert versions == [date(2025, 7, 1)]  # only the closed version holds the point
    index = index_from(conn)
    past = _one(index, IN_DONG_DANG, _t(9, day=15, month=1))
    assert past.commune["code"] == DONG_DANG
    assert past.in_land_border_area  # the list of then, with the shape of then
    assert _columns(index, IN_DONG_DANG, _t(9, day=15, month=1))["in_land_border_area"][0]
    today = _one(index, IN_DONG_DANG, _t(9))
    assert (today.commune or {}).get("code") != DONG_DANG
    assert not today.in_land_border_area
