"""The dashboard's layers on the real data, through the same store code as /ogc: what is in
view, at which instant, generalised for the zoom (the prepared Web Mercator bands), and what
an uncleared caller may see. Runs in the test's rolled-back transaction (``conn``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import shapely
from shapely.geometry import shape
from sqlalchemy import text

from geo.common.timeutil import now
from geo.decisions.codec import decision_from_dict
from geo.layers import collections as registry
from geo.layers import crs as layer_crs
from geo.layers import documents as docs
from geo.layers.params import Interval, ItemQuery
from geo.location.footprint import SENSITIVE
from geo.store.decisions import repository as decisions
from geo.store.layers import features as layers
from geo.store.zones.derive import PRIMARY_BORDER
from geo.store.zones.edit import add_zone
from tests.api.decisions.decision_support import LUNG_CU, OFFICER, T0, decision_body
from tests.api.security.security_support import SETUP, unique

LUNG_CU_BOX = (105.25, 23.30, 105.42, 23.40)  # Lũng Cú, Tuyên Quang, on the China line
LANG_SON_BOX = (106.70, 21.80, 106.82, 21.90)


def shown(conn, layer: str, *, at: datetime | None = None, box=LUNG_CU_BOX, zoom=11,
          cleared: bool = False, known: datetime | None = None, crs=layer_crs.CRS84
          ) -> list[dict]:
    """GeoJSON features of ``layer`` as the dashboard asks for them (its map filters too)."""
    coll = registry.get(layer)
    at = at or now()
    filters = coll.map.filters if coll.map else ()
    q = ItemQuery(bbox=box, interval=Interval(at, at), as_known_at=known, limit=10_000,
                  cleared=cleared, zoom=zoom, filters=filters)
    rows, _ = layers.items(conn, coll, q, crs, count=False)
    return [json.loads(docs.feature(r, [p.name for p in coll.props], crs)) for r in rows]


def _by(features, key: str) -> dict:
    return {f["properties"][key]: f for f in features}


def test_map_layers__every_dashboard_layer_is_a_registry_collection(conn):
    on_map = [c.id for c in registry.on_map()]
    assert on_map == ["land_border", "land_border_communes", "belt", "sea_border_area",
                      "prohibited_zones", "sea_zones", "gates", "checkpoint_areas",
                      "decisions"]
    counts = {layer: len(shown(conn, layer)) for layer in on_map}
    assert counts["land_border"] >= 1 and counts["belt"] >= 1
    assert counts["land_border_communes"] >= 2 and counts["sea_border_area"] == 0


def test_map_layers__lung_cu_commune_belt_and_line_in_view(conn):
    communes = _by(shown(conn, "land_border_communes"), "commune_code")
    lung_cu = communes[LUNG_CU]["properties"]
    assert lung_cu["name"] == "Lũng Cú" and lung_cu["neighbours"] == ["CHN"]
    assert lung_cu["province_code"] == "08" and lung_cu["border_len_m"] > 1_000
    belt = [f for f in shown(conn, "belt") if f["properties"]["commune_code"] == LUNG_CU]
    assert belt and all(f["properties"]["depth_m"] == 1000.0 for f in belt)
    line = shown(conn, "land_border")
    assert line and {f["properties"]["neighbour_iso3"] for f in line} == {"CHN"}
    assert {f["properties"]["source"] for f in line} == {PRIMARY_BORDER}
    assert all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in line)
    # GeoJSON order is (lon, lat): Lũng Cú lies near 105.3 E, 23.4 N
    lon, lat = shape(communes[LUNG_CU]["geometry"]).representative_point().coords[0]
    assert 105.2 < lon < 105.5 and 23.2 < lat < 23.5


def test_map_layers__generalised_by_zoom_but_keeping_the_shape(conn):
    def lung_cu(zoom: int | None):
        return shape(_by(shown(conn, "land_border_communes", zoom=zoom),
                         "commune_code")[LUNG_CU]["geometry"])

    vertices = {z: shapely.get_num_coordinates(lung_cu(z)) for z in (5, 8, 12, 15)}
    assert vertices[5] < vertices[8] < vertices[12] <= vertices[15]
    assert vertices[8] < vertices[15] / 3
    exact = lung_cu(None)  # no zoom: the stored geometry, as every OGC client gets it
    assert shapely.get_num_coordinates(exact) == vertices[15]
    exact_m2 = conn.execute(text(
        "SELECT ST_Area(geom::geography) FROM commune WHERE code = :c AND valid_to IS NULL"),
        {"c": LUNG_CU}).scalar_one()
    # the drawn shape at zoom 8 (75 m band) still covers nearly the same area, and is valid
    coarse = lung_cu(8)
    assert coarse.is_valid and abs(coarse.area / exact.area - 1) < 0.02 and exact_m2 > 10e6


def test_map_layers__zoom_in_web_mercator_reads_the_band(conn):
    drawn = _by(shown(conn, "land_border_communes", zoom=8, crs=layer_crs.WEB_MERCATOR),
                "commune_code")[LUNG_CU]["geometry"]
    band = conn.execute(text(
        "SELECT ST_NPoints(geom_3857_z10) FROM commune WHERE code = :c AND valid_to IS NULL"),
        {"c": LUNG_CU}).scalar_one()
    x, y = shape(drawn).representative_point().coords[0]
    assert shapely.get_num_coordinates(shape(drawn)) == band
    assert 11.7e6 < x < 11.8e6 and 2.6e6 < y < 2.7e6  # metres, not degrees


def test_map_layers__nothing_outside_the_view(conn):
    sea_box = (110.0, 10.0, 110.5, 10.5)  # open sea, far from any land border
    for layer_id in ("land_border", "land_border_communes", "belt"):
        assert shown(conn, layer_id, box=sea_box) == []


def test_map_layers__sensitive_zone_is_a_footprint_for_uncleared_callers(conn):
    exact = shapely.box(106.76, 21.85, 106.7615, 21.8537)
    name = unique("Khu cấm bí mật")
    add_zone(conn, SETUP, kind="prohibited_zone_land", name=name, authority="Bộ Quốc phòng",
             legal_basis="Decree 164/2018/ND-CP Art 7", sensitivity="secret", geom=exact,
             valid_from=now() - timedelta(days=1), province_code="20")
    public = shown(conn, "prohibited_zones", box=LANG_SON_BOX)
    cleared = shown(conn, "prohibited_zones", box=LANG_SON_BOX, cleared=True)
    mine = [f for f in cleared if f["properties"]["name"] == name]
    assert len(mine) == 1
    assert shapely.normalize(shape(mine[0]["geometry"])).equals_exact(
        shapely.normalize(exact), 1e-6)
    hidden = [f for f in public if f["properties"]["sensitivity"] in SENSITIVE]
    assert hidden and all(f["properties"]["name"] is None and
                          f["properties"]["authority"] is None for f in hidden)
    assert name not in str(public)
    drawn = shape(hidden[0]["geometry"])
    assert drawn.covers(exact.buffer(-1e-6)) and not drawn.equals_exact(exact, 1e-4)
    assert drawn.area > 20 * exact.area  # a grid footprint, not the shape


def test_map_layers__decisions_in_force_at_the_instant_and_as_known(conn):
    dec = decision_from_dict(decision_body(hours=12))  # Lũng Cú belt, T0 08:00 to 20:00
    decisions.issue(conn, OFFICER, dec)
    recorded = conn.execute(text("SELECT now()")).scalar_one()

    def numbers(at, **kw) -> set[str]:
        return {f["properties"]["number"] for f in shown(conn, "decisions", at=at, **kw)}

    assert dec.number in numbers(T0 + timedelta(hours=4))
    assert dec.number not in numbers(T0 + timedelta(hours=12))  # end is exclusive
    assert dec.number not in numbers(T0 - timedelta(minutes=1))
    assert dec.number in numbers(T0 + timedelta(hours=1), cleared=True,
                                 known=recorded + timedelta(seconds=1))
    assert dec.number not in numbers(T0 + timedelta(hours=1), cleared=True,
                                     known=recorded - timedelta(seconds=1))
    feature = _by(shown(conn, "decisions", at=T0), "number")[dec.number]
    props = feature["properties"]
    assert props["activities"] == ["enter_leave_zone", "market"]
    assert props["issuer_unit"] == "Đồn Biên phòng Lũng Cú"
    assert datetime.fromisoformat(props["valid_from"]) == T0
    assert datetime.fromisoformat(props["valid_to"]) == T0 + timedelta(hours=12)
    communes = _by(shown(conn, "land_border_communes"), "commune_code")
    area = shape(feature["geometry"])  # the belt inside Lũng Cú
    assert area.representative_point().within(shape(communes[LUNG_CU]["geometry"]).buffer(1e-3))
