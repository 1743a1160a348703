"""Cached tiles answered before routing (``api.fast_tiles``): the route's answer, under the
route's rules — a cache entry per clearance, credentials checked, rate limits, the route's
errors — and the bound on how long an edit takes to reach a worker's cached tiles."""

from __future__ import annotations

import secrets
import time
from datetime import datetime

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import event

import api.routers.tiles as tile_routes
from api.app import create_app
from geo.common.security import Role
from geo.common.timeutil import HANOI, now
from geo.layers import collections as registry
from geo.store.db import transaction
from geo.store.layers.tiles import TileService
from geo.store.zones import edit as zones
from tests.api.layers.test_tiles import ADMIN, add_zone, tile_of, zone_ids  # noqa: F401
from tests.api.security.security_support import key_header, role_keys, settings

pytestmark = pytest.mark.db
X, Y = tile_of(105.332, 23.378, 12)  # Lũng Cú, on the China line: belt in the tile
BELT = f"/tiles/belt/12/{X}/{Y}.mvt"


@pytest.fixture(scope="module")
def client(db_url, loaded):
    app = create_app(settings(key_cache_s=30), url=db_url)
    with TestClient(app) as c:
        app.state.tiles.sync_every_s = 600  # no change-log read in between: hits stay hits
        yield c


def refuse_route(monkeypatch) -> None:
    """From here on, a request that reaches the tile routes fails the test."""
    async def refuse(*_a, **_kw):
        raise AssertionError("the tile route was called")
    monkeypatch.setattr(tile_routes, "_serve", refuse)


def _same(a, b) -> None:
    assert a.content == b.content and len(a.content) > 100  # a real tile, not empty
    for name in ("etag", "cache-control", "vary", "content-type"):
        assert a.headers[name] == b.headers[name], name


def test_fast_tiles__a_hit_is_the_routes_answer_without_the_route(client, monkeypatch):
    built = client.get(BELT)  # a miss: the route builds it
    assert built.status_code == 200 and built.headers["x-tile-cache"] == "miss"
    via_route = client.get(BELT, params={"unknown": "1"})  # not for the fast path
    assert via_route.headers["x-tile-cache"] == "hit"
    refuse_route(monkeypatch)
    hit = client.get(BELT)
    assert hit.status_code == 200 and hit.headers["x-tile-cache"] == "hit"
    _same(hit, built)
    _same(hit, via_route)
    assert hit.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    again = client.get(BELT, headers={"If-None-Match": hit.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == hit.headers["etag"]


def test_fast_tiles__cleared_and_uncleared_callers_keep_their_own_entries(
        client, engine, monkeypatch):
    url = f"/tiles/land_border_communes/12/{X}/{Y}.mvt"
    with role_keys(engine, [Role.PLANNER, Role.APP]) as keys:
        planner, app = key_header(keys[Role.PLANNER]), key_header(keys[Role.APP])
        built = {name: client.get(url, headers=h) for name, h in
                 (("planner", planner), ("app", app), ("anonymous", {}))}
        assert all(r.status_code == 200 for r in built.values())
        refuse_route(monkeypatch)  # from here on, cache hits only
        for name, headers in (("planner", planner), ("app", app), ("anonymous", {})):
            hit = client.get(url, headers=headers)
            assert hit.headers["x-tile-cache"] == "hit", name
            _same(hit, built[name])
    assert built["planner"].headers["cache-control"].startswith("private")
    assert built["app"].headers["cache-control"].startswith("public")
    assert built["planner"].headers["etag"] != built["app"].headers["etag"] \
        == built["anonymous"].headers["etag"]


@pytest.mark.parametrize(("headers", "params", "status", "field"), [
    ({"X-API-Key": "bzk_" + secrets.token_urlsafe(32)}, {}, 401, None),
    ({"Authorization": "Basic abc"}, {}, 401, None),
    ({}, {"datetime": "yesterday"}, 422, "datetime"),
    ({}, {"as_known_at": "2026-01-01T00:00"}, 403, "as_known_at"),
])
def test_fast_tiles__refusals_come_from_the_route_even_when_cached(client, headers, params,
                                                                   status, field):
    url = f"/tiles/prohibited_zones/12/{X}/{Y}.mvt"
    assert client.get(url).status_code == 200
    assert client.get(url).headers["x-tile-cache"] == "hit"
    answer = client.get(url, headers=headers, params=params)
    assert answer.status_code == status, answer.text
    if field:
        assert answer.json()["field"] == field


@pytest.mark.parametrize("path", ["/tiles/belt/1²/0/0.mvt", "/tiles/belt/12/-1/0.mvt",
                                  "/tiles/belt/99/0/0.mvt", "/tiles/belt/12/0/0/0.mvt",
                                  "/tiles/roads/12/0/0.mvt", "/tiles/belt/12/4096/0.mvt"])
def test_fast_tiles__malformed_tiles_are_the_routes_4xx(client, path):
    answer = client.get(path)
    assert answer.status_code in (404, 422), (path, answer.status_code, answer.text)


def test_fast_tiles__rate_limit_applies_to_cache_hits(db_url, loaded):
    frozen = settings(rate_per_s=0.001, rate_burst=3)  # no refill during the test
    with TestClient(create_app(frozen, url=db_url)) as c:
        c.app.state.tiles.sync_every_s = 600
        answers = [c.get(BELT) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[2].headers["x-tile-cache"] == "hit"
    assert int(answers[3].headers["retry-after"]) >= 1


def test_tile_service__an_edit_reaches_cached_tiles_within_the_sync_interval(
        engine, zone_ids):  # noqa: F811
    zones_coll = registry.get("prohibited_zones")
    old = shapely.box(106.300, 22.500, 106.306, 22.505)
    zone_ids.append(add_zone(engine, old))
    z = 14
    x, y = tile_of(106.303, 22.502, z)
    view = {"cleared": True, "interval": None, "known_at": None}
    service = TileService(engine, sync_every_s=0.5)
    built = service.tile(zones_coll, z, x, y, moment=now(), **view)
    assert service.cached(zones_coll, z, x, y, moment=now(), **view).entry == built.entry
    with transaction(engine) as conn:
        zones.update_zone(conn, ADMIN, zone_ids[0],
                          geom=shapely.box(106.301, 22.501, 106.307, 22.506))
    time.sleep(0.6)  # past the interval: the cache may no longer answer without the log
    assert service.cached(zones_coll, z, x, y, moment=now(), **view) is None
    rebuilt = service.tile(zones_coll, z, x, y, moment=now(), **view)
    assert not rebuilt.hit and rebuilt.entry.etag != built.entry.etag


def test_tile_service__hits_need_no_database_between_reads(engine):
    belt = registry.get("belt")
    service = TileService(engine, sync_every_s=600)
    view = {"cleared": False, "interval": None, "known_at": None,
            "moment": datetime(2026, 1, 5, 12, tzinfo=HANOI)}
    built = service.tile(belt, 12, X, Y, **view)
    service.engine = None  # any database use from here on would fail
    hit = service.cached(belt, 12, X, Y, **view)
    assert hit is not None and hit.hit and hit.entry == built.entry


def test_tile_service__a_cold_tile_is_one_statement(engine):
    belt = registry.get("belt")
    service = TileService(engine, sync_every_s=600)
    service.sync()
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = service.tile(belt, 12, X, Y, cleared=False, interval=None, known_at=None,
                              moment=now())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not answer.hit and len(answer.entry.data) > 100
    assert len(seen) == 1 and "ST_AsMVT" in seen[0] and "least" in seen[0].lower()
