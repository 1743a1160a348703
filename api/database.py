"""Which database the service uses, resolved at start-up by the app and the CLI (settings
are only read: ``api.settings`` has no side effects)."""

from __future__ import annotations

from api.settings import Settings
from geo.store.embedded import Cluster
from geo.store.migrate import ensure_database


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
