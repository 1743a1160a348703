"""The zone registry over HTTP, on the real data: a secret prohibited zone around the deepest
point of Lũng Cú (00715) registered by an officer of Tuyên Quang (08) is answered by the
point check without a restart — exactly for a planner, as its footprint for the public —;
amending it keeps the old version queryable; roles and province scope are enforced."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import delete, func

from api.app import create_app
from geo.common import crs
from geo.common.security import ANONYMOUS, Principal, Role
from geo.common.timeutil import now
from geo.store.db import transaction
from geo.store.models import zone
from geo.store.zones import snapshot
from tests.api.decisions.decision_support import auth
from tests.api.security.security_support import settings, unique
from tests.geo.intake import intake_support as s

OFFICER_08 = Principal(subject="officer-08-zones", roles=frozenset({Role.OFFICER}),
                       provinces=frozenset({"08"}))
OFFICER_20 = Principal(subject="officer-20-zones", roles=frozenset({Role.OFFICER}),
                       provinces=frozenset({"20"}))
PLANNER = Principal(subject="planner-zones", roles=frozenset({Role.PLANNER}))


@pytest.fixture(scope="module")
def client(db_url, loaded, engine):
    # a read asking for the version after a write waits for the rebuild (however loaded
    # the machine), instead of a test polling against a wall clock
    app = create_app(settings(min_version_wait_s=300), url=db_url)
    made: list[int] = []
    with TestClient(app) as c:
        c.made = made
        yield c
    with transaction(engine) as conn:  # test records only (shared database)
        conn.execute(delete(zone).where(func.coalesce(zone.c.record_id, zone.c.id)
                                        .in_(made or [-1])))


@pytest.fixture(scope="module")
def polygon():
    return s.heptagon(s.lung_cu())[0]


def _body(polygon, **over) -> dict:
    body = {"kind": "prohibited_zone_land", "name": unique("Khu vực cấm Lũng Cú"),
            "instrument_number": unique("QĐ") + "/QĐ-UBND",
            "instrument_date": (now() - timedelta(days=10)).date().isoformat(),
            "issuer": "provincial_peoples_committee", "sensitivity": "secret",
            "province_code": "08", "valid_from": (now() - timedelta(days=2)).isoformat(),
            "geometry": polygon.__geo_interface__}
    return {**body, **over}


def _zones_at(client, who, point, at=None, min_version: int | None = None) -> list[dict]:
    params = {"lon": point.x, "lat": point.y, **({"at": at.isoformat()} if at else {})}
    headers = {} if who is ANONYMOUS else auth(client, who)
    if min_version is not None:
        headers["X-Min-Index-Version"] = str(min_version)
    response = client.get("/v1/check/point", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [z for z in response.json()["zones"] if z["kind"] == "prohibited_zone_land"]


def _ids(zones: list[dict]) -> list[str | None]:
    return [z["id"] for z in zones]


def _zones_after_write(client, engine, who, point) -> tuple[list[dict], float]:
    """The zones at ``point`` answered by an index that holds every write made so far
    (``X-Min-Index-Version`` with the data version now: the server waits for its rebuild,
    no polling), and how long that took."""
    start = time.monotonic()
    zones = _zones_at(client, who, point, min_version=snapshot.current_version(engine))
    return zones, time.monotonic() - start


@pytest.fixture(scope="module")
def registered(client, polygon):
    response = client.post("/v1/zones", json=_body(polygon), headers=auth(client, OFFICER_08))
    assert response.status_code == 201, response.text
    out = response.json()
    client.made.append(out["id"])
    return out


def test_register__answers_with_id_report_and_footprint(registered, polygon):
    assert registered["rule_id"] == "GEO-PZ-01"
    assert "Circular 112/2025/TT-BQP Art 1(2)(a)" in registered["citation"]
    assert registered["intake"]["crs"] == "EPSG:4326"
    zone_m2 = registered["intake"]["area_m2"]
    assert zone_m2 == pytest.approx(abs(crs.GEOD.geometry_area_perimeter(polygon)[0]), abs=1)
    assert 470_000 < zone_m2 < 490_000  # the heptagon: about 0.48 km²
    assert registered["footprint_area_m2"] >= 4 * zone_m2  # whole 1 km cells


def test_register__reaches_the_point_check_at_once(client, engine, registered, polygon):
    centre = polygon.centroid
    # other tests of this run may hold zones here too: only this test's zone is looked at
    mine = str(registered["id"])
    hit, waited_s = _zones_after_write(client, engine, PLANNER, centre)
    print(f"registered zone answered after {waited_s:.2f} s")  # one rebuild, no restart
    assert [z["extent"] for z in hit if z["id"] == mine] == ["exact"]
    public = _zones_at(client, ANONYMOUS, centre)
    assert public and {z["extent"] for z in public} == {"generalised"}
    assert set(_ids(public)) == {None}  # the public never learns a secret zone's id
    # 800 m east of the centre: outside the zone, inside its footprint
    beside = shapely.Point(centre.x + 800 / (111_320 * 0.917), centre.y)
    assert not polygon.contains(beside)
    assert mine not in _ids(_zones_at(client, PLANNER, beside))
    assert {z["extent"] for z in _zones_at(client, ANONYMOUS, beside)} == {"generalised"}


def test_amend__new_version_closes_the_old_which_stays_queryable(client, engine, registered,
                                                                 polygon):
    zid, moved = registered["id"], shapely.affinity.translate(polygon, xoff=0.02)
    starts = now() - timedelta(hours=1)
    response = client.post(f"/v1/zones/{zid}/versions", headers=auth(client, OFFICER_08),
                           json={"instrument_number": unique("QĐ-sửa"),
                                 "instrument_date": (now() - timedelta(days=1)).date()
                                 .isoformat(), "valid_from": starts.isoformat(),
                                 "geometry": moved.__geo_interface__})
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2
    record = client.get(f"/v1/zones/{zid}", headers=auth(client, PLANNER)).json()
    old, new = record["history"]
    assert old["closed_reason"] == "amended" and old["valid_to"] == new["valid_from"]
    assert record["current"]["version"] == 2
    now_there, _ = _zones_after_write(client, engine, PLANNER, moved.centroid)
    assert [z["version"] for z in now_there if z["id"] == str(zid)] == [2]
    yesterday = now() - timedelta(days=1)
    then = _zones_at(client, PLANNER, polygon.centroid, yesterday)
    assert [z["version"] for z in then if z["id"] == str(zid)] == [1]  # the old version
    assert str(zid) not in _ids(_zones_at(client, PLANNER, polygon.centroid))


@pytest.mark.parametrize(("who", "body", "status"), [
    (OFFICER_20, {"kind": "prohibited_zone_sea", "province_code": "22",
                  "issuer": "provincial_chairman"}, 403),  # another province's sea zone
    (OFFICER_08, {"kind": "restricted_area_sea", "province_code": "08",
                  "issuer": "line_ministry"}, 403),  # admins only
    (ANONYMOUS, {}, 401), (PLANNER, {}, 403),
    (OFFICER_08, {"issuer": "prime_minister"}, 422),  # not the establishing authority
])
def test_register__roles_scope_and_authority(client, polygon, who, body, status):
    headers = {} if who is ANONYMOUS else auth(client, who)
    response = client.post("/v1/zones", json=_body(polygon, **body), headers=headers)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["field"] == "issuer"
