"""Vector tiles: a cache that stays true (exact invalidation by old/new geometry, validity
boundaries with no edit) and footprints, never exact shapes, for uncleared callers."""

from __future__ import annotations

from datetime import datetime, timedelta

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box

from geo.common.security import Principal, Role
from geo.common.timeutil import HANOI, now
from geo.layers import collections as registry
from geo.store.db import transaction
from geo.store.layers.tiles import TileService
from geo.store.zones import edit as zones
from tests.api.decisions.decision_support import client  # noqa: F401 (fixture)
from tests.api.layers.layer_support import H, a_day, issue
from tests.api.security.security_support import key_header, role_keys

pytestmark = pytest.mark.db
ADMIN = Principal(subject="tiles-test", roles=frozenset({Role.ADMIN}))
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
WORLD = 20037508.342789244
ZONES = registry.get("prohibited_zones")


def tile_box(z: int, x: int, y: int, buffered: bool = True):
    """The tile's box in EPSG:3857, grown by the MVT buffer (64/4096): written out here
    independently of geo.layers.tiles."""
    size = 2 * WORLD / 2 ** z
    pad = size * 64 / 4096 if buffered else 0.0
    west, north = -WORLD + x * size, WORLD - y * size
    return box(west - pad, north - size - pad, west + size + pad, north + pad)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    mx, my = TO_3857.transform(lon, lat)
    size = 2 * WORLD / 2 ** z
    return int((mx + WORLD) // size), int((WORLD - my) // size)


def merc(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_3857.transform(xy[:, 0],
                                                                                xy[:, 1])))


@pytest.fixture()
def zone_ids(engine, loaded):
    made: list[int] = []
    yield made
    with transaction(engine) as conn:
        for zone_id in made:
            conn.exec_driver_sql("DELETE FROM zone WHERE id = %s", (zone_id,))


def add_zone(engine, geom, sensitivity: str = "public") -> int:
    with transaction(engine) as conn:
        return zones.add_zone(conn, ADMIN, kind="prohibited_zone_land", name="Khu thử nghiệm",
                              authority="Bộ Quốc phòng", legal_basis="test", geom=geom,
                              sensitivity=sensitivity, province_code="20",
                              valid_from=datetime(2020, 1, 1, tzinfo=HANOI))


def test_tile_cache__zone_edit_drops_exactly_the_tiles_of_its_old_and_new_shape(
        engine, zone_ids):
    old = box(106.500, 22.300, 106.512, 22.309)
    new = box(106.530, 22.302, 106.541, 22.311)
    zone_ids.append(add_zone(engine, old))
    service = TileService(engine)
    service.sync()
    z = 15
    (x0, y0), (x1, y1) = tile_of(106.49, 22.32, z), tile_of(106.55, 22.29, z)
    grid = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    for x, y in grid:
        for cleared in (False, True):
            service.tile(ZONES, z, x, y, cleared=cleared, interval=None, known_at=None,
                         moment=now())
        service.tile(registry.get("belt"), z, x, y, cleared=True, interval=None,
                     known_at=None, moment=now())
    assert len(service.cache) == 3 * len(grid)
    with transaction(engine) as conn:
        zones.update_zone(conn, ADMIN, zone_ids[0], geom=new)
    dropped = service.sync()
    touched = {(x, y) for x, y in grid
               if tile_box(z, x, y).intersects(merc(old)) or
               tile_box(z, x, y).intersects(merc(new))}
    assert 0 < len(touched) < len(grid)
    assert dropped == 2 * len(touched)  # both views of each touched tile, nothing else
    left = {(k.layer, k.x, k.y, k.cleared) for k in service.cache.snapshot()}
    for x, y in grid:
        for cleared in (False, True):
            assert ((ZONES.id, x, y, cleared) in left) == ((x, y) not in touched)
        assert ("belt", x, y, True) in left  # another layer is untouched


def _numbers(data: bytes, layer: str) -> set[str]:
    decoded = mapbox_vector_tile.decode(data)
    return {f["properties"].get("number") for f in decoded.get(layer, {}).get("features", [])}


def test_tile_cache__decision_start_and_end_change_its_tile_with_no_edit(engine, client):  # noqa: F811
    start = a_day()
    number = issue(client, start, 12)["number"]
    service = TileService(engine)
    service.sync()
    coll = registry.get("decisions")
    z = 12
    x, y = tile_of(105.332, 23.378, z)  # Lũng Cú: inside the decision's belt area

    def at(moment: datetime):
        return service.tile(coll, z, x, y, cleared=False, interval=None, known_at=None,
                            moment=moment)

    cursor = service.cache.cursor
    before = at(start - H)
    assert number not in _numbers(before.entry.data, "decisions")
    assert before.entry.expires_at is not None and before.entry.expires_at <= start
    assert at(start - H / 2).hit  # still the same entry before the start
    during = at(start + timedelta(minutes=1))
    assert not during.hit and number in _numbers(during.entry.data, "decisions")
    assert during.entry.expires_at <= start + 12 * H
    after = at(start + 12 * H + timedelta(seconds=1))
    assert not after.hit and number not in _numbers(after.entry.data, "decisions")
    assert service.cache.cursor == cursor  # no edit was needed


def _shapes(data: bytes, layer: str) -> list[tuple[object, dict]]:
    decoded = mapbox_vector_tile.decode(data)
    out = []
    for f in decoded.get(layer, {}).get("features", []):
        out.append((shapely.geometry.shape(f["geometry"]), f["properties"]))
    return out


def test_tiles__uncleared_callers_never_get_a_sensitive_zones_shape(engine, client,  # noqa: F811
                                                                     zone_ids):
    exact = shapely.Polygon([(106.601, 22.401), (106.607, 22.4013), (106.6052, 22.4061),
                             (106.6013, 22.4049)])
    zone_ids.append(add_zone(engine, exact, sensitivity="secret"))
    z = 13
    x, y = tile_of(106.604, 22.403, z)
    url = f"/tiles/prohibited_zones/{z}/{x}/{y}.mvt"
    with role_keys(engine, [Role.PLANNER, Role.APP]) as keys:
        cleared = client.get(url, headers=key_header(keys[Role.PLANNER]))
        app = client.get(url, headers=key_header(keys[Role.APP]))
    anonymous = client.get(url)
    assert cleared.status_code == app.status_code == anonymous.status_code == 200
    assert anonymous.headers["etag"] != cleared.headers["etag"]
    assert cleared.headers["cache-control"].startswith("private")
    [(shown_exact, props_exact)] = _shapes(cleared.content, ZONES.id)
    assert props_exact["name"] == "Khu thử nghiệm"
    exact_coords = set(map(tuple, shapely.get_coordinates(shown_exact).round().astype(int)
                           .tolist()))
    for answer in (app, anonymous):
        [(shape, props)] = _shapes(answer.content, ZONES.id)
        assert "name" not in props or props["name"] in (None, "")
        coords = set(map(tuple, shapely.get_coordinates(shape).round().astype(int).tolist()))
        assert not coords & exact_coords  # no vertex of the exact shape
        assert shape.area > 4 * shown_exact.area  # the footprint's 1 km cells
        assert shape.contains(shown_exact.buffer(-1))
