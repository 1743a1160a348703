"""Who may do what: roles, province scope and clearance for sensitive geometry.

Pure domain: authentication (API keys, JWT) happens in ``api.auth``, storage of users and
keys in ``geo.store.users``; here are the principal, the permission rules, and the shape of
credentials (key generation and hashing, token claims) — no I/O, no settings.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from geo.common.errors import InvalidInput, NotAuthenticated, NotPermitted


class Role(StrEnum):
    PUBLIC = "public"  # location checks
    APP = "app"  # checks and public layers
    PLANNER = "planner"  # all layers, read
    SURVEYOR = "surveyor"  # upload surveys (province-scoped)
    OFFICER = "officer"  # issue, extend, revoke decisions (province-scoped)
    APPROVER = "approver"  # approve surveys (province-scoped, by gate authority)
    ADMIN = "admin"


#: Roles whose holders see the geometry, names and extent of sensitive zones.
CLEARED_ROLES = frozenset({Role.PLANNER, Role.OFFICER, Role.APPROVER, Role.ADMIN})
#: Roles limited to their provinces.
SCOPED_ROLES = frozenset({Role.SURVEYOR, Role.OFFICER, Role.APPROVER})
#: Gate types an approver may be granted (the authority a checkpoint area's approval needs).
GATE_TYPES = ("international", "main", "auxiliary", "border_opening")

#: API keys look like ``bzk_<43 url-safe characters>`` (256 random bits); never stored.
KEY_PREFIX = "bzk_"
_KEY_RE = re.compile(r"^bzk_[A-Za-z0-9_-]{20,100}$")
_KEY_ID_RE = re.compile(r"^bzk_[A-Za-z0-9_-]{8}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_PROVINCE_RE = re.compile(r"^[0-9]{2}$")


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``provinces`` empty means no province scope was granted;
    ``gate_types`` are the gate types whose checkpoint areas an approver may approve."""

    subject: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.PUBLIC}))
    provinces: frozenset[str] = frozenset()
    key_id: str | None = None
    gate_types: frozenset[str] = frozenset()
    token_version: int = 0

    @property
    def cleared(self) -> bool:
        return bool(self.roles & CLEARED_ROLES)

    @property
    def role_label(self) -> str:
        """The roles as one sorted, comma-separated string (as the audit log stores it)."""
        return ",".join(sorted(r.value for r in self.roles))

    @property
    def anonymous(self) -> bool:
        return self.subject == ANONYMOUS_SUBJECT

    def has(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or bool(self.roles & set(roles))

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            wanted = " or ".join(r.value for r in roles)
            if self.anonymous:
                raise NotAuthenticated(f"this needs the role {wanted}: send an API key "
                                       "(X-API-Key) or a bearer token")
            raise NotPermitted(f"this needs the role {wanted}; {self.subject} has "
                               f"{self.role_label}")

    def require_province(self, province_code: str | None, role: Role) -> None:
        """Province-scoped roles act only in their provinces (admins everywhere)."""
        self.require(role)
        if Role.ADMIN in self.roles or province_code is None:
            return
        if province_code not in self.provinces:
            raise NotPermitted(f"{self.subject} may act as {role.value} only in provinces "
                               f"{sorted(self.provinces) or 'none'}, not {province_code}",
                               field="province_code")

    def require_area_within(self, beyond: Mapping[str, float]) -> None:
        """A province-scoped caller's area must lie within its provinces. ``beyond`` maps
        each other province the area reaches (past the edge tolerance) to the area there,
        m². Admins act nationwide. Raises ``NotPermitted`` naming the provinces."""
        if Role.ADMIN in self.roles or not beyond:
            return
        reached = ", ".join(f"{code} ({m2 / 1e6:,.2f} km²)" for code, m2 in sorted(
            beyond.items()))
        raise NotPermitted(f"area: reaches provinces {reached} outside those granted to "
                           f"{self.subject} ({', '.join(sorted(self.provinces)) or 'none'}); "
                           "draw it within them, or have an officer of those provinces "
                           "(or an admin) issue it", field="area",
                           detail={"provinces": sorted(beyond),
                                   "outside_m2": {k: round(v) for k, v in beyond.items()}})

    def require_gate_type(self, gate_type: str) -> None:
        """Approvers approve checkpoint areas only of the gate types granted to them."""
        self.require(Role.APPROVER)
        if Role.ADMIN in self.roles or gate_type in self.gate_types:
            return
        raise NotPermitted(f"{self.subject} may approve checkpoint areas of gate types "
                           f"{sorted(self.gate_types) or 'none'}, not {gate_type}",
                           field="gate_type")


ANONYMOUS_SUBJECT = "anonymous"
ANONYMOUS = Principal(subject=ANONYMOUS_SUBJECT)


# -- grants -------------------------------------------------------------------------------
def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    """Role names to roles; unknown names raise ``InvalidInput`` naming the valid ones."""
    roles = set()
    for value in values:
        try:
            roles.add(Role(str(value).strip().lower()))
        except ValueError:
            valid = ", ".join(r.value for r in Role)
            raise InvalidInput(f"unknown role {value!r}; one of {valid}", field="roles") from None
    return frozenset(roles)


def validate_grant(name: str, roles: frozenset[Role], provinces: frozenset[str],
                   gate_types: frozenset[str]) -> None:
    """A user's grant must be usable: a name, a role, provinces for scoped roles (two-digit
    province codes), known gate types for approvers."""
    if not _NAME_RE.match(name or ""):
        raise InvalidInput("name: 1-64 letters, digits or . _ @ - (starting with a letter or "
                           "digit)", field="name")
    if not roles:
        raise InvalidInput("at least one role is needed", field="roles")
    bad = sorted(p for p in provinces if not _PROVINCE_RE.match(p))
    if bad:
        raise InvalidInput(f"province codes are two digits (e.g. 20 for Lạng Sơn), not {bad}",
                           field="provinces")
    scoped = roles & SCOPED_ROLES
    if scoped and Role.ADMIN not in roles and not provinces:
        names = ", ".join(sorted(r.value for r in scoped))
        raise InvalidInput(f"the role {names} is scoped to provinces: give at least one",
                           field="provinces")
    unknown = sorted(set(gate_types) - set(GATE_TYPES))
    if unknown:
        raise InvalidInput(f"unknown gate types {unknown}; any of {list(GATE_TYPES)}",
                           field="gate_types")
    if Role.APPROVER in roles and Role.ADMIN not in roles and not gate_types:
        raise InvalidInput("an approver needs the gate types it may approve for",
                           field="gate_types")


# -- API keys ------------------------------------------------------------------------------
def new_api_key() -> str:
    """A fresh random key (256 bits). Shown once to its holder; only its hash is kept."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """SHA-256 hex digest of a key. Enough for 256-bit random keys (no dictionary to try)."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(key: str) -> str:
    """The public handle of a key (its first characters), safe to list and to log."""
    return key[: len(KEY_PREFIX) + 8]


def looks_like_api_key(value: str) -> bool:
    return bool(_KEY_RE.match(value))


def looks_like_key_id(value: str) -> bool:
    return bool(_KEY_ID_RE.match(value))


# -- bearer token claims --------------------------------------------------------------------
TOKEN_ISSUER = "borderzone"


def claims_for(principal: Principal, issued_at: datetime, ttl: timedelta) -> dict:
    """JWT claims carrying a principal's grant (``iat``/``exp`` as epoch seconds), the key
    it was minted from (``kid``, None for tokens minted on the command line) and the user's
    token version (``ver``): revoking that key or disabling the user ends the token."""
    return {"iss": TOKEN_ISSUER, "sub": principal.subject,
            "roles": sorted(r.value for r in principal.roles),
            "provinces": sorted(principal.provinces),
            "gate_types": sorted(principal.gate_types),
            "kid": principal.key_id, "ver": principal.token_version,
            "iat": int(issued_at.timestamp()), "exp": int((issued_at + ttl).timestamp())}


def principal_from_claims(claims: Mapping) -> Principal:
    """The principal a verified token speaks for; malformed claims are refused (401)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or subject == ANONYMOUS_SUBJECT:
        raise NotAuthenticated("bearer token: no usable subject")
    lists = {k: claims.get(k, []) for k in ("roles", "provinces", "gate_types")}
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
               for v in lists.values()):
        raise NotAuthenticated("bearer token: roles, provinces and gate_types must be lists")
    try:
        roles = parse_roles(lists["roles"])
    except InvalidInput as exc:
        raise NotAuthenticated(f"bearer token: {exc.message}") from None
    key_id, version = claims.get("kid"), claims.get("ver", 0)
    if not (key_id is None or isinstance(key_id, str) and looks_like_key_id(key_id)):
        raise NotAuthenticated("bearer token: kid must be a key id")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise NotAuthenticated("bearer token: ver must be a whole number")
    return Principal(subject=subject, roles=roles or frozenset({Role.PUBLIC}),
                     provinces=frozenset(lists["provinces"]),
                     gate_types=frozenset(lists["gate_types"]), key_id=key_id,
                     token_version=version)
