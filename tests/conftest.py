"""Shared fixtures: a real PostGIS test database with the real boundary data loaded.

Each run has a database of its own (``tests/database.py``), copied from a template in the
embedded cluster (or on the server of BORDERZONE_TEST_DATABASE_URL) and dropped at the end,
so runs never see each other's rows and two runs can go at once.
No test may be skipped: a skip fails the run, so a missing database can never pass silently.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from geo.store import migrate
from geo.store.db import make_engine
from geo.store.embedded import Cluster
from geo.store.zones.load import Loader
from tests.database import create_run_database

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BORDERZONE_SHARED_DIR", ROOT.parent / "shared"))
DATA_DIR = Path(os.environ.get("BORDERZONE_DATA_DIR", SHARED / "data"))

_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_collectreport(report):
    """A module skipped while collecting (``importorskip``, a module-level ``skip``) counts
    as a skip too: otherwise a missing dependency would silently drop a whole file."""
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped)} test(s) were skipped; skips are not allowed here: "
            + ", ".join(_skipped[:10]), red=True)


@pytest.fixture(scope="module", autouse=True)
def _release_memory():
    """After each module: collect what its apps, indexes and clients left in cycles, so the
    suite's memory stays that of one module, not the sum of all."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    home = Path(os.environ.get("BORDERZONE_HOME", ROOT / ".borderzone"))
    c = Cluster(home, log=lambda _: None)
    if not os.environ.get("BORDERZONE_TEST_DATABASE_URL"):
        c.up()
    return c


@pytest.fixture(scope="session")
def db_url(cluster: Cluster):
    """This run's own database: schema at head, real data loaded; dropped at the end."""
    base = os.environ.get("BORDERZONE_TEST_DATABASE_URL") or cluster.url("borderzone_test")
    url = create_run_database(base, DATA_DIR)
    yield url
    migrate.drop_database(url)


@pytest.fixture(scope="session")
def engine(db_url: str):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def loaded(engine) -> dict:
    """The real data, loaded once (a no-op when the files did not change)."""
    report = Loader(engine, DATA_DIR, log=lambda _: None).run()
    return report.counts


@pytest.fixture()
def conn(engine, loaded):
    """A connection inside a transaction that is rolled back when the test ends."""
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection
        finally:
            trans.rollback()


@pytest.fixture(scope="session")
def index(engine, loaded):
    from geo.store.zones.snapshot import build_index

    return build_index(engine)


def count(connection, table: str) -> int:
    return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # test-only
