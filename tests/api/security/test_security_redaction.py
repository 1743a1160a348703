"""Sensitive zones: uncleared callers learn that a place is restricted and why, never the
zone's name, id, authority or shape; cleared callers see them."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import shapely
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from sqlalchemy import delete, insert

from api.app import create_app
from geo.common.security import Role
from geo.common.timeutil import now
from geo.store.db import transaction
from geo.store.models import zone
from tests.api.security.security_support import key_header, role_keys, settings, unique

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
            TestClient(create_app(settings(), url=db_url)) as client:
        _wait_for_zone(client, keys[Role.PLANNER], secret_zone)
        yield client, keys


def _wait_for_zone(client, key, name, timeout_s=20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        zones = _check(client, key)["zones"]
        if any(z["name"] == name for z in zones):
            return
        time.sleep(0.2)
    raise AssertionError("the live index never saw the inserted zone")


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
