"""Sensitive zones: uncleared callers learn that a place is restricted and why, never the
zone's name, id, authority or shape; cleared callers see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from pyproj import Geod
from sqlalchemy import delete, insert

from api.app import create_app
from geo.common.security import Role
from geo.common.timeutil import now
from geo.store.db import transaction
from geo.store.models import zone
from geo.store.zones import snapshot
from tests.api.security.security_support import key_header, role_keys, settings, unique
from tests.crs_reference import wgs84_to_vn2000_utm48

# Inland Yên Bái, far from the border and from the points other tests use.
LON, LAT = 104.8135, 21.3671
BASIS = "Decree 164/2018/ND-CP Art 7"


def _square(lon: float, lat: float, half_deg: float = 0.0005):
    return shapely.MultiPolygon([shapely.box(lon - half_deg, lat - half_deg,
                                             lon + half_deg, lat + half_deg)])


@pytest.fixture(scope="module")
def secret_zone(engine, loaded):
    name = unique("Khu cấm bí mật")
    with transaction(engine) as conn:
        conn.execute(insert(zone).values(
            kind="prohibited_zone_land", name=name, authority="Bộ Quốc phòng",
            legal_basis=BASIS, sensitivity="secret", province_code=None,
            valid_from=now() - timedelta(days=1), geom=from_shape(_square(LON, LAT), 4326)))
    yield name
    with transaction(engine) as conn:
        conn.execute(delete(zone).where(zone.c.name == name))


@pytest.fixture(scope="module")
def world(db_url, engine, secret_zone):
    roles = (Role.APP, Role.PLANNER, Role.SURVEYOR, Role.OFFICER)
    with role_keys(engine, roles) as keys, \
            TestClient(create_app(settings(min_version_wait_s=300), url=db_url)) as client:
        _wait_for_zone(client, engine, keys[Role.PLANNER], secret_zone)
        yield client, keys


def _wait_for_zone(client, engine, key, name) -> None:
    """Once the index holds every write made so far (``X-Min-Index-Version``: the server
    waits for its rebuild, no polling), the zone is answered."""
    answer = client.get("/v1/check/point", params={"lon": LON, "lat": LAT},
                        headers={**key_header(key), "X-Min-Index-Version":
                                 str(snapshot.current_version(engine))})
    assert answer.status_code == 200, answer.text
    assert [z["name"] for z in answer.json()["zones"] if z["name"] == name] == [name]


def _check(client, key=None) -> dict:
    answer = client.get("/v1/check/point", params={"lon": LON, "lat": LAT},
                        headers=key_header(key) if key else {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_redaction__public_check_in_prohibited_zone_has_no_name_or_geometry(world, secret_zone):
    client, _ = world
    answer = _check(client)
    [hit] = [z for z in answer["zones"] if z["kind"] == "prohibited_zone_land"]
    assert hit["legal_basis"] == BASIS and hit["sensitivity"] == "secret"
    assert hit["name"] == "restricted — prohibited zone land"
    assert hit["id"] is None and hit["authority"] is None
    text = str(answer)
    assert secret_zone not in text and "Bộ Quốc phòng" not in text
    assert "coordinates" not in text and "POLYGON" not in text and "bbox" not in text


@pytest.mark.parametrize("role", [Role.APP, Role.SURVEYOR])
def test_redaction__uncleared_roles_are_redacted_too(world, secret_zone, role):
    client, keys = world
    [hit] = [z for z in _check(client, keys[role])["zones"]
             if z["kind"] == "prohibited_zone_land"]
    assert hit["name"] != secret_zone and hit["id"] is None


@pytest.mark.parametrize("role", [Role.PLANNER, Role.OFFICER])
def test_redaction__cleared_roles_see_name_and_authority(world, secret_zone, role):
    client, keys = world
    [hit] = [z for z in _check(client, keys[role])["zones"] if z["name"] == secret_zone]
    assert hit["authority"] == "Bộ Quốc phòng" and hit["id"] is not None


def test_redaction__answers_have_the_same_shape_for_everyone(world):
    client, keys = world
    public, planner = _check(client), _check(client, keys[Role.PLANNER])
    assert public.keys() == planner.keys()
    assert [z.keys() for z in public["zones"]] == [z.keys() for z in planner["zones"]]
    assert len(public["zones"]) == len(planner["zones"])
    for key in ("in_vietnam", "province", "commune", "border_distance_m", "in_border_belt"):
        assert public[key] == planner[key]


ACROSS = [[LON - 0.03, LAT], [LON + 0.03, LAT]]  # west to east through the zone's middle


def _route(client, key=None) -> dict:
    answer = client.post("/v1/check", json={"geometry": {"type": "LineString",
                                                         "coordinates": ACROSS}},
                         headers=key_header(key) if key else {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _prohibited(answer: dict) -> list[dict]:
    return [z for z in answer["zones"] if z["kind"] == "prohibited_zone_land"]


def test_redaction__post_check_route_cleared_crosses_the_exact_zone(world, secret_zone):
    client, keys = world
    [hit] = [z for z in _prohibited(_route(client, keys[Role.PLANNER]))
             if z["name"] == secret_zone]
    west, east = LON - 0.0005, LON + 0.0005
    assert hit["extent"] == "exact" and hit["id"] is not None
    assert hit["entry"]["lon"] == pytest.approx(west, abs=1e-7)
    assert hit["exit"]["lon"] == pytest.approx(east, abs=1e-7)
    inside_m = Geod(ellps="WGS84").line_length([west, east], [LAT, LAT])
    assert hit["length_m"] == pytest.approx(inside_m, abs=0.05)
    assert 103 < inside_m < 104.5


@pytest.mark.parametrize("role", [None, Role.APP, Role.SURVEYOR])
def test_redaction__post_check_route_uncleared_meets_only_the_footprint(world, secret_zone,
                                                                        role):
    client, keys = world
    answer = _route(client, keys[role] if role else None)
    [hit] = _prohibited(answer)
    assert hit["name"] == "restricted — prohibited zone land" and hit["id"] is None
    assert hit["extent"] == "generalised" and hit["legal_basis"] == BASIS
    # the footprint: whole 1 km cells of EPSG:3405 around the zone grown by 500 m
    for end in (hit["entry"], hit["exit"]):
        easting, _ = wgs84_to_vn2000_utm48(end["lon"], end["lat"])
        assert easting % 1_000 == pytest.approx(0, abs=0.05) or \
            easting % 1_000 == pytest.approx(1_000, abs=0.05)
    assert hit["entry"]["lon"] < LON - 0.0005 - 500 / 104_000  # >= 500 m west of the zone
    assert hit["exit"]["lon"] > LON + 0.0005 + 500 / 104_000
    assert hit["length_m"] >= 2_000 and not hit["starts_inside"]  # whole cells
    text = str(answer)  # (the law's own text of the obligations names the ministry)
    assert secret_zone not in text and "Bộ Quốc phòng" not in str(answer["zones"])
    assert f"{LON - 0.0005:.6f}" not in text and f"{LON + 0.0005:.6f}" not in text


def test_redaction__post_check_point_redacted_unless_cleared(world, secret_zone):
    client, keys = world
    body = {"geometry": {"type": "Point", "coordinates": [LON, LAT]}}
    public = client.post("/v1/check", json=body).json()["points"][0]
    [hit] = [z for z in public["zones"] if z["kind"] == "prohibited_zone_land"]
    assert hit["name"] == "restricted — prohibited zone land" and hit["id"] is None
    assert hit["authority"] is None and secret_zone not in str(public)
    planner = client.post("/v1/check", json=body,
                          headers=key_header(keys[Role.PLANNER])).json()["points"][0]
    [seen] = [z for z in planner["zones"] if z["name"] == secret_zone]
    assert seen["authority"] == "Bộ Quốc phòng" and seen["extent"] == "exact"
