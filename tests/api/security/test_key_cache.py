"""The API-key cache, on as in production: lookups are served from it for ``cache_s``
seconds, a revocation or disabling made elsewhere is noticed once that time has passed, and
one made through this process's admin API clears it at once.

Time is a hand-wound clock injected into the ``Authenticator`` (no sleeps, no races): the
cache is exercised over HTTP with the app's own routes, on a real user in the database.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import Authenticator
from geo.common.security import Role
from geo.store import users
from geo.store.db import transaction
from tests.api.security.security_support import (
    SECRET,
    SETUP,
    drop_users,
    key_header,
    make_user,
    settings,
)

CACHE_S = 30.0


class Clock:
    """A monotonic seconds counter that moves only when told to."""

    def __init__(self) -> None:
        self.t = 1_000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(settings(), url=db_url)) as c:
        yield c


@contextmanager
def _swapped_auth(client, authenticator: Authenticator):
    """``authenticator`` in the app for one test, the app's own back afterwards
    (``app.state`` is no plain object: monkeypatch cannot restore it)."""
    own = client.app.state.auth
    client.app.state.auth = authenticator
    try:
        yield
    finally:
        client.app.state.auth = own


@pytest.fixture()
def clock(client) -> Clock:
    """This test's clock, in a fresh Authenticator of the app (the production default
    lifetime, ``BORDERZONE_KEY_CACHE_S`` = 30 s)."""
    assert client.app.state.settings.key_cache_s == CACHE_S  # the tests run with it on
    tick = Clock()
    with _swapped_auth(client, Authenticator(SECRET, cache_s=CACHE_S, clock=tick)):
        yield tick


@pytest.fixture()
def uncached(client) -> None:
    with _swapped_auth(client, Authenticator(SECRET, cache_s=0)):
        yield


@pytest.fixture()
def lookups(monkeypatch) -> list[str]:
    """Every key lookup and token check that reached the database."""
    seen: list[str] = []
    key_lookup, token_check = users.principal_for_key, users.token_refusal

    def principal_for_key(conn, key):
        seen.append("key")
        return key_lookup(conn, key)

    def token_refusal(conn, *holder):
        seen.append("token")
        return token_check(conn, *holder)

    monkeypatch.setattr(users, "principal_for_key", principal_for_key)
    monkeypatch.setattr(users, "token_refusal", token_refusal)
    return seen


@pytest.fixture()
def people(engine, loaded):
    made = {"admin": make_user(engine, Role.ADMIN),
            "officer": make_user(engine, Role.OFFICER, provinces=["20"])}
    yield made
    drop_users(engine, [name for name, _ in made.values()])


def _whoami(client, headers) -> int:
    return client.get("/v1/auth/whoami", headers=headers).status_code


def _bearer(client, key: str) -> dict:
    answer = client.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                                 "client_secret": key})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_cache__a_key_is_looked_up_once_per_lifetime(client, clock, lookups, people):
    _, key = people["officer"]
    for _ in range(5):
        assert _whoami(client, key_header(key)) == 200
    assert lookups == ["key"]
    clock.advance(CACHE_S - 0.001)
    assert _whoami(client, key_header(key)) == 200 and lookups == ["key"]
    clock.advance(0.001)  # expired exactly at put + cache_s
    assert _whoami(client, key_header(key)) == 200 and lookups == ["key", "key"]


def test_cache__key_revoked_elsewhere_refused_once_the_lifetime_has_passed(
        client, engine, clock, people):
    name, key = people["officer"]
    assert client.get("/v1/auth/whoami", headers=key_header(key)).json()["subject"] == name
    with transaction(engine) as conn:  # another process (the CLI, another worker) revokes
        users.revoke_key(conn, SETUP, key[:12])
    clock.advance(CACHE_S - 1)
    assert _whoami(client, key_header(key)) == 200  # the documented window of other workers
    clock.advance(1)
    refused = client.get("/v1/auth/whoami", headers=key_header(key))
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]


def test_cache__token_of_a_user_disabled_elsewhere_refused_after_the_lifetime(
        client, engine, clock, lookups, people):
    name, key = people["officer"]
    token = _bearer(client, key)
    assert _whoami(client, token) == 200 and _whoami(client, token) == 200
    assert lookups.count("token") == 1
    with transaction(engine) as conn:
        users.set_active(conn, SETUP, name, False)
    clock.advance(CACHE_S - 1)
    assert _whoami(client, token) == 200
    clock.advance(1)
    refused = client.get("/v1/auth/whoami", headers=token)
    assert refused.status_code == 401 and "disabled" in refused.json()["message"]


def test_cache__revocation_through_the_api_clears_it_at_once(client, clock, lookups, people):
    (_, admin_key), (_, key) = people["admin"], people["officer"]
    token = _bearer(client, key)
    assert _whoami(client, key_header(key)) == 200 and _whoami(client, token) == 200
    assert _whoami(client, key_header(key)) == 200 and _whoami(client, token) == 200
    assert lookups.count("token") == 1  # both cached now
    revoked = client.post(f"/v1/admin/keys/{key[:12]}/revoke", headers=key_header(admin_key))
    assert revoked.status_code == 200, revoked.text
    assert _whoami(client, key_header(key)) == 401  # no time has passed on the clock
    refused = client.get("/v1/auth/whoami", headers=token)
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]


def test_cache__disabling_through_the_api_clears_it_at_once(client, clock, people):
    (_, admin_key), (name, key) = people["admin"], people["officer"]
    token = _bearer(client, key)
    assert _whoami(client, key_header(key)) == 200 and _whoami(client, token) == 200
    disabled = client.post(f"/v1/admin/users/{name}/disable", headers=key_header(admin_key))
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert _whoami(client, key_header(key)) == 401 and _whoami(client, token) == 401


def test_cache__off_when_its_lifetime_is_zero(client, uncached, lookups, people):
    _, key = people["officer"]
    for _ in range(3):
        assert _whoami(client, key_header(key)) == 200
    assert lookups == ["key", "key", "key"]
