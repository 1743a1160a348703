"""Who is calling: API keys and OAuth2 bearer tokens (HS256 JWT) into a ``Principal``.

Credentials, in this order:

* ``X-API-Key: bzk_...`` — a key issued by ``borderzone user keys NAME --new``;
* ``Authorization: Bearer <token>`` — a JWT signed with ``BORDERZONE_JWT_SECRET`` (from
  ``POST /v1/auth/token`` or ``borderzone user token NAME``), or an API key sent the same way.

No credentials: the anonymous principal (role public, may use location checks). Bad
credentials: 401, never silently anonymous.

Routers use the dependency aliases::

    @router.get("/x")
    def x(principal: PrincipalDep): ...                                 # anyone, anonymous too

    @router.post("/decisions")
    def issue(principal: Annotated[Principal, Depends(requires(Role.OFFICER))]): ...
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPBearer
from starlette.concurrency import run_in_threadpool

from geo.common.errors import InvalidInput, NotAuthenticated, StoreUnavailable
from geo.common.security import (
    ANONYMOUS,
    Principal,
    Role,
    claims_for,
    hash_api_key,
    looks_like_api_key,
    principal_from_claims,
)
from geo.common.timeutil import now
from geo.store import users
from geo.store.db import reading

ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32
DEVELOPMENT = "development"

#: Declared so the OpenAPI schema documents both ways in; parsing is done by hand below.
_api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="an API key (bzk_...)")
_bearer_scheme = HTTPBearer(auto_error=False, description="a JWT (or an API key)")


def resolve_jwt_secret(settings) -> str:
    """The signing secret. Outside development one must be configured (>= 32 bytes);
    in development without one, a random secret for this process only."""
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
    production = settings.env != DEVELOPMENT
    if secret and (len(secret.encode()) >= MIN_SECRET_BYTES or not production):
        return secret
    if secret:
        raise InvalidInput(f"BORDERZONE_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes; "
                           "use e.g. `python -c 'import secrets; print(secrets.token_urlsafe"
                           "(48))'`", field="BORDERZONE_JWT_SECRET")
    if production:
        raise InvalidInput(f"BORDERZONE_JWT_SECRET is not set and BORDERZONE_ENV is "
                           f"{settings.env!r}: refusing to start without a signing secret "
                           "(set one, or BORDERZONE_ENV=development for a throwaway secret)",
                           field="BORDERZONE_JWT_SECRET")
    return secrets.token_urlsafe(48)


class _Expiring:
    """A small thread-safe LRU of values that expire ``ttl_s`` seconds after they are put
    (by ``clock``, a monotonic seconds counter: injectable so expiry can be tested)."""

    def __init__(self, ttl_s: float, size: int, clock: Callable[[], float] = time.monotonic):
        self.ttl_s, self.size, self._clock = ttl_s, size, clock
        self._items: OrderedDict[object, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> object | None:
        with self._lock:
            hit = self._items.get(key)
            return hit[1] if hit is not None and hit[0] > self._clock() else None

    def put(self, key, value) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + self.ttl_s, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def credential_of(headers) -> str | None:
    """The credential a request carries, normalised: the API key of ``X-API-Key``, or what
    follows ``Bearer`` (any case, any whitespace) in ``Authorization``; None without either.
    The same key sent either way gives the same string."""
    key = headers.get("x-api-key")
    if key is not None:
        return key.strip()
    authorization = headers.get("authorization")
    if authorization is None:
        return None
    parts = authorization.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].strip():
        raise NotAuthenticated("Authorization: expected `Bearer <token or API key>`")
    return parts[1].strip()


class Authenticator:
    """Turns credentials into principals. API-key lookups, and the check that a token's user
    is active and its key unrevoked, are cached for ``cache_s`` seconds (``forget`` clears
    both, after a revocation or a disabling in this process)."""

    def __init__(self, secret: str, *, ttl_s: int = 3600, cache_s: float = 30.0,
                 cache_size: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._secret = secret
        self.ttl = timedelta(seconds=ttl_s)
        self.cache_s = cache_s
        self._keys = _Expiring(cache_s, cache_size, clock)
        self._live = _Expiring(cache_s, cache_size, clock)

    # -- tokens -----------------------------------------------------------------------
    def mint(self, principal: Principal) -> tuple[str, int]:
        """A signed bearer token for ``principal``: (token, lifetime in seconds)."""
        claims = claims_for(principal, now(), self.ttl)
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM), int(
            self.ttl.total_seconds())

    def verify(self, token: str) -> Principal:
        """The principal a validly signed, unexpired token names (no database check)."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer="borderzone",
                                options={"require": ["exp", "iat", "sub", "iss"]})
        except jwt.ExpiredSignatureError:
            raise NotAuthenticated("bearer token expired; get a new one") from None
        except jwt.InvalidTokenError:
            raise NotAuthenticated("bearer token is not valid") from None
        return principal_from_claims(claims)

    def from_token(self, token: str, engine) -> Principal:
        """A token's principal, once its user is active, its token version current and
        the key it was minted from unrevoked (401 otherwise)."""
        principal = self.verify(token)
        holder = (principal.subject, principal.key_id, principal.token_version)
        if self._live.get(holder):
            return principal
        with reading(_ready(engine)) as conn:
            refusal = users.token_refusal(conn, *holder)
        if refusal:
            raise NotAuthenticated(f"bearer token is no longer valid: {refusal}")
        self._live.put(holder, True)
        return principal

    # -- API keys ---------------------------------------------------------------------
    def from_key(self, key: str, engine) -> Principal:
        if not looks_like_api_key(key):
            raise NotAuthenticated("API key is not valid")
        digest = hash_api_key(key)
        hit = self._keys.get(digest)
        if isinstance(hit, Principal):
            return hit
        with reading(_ready(engine)) as conn:
            principal = users.principal_for_key(conn, key)
        if principal is None:
            raise NotAuthenticated("API key is not valid (unknown or revoked)")
        self._keys.put(digest, principal)
        return principal

    def forget(self) -> None:
        """Drop cached key lookups and token checks (after revoking keys or disabling users
        in this process; other processes notice within ``cache_s`` seconds)."""
        self._keys.clear()
        self._live.clear()

    # -- requests ---------------------------------------------------------------------
    def from_credential(self, credential: str, engine) -> Principal:
        if looks_like_api_key(credential):
            return self.from_key(credential, engine)
        return self.from_token(credential, engine)

    def cached(self, credential: str) -> Principal | None:
        """The principal of ``credential`` if known without the database, else None."""
        try:
            if looks_like_api_key(credential):
                hit = self._keys.get(hash_api_key(credential))
                return hit if isinstance(hit, Principal) else None
            principal = self.verify(credential)
        except NotAuthenticated:
            return None
        holder = (principal.subject, principal.key_id, principal.token_version)
        return principal if self._live.get(holder) else None

    def resolve(self, headers, engine) -> Principal:
        credential = credential_of(headers)
        if credential is None:
            return ANONYMOUS
        return self.from_credential(credential, engine)


