"""API workers on a real PostgreSQL streaming standby (issue 15).

A throwaway primary cluster (the embedded cluster's code, own data directory and port,
run as the server user) gets the real data from a dump of the test database; a hot
standby is made from it with ``pg_basebackup -R`` over loopback. API workers run in their
own processes (``tests/live_server.py``): a split worker (writes and key checks on the
primary, index and lists on the standby) and a read-only worker (the standby only). Only
the throwaway primary is ever stopped, never the shared test cluster.
"""

from __future__ import annotations

import shutil
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from api.auth import Authenticator
from geo.common.errors import ReadOnlyStore
from geo.common.timeutil import now
from geo.decisions.codec import decision_from_dict
from geo.store import backup, migrate
from geo.store.db import make_engine
from geo.store.decisions import repository as decisions
from geo.store.embedded import Cluster
from tests.api.decisions.decision_support import OFFICER, decision_body, revocation_body
from tests.api.security.security_support import SECRET
from tests.live_server import ROOT, live_server

LUNG_CU = "00715"  # Lũng Cú, Tuyên Quang: on the China border
POLL_S = 0.5
H = timedelta(hours=1)


def _wipe(cluster: Cluster) -> None:
    cluster.down()
    shutil.rmtree(cluster.pgdata, ignore_errors=True)
    shutil.rmtree(cluster.home, ignore_errors=True)


@pytest.fixture(scope="module")
def pair(db_url, loaded):
    """(primary cluster, primary URL, standby URL, seconds each step took)."""
    home = ROOT / ".borderzone" / f"replica-test-{uuid.uuid4().hex[:8]}"
    primary = Cluster(home / "primary", log=lambda _: None, shared_buffers="64MB")
    standby = Cluster(home / "standby", log=lambda _: None, shared_buffers="64MB")
    took = {}
    try:
        t = time.monotonic()
        primary.up(install=False)
        url = primary.url("borderzone")
        dump = backup.dump(db_url, home / "test.dump")
        migrate.ensure_database(url)
        engine = make_engine(url)
        backup.restore(url, dump, engine)
        migrate.upgrade(url)
        engine.dispose()
        took["primary_s"] = time.monotonic() - t
        t = time.monotonic()
        standby.standby_of(primary)
        took["standby_s"] = time.monotonic() - t
        yield primary, url, standby.url("borderzone"), took
    finally:
        _wipe(standby)
        _wipe(primary)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def point(pair) -> tuple[float, float]:
    """A point inside Lũng Cú (the decisions' area), from the real data."""
    engine = make_engine(pair[2], read_only=True)
    with engine.connect() as conn:
        lon, lat = conn.execute(text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM commune "
            "WHERE code = :c AND valid_to IS NULL) s"), {"c": LUNG_CU}).one()
    engine.dispose()
    return lon, lat


def _bearer() -> dict:
    token, _ = Authenticator(SECRET).mint(OFFICER)
    return {"Authorization": f"Bearer {token}"}


def _check(server, point, at, **headers) -> httpx.Response:
    return httpx.get(server.url + "/v1/check/point", headers=headers, timeout=30,
                     params={"lon": point[0], "lat": point[1], "at": at.isoformat()})


def _numbers(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [d["number"] for d in response.json()["decisions"]]


def _count(url: str, number: str) -> tuple[int, int]:
    """(decision rows, audit rows) naming ``number`` at ``url``."""
    engine = make_engine(url, read_only=True)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM decision WHERE number = :n"),
                             {"n": number}).scalar_one()
        audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity_id = :n"),
                               {"n": number}).scalar_one()
    engine.dispose()
    return found, audited


def _until(probe, timeout_s: float, step_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step_s)


