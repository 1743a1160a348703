"""Loading the real boundary data into PostGIS: counts, idempotency, broken input."""

import json
import shutil

import pytest
from sqlalchemy import text

from geo.store import migrate
from geo.store.db import make_engine
from geo.store.zones.load import Loader
from tests.api.security.security_support import throwaway_db
from tests.conftest import DATA_DIR, count


def test_load__real_counts(conn, loaded):
    assert loaded["province"] == 34
    assert loaded["commune"] == 1985  # 249 exact + 1,736 simplified of the 22 provinces
    assert loaded["gate"] == 78
    assert count(conn, "land_border_commune WHERE valid_to IS NULL") == 249
    exact = count(conn, "commune WHERE precision = 'exact' AND valid_to IS NULL")
    assert exact == 249


def test_load__border_lengths_match_the_source(conn, loaded):
    rows = conn.execute(text(
        "SELECT neighbour_iso3, sum(ST_Length(geom::geography)) / 1000 FROM border_segment "
        "WHERE source = 'bando_2026' GROUP BY 1 ORDER BY 1")).all()
    km = {iso: round(v, 1) for iso, v in rows}
    assert km == pytest.approx({"CHN": 1478.7, "KHM": 1264.3, "LAO": 2343.4}, abs=0.2)


def test_load__derived_border_communes_by_neighbour(conn, loaded):
    rows = dict(conn.execute(text(
        "SELECT n, count(*) FROM land_border_commune, unnest(neighbours) n "
        "WHERE valid_to IS NULL GROUP BY n")).all())
    assert rows == {"CHN": 80, "LAO": 102, "KHM": 69}  # SOURCES.md: 80 / 102 / 69
    both = conn.execute(text(
        "SELECT c.name FROM land_border_commune l JOIN commune c ON c.code = l.commune_code "
        "WHERE l.valid_to IS NULL AND cardinality(l.neighbours) = 2 ORDER BY 1")).scalars()
    assert list(both) == ["Bờ Y", "Sín Thầu"]


def test_load__gates_have_no_invented_coordinates(conn, loaded):
    # the loader gives no gate a location: every location there is was recorded by a person
    # (other tests of the run record some, through the gate location API)
    assert count(conn, "gate WHERE location IS NOT NULL AND id NOT IN "
                       "(SELECT gate_id FROM gate_location)") == 0
    mong_cai = conn.execute(text("SELECT gate_type, neighbour_iso3, paired_gate FROM gate "
                                 "WHERE name = 'Móng Cái'")).one()
    assert tuple(mong_cai) == ("international", "CHN", "Đông Hưng")


def test_load__second_run_changes_nothing(engine, loaded):
    loader = Loader(engine, DATA_DIR, log=lambda _: None)
    before = loader.counts()  # now: other tests of the run may have added their own rows
    report = loader.run()
    assert report.counts == before
    assert all(step.get("skipped") for step in report.steps.values())


def test_load__geometries_are_valid_with_srid_4326(conn, loaded):
    for table in ("province", "commune", "belt_segment", "border_segment"):
        bad = count(conn, f"{table} WHERE NOT ST_IsValid(geom) OR ST_SRID(geom) <> 4326")
        assert bad == 0, table


@pytest.fixture()
def broken_data_dir(tmp_path):
    """The real datasets, with one province turned into a bow-tie and one emptied."""
    for path in DATA_DIR.iterdir():
        (tmp_path / path.name).symlink_to(path)
    source = json.loads((DATA_DIR / "vn_provinces.geojson").read_text())
    source["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[
        [105.0, 21.0], [105.1, 21.1], [105.1, 21.0], [105.0, 21.1], [105.0, 21.0]]]}
    source["features"][1]["geometry"] = None
    (tmp_path / "vn_provinces.geojson").unlink()
    (tmp_path / "vn_provinces.geojson").write_text(json.dumps(source))
    return tmp_path


def test_load__broken_geometry_is_reported_not_a_crash(db_url, broken_data_dir):
    with throwaway_db(db_url, "broken") as url:  # a name of its own: runs go side by side
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            loader = Loader(engine, broken_data_dir, log=lambda _: None)
            report = loader.run(only=("provinces",))
            step = report.steps["provinces"]
            assert step["geometry"]["repaired"] == 1
            assert step["geometry"]["rejected"] == [
                {"feature": "04", "reason": "empty or missing geometry"}]
            assert report.counts["province"] == 33
            assert any("1 geometries repaired, 1 rejected" in w for w in report.warnings)
        finally:
            engine.dispose()
            shutil.rmtree(broken_data_dir, ignore_errors=True)


def test_transaction__legal_record_edit_is_a_conflict(engine, loaded):
    from geo.common.errors import Conflict
    from geo.common.security import Principal, Role
    from geo.store.audit import record
    from geo.store.db import transaction

    admin = Principal(subject="test-admin", roles=frozenset({Role.ADMIN}))
    with pytest.raises(Conflict, match="never changed or deleted"), transaction(engine) as c:
        entry = record(c, admin, "test", "nothing", "0", None, {"x": 1})
        c.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": entry})


def test_sea_border_area__waters_and_coastal_communes(index, loaded):
    from geo.location.check import check_points

    gulf, mong_cai, hanoi, hoang_sa = check_points(
        index, [106.8, 107.98, 105.8542, 112.0], [20.6, 21.52, 21.0285, 16.5])
    assert gulf.in_sea_border_area and gulf.in_vietnam  # Gulf of Tonkin, 12 nm: Vietnam's
    assert gulf.surface == "territorial_sea" and gulf.country == "VNM"
    assert mong_cai.in_sea_border_area and mong_cai.commune["name"] == "Móng Cái 1"
    assert not hanoi.in_sea_border_area
    assert hoang_sa.in_sea_border_area  # around the Hoàng Sa islands (shoreline fallback)


def test_sea_border_area__rows(conn, loaded):
    assert count(conn, "sea_area WHERE part = 'territorial_sea'") == 1
    assert count(conn, "sea_area WHERE part = 'internal_waters'") == 1
    assert count(conn, "sea_area WHERE part = 'coastal_commune'") == 197
