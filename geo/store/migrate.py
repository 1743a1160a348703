"""Schema management: alembic is the only path to the schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from geo.store.db import unavailable

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
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
