"""Every role (and anonymous) against every endpoint of the security issue: allowed or refused
(401 without credentials, 403 with the wrong role); province and gate-type scoping."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.common.errors import InvalidInput, NotAuthenticated, NotPermitted
from geo.common.security import ANONYMOUS, Principal, Role, validate_grant
from tests.api.security.security_support import (
    drop_users,
    key_header,
    make_user,
    role_keys,
    settings,
    unique,
)

ANON = "anonymous"
EVERYONE = {ANON, *Role}
KEY_HOLDERS = set(Role)
ADMIN_ONLY = {Role.ADMIN}

#: (method, path template, who may) — path templates take {target} and {key_id}.
ENDPOINTS = [
    ("GET", "/health", EVERYONE),
    ("GET", "/v1/check/point?lon=106.7615&lat=21.8537", EVERYONE),
    ("GET", "/v1/auth/whoami", EVERYONE),
    ("POST", "/v1/auth/token", KEY_HOLDERS),
    ("GET", "/v1/admin/audit?limit=5", ADMIN_ONLY),
    ("GET", "/v1/admin/users", ADMIN_ONLY),
    ("POST", "/v1/admin/users", ADMIN_ONLY),
    ("GET", "/v1/admin/users/{target}/keys", ADMIN_ONLY),
    ("POST", "/v1/admin/users/{target}/keys", ADMIN_ONLY),
    ("POST", "/v1/admin/keys/{key_id}/revoke", ADMIN_ONLY),
]
CASES = [(m, p, who, who in allowed) for m, p, allowed in ENDPOINTS
         for who in [ANON, *Role]]


@pytest.fixture(scope="module")
def world(db_url, engine, loaded):
    target, target_key = make_user(engine, Role.APP)
    made: list[str] = [target]
    with role_keys(engine) as keys, TestClient(create_app(settings(), url=db_url)) as client:
        yield {"client": client, "keys": keys, "target": target,
               "key_id": target_key[:12], "made": made}
    drop_users(engine, made)


def _request(world, method: str, path: str, who) -> object:
    client = world["client"]
    headers = {} if who == ANON else key_header(world["keys"][who])
    url = path.format(target=world["target"], key_id=world["key_id"])
    if path == "/v1/auth/token":
        return client.post(url, data={"grant_type": "client_credentials"}, headers=headers)
    if path == "/v1/admin/users":
        name = unique(f"made-by-{'anon' if who == ANON else who.value}")
        world["made"].append(name)
        return client.post(url, json={"name": name, "roles": ["app"]}, headers=headers)
    return client.request(method, url, headers=headers)


@pytest.mark.parametrize(("method", "path", "who", "allowed"), CASES,
                         ids=[f"{m} {p.split('?')[0]} as {w}" for m, p, w, _ in CASES])
def test_roles__endpoint_matrix(world, method, path, who, allowed):
    answer = _request(world, method, path, who)
    if allowed:
        assert answer.status_code in (200, 201), answer.text
    else:
        assert answer.status_code == (401 if who == ANON else 403), answer.text
        assert answer.json()["error"] == ("unauthenticated" if who == ANON else "forbidden")


def test_roles__clearance_per_role(world):
    client = world["client"]
    for role, key in world["keys"].items():
        me = client.get("/v1/auth/whoami", headers=key_header(key)).json()
        assert me["roles"] == [role.value]
        assert me["cleared"] is (role in {Role.PLANNER, Role.OFFICER, Role.APPROVER,
                                          Role.ADMIN})
    assert client.get("/v1/auth/whoami").json()["cleared"] is False


def test_scope__officer_acts_only_in_its_provinces(world):
    me = world["client"].get("/v1/auth/whoami",
                             headers=key_header(world["keys"][Role.OFFICER])).json()
    officer = Principal(me["subject"], frozenset({Role.OFFICER}), frozenset(me["provinces"]))
    officer.require_province("20", Role.OFFICER)  # Lạng Sơn: granted
    with pytest.raises(NotPermitted, match="only in provinces \\['20'\\], not 11") as refused:
        officer.require_province("11", Role.OFFICER)  # Điện Biên: not granted
    assert refused.value.field == "province_code"
    with pytest.raises(NotPermitted):
        officer.require_province("20", Role.SURVEYOR)  # right province, wrong role


def test_scope__admin_everywhere_anonymous_nowhere():
    admin = Principal("root", frozenset({Role.ADMIN}))
    admin.require_province("11", Role.OFFICER)
    admin.require_gate_type("international")
    with pytest.raises(NotAuthenticated):
        ANONYMOUS.require_province("20", Role.OFFICER)


def test_scope__approver_by_gate_type_and_province():
    approver = Principal("a", frozenset({Role.APPROVER}), frozenset({"20"}),
                         gate_types=frozenset({"main", "auxiliary"}))
    approver.require_gate_type("main")
    approver.require_province("20", Role.APPROVER)
    with pytest.raises(NotPermitted, match="not international"):
        approver.require_gate_type("international")
    with pytest.raises(NotPermitted):
        approver.require_province("12", Role.APPROVER)


@pytest.mark.parametrize(("roles", "provinces", "gates", "problem"), [
    ({Role.OFFICER}, set(), set(), "provinces"),
    ({Role.SURVEYOR}, {"Lang Son"}, set(), "provinces"),
    ({Role.APPROVER}, {"20"}, set(), "gate_types"),
    ({Role.APPROVER}, {"20"}, {"seaport"}, "gate_types"),
    (set(), set(), set(), "roles"),
])
def test_scope__unusable_grants_are_refused(roles, provinces, gates, problem):
    with pytest.raises(InvalidInput) as refused:
        validate_grant("someone", frozenset(roles), frozenset(provinces), frozenset(gates))
    assert refused.value.field == problem


def test_scope__grant_over_http_is_validated(world):
    admin = key_header(world["keys"][Role.ADMIN])
    answer = world["client"].post("/v1/admin/users", headers=admin,
                                  json={"name": unique("x"), "roles": ["officer"]})
    assert answer.status_code == 422 and answer.json()["field"] == "provinces"
    answer = world["client"].post("/v1/admin/users", headers=admin,
                                  json={"name": world["target"], "roles": ["app"]})
    assert answer.status_code == 409
