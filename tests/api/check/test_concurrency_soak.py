"""Concurrency attacks on a live server (issue: an anonymous caller could crash the process).

Several threads send point checks, VN-2000 batches and routes at once while an officer
issues, extends and revokes decisions, so the zone index is rebuilt and re-warmed under
load. The server must stay up, and every answer must equal the one computed for the same
input at the same index version (``X-Index-Version``): by the other threads, and by a
single thread before and after the load.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta

import httpx
import numpy as np
import pytest
import shapely
from sqlalchemy import text

from geo.common import crs
from geo.common.security import Role
from geo.common.timeutil import HANOI
from tests.api.decisions.decision_support import decision_body, extension_body, revocation_body
from tests.api.security.security_support import drop_users, key_header, make_user
from tests.live_server import live_server

LUNG_CU = "00715"  # Lũng Cú, on the China border: the decisions' commune
AT = datetime(2025, 9, 1, 9, 0, tzinfo=HANOI)  # inside every decision written below
SOAK_S = 40.0
H = timedelta(hours=1)


@pytest.fixture(scope="module")
def probes(engine, loaded) -> dict:
    """Points drawn (seeded) over Lũng Cú's bounding box and along the real border line
    nearby, and routes crossing the commune, from the loaded data."""
    with engine.connect() as conn:
        west, south, east, north = conn.execute(text(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM commune "
            "WHERE code = :c AND valid_to IS NULL"), {"c": LUNG_CU}).one()
    rng = np.random.default_rng(112)
    lon = rng.uniform(west - 0.02, east + 0.02, 400)
    lat = rng.uniform(south - 0.02, north + 0.02, 400)
    routes = []
    for k in range(12):
        a = (west + (east - west) * k / 12, south - 0.01)
        b = (east - (east - west) * k / 12, north + 0.01)
        routes.append({"type": "LineString",
                       "coordinates": [list(a), [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + 0.003],
                                       list(b)]})
    return {"points": list(zip(lon.tolist(), lat.tolist(), strict=True)), "routes": routes}


def _vn2000_csv(points: list[tuple[float, float]]) -> str:
    e, n = crs.to_metric(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    rows = [f"p{i},{x:.3f},{y:.3f}" for i, (x, y) in enumerate(zip(e, n, strict=True))]
    return "id,lon,lat\n" + "\n".join(rows) + "\n"


class Recorder:
    """Answers by (kind, input, index version); a failed request is recorded too."""

    def __init__(self):
        self.answers: dict[tuple, set] = defaultdict(set)
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def add(self, kind: str, key, response: httpx.Response) -> None:
        with self.lock:
            if response.status_code != 200:
                self.errors.append(f"{kind} {key}: {response.status_code} {response.text[:200]}")
                return
            version = int(response.headers["x-index-version"])
            self.answers[(kind, key, version)].add(response.text)

    @property
    def versions(self) -> set[int]:
        return {version for _, _, version in self.answers}


def _point(client: httpx.Client, rec: Recorder, i: int, p) -> None:
    r = client.get("/v1/check/point", params={"lon": p[0], "lat": p[1], "at": AT.isoformat()})
    rec.add("point", i, r)


def _route(client: httpx.Client, rec: Recorder, i: int, route: dict) -> None:
    r = client.post("/v1/check", json={"geometry": route, "at": AT.isoformat()})
    rec.add("route", i, r)


def _batch(client: httpx.Client, rec: Recorder, i: int, body: str) -> None:
    r = client.post("/v1/check/batch", params={"crs": "EPSG:3405", "at": AT.isoformat()},
                    content=body.encode(), headers={"content-type": "text/csv"})
    rec.add("batch", i, r)


def _sequential(server, rec: Recorder, probes: dict, batches: list[str]) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for i, p in enumerate(probes["points"][:100]):
            _point(client, rec, i, p)
        for i, route in enumerate(probes["routes"]):
            _route(client, rec, i, route)
        for i, body in enumerate(batches):
            _batch(client, rec, i, body)


def _readers(server, rec: Recorder, probes: dict, batches: list[str], stop: threading.Event):
    def points(offset: int):
        with httpx.Client(base_url=server.url, timeout=60) as client:
            k = offset
            while not stop.is_set():
                _point(client, rec, k % 100, probes["points"][k % 100])
                k += 7

    def routes():
        with httpx.Client(base_url=server.url, timeout=60) as client:
            k = 0
            while not stop.is_set():
                _route(client, rec, k % len(probes["routes"]), probes["routes"][k % 12])
                k += 1

    def vn2000():
        with httpx.Client(base_url=server.url, timeout=120) as client:
            k = 0
            while not stop.is_set():
                _batch(client, rec, k % len(batches), batches[k % len(batches)])
                k += 1

    return [threading.Thread(target=points, args=(0,)), threading.Thread(target=points, args=(3,)),
            threading.Thread(target=routes), threading.Thread(target=vn2000),
            threading.Thread(target=vn2000)]


def _writer(server, key: str, stop: threading.Event, acts: list[str]):
    """Issue, extend and revoke decisions over Lũng Cú until told to stop."""
    def run():
        with httpx.Client(base_url=server.url, timeout=60, headers=key_header(key)) as client:
            while not stop.is_set():
                start = AT - 2 * H
                body = decision_body("land_border_area", "commander", 24, start=start)
                r = client.post("/v1/decisions", json=body)
                acts.append(f"issue {r.status_code} {r.text[:160]}")
                number = body["number"]
                ext = extension_body(start + 48 * H, "committee", start + 23 * H)
                r = client.post(f"/v1/decisions/{number}/extensions", json=ext)
                acts.append(f"extend {r.status_code} {r.text[:160]}")
                rev = revocation_body(start + 30 * H, "commander")
                r = client.post(f"/v1/decisions/{number}/revocation", json=rev)
                acts.append(f"revoke {r.status_code} {r.text[:160]}")
                stop.wait(0.5)

    return threading.Thread(target=run)


def _same_version_same_answer(rec: Recorder) -> None:
    differing = [key for key, bodies in rec.answers.items() if len(bodies) != 1]
    assert not differing, f"{len(differing)} inputs answered differently at one version, " \
                          f"e.g. {differing[:3]}"


def test_soak__checks_batches_routes_and_decisions_at_once(db_url, engine, probes):
    name, key = make_user(engine, Role.OFFICER, provinces=("08",))
    points = probes["points"]
    batches = [_vn2000_csv(points[k:k + 100] * 40) for k in (0, 100, 200)]  # 4,000 rows
    try:
        with live_server(db_url) as server:
            rec, acts = Recorder(), []
            _sequential(server, rec, probes, batches)
            first = rec.versions
            stop = threading.Event()
            threads = [*_readers(server, rec, probes, batches, stop),
                       _writer(server, key, stop, acts)]
            for t in threads:
                t.start()
            deadline = time.monotonic() + SOAK_S
            while time.monotonic() < deadline:
                server.assert_alive()
                time.sleep(0.5)
            stop.set()
            for t in threads:
                t.join(timeout=120)
            server.assert_alive()
            time.sleep(2.0)  # the index catches up with the last write
            _sequential(server, rec, probes, batches)
            server.assert_alive()
    finally:
        drop_users(engine, [name])
    assert not rec.errors, rec.errors[:5]
    assert all(a.split()[1] in {"200", "201"} for a in acts), acts[:6]
    assert len(acts) >= 9  # at least three issue / extend / revoke rounds
    assert len(first) == 1 and len(rec.versions) >= 4  # rebuilt under load, several times
    served = {kind for kind, _, _ in rec.answers}
    assert served == {"point", "route", "batch"}
    _same_version_same_answer(rec)


def test_soak__four_vn2000_batches_of_50000_points_three_rounds(db_url, index):
    # The reported crash: four concurrent EPSG:3405 batches of 50,000 points each, spread
    # over Vietnam's extent (so every answer measures its distance to the border line).
    # Before the fix this killed the server (SIGSEGV) or returned answers that differed.
    west, south, east, north = shapely.total_bounds(index.territory.geoms)
    rng = np.random.default_rng(3405)
    points = list(zip(rng.uniform(west, east, 50_000).tolist(),
                      rng.uniform(south, north, 50_000).tolist(), strict=True))
    body = _vn2000_csv(points)
    with live_server(db_url) as server:
        for _ in range(3):
            results: list[httpx.Response] = []

            def post(results=results):
                with httpx.Client(base_url=server.url, timeout=300) as client:
                    results.append(client.post(
                        "/v1/check/batch", params={"crs": "EPSG:3405", "at": AT.isoformat()},
                        content=body.encode(),
                        headers={"content-type": "text/csv", "accept": "text/csv"}))

            threads = [threading.Thread(target=post) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            server.assert_alive()
            assert [r.status_code for r in results] == [200] * 4
            assert len({r.text for r in results}) == 1  # four identical answers
            rows = list(csv.DictReader(io.StringIO(results[0].text)))
            assert len(rows) == 50_000
            inside = shapely.contains_xy(shapely.union_all(index.territory.geoms),
                                         *np.array(points).T)
            assert sum(row["surface"] == "land" for row in rows) == int(inside.sum())
