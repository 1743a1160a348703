"""Who may do what: roles, province scope and clearance for sensitive geometry.

Pure domain: authentication (API keys, JWT) happens in ``api.auth``, storage of users and
keys in ``geo.store``; here is only the principal and the permission rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from geo.errors import NotPermitted


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


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``provinces`` empty means no province scope was granted."""

    subject: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.PUBLIC}))
    provinces: frozenset[str] = frozenset()
    key_id: str | None = None

    @property
    def cleared(self) -> bool:
        return bool(self.roles & CLEARED_ROLES)

    def has(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or bool(self.roles & set(roles))

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            wanted = ", ".join(r.value for r in roles)
            raise NotPermitted(f"this needs the role {wanted}; {self.subject} has "
                               f"{', '.join(sorted(r.value for r in self.roles))}")

    def require_province(self, province_code: str | None, role: Role) -> None:
        """Province-scoped roles act only in their provinces (admins everywhere)."""
        self.require(role)
        if Role.ADMIN in self.roles or province_code is None:
            return
        if province_code not in self.provinces:
            raise NotPermitted(f"{self.subject} may act as {role.value} only in provinces "
                               f"{sorted(self.provinces) or 'none'}, not {province_code}",
                               field="province_code")


ANONYMOUS = Principal(subject="anonymous")
