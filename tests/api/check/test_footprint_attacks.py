"""Rebuilding a secret zone from the answers (issue 8, finding 2), against a live server on
the real data: whatever an uncleared caller samples — a dense batch grid, routes bisected
along their length, ``valid_until`` — it rebuilds the zone's public footprint, never the
zone; a cleared caller still gets the exact zone.

The secret zone is an L of two 1.2 km x 0.4 km arms laid out in EPSG:3405 inside the real
commune that holds Lạng Sơn city centre (Đông Kinh, read from the database), from the
centre of that commune's largest inscribed circle.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import httpx
import numpy as np
import pytest
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select

from geo.common import crs
from geo.common.security import Role
from geo.common.timeutil import HANOI, now, parse_instant
from geo.location.footprint import DEFAULT_SPEC, day_ceil, footprint
from geo.store.db import reading, transaction
from geo.store.models import commune, zone
from geo.store.zones.edit import add_zone
from tests.api.security.security_support import SETUP, key_header, role_keys, unique
from tests.live_server import live_server

LANG_SON = (106.7615, 21.8537)  # Lạng Sơn city centre
BASIS = "Decree 164/2018/ND-CP Art 7"
KIND = "prohibited_zone_land"


def _metric(g):
    return shapely.transform(g, lambda c: np.column_stack(crs.to_metric(c[:, 0], c[:, 1])))


def _lonlat(g):
    return shapely.transform(g, lambda c: np.column_stack(crs.from_metric(c[:, 0], c[:, 1])))


def _l_in_commune(engine):
    """The L (lon/lat) and the name of the real commune that holds it."""
    point = func.ST_SetSRID(func.ST_MakePoint(*LANG_SON), 4326)
    with reading(engine) as conn:
        row = conn.execute(select(commune.c.name, commune.c.geom).where(
            func.ST_Contains(commune.c.geom, point), commune.c.valid_to.is_(None))).first()
    # the corner of the L at the commune's deepest interior point (the centre of its
    # largest inscribed circle, > 3 km from its edge), the arms running east and north
    circle = shapely.maximum_inscribed_circle(_metric(to_shape(row.geom)))
    x, y = shapely.get_coordinates(circle)[0]
    arms = shapely.union(shapely.box(x, y, x + 1_200, y + 400),
                         shapely.box(x, y, x + 400, y + 1_200))
    shape = _lonlat(arms)
    assert to_shape(row.geom).contains(shape), "the L must lie inside the real commune"
    return shapely.MultiPolygon([shape]), row.name


@pytest.fixture(scope="module")
def secret(engine, loaded):
    shape, commune_name = _l_in_commune(engine)
    day_after_tomorrow = (now() + timedelta(days=2)).date()
    ends = datetime.combine(day_after_tomorrow, time(15, 23, 17), tzinfo=HANOI)
    with transaction(engine) as conn:
        zid = add_zone(conn, SETUP, kind=KIND, name=unique("Khu cấm chữ L"),
                       authority="Bộ Quốc phòng", legal_basis=BASIS, sensitivity="secret",
                       geom=shape, valid_from=now() - timedelta(days=3), valid_to=ends,
                       province_code="20")
    yield {"id": str(zid), "shape": shape, "ends": ends, "commune": commune_name,
           "footprint": footprint(shape, DEFAULT_SPEC)}
    with transaction(engine) as conn:
        conn.execute(delete(zone).where(zone.c.id == zid))


@pytest.fixture(scope="module")
def server(db_url, engine, secret):
    with role_keys(engine, (Role.OFFICER, Role.ADMIN)) as keys, \
            live_server(db_url) as srv, httpx.Client(base_url=srv.url, timeout=120) as client:
        yield client, keys, srv


def _grid(bounds, n_side: int):
    west, south, east, north = bounds
    lon, lat = np.meshgrid(np.linspace(west, east, n_side), np.linspace(south, north, n_side))
    return lon.ravel(), lat.ravel()


def _batch_inside(client, lon, lat, headers=None) -> np.ndarray:
    """Per point: did the answer put it in a prohibited zone? (one anonymous batch)"""
    body = "id,lon,lat\n" + "".join(f"{i},{x!r},{y!r}\n" for i, (x, y) in
                                     enumerate(zip(lon.tolist(), lat.tolist(), strict=True)))
    answer = client.post("/v1/check/batch", content=body.encode(),
                         headers={"content-type": "text/csv", **(headers or {})})
    assert answer.status_code == 200, answer.text[:500]
    rows = [httpx.Response(200, content=line).json() for line in answer.text.splitlines()]
    assert [r["id"] for r in rows] == [str(i) for i in range(len(lon))]
    hits = [[z for z in r["zones"] if z["kind"] == KIND] for r in rows]
    extents = {z["extent"] for h in hits for z in h}
    return np.array([bool(h) for h in hits]), extents


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_dense_batch__rebuilds_the_footprint_not_the_zone(server, secret):
    client, keys, srv = server
    cover, shape = secret["footprint"], secret["shape"]
    west, south, east, north = cover.bounds
    pad = 0.004  # ~400 m around the footprint
    lon, lat = _grid((west - pad, south - pad, east + pad, north + pad), 200)  # 40,000
    pts = shapely.points(lon, lat)
    in_cover, in_zone = shapely.covers(cover, pts), shapely.covers(shape, pts)
    seen, extents = _batch_inside(client, lon, lat)
    srv.assert_alive()
    assert extents == {"generalised"}
    assert seen[in_zone].all()  # what is rebuilt contains the zone
    assert _iou(seen, in_cover) == 1.0  # ... and is exactly the footprint
    assert _iou(seen, in_zone) < 0.1  # the 0.8 km2 L in 11 km cells: ~0.07
    # no point reported outside lies closer to the zone than the footprint's margin
    outside = _metric(shapely.multipoints(pts[~seen]))
    assert outside.distance(_metric(shape)) > DEFAULT_SPEC.margin_m - 1.0
    # a cleared caller, same points: the exact zone
    exact, extents = _batch_inside(client, lon, lat, key_header(keys[Role.OFFICER]))
    assert extents == {"exact"}
    assert _iou(exact, in_zone) == 1.0


def _route(client, a, b, headers=None, times=None) -> dict:
    body = {"geometry": {"type": "LineString", "coordinates": [list(a), list(b)]}}
    if times:
        body["times"] = times
    answer = client.post("/v1/check", json=body, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _hit(answer: dict) -> dict | None:
    found = [z for z in answer["zones"] if z["kind"] == KIND]
    return found[0] if found else None


def test_route_bisection__locates_only_the_footprint_edge(server, secret):
    """Routes along the L's east arm, from 3 km west: bisect the route's end until the zone
    just appears (28 requests, ~1 cm), then read the entry point and its time."""
    client, keys, _ = server
    cover, shape = secret["footprint"], secret["shape"]
    arm = _metric(shape).bounds
    y = arm[1] + 200  # the middle of the east arm
    start = _lonlat(shapely.Point(arm[0] - 3_000, y))
    far = _lonlat(shapely.Point(arm[0] + 600, y))
    a, b = (start.x, start.y), (far.x, far.y)
    lo, hi = 0.0, 1.0
    for _ in range(28):
        mid = (lo + hi) / 2
        end = (a[0] + (b[0] - a[0]) * mid, a[1] + (b[1] - a[1]) * mid)
        lo, hi = (lo, mid) if _hit(_route(client, a, end)) else (mid, hi)
    edge = shapely.Point(a[0] + (b[0] - a[0]) * hi, a[1] + (b[1] - a[1]) * hi)
    assert _metric(edge).distance(_metric(cover.boundary)) < 0.05  # the footprint's edge
    assert _metric(edge).distance(_metric(shape)) > DEFAULT_SPEC.margin_m - 1.0
    t0 = now().replace(microsecond=0)
    times = [t0.isoformat(), (t0 + timedelta(hours=1)).isoformat()]
    answer = _route(client, a, (far.x, far.y), times=times)
    hit = _hit(answer)
    assert hit["extent"] == "generalised" and hit["id"] is None
    entry = shapely.Point(hit["entry"]["lon"], hit["entry"]["lat"])
    assert _metric(entry).distance(_metric(edge)) < 0.05
    expected = t0 + timedelta(hours=hit["entry"]["along_m"] / answer["length_m"])
    assert abs((parse_instant(hit["entry"]["time"]) - expected).total_seconds()) < 0.01
    cleared = _hit(_route(client, a, (far.x, far.y), key_header(keys[Role.ADMIN]), times))
    exact_entry = shapely.Point(cleared["entry"]["lon"], cleared["entry"]["lat"])
    assert _metric(exact_entry).distance(_metric(shape.boundary)) < 0.05
    assert cleared["extent"] == "exact" and cleared["id"] == secret["id"]
    assert cleared["entry"]["along_m"] - hit["entry"]["along_m"] > 400


def test_valid_until__reaches_uncleared_callers_to_the_day(server, secret):
    client, keys, _ = server
    lon, lat = shapely.get_coordinates(secret["shape"].representative_point())[0]
    body = {"geometry": {"type": "Point", "coordinates": [lon, lat]}}
    public = client.post("/v1/check", json=body).json()
    cleared = client.post("/v1/check", json=body, headers=key_header(keys[Role.OFFICER])).json()
    ends = secret["ends"]
    assert parse_instant(cleared["valid_until"]) == ends  # 15:23:17 on the day after tomorrow
    assert parse_instant(public["valid_until"]) == day_ceil(ends)
    assert public["valid_until"].endswith("T00:00:00+07:00")
    [pz] = [z for z in public["points"][0]["zones"] if z["kind"] == KIND]
    [cz] = [z for z in cleared["points"][0]["zones"] if z["kind"] == KIND]
    assert parse_instant(pz["valid_to"]) == day_ceil(ends) and pz["id"] is None
    assert parse_instant(cz["valid_to"]) == ends and cz["id"] == secret["id"]
    assert pz.keys() == cz.keys() and pz["extent_note"] and cz["extent_note"] is None
    # asked at 18:00 on the last day (after the real end), the footprint is still in force
    late = datetime.combine(ends.date(), time(18), tzinfo=HANOI).isoformat()
    point = client.get("/v1/check/point", params={"lon": lon, "lat": lat, "at": late}).json()
    assert [z["extent"] for z in point["zones"] if z["kind"] == KIND] == ["generalised"]
    point = client.get("/v1/check/point", params={"lon": lon, "lat": lat, "at": late},
                       headers=key_header(keys[Role.OFFICER])).json()
    assert not [z for z in point["zones"] if z["kind"] == KIND]
