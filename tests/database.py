"""A database of its own for every test run, copied from a template that holds the real data.

Tests commit legal records (decisions, zones, users) that can never be deleted, so a run
that shared its database with earlier runs would see their rows. Each run therefore gets
``<base>_run_<pid>_<random>``, made with ``CREATE DATABASE … TEMPLATE`` from
``<base>_template`` (a file copy of ~60 MB, well under a second), and drops it at the end.

The template is brought to the alembic head and loaded with the real data (a no-op when the
files did not change: the loader records what it loaded) under a server-wide advisory
lock, so two runs against the same cluster, or the same BORDERZONE_TEST_DATABASE_URL, take
turns at it and then run side by side, each in its own database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from geo.store import migrate
from geo.store.db import make_engine
from geo.store.zones.load import Loader

LOCK = "borderzone-test-template"


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_abandoned(base_url: str, prefix: str) -> None:
    """Drop the run databases of test processes on this host that died without cleaning up
    (a database on another host's server is left alone: its pid means nothing here)."""
    if make_url(base_url).host not in {"127.0.0.1", "localhost", "::1"}:
        return
    for name in migrate.databases(base_url, prefix):
        pid = name[len(prefix):].split("_", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            migrate.drop_database(_with_database(base_url, name))


def _template(base_url: str, data_dir: Path) -> str:
    """The template's URL, migrated and loaded (call under the lock)."""
    url = _with_database(base_url, f"{make_url(base_url).database}_template")
    migrate.ensure_database(url)
    try:
        migrate.upgrade(url)
    except Exception:  # noqa: BLE001 - a template from another branch's migrations: rebuild
        migrate.drop_database(url)
        migrate.ensure_database(url)
        migrate.upgrade(url)
    engine = make_engine(url)
    try:
        Loader(engine, data_dir, log=lambda _: None).run()
    finally:
        engine.dispose()
    return url


def create_run_database(base_url: str, data_dir: Path) -> str:
    """A new database for this run, with the schema at head and the real data loaded."""
    base = make_url(base_url).database
    prefix = f"{base}_run_"
    with migrate.ServerLock(base_url, LOCK):
        _drop_abandoned(base_url, prefix)
        template = _template(base_url, data_dir)
        name = f"{prefix}{os.getpid()}_{secrets.token_hex(3)}"
        return migrate.clone_database(template, name)
