"""Extending and revoking a decision: refused to the wrong role (403), to an officer of
another province (403), to anonymous callers and to a disabled user's key and token (401) —
and nothing is written by a refused act. Decisions are recorded in the test's rolled-back
transaction (``tx_client``); the users with keys are committed and removed afterwards."""

from __future__ import annotations

import pytest

from geo.common.security import Principal, Role
from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import (
    T0,
    H,
    auth,
    decision_body,
    extension_body,
    path,
    revocation_body,
)
from tests.api.security.security_support import drop_users, key_header, make_user

client = decision_support.client  # fixture
tx_client = decision_support.tx_client  # fixture

ACTS = ("/extensions", "/revocation")


@pytest.fixture(scope="module")
def keys(engine, loaded):
    """Committed users with one key each: a planner, an app, an officer of 08 (Tuyên
    Quang, the decisions' province), an officer of 20 only, and an admin."""
    made = {"planner": make_user(engine, Role.PLANNER), "app": make_user(engine, Role.APP),
            "officer_08": make_user(engine, Role.OFFICER, provinces=["08"]),
            "officer_20": make_user(engine, Role.OFFICER, provinces=["20"]),
            "admin": make_user(engine, Role.ADMIN)}
    yield made
    drop_users(engine, [name for name, _ in made.values()])


@pytest.fixture()
def decision(tx_client) -> dict:
    """A land border area decision of Tuyên Quang (08): 24 h from T0, extendable."""
    body = decision_body("land_border_area", "commander", 24)
    response = tx_client.post("/v1/decisions", json=body, headers=auth(tx_client))
    assert response.status_code == 201, response.text
    return response.json()["decision"]


def _act_body(act: str) -> dict:
    if act == "/extensions":
        return extension_body(T0 + 48 * H, "committee", T0 + 23 * H)
    return revocation_body(T0 + 10 * H, "commander")


def _unchanged(api, number: str) -> None:
    now = api.get(path(number), headers=auth(api)).json()
    assert now["extensions"] == [] and now["revocation"] is None
    assert [e["kind"] for e in now["history"]] == ["issued"]
    assert now["effective_to"] == "2025-09-02T08:00:00+07:00"


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize(("who", "status"), [
    ("planner", 403), ("app", 403), ("officer_20", 403), ("officer_08", 201), ("admin", 201)])
def test_act__by_key_only_officers_of_the_province_or_admins(tx_client, keys, decision, act,
                                                             who, status):
    response = tx_client.post(path(decision["number"], act), json=_act_body(act),
                              headers=key_header(keys[who][1]))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"] == "forbidden"
        _unchanged(tx_client, decision["number"])
    else:
        after = response.json()["decision"]
        expected = ("2025-09-03T08:00:00+07:00" if act == "/extensions"
                    else "2025-09-01T18:00:00+07:00")
        assert after["effective_to"] == expected


@pytest.mark.parametrize("act", ACTS)
def test_act__officer_of_another_province_by_token_403_naming_the_province(tx_client,
                                                                            decision, act):
    elsewhere = Principal(subject="officer-20-only", roles=frozenset({Role.OFFICER}),
                          provinces=frozenset({"20"}))
    response = tx_client.post(path(decision["number"], act), json=_act_body(act),
                              headers=auth(tx_client, elsewhere))
    assert response.status_code == 403, response.text
    assert response.json()["field"] == "province_code"
    assert "08" in response.json()["message"]
    _unchanged(tx_client, decision["number"])


@pytest.mark.parametrize("act", ACTS)
def test_act__anonymous_401(tx_client, decision, act):
    response = tx_client.post(path(decision["number"], act), json=_act_body(act))
    assert response.status_code == 401, response.text
    _unchanged(tx_client, decision["number"])


def test_act__disabled_users_key_and_token_401(tx_client, engine, keys, decision):
    """An officer of 08 gets a token, is disabled by an admin: the key, the token and the
    token endpoint all answer 401, for both acts; nothing is written."""
    officer, key = make_user(engine, Role.OFFICER, provinces=["08"])
    try:
        token = tx_client.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                                       "client_secret": key})
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        disabled = tx_client.post(f"/v1/admin/users/{officer}/disable",
                                  headers=key_header(keys["admin"][1]))
        assert disabled.status_code == 200 and disabled.json()["active"] is False
        for act in ACTS:
            for headers in (key_header(key), bearer):
                response = tx_client.post(path(decision["number"], act), json=_act_body(act),
                                          headers=headers)
                assert response.status_code == 401, response.text
                assert response.json()["error"] == "unauthenticated"
        again = tx_client.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                                       "client_secret": key})
        assert again.status_code == 401, again.text
        _unchanged(tx_client, decision["number"])
    finally:
        drop_users(engine, [officer])
