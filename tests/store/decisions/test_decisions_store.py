"""Decision storage on the real data: area resolution in PostGIS, append-only records.

Everything runs in the test's rolled-back transaction (``conn``)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo.common.errors import InvalidInput, NotPermitted
from geo.common.security import Principal, Role
from geo.decisions.codec import decision_from_dict
from geo.decisions.model import AreaSpec
from geo.store.decisions import repository as decisions
from geo.store.decisions.areas import resolve_area
from tests.api.decisions.decision_support import LUNG_CU, OFFICER, SQUARE_LONLAT, decision_body

# Independent of geo.store.decisions.areas: belt segments in force ∩ the commune, geodesic m².
BELT_IN_LUNG_CU_M2 = """
    SELECT ST_Area(ST_Intersection(ST_Union(b.geom), c.geom)::geography)
    FROM belt_segment b, commune c
    WHERE c.code = :code AND c.valid_to IS NULL AND b.valid_to IS NULL
      AND ST_Intersects(b.geom, c.geom) GROUP BY c.geom"""
GEOJSON_M2 = "SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326)::geography)"


def _decision(**changes):
    return decision_from_dict(decision_body(**changes))


def _m2(conn, geojson: dict) -> float:
    return conn.execute(text(GEOJSON_M2), {"g": json.dumps(geojson)}).scalar_one()


def test_resolve_area__belt_within_lung_cu_is_belt_intersect_commune(conn):
    resolution = resolve_area(conn, _decision())
    expected = conn.execute(text(BELT_IN_LUNG_CU_M2), {"code": LUNG_CU}).scalar_one()
    commune = conn.execute(text("SELECT ST_Area(geom::geography) FROM commune WHERE code = "
                                ":c AND valid_to IS NULL"), {"c": LUNG_CU}).scalar_one()
    area = resolution.area
    assert area.area_m2 == pytest.approx(expected, rel=1e-3)
    assert _m2(conn, area.geojson) == pytest.approx(expected, rel=1e-3)
    assert 20e6 < area.area_m2 < 0.5 * commune  # ~28 km² of the commune's ~95 km²
    assert area.text == "vành đai biên giới thuộc xã Lũng Cú, tỉnh Tuyên Quang"
    assert area.geojson["type"] == "MultiPolygon"


def test_resolve_area__communes_union_of_current_geometries(conn):
    resolution = resolve_area(conn, _decision(scope="land_border_area", who="commander"))
    commune = conn.execute(text("SELECT ST_Area(geom::geography) FROM commune WHERE code = "
                                ":c AND valid_to IS NULL"), {"c": LUNG_CU}).scalar_one()
    assert resolution.area.area_m2 == pytest.approx(commune, rel=1e-3)
    assert resolution.area.text == "xã Lũng Cú, tỉnh Tuyên Quang"


def test_resolve_area__polygon_kept_and_written_as_coordinates(conn):
    polygon = {"type": "Polygon", "coordinates": [SQUARE_LONLAT]}  # all in Lũng Cú
    dec = _decision(scope="land_border_area", who="commander",
                    area={"kind": "polygon", "geojson": polygon})
    resolution = resolve_area(conn, dec)
    assert resolution.area.area_m2 == pytest.approx(_m2(conn, polygon), rel=1e-6)
    assert resolution.area.text.startswith("khu vực giới hạn bởi các điểm có tọa độ")
    assert "23°19′48″B, 105°18′00″Đ" in resolution.area.text


@pytest.mark.parametrize(("area", "province", "message"), [
    ({"kind": "polygon", "geojson": {"type": "Polygon", "coordinates": [
        [[y, x] for x, y in SQUARE_LONLAT]]}}, "08", "(lon, lat)"),
    ({"kind": "polygon", "geojson": {"type": "Polygon", "coordinates": [
        [[x + 20, y] for x, y in SQUARE_LONLAT]]}}, "08", "not in or near Vietnam"),
    ({"kind": "polygon", "geojson": {"type": "Polygon", "coordinates": [SQUARE_LONLAT]}},
     "20", "outside province 20"),
    ({"kind": "communes", "commune_codes": ["99999"]}, "08", "no current commune 99999"),
    ({"kind": "communes", "commune_codes": [LUNG_CU]}, "20", "not in province 20"),
])
def test_resolve_area__bad_areas_refused(conn, area, province, message):
    with pytest.raises(InvalidInput) as err:
        dec = _decision(scope="land_border_area", who="commander", area=area,
                        province_code=province)
        resolve_area(conn, dec)
    assert message in err.value.message


def test_resolve_area__belt_of_inland_commune_refused(conn):
    inland = conn.execute(text(
        "SELECT code FROM commune WHERE province_code = '08' AND valid_to IS NULL AND code NOT "
        "IN (SELECT commune_code FROM land_border_commune) ORDER BY code LIMIT 1")).scalar_one()
    dec = _decision(area={"kind": "belt_in_communes", "commune_codes": [inland]})
    with pytest.raises(InvalidInput, match=f"no border belt in commune {inland}"):
        resolve_area(conn, dec)


def test_resolve_area__gate_without_checkpoint_area_refused_naming_the_gap(conn):
    dec = decision_from_dict(decision_body("gate", "commander", 6, "main"))
    assert dec.area == AreaSpec.gate("VN-GATE-007")
    with pytest.raises(InvalidInput) as err:
        resolve_area(conn, dec)
    assert "Chi Ma" in err.value.message and "no approved checkpoint area" in err.value.message
    assert "carries no coordinates" in err.value.message
    assert err.value.field == "area"


def test_issue__officer_of_another_province_refused(conn):
    other = Principal(subject="officer-20", roles=frozenset({Role.OFFICER}),
                      provinces=frozenset({"20"}))
    with pytest.raises(NotPermitted):
        decisions.issue(conn, other, _decision())


@pytest.mark.parametrize("table", ["decision", "decision_event"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET recorded_by = 'x' WHERE id = :id",
                                       "DELETE FROM {t} WHERE id = :id"])
def test_decision_tables__legal_records_never_changed(conn, table, statement):
    recorded = decisions.issue(conn, OFFICER, _decision())
    row_id = conn.execute(text(f"SELECT id FROM {table} WHERE {_key(table)} = :n"),
                          {"n": recorded.file.decision.number}).scalar_one()
    with pytest.raises(DBAPIError) as err, conn.begin_nested():
        conn.execute(text(statement.format(t=table)), {"id": row_id})
    assert err.value.orig.sqlstate == "BZ001"
    assert "never changed or deleted" in str(err.value.orig)


def _key(table: str) -> str:
    return "number" if table == "decision" else "act_number"


def test_issue__bumps_data_version_for_the_location_index(conn):
    from geo.store.zones.snapshot import data_version

    before = data_version(conn)
    decisions.issue(conn, OFFICER, _decision())
    after = data_version(conn)
    assert after == before + 1
