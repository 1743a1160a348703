"""Revocation takes effect at once; audit rows name the key; the last admin access stays.

Revocation is proven against a live server whose key cache is long (300 s): the token minted
before the revocation must fail because the revocation cleared the cache in that process.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.cli.commands import main as cli
from geo.common.errors import Conflict
from geo.common.security import Role
from geo.store import migrate, users
from geo.store.db import make_engine, transaction
from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import decision_body
from tests.api.security.security_support import (
    SECRET,
    SETUP,
    drop_users,
    key_header,
    make_user,
    settings,
    throwaway_db,
)
from tests.live_server import live_server

client = decision_support.client  # fixture
tx_client = decision_support.tx_client  # fixture


def _token(base, key: str) -> str:
    answer = base.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                              "client_secret": key})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def people(engine, loaded):
    made = {"admin": make_user(engine, Role.ADMIN),
            "officer": make_user(engine, Role.OFFICER, provinces=["08", "20"])}
    yield made
    drop_users(engine, [name for name, _ in made.values()])


def test_revoke__token_minted_before_is_401_at_once_live(db_url, people):
    (_, admin_key), (officer, officer_key) = people["admin"], people["officer"]
    with live_server(db_url, BORDERZONE_KEY_CACHE_S="300") as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        token = _token(http, officer_key)
        assert http.get("/v1/auth/whoami", headers=_bearer(token)).json()["subject"] == officer
        issued = http.post("/v1/decisions", json=decision_body(), headers=_bearer(token))
        assert issued.status_code == 201, issued.text  # cached now, key and token alike
        revoked = http.post(f"/v1/admin/keys/{officer_key[:12]}/revoke",
                            headers=key_header(admin_key))
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        after = http.post("/v1/decisions", json=decision_body(), headers=_bearer(token))
        assert after.status_code == 401, after.text
        assert "revoked" in after.json()["message"]
        assert http.get("/v1/auth/whoami", headers=key_header(officer_key)).status_code == 401
        server.assert_alive()


def test_disable__users_tokens_401_also_after_enable_live(db_url, people):
    (_, admin_key), (officer, officer_key) = people["admin"], people["officer"]
    with live_server(db_url, BORDERZONE_KEY_CACHE_S="300") as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        token = _token(http, officer_key)
        assert http.get("/v1/auth/whoami", headers=_bearer(token)).status_code == 200
        disabled = http.post(f"/v1/admin/users/{officer}/disable", headers=key_header(admin_key))
        assert disabled.status_code == 200 and disabled.json()["active"] is False
        refused = http.get("/v1/auth/whoami", headers=_bearer(token))
        assert refused.status_code == 401 and "disabled" in refused.json()["message"]
        assert http.get("/v1/auth/whoami", headers=key_header(officer_key)).status_code == 401
        enabled = http.post(f"/v1/admin/users/{officer}/enable", headers=key_header(admin_key))
        assert enabled.status_code == 200
        assert http.get("/v1/auth/whoami", headers=_bearer(token)).status_code == 401  # old
        assert http.get("/v1/auth/whoami",
                        headers=_bearer(_token(http, officer_key))).status_code == 200  # new
        audit = http.get("/v1/admin/audit", params={"entity_id": officer},
                         headers=key_header(admin_key)).json()
        assert [a["action"] for a in audit[:2]] == ["user.enable", "user.disable"]
        assert audit[0]["key_id"] == admin_key[:12]
        server.assert_alive()


def test_disable__cli_command(db_url, engine, people, monkeypatch, capsys):
    officer, key = people["officer"]
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("BORDERZONE_JWT_SECRET", SECRET)
    app = create_app(settings(), url=db_url)
    with TestClient(app) as http:
        token = _token(http, key)
        assert cli(["user", "disable", officer]) == 0
        assert "disabled" in capsys.readouterr().out
        assert http.get("/v1/auth/whoami", headers=_bearer(token)).status_code == 401
    with engine.connect() as conn:
        row = conn.execute(text("SELECT who, key_id FROM audit_log WHERE action = "
                                "'user.disable' AND entity_id = :n"), {"n": officer}).one()
    assert row.who.startswith("cli:") and row.key_id is None


@pytest.mark.parametrize("how", ["key", "token"])
def test_audit__write_names_the_key(tx_client, conn, people, how):
    _, key = people["officer"]
    headers = key_header(key) if how == "key" else _bearer(_token(tx_client, key))
    body = decision_body()
    answer = tx_client.post("/v1/decisions", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    key_id = conn.execute(text("SELECT key_id FROM audit_log WHERE action = 'decision.issue' "
                               "AND entity_id = :n"), {"n": body["number"]}).scalar_one()
    assert key_id == key[:12]


class _NoIndex:
    """The zone index is not needed by the admin API, and an empty database has none."""

    def __init__(self, *_, **__):
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def test_last_admin__key_and_user_refused_409(db_url, monkeypatch):
    monkeypatch.setattr("api.app.LiveIndex", _NoIndex)
    with throwaway_db(db_url, "lastadmin") as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with transaction(engine) as conn:
                users.create_user(conn, SETUP, "root", ["admin"])
                root_key, _ = users.add_key(conn, SETUP, "root")
                users.create_user(conn, SETUP, "viewer", ["planner"])
                viewer_key, _ = users.add_key(conn, SETUP, "viewer")
            with TestClient(create_app(settings(), url=url)) as http:
                admin = key_header(root_key)
                last = http.post(f"/v1/admin/keys/{root_key[:12]}/revoke", headers=admin)
                assert last.status_code == 409, last.text
                assert "last active admin" in last.json()["message"]
                disabling = http.post("/v1/admin/users/root/disable", headers=admin)
                assert disabling.status_code == 409
                assert "disable user root" in disabling.json()["message"]
                # a planner's key is no admin access: revoked freely
                other = http.post(f"/v1/admin/keys/{viewer_key[:12]}/revoke", headers=admin)
                assert other.status_code == 200
                second = http.post("/v1/admin/users", headers=admin,
                                   json={"name": "deputy", "roles": ["admin"]})
                assert second.status_code == 201
                assert http.post("/v1/admin/users/deputy/keys",
                                 headers=admin).status_code == 201
                assert http.post(f"/v1/admin/keys/{root_key[:12]}/revoke",
                                 headers=admin).status_code == 200
            with transaction(engine) as conn, pytest.raises(Conflict):
                users.set_active(conn, SETUP, "deputy", False)  # now the last one
        finally:
            engine.dispose()
