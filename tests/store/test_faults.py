"""Faults, for real, on a private throwaway cluster (never the shared test cluster):

* a connection killed in the middle of a multi-statement write leaves nothing behind, at
  the store level and through the HTTP API;
* the database stopped during a load gives clear 503s (no 500, no stack trace); started
  again, the same app serves checks and writes again without a restart.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import shapely
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from sqlalchemy import func, insert, select, text

from api.app import create_app
from geo.common.errors import StoreUnavailable
from geo.common.security import Principal, Role
from geo.store import migrate, users
from geo.store.db import make_engine, transaction
from geo.store.embedded import Cluster
from geo.store.models import app_user, audit_log, territory
from tests.api.security.security_support import ensure_user, settings

ADMIN = Principal("fault-admin", frozenset({Role.ADMIN}))
POINT = {"lon": 105.85, "lat": 21.03}


@pytest.fixture(scope="module")
def fault_db(tmp_path_factory):
    """A new private cluster on a free port, migrated, with one territory polygon."""
    cluster = Cluster(tmp_path_factory.mktemp("faultdb"), log=lambda _: None)
    cluster.up()
    url = cluster.url("borderzone_faults")
    try:
        migrate.ensure_database(url)
        migrate.upgrade(url)
        engine = make_engine(url)
        with transaction(engine) as conn:
            land = shapely.MultiPolygon([shapely.box(102.0, 8.0, 110.0, 23.5)])
            conn.execute(insert(territory).values(name="Việt Nam (test box)",
                                                  source="land_polygon",
                                                  geom=from_shape(land, 4326)))
        yield cluster, url, engine
        engine.dispose()
    finally:
        cluster.down()
        relocated = (cluster.home / "pgdata-location").exists()  # root: data outside tmp
        shutil.rmtree(cluster.pgdata.parent if relocated else cluster.pgdata,
                      ignore_errors=True)


def _rows_for(engine, name: str) -> tuple[int, int]:
    """(users named ``name``, audit entries about it)."""
    with engine.connect() as conn:
        n_users = conn.execute(select(func.count()).select_from(app_user)
                               .where(app_user.c.name == name)).scalar_one()
        n_audit = conn.execute(select(func.count()).select_from(audit_log)
                               .where(audit_log.c.entity_id == name)).scalar_one()
    return n_users, n_audit


def _terminate(engine, pid: int) -> None:
    with engine.connect() as killer:
        assert killer.execute(select(func.pg_terminate_backend(pid))).scalar_one()


def test_faults__connection_killed_mid_write_leaves_nothing(fault_db):
    _, _, engine = fault_db
    name = f"killed-{uuid.uuid4().hex[:8]}"
    with pytest.raises(StoreUnavailable), transaction(engine) as conn:
        users.create_user(conn, ADMIN, name, ["planner"])  # user row + audit row written
        _terminate(engine, conn.execute(select(func.pg_backend_pid())).scalar_one())
        users.add_key(conn, ADMIN, name)  # the next statement finds the connection dead
    assert _rows_for(engine, name) == (0, 0)
    with transaction(engine) as conn:  # the pool recovers: the same write now succeeds
        users.create_user(conn, ADMIN, name, ["planner"])
    assert _rows_for(engine, name) == (1, 1)


def _blocked_writer_pid(engine, timeout_s: float = 10.0) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            pid = conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE 'INSERT INTO audit_log%'")).scalar()
        if pid:
            return int(pid)
        time.sleep(0.05)
    raise AssertionError("the API's write never reached the audit insert")


def test_faults__api_write_killed_between_statements_is_all_or_nothing(fault_db):
    _, url, engine = fault_db
    app = create_app(settings(), url=url)
    name = f"api-killed-{uuid.uuid4().hex[:8]}"
    with TestClient(app) as client, ThreadPoolExecutor(1) as pool:
        ensure_user(engine, ADMIN)
        token = app.state.auth.mint(ADMIN)[0]
        auth = {"Authorization": f"Bearer {token}"}
        with engine.connect() as locker:
            locker.begin()
            locker.execute(text("LOCK TABLE audit_log IN SHARE MODE"))  # inserts must wait
            pending = pool.submit(client.post, "/v1/admin/users", headers=auth,
                                  json={"name": name, "roles": ["planner"]})
            _terminate(engine, _blocked_writer_pid(engine))  # user row in, audit row waiting
            locker.rollback()
        answer = pending.result(timeout=30)
        assert answer.status_code == 503 and answer.json()["error"] == "unavailable"
        assert _rows_for(engine, name) == (0, 0)
        again = client.post("/v1/admin/users", headers=auth,
                            json={"name": name, "roles": ["planner"]})
        assert again.status_code == 201
        assert _rows_for(engine, name) == (1, 1)


class Load:
    """Checks and writes from four threads, every answer kept with the phase it fell in."""

    def __init__(self, client, auth: dict):
        self.client, self.auth = client, auth
        self.phase = "up"
        self.answers: list[tuple[str, str, int, str]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(4)]

    def _one(self, i: int, n: int) -> tuple[str, int, str]:
        if i % 2:
            r = self.client.post("/v1/admin/users", headers=self.auth,
                                 json={"name": f"load-{i}-{n}-{uuid.uuid4().hex[:6]}",
                                       "roles": ["app"]})
            return "write", r.status_code, r.text
        r = self.client.get("/v1/check/point", params=POINT)
        return "check", r.status_code, r.text

    def _run(self, i: int) -> None:
        n = 0
        while not self._stop.is_set():
            phase = self.phase
            kind, status, body = self._one(i, n)
            self.answers.append((phase, kind, status, body))
            n += 1
            time.sleep(0.02)

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)

    def seen(self, phase: str, kind: str, status: int) -> bool:
        return any(a[:3] == (phase, kind, status) for a in list(self.answers))


def _until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_faults__database_stopped_under_load_503_then_recovers(fault_db):
    cluster, url, engine = fault_db
    app = create_app(settings(index_poll_s=0.5), url=url)
    with TestClient(app) as client:
        ensure_user(engine, ADMIN)
        auth = {"Authorization": f"Bearer {app.state.auth.mint(ADMIN)[0]}"}
        with Load(client, auth) as load:
            _until(lambda: load.seen("up", "check", 200) and load.seen("up", "write", 201),
                   15, "answers while the database is up")
            load.phase = "down"
            cluster.down()
            _until(lambda: load.seen("down", "check", 503) and load.seen("down", "write", 503),
                   20, "503s while the database is down")
            load.phase = "restarted"
            cluster.up()
            _until(lambda: load.seen("restarted", "check", 200)
                   and load.seen("restarted", "write", 201), 30, "recovery without restart")
        assert client.get("/health").json()["database"] is True
    statuses = {a[2] for a in load.answers}
    assert statuses <= {200, 201, 503}, statuses
    for _phase, _kind, status, body in load.answers:
        if status == 503:
            assert '"error":"unavailable"' in body.replace(" ", ""), body
            assert "Traceback" not in body and "File \"" not in body
