"""The admin audit log in pages: ``limit`` rows, newest first, ``before_id`` the last id of
the previous page; no row twice, none missed, and pages stay the same when rows are added
meanwhile (keyset paging). One admin of its own makes the rows, so ``who`` selects exactly
them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.common.security import Role
from geo.store.audit import MAX_PAGE
from tests.api.security.security_support import (
    drop_users,
    key_header,
    make_user,
    settings,
    unique,
)

KEYS = 5  # writes: user.create, KEYS x api_key.create, user.disable = KEYS + 2 rows


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(settings(), url=db_url)) as c:
        yield c


@pytest.fixture()
def world(client, engine):
    """A fresh admin (its rows only, so tests do not see each other's) and its writes."""
    admin, admin_key = make_user(engine, Role.ADMIN)
    target = unique("audited")
    headers = key_header(admin_key)
    try:
        made = client.post("/v1/admin/users", json={"name": target, "roles": ["app"]},
                           headers=headers)
        assert made.status_code == 201, made.text
        key_ids = []
        for _ in range(KEYS):
            key = client.post(f"/v1/admin/users/{target}/keys", headers=headers)
            assert key.status_code == 201, key.text
            key_ids.append(key.json()["key_id"])
        assert client.post(f"/v1/admin/users/{target}/disable",
                           headers=headers).status_code == 200
        yield {"client": client, "headers": headers, "admin": admin, "target": target,
               "key_ids": key_ids}
    finally:
        drop_users(engine, [admin, target])


def _page(world, **params) -> list[dict]:
    response = world["client"].get("/v1/admin/audit", headers=world["headers"],
                                   params={"who": world["admin"], **params})
    assert response.status_code == 200, response.text
    return response.json()


def _walk(world, limit: int) -> list[list[dict]]:
    pages, before = [], None
    for _ in range(KEYS + 4):  # a page that does not move on would loop: fail instead
        page = _page(world, limit=limit, **({"before_id": before} if before else {}))
        if not page:
            return pages
        pages.append(page)
        before = page[-1]["id"]
    raise AssertionError(f"paging did not end: {[len(p) for p in pages]}")


def test_audit__everything_in_one_page_newest_first(world):
    rows = _page(world, limit=100)
    assert [r["action"] for r in rows] == (["user.disable"] + ["api_key.create"] * KEYS
                                           + ["user.create"])
    assert [r["entity_id"] for r in rows[1:-1]] == world["key_ids"][::-1]
    assert rows[0]["entity_id"] == rows[-1]["entity_id"] == world["target"]
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("limit", [1, 2, 3, KEYS + 2])
def test_audit__pages_of_the_limit_cover_every_row_once(world, limit):
    everything = [r["id"] for r in _page(world, limit=100)]
    pages = _walk(world, limit)
    sizes = [len(p) for p in pages]
    full, rest = divmod(KEYS + 2, limit)
    assert sizes == [limit] * full + ([rest] if rest else [])
    walked = [r["id"] for p in pages for r in p]
    assert walked == everything  # same order, none twice, none missed


def test_audit__same_page_twice_is_identical(world):
    first = _page(world, limit=3)
    assert _page(world, limit=3) == first
    assert _page(world, limit=3, before_id=first[-1]["id"]) == _page(
        world, limit=3, before_id=first[-1]["id"])


def test_audit__rows_added_between_pages_do_not_shift_the_next_page(world):
    first = _page(world, limit=3)
    second = _page(world, limit=3, before_id=first[-1]["id"])
    key = world["client"].post(f"/v1/admin/users/{world['target']}/keys",
                               headers=world["headers"])  # a new, newer row by the same admin
    assert key.status_code == 201, key.text
    assert _page(world, limit=3, before_id=first[-1]["id"]) == second
    newest = _page(world, limit=1)[0]
    assert newest["action"] == "api_key.create" and newest["entity_id"] == key.json()["key_id"]
    assert newest["id"] > first[0]["id"]


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "limit"), ({"limit": MAX_PAGE + 1}, "limit"), ({"before_id": 0}, "before_id"),
    ({"limit": "ten"}, "limit"), ({"since": "yesterday"}, "since")])
def test_audit__bad_paging_parameters_422_naming_the_field(world, params, field):
    response = world["client"].get("/v1/admin/audit", headers=world["headers"], params=params)
    assert response.status_code == 422, response.text
    assert field in response.text
