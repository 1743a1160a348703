"""The dashboard's layers on the real data: what is in view, at which instant, generalised
for the zoom, and what an uncleared caller may see. Runs in the test's rolled-back
transaction (``conn``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import text

from geo.common.errors import InvalidInput, NotPermitted
from geo.common.timeutil import now
from geo.decisions.codec import decision_from_dict
from geo.decisions.query import BBox
from geo.layers.dashboard import LAYERS, ViewQuery
from geo.store.decisions import repository as decisions
from geo.store.layers import dashboard as map_layers
from geo.store.zones.edit import add_zone
from tests.api.decisions.decision_support import LUNG_CU, OFFICER, T0, decision_body
from tests.api.security.security_support import SETUP, unique

LUNG_CU_BOX = BBox(105.25, 23.30, 105.42, 23.40)  # Lũng Cú, Tuyên Quang, on the China line
LANG_SON_BOX = BBox(106.70, 21.80, 106.82, 21.90)


def _view(**kw) -> ViewQuery:
    return ViewQuery(**{"at": now(), "bbox": LUNG_CU_BOX, "zoom": 11, **kw})


def _by_id(features) -> dict:
    return {f["id"]: f for f in features}


def test_map_layers__every_declared_layer_answers(conn):
    for layer_id in LAYERS:
        found = map_layers.features(conn, layer_id, _view())
        assert isinstance(found, list), layer_id
    with pytest.raises(InvalidInput, match="one of land_border"):
        map_layers.features(conn, "roads", _view())


def test_map_layers__lung_cu_commune_belt_and_line_in_view(conn):
    communes = _by_id(map_layers.features(conn, "land_border_communes", _view()))
    lung_cu = communes[LUNG_CU]["properties"]
    assert lung_cu["name"] == "Lũng Cú" and lung_cu["neighbours"] == ["CHN"]
    assert lung_cu["border_len_m"] > 1_000
    belt = [f for f in map_layers.features(conn, "belt", _view())
            if f["properties"]["commune_code"] == LUNG_CU]
    assert belt and all(f["properties"]["depth_m"] == 1000.0 for f in belt)
    line = map_layers.features(conn, "land_border", _view())
    assert line and {f["properties"]["neighbour_iso3"] for f in line} == {"CHN"}
    assert all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in line)
    # GeoJSON order is (lon, lat): Lũng Cú lies near 105.3 E, 23.4 N
    lon, lat = shape(communes[LUNG_CU]["geometry"]).representative_point().coords[0]
    assert 105.2 < lon < 105.5 and 23.2 < lat < 23.5


def test_map_layers__generalised_by_zoom_but_keeping_the_shape(conn):
    def lung_cu(zoom: int):
        found = _by_id(map_layers.features(conn, "land_border_communes", _view(zoom=zoom)))
        return shape(found[LUNG_CU]["geometry"])

    coarse, fine = lung_cu(7), lung_cu(15)
    assert shapely.get_num_coordinates(coarse) < shapely.get_num_coordinates(fine) / 3
    exact_m2 = conn.execute(text(
        "SELECT ST_Area(geom::geography) FROM commune WHERE code = :c AND valid_to IS NULL"),
        {"c": LUNG_CU}).scalar_one()
    # the drawn shape at zoom 7 (~0.0027 deg tolerance) still covers nearly the same area
    assert abs(coarse.area / fine.area - 1) < 0.05 and exact_m2 > 10e6


def test_map_layers__nothing_outside_the_view(conn):
    sea_box = BBox(110.0, 10.0, 110.5, 10.5)  # open sea, far from any land border
    for layer_id in ("land_border", "land_border_communes", "belt"):
        assert map_layers.features(conn, layer_id, _view(bbox=sea_box)) == []


def test_map_layers__sensitive_zone_is_a_footprint_for_uncleared_callers(conn):
    exact = shapely.box(106.76, 21.85, 106.7615, 21.8537)
    name = unique("Khu cấm bí mật")
    add_zone(conn, SETUP, kind="prohibited_zone_land", name=name, authority="Bộ Quốc phòng",
             legal_basis="Decree 164/2018/ND-CP Art 7", sensitivity="secret", geom=exact,
             valid_from=now() - timedelta(days=1), province_code="20")
    public = map_layers.features(conn, "prohibited_zones", _view(bbox=LANG_SON_BOX))
    cleared = map_layers.features(conn, "prohibited_zones",
                                  _view(bbox=LANG_SON_BOX, cleared=True))
    mine = [f for f in cleared if f["properties"]["name"] == name]
    assert len(mine) == 1 and shape(mine[0]["geometry"]).equals_exact(exact, 1e-6)
    hidden = [f for f in public if f["properties"]["footprint"]]
    assert hidden and all(f["id"] is None and f["properties"]["name"] is None for f in hidden)
    assert name not in str(public)
    drawn = shape(hidden[0]["geometry"])
    assert drawn.covers(exact) and not drawn.equals_exact(exact, 1e-4)
    assert drawn.area > 20 * exact.area  # a grid footprint, not the shape


def test_map_layers__decisions_in_force_at_the_instant_and_as_known(conn):
    dec = decision_from_dict(decision_body(hours=12))  # Lũng Cú belt, T0 08:00 to 20:00
    decisions.issue(conn, OFFICER, dec)
    recorded = conn.execute(text("SELECT now()")).scalar_one()

    def shown(at, **kw) -> set[str]:
        return {f["id"] for f in map_layers.features(conn, "decisions",
                                                     _view(at=at, **kw))}

    assert dec.number in shown(T0 + timedelta(hours=4))
    assert dec.number not in shown(T0 + timedelta(hours=12))  # end is exclusive
    assert dec.number not in shown(T0 - timedelta(minutes=1))
    assert dec.number in shown(T0 + timedelta(hours=1), cleared=True,
                               as_known_at=recorded + timedelta(seconds=1))
    assert dec.number not in shown(T0 + timedelta(hours=1), cleared=True,
                                   as_known_at=recorded - timedelta(seconds=1))
    feature = _by_id(map_layers.features(conn, "decisions", _view(at=T0)))[dec.number]
    props = feature["properties"]
    assert props["activities"] == ["enter_leave_zone", "market"]
    assert props["issuer"]["unit_name"] == "Đồn Biên phòng Lũng Cú"
    assert props["effective_from"].startswith("2025-09-01T08:00")
    communes = _by_id(map_layers.features(conn, "land_border_communes", _view()))
    area = shape(feature["geometry"])  # the belt inside Lũng Cú
    assert area.representative_point().within(shape(communes[LUNG_CU]["geometry"]).buffer(1e-3))


def test_view_query__refuses_bad_values():
    with pytest.raises(NotPermitted, match="as_known_at"):
        ViewQuery(at=now(), as_known_at=now())
    with pytest.raises(InvalidInput, match="zoom"):
        ViewQuery(at=now(), zoom=40)
    with pytest.raises(InvalidInput, match="datetime: the map shows one instant"):
        ViewQuery.parse(datetime_text="2026-01-01/2026-02-01", as_known_at=None, bbox=None,
                        zoom=8, limit=10, cleared=True, now=now())
    with pytest.raises(InvalidInput, match="bbox"):
        ViewQuery.parse(datetime_text=None, as_known_at=None, bbox="1,2,3", zoom=8,
                        limit=10, cleared=True, now=now())