def test_replica__split_worker_reads_standby_survives_primary_stop(pair, point):
    primary, primary_url, standby_url, took = pair
    start = now() - H
    at = start + 2 * H
    env = {"DATABASE_READ_URLS": standby_url, "BORDERZONE_MIN_VERSION_WAIT_S": "20"}
    t = time.monotonic()
    with live_server(primary_url, **env) as server, \
            httpx.Client(base_url=server.url, headers=_bearer(), timeout=60) as officer:
        started_s = time.monotonic() - t
        health = httpx.get(server.url + "/health").json()
        assert (health["role"], health["writes"], health["status"]) == ("replica", True, "ok")
        assert health["lag_s"] is not None and health["lag_s"] >= 0
        assert health["wal_lsn"] and "/" in health["wal_lsn"]  # e.g. 0/5A3C2B0
        before = health["index_version"]

        # 1. an act on the primary reaches the standby-backed point check
        body = decision_body("land_border_area", "commander", 24, start=start)
        written = officer.post("/v1/decisions", json=body)
        assert written.status_code == 201, written.text
        version = int(written.headers["x-index-version"])
        assert version > before
        t = time.monotonic()
        seen = _until(lambda: body["number"] in _numbers(_check(server, point, at)), 60)
        reach_s = time.monotonic() - t
        rebuilt = httpx.get(server.url + "/health").json()
        rebuild_s = rebuilt["index_build_s"] + rebuilt["index_warm_s"]
        assert seen, "the decision never reached the standby-backed worker"
        # probe interval + one index rebuild, read and prepared before its swap (twice: a
        # busy machine) + replication, first use of the new index and scheduling slack
        assert reach_s < POLL_S + 2 * rebuild_s + 4, (reach_s, rebuilt["index_build_s"],
                                                      rebuilt["index_warm_s"])

        # 2. read your writes: a second act, then a check asking for its version
        second = decision_body("land_border_area", "commander", 24, start=start)
        written = officer.post("/v1/decisions", json=second)
        assert written.status_code == 201, written.text
        wanted = written.headers["x-index-version"]
        answer = _check(server, point, at, **{"X-Min-Index-Version": wanted})
        assert second["number"] in _numbers(answer)
        assert int(answer.headers["x-index-version"]) >= int(wanted)
        assert httpx.get(server.url + "/health").json()["data_version"] >= int(wanted)

        # 3. the primary stops: checks go on from the standby, writes are refused whole
        primary.down()
        for _ in range(5):
            assert second["number"] in _numbers(_check(server, point, at))
        time.sleep(2 * POLL_S)
        health = httpx.get(server.url + "/health").json()
        assert (health["status"], health["role"]) == ("ok", "replica")
        refused = decision_body("land_border_area", "commander", 24, start=start)
        answer = officer.post("/v1/decisions", json=refused)
        assert answer.status_code == 503 and answer.headers["retry-after"], answer.text
        assert answer.json()["error"] == "unavailable"
        assert refused["number"] not in _numbers(_check(server, point, at))

        # 4. the primary is back: writes pass again and the standby catches up
        primary.up(install=False)
        revocation = revocation_body(now(), "commander")
        for _ in range(60):  # the write pool reconnects on its own (pre-ping)
            answer = officer.post(f"/v1/decisions/{second['number']}/revocation",
                                  json=revocation)
            if answer.status_code != 503:
                break
            time.sleep(0.5)
        assert answer.status_code == 201, answer.text
        wanted = answer.headers["x-index-version"]
        caught = _check(server, point, at, **{"X-Min-Index-Version": wanted})
        assert body["number"] in _numbers(caught)
        assert second["number"] not in _numbers(caught)  # revoked before `at`
        server.assert_alive()
    assert _count(primary_url, refused["number"]) == (0, 0)  # nothing half-written
    assert _count(standby_url, refused["number"]) == (0, 0)
    print(f"\nprimary from dump {took['primary_s']:.1f} s, standby {took['standby_s']:.1f} s, "
          f"worker ready {started_s:.1f} s, decision reached the check in {reach_s:.2f} s "
          f"(index rebuild {rebuild_s:.2f} s, probe {POLL_S} s)")


def test_replica__read_only_worker_refuses_writes_naming_the_primary(pair, point):
    primary, primary_url, standby_url, _ = pair
    start = now() - H
    with live_server(standby_url, BORDERZONE_READ_ONLY="true") as server:
        health = httpx.get(server.url + "/health").json()
        assert (health["role"], health["writes"], health["status"]) == ("replica", False, "ok")
        assert _check(server, point, start + 2 * H).status_code == 200
        refused = decision_body("land_border_area", "commander", 24, start=start)
        answer = httpx.post(server.url + "/v1/decisions", json=refused, headers=_bearer(),
                            timeout=30)
        assert answer.status_code == 503, answer.text
        port = primary.state()["port"]
        assert answer.json()["primary"] == f"database server 127.0.0.1:{port}"
        assert "writes go to the primary" in answer.json()["message"]
        # a caller asking for a version this replica does not have is told to retry
        behind = _check(server, point, start, **{"X-Min-Index-Version": "999999999"})
        assert behind.status_code == 503 and behind.headers["retry-after"] == "1"
        assert behind.json()["wanted"] == 999999999
        bad = _check(server, point, start, **{"X-Min-Index-Version": "soon"})
        assert bad.status_code == 422 and bad.json()["field"] == "X-Min-Index-Version"
    assert _count(primary_url, refused["number"]) == (0, 0)


def test_replica__store_refuses_writes_on_a_standby(pair):
    _, primary_url, standby_url, _ = pair
    dec = decision_from_dict(decision_body("land_border_area", "commander", 24,
                                           start=now() - H))
    marked = make_engine(standby_url, read_only=True, writes_to="https://api-primary.example")
    unmarked = make_engine(standby_url)  # a standby given as if it were a primary
    try:
        with pytest.raises(ReadOnlyStore) as named:
            decisions.issue(marked, OFFICER, dec)
        assert named.value.detail == {"primary": "https://api-primary.example"}
        with pytest.raises(ReadOnlyStore, match="read-only replica"):
            decisions.issue(unmarked, OFFICER, dec)
    finally:
        marked.dispose()
        unmarked.dispose()
    assert _count(primary_url, dec.number) == (0, 0)
