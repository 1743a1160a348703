"""The layer registry, query parsing, tile math and the tile cache (no database)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
import shapely

from geo.common.errors import InvalidInput, NotFound
from geo.common.timeutil import HANOI
from geo.layers import cache, collections, cql, params, tiles

T = datetime(2026, 1, 5, 8, 0, tzinfo=HANOI)


def test_registry__ids_are_the_published_ones():
    assert collections.ids() == (
        "provinces", "communes", "land_border", "land_border_communes", "belt",
        "sea_border_area", "prohibited_zones", "sea_zones", "gates", "checkpoint_areas",
        "decisions")
    assert collections.layers_of("zone") == ("prohibited_zones", "sea_zones")
    assert collections.layers_of("commune") == ("communes", "land_border_communes")
    with pytest.raises(NotFound):
        collections.get("zones")


@pytest.mark.parametrize("text, start, end", [
    ("2026-01-05T08:00:00+07:00", T, T),
    ("2026-01-05T08:00:00+07:00/..", T, None),
    ("../2026-01-05T08:00:00+07:00", None, T),
    ("/2026-01-05T08:00:00+07:00", None, T),
    ("2026-01-05", T - timedelta(hours=8), T - timedelta(hours=8)),
    ("2026-01-05T01:00:00Z/2026-01-05T09:00:00", T, T + timedelta(hours=1)),
])
def test_parse_datetime__instants_and_intervals(text, start, end):
    interval = params.parse_datetime(text)
    assert (interval.start, interval.end) == (start, end)


@pytest.mark.parametrize("text", ["../..", "2026-02-01/2026-01-01", "a/b", "1/2/3", "x" * 90])
def test_parse_datetime__refuses_nonsense_naming_the_field(text):
    with pytest.raises(InvalidInput) as err:
        params.parse_datetime(text)
    assert err.value.field == "datetime"


def test_tiles__bounds_match_the_web_mercator_formula():
    # Lũng Cú (105.332 E, 23.378 N) at z12: x from longitude, y from the Mercator latitude
    n = 2 ** 12
    x = int((105.332 + 180) / 360 * n)
    lat = math.radians(23.378)
    y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
    west, south, east, north = tiles.bounds(12, x, y)
    assert east - west == pytest.approx(2 * tiles.HALF_WORLD_M / n)
    mx = math.radians(105.332) * 6378137
    my = math.log(math.tan(math.pi / 4 + lat / 2)) * 6378137
    assert west <= mx < east and south <= my < north
    assert tiles.tiles_over((mx, my, mx, my), 12) == [(x, y)]
    assert [tiles.band(z).suffix for z in (0, 6, 7, 10, 11, 13, 14, 22)] == [
        "_z6", "_z6", "_z10", "_z10", "_z13", "_z13", "", ""]
    with pytest.raises(InvalidInput):
        tiles.check_tile(3, 8, 0)


def test_tile_cache__expires_at_the_boundary_and_drops_only_what_an_edit_touches():
    c = cache.TileCache()
    keys = [cache.TileKey("decisions", 10, x, 400, cleared) for x in range(800, 806)
            for cleared in (False, True)]
    for k in keys:
        c.put(k, cache.Entry(b"x", '"e"', T))
    assert c.get(keys[0], T - timedelta(seconds=1)) is not None
    assert c.get(keys[0], T) is None  # the boundary passed: rebuilt
    # an edit inside tile x=802 only (clear of its 611 m buffer), for cleared callers
    west, south, east, north = tiles.bounds(10, 802, 400)
    inner = shapely.box(west + 1000, south + 1000, east - 1000, north - 1000)  # > buffer
    dropped = c.invalidate([cache.Change(("decisions",), inner, None)])
    assert {(k.x, k.cleared) for k in dropped} == {(802, True)}
    other = c.invalidate([cache.Change(("belt",), inner, inner)])
    assert other == []


def test_cql__unknown_properties_and_wrong_types_are_refused():
    belt = collections.get("belt")
    assert cql.parse("depth_m > 500 AND province_code = '08'", None, belt) is not None
    for text in ("secret_column = 1", "depth_m = 'deep'", "province_code > 5",
                 "geometry = 1", "S_INTERSECTS(depth_m, depth_m)"):
        with pytest.raises(InvalidInput) as err:
            cql.parse(text, "cql2-text", belt)
        assert err.value.field == "filter"
    with pytest.raises(InvalidInput):
        cql.parse("depth_m > 1", "sql", belt)
