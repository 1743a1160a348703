"""Issuers of zone instruments, their authority levels, and who may register what.

Registering (an act of recording, not of establishing) is for officers of the zone's
province for land and sea prohibited zones, and for admins for every kind (restricted-
activity areas are a line ministry's, temporary territorial-sea zones the Prime Minister's:
national acts, recorded centrally).
"""

from __future__ import annotations

from enum import StrEnum

from geo.common.errors import InvalidInput
from geo.common.security import Principal, Role
from geo.common.zones import SPECIAL_ZONE_KINDS, ZoneKind


class Issuer(StrEnum):
    """Who signed the establishing instrument."""

    MINISTER_OF_DEFENCE = "minister_of_defence"  # Bộ trưởng Bộ Quốc phòng
    PROVINCIAL_PEOPLES_COMMITTEE = "provincial_peoples_committee"  # UBND tỉnh (after HĐND)
    PROVINCIAL_CHAIRMAN = "provincial_chairman"  # Chủ tịch UBND tỉnh ven biển
    LINE_MINISTRY = "line_ministry"  # Bộ quản lý ngành
    PRIME_MINISTER = "prime_minister"  # Thủ tướng Chính phủ


#: The authority level each issuer acts at (stored with the record).
AUTHORITY_LEVEL = {
    Issuer.MINISTER_OF_DEFENCE: "ministry",
    Issuer.LINE_MINISTRY: "ministry",
    Issuer.PROVINCIAL_PEOPLES_COMMITTEE: "province",
    Issuer.PROVINCIAL_CHAIRMAN: "province",
    Issuer.PRIME_MINISTER: "government",
}
ISSUER_LABEL = {
    Issuer.MINISTER_OF_DEFENCE: "Bộ trưởng Bộ Quốc phòng",
    Issuer.PROVINCIAL_PEOPLES_COMMITTEE: "Ủy ban nhân dân tỉnh",
    Issuer.PROVINCIAL_CHAIRMAN: "Chủ tịch Ủy ban nhân dân tỉnh",
    Issuer.LINE_MINISTRY: "Bộ quản lý ngành",
    Issuer.PRIME_MINISTER: "Thủ tướng Chính phủ",
}
SEA_KINDS = frozenset({ZoneKind.PROHIBITED_ZONE_SEA, ZoneKind.RESTRICTED_AREA_SEA,
                       ZoneKind.TEMPORARY_ZONE_TERRITORIAL_SEA})
#: Kinds an officer of the zone's province may register; the rest are for admins.
OFFICER_KINDS = frozenset({ZoneKind.PROHIBITED_ZONE_LAND, ZoneKind.PROHIBITED_ZONE_SEA})


def parse_kind(value: str) -> ZoneKind:
    try:
        kind = ZoneKind(str(value).strip())
    except ValueError:
        kind = None
    if kind not in SPECIAL_ZONE_KINDS:
        valid = ", ".join(k.value for k in SPECIAL_ZONE_KINDS)
        raise InvalidInput(f"kind: {value!r} is not a registry kind; one of {valid}",
                           field="kind")
    return kind


def parse_issuer(value: str) -> Issuer:
    try:
        return Issuer(str(value).strip())
    except ValueError:
        valid = ", ".join(i.value for i in Issuer)
        raise InvalidInput(f"issuer: {value!r}; one of {valid}", field="issuer") from None


def require_registrar(principal: Principal, kind: ZoneKind, province_code: str | None) -> None:
    """Officers register land and sea prohibited zones of their provinces; admins any
    kind. Raises ``NotAuthenticated``/``NotPermitted`` (401/403)."""
    if kind in OFFICER_KINDS:
        if province_code is None and Role.ADMIN not in principal.roles:
            principal.require(Role.ADMIN)
        principal.require_province(province_code, Role.OFFICER)
        return
    principal.require(Role.ADMIN)
