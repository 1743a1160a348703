"""Which database the service uses, resolved at start-up by the app and the CLI (settings
are only read: ``api.settings`` has no side effects)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from api.settings import Settings
from geo.store.db import make_engine
from geo.store.embedded import Cluster
from geo.store.migrate import ensure_database, upgrade


def start_database(settings: Settings, *, log=print) -> str:
    """The primary's SQLAlchemy URL: ``DATABASE_URL`` when set; otherwise the embedded
    cluster under ``BORDERZONE_HOME``, started now (installed first if need be), and its
    database, created if missing."""
    if settings.database_url:
        url = settings.database_url
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    cluster = Cluster(settings.state_dir, log=log)
    cluster.up(install=settings.install_postgres)
    url = cluster.url(settings.db_name)
    ensure_database(url)
    return url


@contextmanager
def store_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the primary, its schema brought to head, disposed afterwards: what a
    CLI command that reads or writes the store opens once."""
    url = start_database(settings, log=lambda _: None)
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
