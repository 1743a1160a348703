"""Users and their API keys. Keys are stored as SHA-256 hashes; the key itself is returned
once, by ``add_key``, and never again.

Writes take the acting principal and record themselves in the audit log in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, any_, func, insert, literal, select, update
from sqlalchemy.engine import Connection, RowMapping

from geo.common.errors import Conflict, NotFound
from geo.common.security import (
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
            "active": row["active"], "created_at": row["created_at"],
            "token_version": row["token_version"], "disabled_at": row["disabled_at"]}


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


#: Advisory lock serialising revocations and disablings, so two admins acting at once can
#: never both remove "one of two" remaining admin keys.
_CREDENTIALS_LOCK = 0x627A_6372  # "bzcr"


def _lock_credentials(conn: Connection) -> None:
    conn.execute(select(func.pg_advisory_xact_lock(literal(_CREDENTIALS_LOCK))))


def _admin_keys(conn: Connection) -> list[tuple[str, str]]:
    """(user name, key id) of every active key held by an active admin."""
    stmt = (select(app_user.c.name, api_key.c.key_id)
            .join(api_key, api_key.c.user_id == app_user.c.id)
            .where(api_key.c.revoked_at.is_(None), app_user.c.active.is_(True),
                   literal(Role.ADMIN.value) == any_(app_user.c.roles)))
    return [(r.name, r.key_id) for r in conn.execute(stmt)]


def _keep_admin_access(conn: Connection, *, key_id: str | None = None,
                       user: str | None = None) -> None:
    """Conflict when revoking ``key_id`` / disabling ``user`` would leave no active admin
    holding an active key (nobody could then administer over HTTP)."""
    held = _admin_keys(conn)
    left = [(n, k) for n, k in held if k != key_id and n != user]
    if len(left) == len(held) and not (user and _is_active_admin(conn, user)):
        return  # the change touches no admin access
    if not left:
        what = f"revoke API key {key_id}" if key_id else f"disable user {user}"
        raise Conflict(f"refusing to {what}: it is the last active admin access "
                       "(no other active admin holds an active key); give another admin a "
                       "key first (`borderzone user keys NAME --new`)",
                       field="key_id" if key_id else "name")


def _is_active_admin(conn: Connection, name: str) -> bool:
    row = conn.execute(select(app_user.c.roles, app_user.c.active)
                       .where(app_user.c.name == name)).first()
    return bool(row and row.active and Role.ADMIN.value in row.roles)


def revoke_key(conn: Connection, actor: Principal, key_id: str) -> dict:
    """Revoke a key by its id (kept, with ``revoked_at``); NotFound if unknown, Conflict if
    it is the last active key of an active admin."""
    _lock_credentials(conn)
    before = conn.execute(select(api_key).where(api_key.c.key_id == key_id)).mappings().first()
    if before is None:
        raise NotFound(f"no API key {key_id}", field="key_id")
    if before["revoked_at"] is None:
        _keep_admin_access(conn, key_id=key_id)
    after = conn.execute(
        update(api_key).where(api_key.c.key_id == key_id)
        .values(revoked_at=func.coalesce(api_key.c.revoked_at, func.now()))
        .returning(api_key)).mappings().one()
    audit.record(conn, actor, "api_key.revoke", "api_key", key_id, _key_dict(before),
                 _key_dict(after))
    return _key_dict(after)


def set_active(conn: Connection, actor: Principal, name: str, active: bool) -> dict:
    """Disable (``active=False``) or enable a user, audited. Disabling bumps the user's
    token version: every bearer token minted before is refused from now on, also after
    a later enable. Conflict when it would leave no admin access."""
    _lock_credentials(conn)
    before = get_user(conn, name)
    if not active and before["active"]:
        _keep_admin_access(conn, user=name)
    values = ({"active": True, "disabled_at": None} if active else
              {"active": False, "disabled_at": func.coalesce(app_user.c.disabled_at,
                                                             func.now()),
               "token_version": app_user.c.token_version + int(before["active"])})
    row = conn.execute(update(app_user).where(app_user.c.name == name).values(**values)
                       .returning(app_user)).mappings().one()
    after = _user_dict(row)
    audit.record(conn, actor, "user.enable" if active else "user.disable", "app_user", name,
                 before, after)
    return after


def token_refusal(conn: Connection, subject: str, key_id: str | None,
                  version: int) -> str | None:
    """Why a bearer token for ``subject`` (minted from ``key_id`` at token ``version``) is no
    longer good, or None while its user is active, its version current and its key live."""
    user = conn.execute(select(app_user.c.id, app_user.c.active, app_user.c.token_version)
                        .where(app_user.c.name == subject)).first()
    if user is None:
        return "its user does not exist"
    if not user.active:
        return "its user is disabled"
    if version != user.token_version:
        return "its user was disabled since it was issued"
    if key_id is None:
        return None
    revoked = conn.execute(select(api_key.c.revoked_at).where(
        api_key.c.key_id == key_id, api_key.c.user_id == user.id)).first()
    if revoked is None:
        return f"its key {key_id} is not a key of {subject}"
    return None if revoked.revoked_at is None else f"its key {key_id} was revoked"


def principal_for_key(conn: Connection, key: str) -> Principal | None:
    """The principal an API key speaks for, or None (unknown, revoked, or user inactive)."""
    stmt = (select(app_user.c.name, app_user.c.roles, app_user.c.provinces,
                   app_user.c.gate_types, api_key.c.key_id, app_user.c.token_version)
            .join(api_key, api_key.c.user_id == app_user.c.id)
            .where(and_(api_key.c.key_hash == hash_api_key(key), api_key.c.revoked_at.is_(None),
                        app_user.c.active.is_(True))))
    row = conn.execute(stmt).first()
    if row is None:
        return None
    return Principal(subject=row.name, roles=parse_roles(row.roles) or frozenset({Role.PUBLIC}),
                     provinces=frozenset(row.provinces), gate_types=frozenset(row.gate_types),
                     key_id=row.key_id, token_version=row.token_version)


def principal_for_user(conn: Connection, name: str) -> Principal:
    """The principal of a user by name (for minting tokens on the command line)."""
    user = get_user(conn, name)
    if not user["active"]:
        raise NotFound(f"user {name} is not active", field="name")
    return Principal(subject=user["name"], roles=parse_roles(user["roles"]),
                     provinces=frozenset(user["provinces"]),
                     gate_types=frozenset(user["gate_types"]),
                     token_version=user["token_version"])