def _ready(engine):
    if engine is None:
        raise StoreUnavailable("the service is starting; retry shortly")
    return engine


#: Where the rate limiter leaves the principal it authenticated (``scope["state"]``).
PRINCIPAL_STATE = "bz_principal"


async def get_principal(request: Request) -> Principal:
    """The caller (anonymous when no credentials are sent). Anonymous requests resolve on
    the event loop; credentials (which may need the database) in the thread pool."""
    headers = request.headers
    if "x-api-key" not in headers and "authorization" not in headers:
        return ANONYMOUS
    known = request.scope.get("state", {}).get(PRINCIPAL_STATE)
    if known is not None:
        return known
    state = request.app.state
    return await run_in_threadpool(state.auth.resolve, headers,
                                   getattr(state, "engine", None))


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def requires(*roles: Role) -> Callable[..., Principal]:
    """A dependency returning the caller if it holds one of ``roles`` (admins always):
    401 for anonymous callers, 403 for others. Use as ``Depends(requires(Role.OFFICER))``.

    Endpoints behind it declare the two security schemes in the OpenAPI schema; endpoints
    open to anonymous callers (``PrincipalDep`` only) declare none."""

    def dependency(principal: PrincipalDep,
                   _key: Annotated[str | None, Security(_api_key_scheme)],
                   _bearer: Annotated[object, Security(_bearer_scheme)]) -> Principal:
        principal.require(*roles)
        return principal

    dependency.__name__ = "requires_" + "_or_".join(r.value for r in roles)
    return dependency


AdminDep = Annotated[Principal, Depends(requires(Role.ADMIN))]
