"""Helpers for the security tests: settings, committed users with keys, cleanup.

The test database is shared by the whole suite (and by other people's runs), so every user
made here has a unique name and is removed again; audit entries stay (append-only).
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import make_url

from api.settings import Settings
from geo.common.security import Principal, Role
from geo.store import migrate, users
from geo.store.db import transaction
from geo.store.models import api_key, app_user

SECRET = "test-secret-" + "x" * 40
SETUP = Principal(subject="test-setup", roles=frozenset({Role.ADMIN}))
#: Every role, and the province / gate-type grant a test user of that role gets.
GRANTS = {
    Role.PUBLIC: ((), ()),
    Role.APP: ((), ()),
    Role.PLANNER: ((), ()),
    Role.SURVEYOR: (("20",), ()),
    Role.OFFICER: (("20",), ()),
    Role.APPROVER: (("20",), ("main", "auxiliary")),
    Role.ADMIN: ((), ()),
}


def settings(**overrides) -> Settings:
    """Test settings: a fixed secret, the API-key cache on as in production (its default
    lifetime), no rate limit unless asked for."""
    base = Settings(BORDERZONE_JWT_SECRET=SECRET, BORDERZONE_ENV="test",
                    BORDERZONE_RATE_PER_S=0, BORDERZONE_INDEX_POLL_S=0.5)
    return base.model_copy(update=overrides)


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_user(engine, role: Role, *, provinces=None, gate_types=None,
              name: str | None = None) -> tuple[str, str]:
    """A committed user of ``role`` with one key: (name, key)."""
    default_provinces, default_gates = GRANTS[role]
    name = name or unique(role.value)
    with transaction(engine) as conn:
        users.create_user(conn, SETUP, name, [role.value],
                          list(default_provinces if provinces is None else provinces),
                          list(default_gates if gate_types is None else gate_types))
        key, _ = users.add_key(conn, SETUP, name)
    return name, key


def drop_users(engine, names) -> None:
    """Remove users (and their keys) made by a test."""
    names = list(names)
    if not names:
        return
    with transaction(engine) as conn:
        ids = select(app_user.c.id).where(app_user.c.name.in_(names))
        conn.execute(delete(api_key).where(api_key.c.user_id.in_(ids)))
        conn.execute(delete(app_user).where(app_user.c.name.in_(names)))


def ensure_user(engine, principal: Principal) -> None:
    """A committed, active user named after ``principal`` (bearer tokens are refused for
    users that do not exist); its grant as the principal's, if it is new."""
    with transaction(engine) as conn:
        conn.execute(insert(app_user).values(
            name=principal.subject, roles=sorted(r.value for r in principal.roles),
            provinces=sorted(principal.provinces), gate_types=sorted(principal.gate_types))
            .on_conflict_do_nothing(index_elements=["name"]))


@contextmanager
def role_keys(engine, roles=tuple(Role)):
    """One committed user + key per role, removed afterwards: {role: key}."""
    made = {role: make_user(engine, role) for role in roles}
    try:
        yield {role: key for role, (_, key) in made.items()}
    finally:
        drop_users(engine, [name for name, _ in made.values()])


def key_header(key: str) -> dict:
    return {"X-API-Key": key}


@contextmanager
def throwaway_db(db_url: str, label: str):
    """A new empty database (with PostGIS) in the test cluster, dropped afterwards."""
    url = make_url(db_url).set(database=f"bz_{label}_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    migrate.ensure_database(rendered)
    try:
        yield rendered
    finally:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # a name made above, not input
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        admin.dispose()
