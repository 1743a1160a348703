"""Identity: API keys, bearer tokens (JWT), secrets from settings, the CLI's user commands."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import Authenticator, resolve_jwt_secret
from api.cli.commands import main as cli
from geo.common.errors import InvalidInput, NotAuthenticated
from geo.common.security import Principal, Role, claims_for, hash_api_key
from geo.common.timeutil import now
from geo.store.db import transaction
from tests.api.security.security_support import (
    SECRET,
    drop_users,
    ensure_user,
    key_header,
    make_user,
    settings,
    unique,
)


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(settings(), url=db_url)) as c:
        yield c


@pytest.fixture()
def officer(engine):
    name, key = make_user(engine, Role.OFFICER, provinces=["20", "11"])
    yield name, key
    drop_users(engine, [name])


def _token(claims: dict, secret: str = SECRET, alg: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=alg)


def test_auth__anonymous_is_public(client):
    me = client.get("/v1/auth/whoami").json()
    assert me == {"subject": "anonymous", "roles": ["public"], "provinces": [],
                  "gate_types": [], "cleared": False, "key_id": None}


def test_auth__api_key_in_header_or_as_bearer(client, officer):
    name, key = officer
    for headers in (key_header(key), {"Authorization": f"Bearer {key}"}):
        me = client.get("/v1/auth/whoami", headers=headers).json()
        assert me["subject"] == name
        assert me["roles"] == ["officer"] and me["provinces"] == ["11", "20"]
        assert me["cleared"] is True and me["key_id"] == key[:12]


def test_auth__key_is_stored_hashed_only(engine, officer):
    name, key = officer
    with transaction(engine) as conn:
        rows = conn.exec_driver_sql(
            "SELECT k.key_id, k.key_hash FROM api_key k JOIN app_user u ON u.id = k.user_id "
            "WHERE u.name = %s", (name,)).all()
    assert rows == [(key[:12], hash_api_key(key))]
    assert key not in str(rows)


@pytest.mark.parametrize("headers", [
    {"X-API-Key": "bzk_" + "A" * 43},  # well-formed, unknown
    {"X-API-Key": "not-a-key"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not.a.jwt"},
])
def test_auth__bad_credentials_are_401_not_anonymous(client, headers):
    answer = client.get("/v1/check/point", params={"lon": 106.76, "lat": 21.85},
                        headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthenticated"


def test_auth__token_endpoint_gives_a_jwt_with_the_key_holders_grant(client, officer):
    name, key = officer
    answer = client.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                                 "client_secret": key})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == name and claims["roles"] == ["officer"]
    me = client.get("/v1/auth/whoami",
                    headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert me["subject"] == name and me["provinces"] == ["11", "20"]
    assert claims["kid"] == me["key_id"] == key[:12]  # the token names the key it came from


def test_auth__token_endpoint_refuses_bad_grants(client):
    assert client.post("/v1/auth/token", data={"grant_type": "password"}).status_code == 422
    answer = client.post("/v1/auth/token", data={"grant_type": "client_credentials"})
    assert answer.status_code == 401
    answer = client.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                                 "client_secret": "bzk_" + "B" * 43})
    assert answer.status_code == 401


def test_auth__jwt_expired_forged_or_unsigned_is_401(client, engine):
    grant = Principal(unique("someone"), frozenset({Role.ADMIN}))
    ensure_user(engine, grant)
    good = claims_for(grant, now(), timedelta(minutes=5))
    expired = claims_for(grant, now() - timedelta(hours=2), timedelta(minutes=5))
    cases = {"expired": _token(expired), "forged": _token(good, secret="y" * 40),
             "unsigned": _token(good, secret=None, alg="none"),
             "no issuer": _token({k: v for k, v in good.items() if k != "iss"}),
             "bad roles": _token({**good, "roles": ["emperor"]})}
    for case, token in cases.items():
        answer = client.get("/v1/admin/audit", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, case
    ok = client.get("/v1/admin/audit", headers={"Authorization": f"Bearer {_token(good)}"})
    assert ok.status_code == 200
    drop_users(engine, [grant.subject])


def test_settings__production_without_secret_refuses_to_start():
    with pytest.raises(InvalidInput, match="BORDERZONE_JWT_SECRET is not set"):
        create_app(settings(env="production", jwt_secret=None))
    with pytest.raises(InvalidInput, match="shorter than 32 bytes"):
        create_app(settings(env="production", jwt_secret=_secret("short")))


def test_settings__development_secret_is_random_per_process():
    dev = settings(env="development", jwt_secret=None)
    one, two = resolve_jwt_secret(dev), resolve_jwt_secret(dev)
    assert one != two and len(one) >= 32
    token, _ = Authenticator(one).mint(Principal("p", frozenset({Role.PLANNER})))
    assert Authenticator(one).verify(token).subject == "p"
    with pytest.raises(NotAuthenticated, match="bearer token is not valid"):
        Authenticator(two).verify(token)


def _secret(value: str):
    from pydantic import SecretStr

    return SecretStr(value)


def test_cli__user_add_keys_list_token(db_url, engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("BORDERZONE_JWT_SECRET", SECRET)
    name = unique("cli-officer")
    try:
        assert cli(["user", "add", name, "--role", "officer", "--province", "20"]) == 0
        assert cli(["user", "keys", name, "--new"]) == 0
        key = capsys.readouterr().out.strip().splitlines()[-1]
        assert key.startswith("bzk_")
        assert cli(["user", "keys", name]) == 0
        assert f"{key[:12]}" in capsys.readouterr().out
        assert cli(["user", "list"]) == 0
        assert name in capsys.readouterr().out
        assert cli(["user", "token", name]) == 0
        claims = jwt.decode(capsys.readouterr().out.strip(), SECRET, algorithms=["HS256"])
        assert claims["sub"] == name and claims["provinces"] == ["20"]
        assert cli(["user", "add", unique("x"), "--role", "officer"]) == 2  # no province
        assert "scoped to provinces" in capsys.readouterr().err
    finally:
        drop_users(engine, [name])
