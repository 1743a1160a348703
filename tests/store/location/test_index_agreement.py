"""The in-memory index agrees with PostGIS, sees edits without a restart, and computes
valid_until on a scripted timeline."""

import time
import uuid
from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import Settings
from geo.common import crs
from geo.common.timeutil import parse_instant
from geo.common.zones import PersonCategory
from geo.location.answers import answer_points
from geo.location.check import check_points
from geo.store.zones.snapshot import build_index


def _near_border_points(index, n: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = index.border.a[rng.integers(0, len(index.border.a), n)]
    xy = a + rng.uniform(-3000, 3000, (n, 2))
    return crs.from_metric(xy[:, 0], xy[:, 1])


def test_index__agrees_with_postgis_on_10000_points_near_the_border(conn, index):
    lon, lat = _near_border_points(index, 10_000)
    answers = check_points(index, lon, lat)
    rows = conn.execute(text(
        "WITH p AS (SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4326) g FROM "
        "unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY t(x, y, i)) "
        "SELECT p.i, "
        "(SELECT c.code FROM commune c WHERE c.precision = 'exact' AND c.valid_to IS NULL "
        " AND ST_Intersects(c.geom, p.g) ORDER BY c.code LIMIT 1), "
        "EXISTS (SELECT 1 FROM belt_segment b WHERE b.valid_to IS NULL "
        " AND ST_Intersects(b.geom, p.g)), "
        "EXISTS (SELECT 1 FROM land_border_commune l JOIN commune c ON c.code = l.commune_code "
        " AND c.valid_to IS NULL WHERE l.valid_to IS NULL AND ST_Intersects(c.geom, p.g)) "
        "FROM p ORDER BY p.i"), {"xs": lon.tolist(), "ys": lat.tolist()}).all()
    in_belt = sum(r[2] for r in rows)
    assert in_belt > 1500  # the sample really tests the belt
    for (_, code, belt, area), a in zip(rows, answers, strict=True):
        if a.in_vietnam:  # on land, or in Vietnam's waters (no commune there)
            exact = a.commune if a.commune and a.commune["precision"] == "exact" else {}
            assert (exact.get("code"), belt, area) == (
                code, a.in_border_belt, a.in_land_border_area)
        else:  # abroad: PostGIS finds no commune either (bar the 30 m side-of-line rule)
            assert code is None or a.border_distance_m <= 30.0
    assert sum(a.in_vietnam for a in answers) > 4000


@pytest.fixture()
def test_zone(engine, loaded):
    """A prohibited zone near Lũng Cú, committed, removed afterwards."""
    name = f"test zone {uuid.uuid4().hex[:8]}"
    created = []

    def make(valid_from, valid_to, sensitivity="public"):
        with engine.begin() as c:
            zid = c.execute(text(
                "INSERT INTO zone (kind, name, authority, legal_basis, sensitivity, "
                "province_code, valid_from, valid_to, geom) VALUES ('prohibited_zone_land', "
                ":n, 'Bộ Quốc phòng', 'Circular 112/2025/TT-BQP Art 1(2)(b)', :s, '08', :f, :t, "
                "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(105.33, 23.37), 4326), 0.005))) "
                "RETURNING id"), {"n": name, "s": sensitivity, "f": valid_from,
                                  "t": valid_to}).scalar_one()
        created.append(zid)
        return zid

    yield make
    with engine.begin() as c:
        c.execute(text("DELETE FROM zone WHERE id = ANY(:ids)"), {"ids": created})


def test_valid_until__follows_a_scripted_timeline(engine, test_zone):
    t0 = parse_instant("2027-02-01T08:00")
    test_zone(t0 + timedelta(hours=1), t0 + timedelta(hours=3))
    index = build_index(engine)
    person = PersonCategory.VIETNAMESE_CITIZEN

    def ask(moment):
        return answer_points(index, [105.33], [23.37], moment, person, cleared=True)

    before = ask(t0)
    assert before["points"][0]["zones"] == []
    assert parse_instant(before["valid_until"]) == t0 + timedelta(hours=1)
    during = ask(t0 + timedelta(minutes=90))
    assert [z["kind"] for z in during["points"][0]["zones"]] == ["prohibited_zone_land"]
    assert parse_instant(during["valid_until"]) == t0 + timedelta(hours=3)
    assert "prohibited_zone_land" in during["points"][0]["zone_kinds"]
    after = ask(t0 + timedelta(hours=3))  # the end is exclusive
    assert after["points"][0]["zones"] == []
    assert after["valid_until"] is None or parse_instant(after["valid_until"]) > t0


def test_live_index__sees_a_new_zone_without_restart(db_url, test_zone):
    app = create_app(Settings(), url=db_url)
    params = {"lon": 105.33, "lat": 23.37}
    with TestClient(app) as client:
        assert client.get("/v1/check/point", params=params).json()["zones"] == []
        test_zone(parse_instant("2020-01-01T00:00"), None)
        deadline = time.monotonic() + 15
        zones = []
        while time.monotonic() < deadline and not zones:
            zones = client.get("/v1/check/point", params=params).json()["zones"]
            time.sleep(0.2)
        assert [z["kind"] for z in zones] == ["prohibited_zone_land"]
