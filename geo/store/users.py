"""Users and their API keys. Keys are stored as SHA-256 hashes; the key itself is returned
once, by ``add_key``, and never again.

Writes take the acting principal and record themselves in the audit log in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from geo.errors import Conflict, NotFound
from geo.security import (
    Principal,
    Role,
    hash_api_key,
    key_id_of,
    new_api_key,
    parse_roles,
    validate_grant,
)
from geo.store import audit
from geo.store.models import api_key, app_user


def _user_dict(row: RowMapping) -> dict:
    return {"name": row["name"], "roles": sorted(row["roles"]),
            "provinces": sorted(row["provinces"]), "gate_types": sorted(row["gate_types"]),
            "active": row["active"], "created_at": row["created_at"]}


def _key_dict(row: RowMapping) -> dict:
    return {"key_id": row["key_id"], "created_at": row["created_at"],
            "revoked_at": row["revoked_at"]}


def create_user(conn: Connection, actor: Principal, name: str, roles: Sequence[str],
                provinces: Sequence[str] = (), gate_types: Sequence[str] = ()) -> dict:
    """A new user with its grant; Conflict if the name is taken."""
    granted = parse_roles(roles)
    validate_grant(name, granted, frozenset(provinces), frozenset(gate_types))
    if conn.execute(select(app_user.c.id).where(app_user.c.name == name)).first():
        raise Conflict(f"user {name} exists", field="name")
    row = conn.execute(insert(app_user).values(
        name=name, roles=sorted(r.value for r in granted), provinces=sorted(set(provinces)),
        gate_types=sorted(set(gate_types))).returning(app_user)).mappings().one()
    user = _user_dict(row)
    audit.record(conn, actor, "user.create", "app_user", name, None, user)
    return user


def get_user(conn: Connection, name: str) -> dict:
    row = conn.execute(select(app_user).where(app_user.c.name == name)).mappings().first()
    if row is None:
        raise NotFound(f"no user {name}", field="name")
    return _user_dict(row)


def list_users(conn: Connection) -> list[dict]:
    """Every user with the number of its usable keys, by name."""
    live = func.count(api_key.c.id).filter(api_key.c.revoked_at.is_(None)).label("keys")
    stmt = (select(app_user, live).outerjoin(api_key, api_key.c.user_id == app_user.c.id)
            .group_by(app_user.c.id).order_by(app_user.c.name))
    return [{**_user_dict(r), "keys": r["keys"]} for r in conn.execute(stmt).mappings()]


def _user_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(app_user.c.id).where(app_user.c.name == name)).scalar()
    if found is None:
        raise NotFound(f"no user {name}", field="name")
    return int(found)


def add_key(conn: Connection, actor: Principal, name: str) -> tuple[str, dict]:
    """A new API key for ``name``: (the key — show it once —, its listing entry)."""
    user_id = _user_id(conn, name)
    key = new_api_key()
    row = conn.execute(insert(api_key).values(
        user_id=user_id, key_id=key_id_of(key), key_hash=hash_api_key(key))
        .returning(api_key)).mappings().one()
    entry = _key_dict(row)
    audit.record(conn, actor, "api_key.create", "api_key", entry["key_id"], None,
                 {**entry, "user": name})
    return key, entry


def list_keys(conn: Connection, name: str) -> list[dict]:
    stmt = (select(api_key).where(api_key.c.user_id == _user_id(conn, name))
            .order_by(api_key.c.id))
    return [_key_dict(r) for r in conn.execute(stmt).mappings()]


def revoke_key(conn: Connection, actor: Principal, key_id: str) -> dict:
    """Revoke a key by its id (kept, with ``revoked_at``); NotFound if unknown."""
    before = conn.execute(select(api_key).where(api_key.c.key_id == key_id)).mappings().first()
    if before is None:
        raise NotFound(f"no API key {key_id}", field="key_id")
    after = conn.execute(
        update(api_key).where(api_key.c.key_id == key_id)
        .values(revoked_at=func.coalesce(api_key.c.revoked_at, func.now()))
        .returning(api_key)).mappings().one()
    audit.record(conn, actor, "api_key.revoke", "api_key", key_id, _key_dict(before),
                 _key_dict(after))
    return _key_dict(after)


def principal_for_key(conn: Connection, key: str) -> Principal | None:
    """The principal an API key speaks for, or None (unknown, revoked, or user inactive)."""
    stmt = (select(app_user.c.name, app_user.c.roles, app_user.c.provinces,
                   app_user.c.gate_types, api_key.c.key_id)
            .join(api_key, api_key.c.user_id == app_user.c.id)
            .where(and_(api_key.c.key_hash == hash_api_key(key), api_key.c.revoked_at.is_(None),
                        app_user.c.active.is_(True))))
    row = conn.execute(stmt).first()
    if row is None:
        return None
    return Principal(subject=row.name, roles=parse_roles(row.roles) or frozenset({Role.PUBLIC}),
                     provinces=frozenset(row.provinces), gate_types=frozenset(row.gate_types),
                     key_id=row.key_id)


def principal_for_user(conn: Connection, name: str) -> Principal:
    """The principal of a user by name (for minting tokens on the command line)."""
    user = get_user(conn, name)
    if not user["active"]:
        raise NotFound(f"user {name} is not active", field="name")
    return Principal(subject=user["name"], roles=parse_roles(user["roles"]),
                     provinces=frozenset(user["provinces"]),
                     gate_types=frozenset(user["gate_types"]))
