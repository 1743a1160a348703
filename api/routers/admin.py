"""Identity and administration: who am I, bearer tokens, users and keys, the audit log.

Every write here records itself in the audit log, in the same transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel, Field

from api.auth import AdminDep, PrincipalDep
from api.json_route import SafeJsonRoute
from api.schemas.instants import Instant
from geo.common.errors import InvalidInput, NotAuthenticated
from geo.common.timeutil import parse_instant
from geo.store import audit, users
from geo.store.db import reading, transaction

router = APIRouter(prefix="/v1/admin", tags=["admin"], route_class=SafeJsonRoute)
auth_router = APIRouter(prefix="/v1/auth", tags=["auth"], route_class=SafeJsonRoute)


# -- shapes -------------------------------------------------------------------------------
class WhoAmI(BaseModel):
    subject: str
    roles: list[str]
    provinces: list[str]
    gate_types: list[str]
    cleared: bool = Field(description="sees names and geometry of sensitive zones")
    key_id: str | None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds")


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    roles: list[str] = Field(min_length=1, max_length=7)
    provinces: list[str] = Field(default=[], max_length=64,
                                 description="two-digit province codes (scoped roles)")
    gate_types: list[str] = Field(default=[], max_length=4,
                                  description="gate types an approver may approve")


class UserOut(BaseModel):
    name: str
    roles: list[str]
    provinces: list[str]
    gate_types: list[str]
    active: bool
    created_at: Instant
    disabled_at: Instant | None = None
    keys: int | None = None


class KeyOut(BaseModel):
    key_id: str
    created_at: Instant
    revoked_at: Instant | None


class NewKey(KeyOut):
    key: str = Field(description="the API key; shown this once, store it now")


class AuditEntry(BaseModel):
    id: int
    at: Instant
    who: str
    role: str
    key_id: str | None
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _engine(request: Request):
    return request.app.state.engine


EngineDep = Annotated[Any, Depends(_engine)]
Text = Annotated[str | None, Query(max_length=200)]


# -- auth -----------------------------------------------------------------------------------
@auth_router.get("/whoami", response_model=WhoAmI)
def whoami(principal: PrincipalDep) -> dict:
    """The caller as the service sees it (anonymous without credentials)."""
    return {"subject": principal.subject, "roles": sorted(principal.roles),
            "provinces": sorted(principal.provinces), "gate_types": sorted(principal.gate_types),
            "cleared": principal.cleared, "key_id": principal.key_id}


@auth_router.post("/token", response_model=Token)
def token(request: Request, engine: EngineDep,
          grant_type: Annotated[str, Form(max_length=40)],
          client_secret: Annotated[str | None, Form(max_length=200)] = None) -> dict:
    """OAuth2 client credentials: an API key (``client_secret``, or the ``X-API-Key`` header)
    for a short-lived bearer token carrying the key holder's roles."""
    if grant_type != "client_credentials":
        raise InvalidInput("grant_type: only client_credentials is supported",
                           field="grant_type")
    key = client_secret or request.headers.get("x-api-key")
    if not key:
        raise NotAuthenticated("send the API key as client_secret or X-API-Key")
    access, ttl = request.app.state.auth.mint(request.app.state.auth.from_key(key, engine))
    return {"access_token": access, "token_type": "bearer", "expires_in": ttl}


# -- admin ----------------------------------------------------------------------------------
@router.get("/audit", response_model=list[AuditEntry])
def audit_log(_: AdminDep, engine: EngineDep, who: Text = None, action: Text = None,
              entity: Text = None, entity_id: Text = None, since: Text = None,
              until: Text = None, before_id: Annotated[int | None, Query(ge=1)] = None,
              limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = 100) -> list[dict]:
    """The audit log, newest first; ``before_id`` pages back. Instants are ISO-8601."""
    where = audit.AuditFilter(who, action, entity, entity_id, parse_instant(since, field="since"),
                              parse_instant(until, field="until"), before_id, limit)
    with reading(engine) as conn:
        return audit.query(conn, where)


@router.get("/users", response_model=list[UserOut])
def list_users(_: AdminDep, engine: EngineDep) -> list[dict]:
    with reading(engine) as conn:
        return users.list_users(conn)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(principal: AdminDep, engine: EngineDep, body: UserIn) -> dict:
    with transaction(engine) as conn:
        return users.create_user(conn, principal, body.name, body.roles, body.provinces,
                                 body.gate_types)


@router.get("/users/{name}/keys", response_model=list[KeyOut])
def list_keys(_: AdminDep, engine: EngineDep, name: str) -> list[dict]:
    with reading(engine) as conn:
        return users.list_keys(conn, name)


@router.post("/users/{name}/keys", response_model=NewKey, status_code=201)
def new_key(principal: AdminDep, engine: EngineDep, name: str) -> dict:
    """A new API key for the user; the key is in this answer only."""
    with transaction(engine) as conn:
        key, entry = users.add_key(conn, principal, name)
    return {**entry, "key": key}


@router.post("/keys/{key_id}/revoke", response_model=KeyOut)
def revoke_key(request: Request, principal: AdminDep, engine: EngineDep, key_id: str) -> dict:
    """Revoke a key (kept in the list, with ``revoked_at``) and every bearer token minted
    from it: at once in this worker, within ``BORDERZONE_KEY_CACHE_S`` seconds in others.
    409 for the last active key of an active admin."""
    with transaction(engine) as conn:
        entry = users.revoke_key(conn, principal, key_id)
    request.app.state.auth.forget()
    return entry


@router.post("/users/{name}/disable", response_model=UserOut)
def disable_user(request: Request, principal: AdminDep, engine: EngineDep, name: str) -> dict:
    """Disable a user: its keys and every bearer token it holds stop working (at once in
    this worker, within ``BORDERZONE_KEY_CACHE_S`` seconds in others), also after a later
    enable. 409 for the last active admin holding a key."""
    with transaction(engine) as conn:
        user = users.set_active(conn, principal, name, False)
    request.app.state.auth.forget()
    return user


@router.post("/users/{name}/enable", response_model=UserOut)
def enable_user(request: Request, principal: AdminDep, engine: EngineDep, name: str) -> dict:
    """Enable a disabled user again; tokens minted before the disabling stay refused."""
    with transaction(engine) as conn:
        user = users.set_active(conn, principal, name, True)
    request.app.state.auth.forget()
    return user
