"""Schema management: alembic is the only path to the schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from geo.store.db import unavailable

if TYPE_CHECKING:  # alembic is imported when used: `borderzone check` never migrates
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` (and PostGIS in it) if missing; True if created."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": target.database}).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')  # name, not data
    finally:
        admin.dispose()
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    finally:
        engine.dispose()
    return not exists


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema at ``url`` to ``revision`` (default: every head)."""
    try:
        from alembic import command

        command.upgrade(alembic_config(url), revision)
    except OperationalError as exc:
        raise unavailable(exc) from exc


def current(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            has = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            if not has:
                return None
            heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return ",".join(sorted(heads)) or None
    finally:
        engine.dispose()


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


def clone_database(template_url: str, name: str) -> str:
    """A new database ``name`` copied from the one at ``template_url`` (which must have no
    other connection); returns its URL. A file copy: cheap for our ~60 MB databases."""
    template = make_url(template_url)
    admin = _admin(template_url)
    try:
        with admin.connect() as conn:  # names are checked above, never caller data
            conn.exec_driver_sql(f"CREATE DATABASE {_quoted(name)} TEMPLATE "
                                 f"{_quoted(template.database)} STRATEGY FILE_COPY")
    finally:
        admin.dispose()
    return template.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database at ``url``, closing its connections first."""
    admin = _admin(url)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"DROP DATABASE IF EXISTS {_quoted(make_url(url).database)} WITH (FORCE)")
    finally:
        admin.dispose()


def databases(url: str, prefix: str) -> list[str]:
    """Names of the databases on the server of ``url`` that start with ``prefix``."""
    admin = _admin(url)
    try:
        with admin.connect() as conn:
            return list(conn.execute(text(
                "SELECT datname FROM pg_database WHERE starts_with(datname, :p)"),
                {"p": prefix}).scalars())
    finally:
        admin.dispose()


class ServerLock:
    """A session-level advisory lock on the server of ``url`` (held on the ``postgres``
    database), so that processes sharing a cluster take turns at one job."""

    def __init__(self, url: str, name: str):
        self.engine = _admin(url)
        self.name = name
        self.conn = None

    def __enter__(self) -> ServerLock:
        self.conn = self.engine.connect()
        self.conn.execute(text("SELECT pg_advisory_lock(hashtext(:n))"), {"n": self.name})
        return self

    def __exit__(self, *exc) -> None:
        self.conn.execute(text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": self.name})
        self.conn.close()
        self.engine.dispose()
