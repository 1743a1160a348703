"""Zone kinds, gate types and person categories: the shared vocabulary of the domain.

Each value is the stable identifier used in the database, the API and the rule catalogue.
"""

from __future__ import annotations

from enum import StrEnum


class ZoneKind(StrEnum):
    """Kinds of area a location answer can name (RULES.md §1.1)."""

    LAND_BORDER_AREA = "land_border_area"  # GL-02: communes touching the land border
    BORDER_BELT = "border_belt"  # GL-04: strip inward from the border line (default 1,000 m)
    PROHIBITED_ZONE_LAND = "prohibited_zone_land"  # GL-05
    SEA_BORDER_AREA = "sea_border_area"  # GL-07
    PROHIBITED_ZONE_SEA = "prohibited_zone_sea"  # GL-08
    RESTRICTED_AREA_SEA = "restricted_area_sea"  # GL-09
    TEMPORARY_ZONE_TERRITORIAL_SEA = "temporary_zone_territorial_sea"  # GL-10
    CHECKPOINT_AREA = "checkpoint_area"  # GL-13


#: Kinds stored in the ``zone`` table (prohibited and restricted areas).
SPECIAL_ZONE_KINDS = (
    ZoneKind.PROHIBITED_ZONE_LAND,
    ZoneKind.PROHIBITED_ZONE_SEA,
    ZoneKind.RESTRICTED_AREA_SEA,
    ZoneKind.TEMPORARY_ZONE_TERRITORIAL_SEA,
)


class GateType(StrEnum):
    """Land border gate types (RULES.md §1.2, GL-20..23)."""

    INTERNATIONAL = "international"
    MAIN = "main"  # main = bilateral
    AUXILIARY = "auxiliary"
    BORDER_OPENING = "border_opening"  # lối mở


class PersonCategory(StrEnum):
    """Who is asking: each has its own obligations per zone kind (RULES.md §3)."""

    BORDER_RESIDENT = "border_resident"  # Vietnamese border resident (GL-03)
    VIETNAMESE_CITIZEN = "vietnamese_citizen"  # other Vietnamese citizen
    FOREIGN_RESIDENT = "foreign_resident"  # foreigner residing in Vietnam (PER-20)
    FOREIGN_VISITOR = "foreign_visitor"  # foreign visitor (PER-27, UNCONFIRMED)
    ORGANISATION = "organisation"  # organisation running a project (PER-30..33)
    ROAD_VEHICLE = "road_vehicle"  # road vehicle in the sea border area (PER-62..64)


class UnitKind(StrEnum):
    """Commune-level unit kinds after the 2025 reform (GL-40)."""

    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    SPECIAL_ZONE = "special_zone"  # đặc khu


class Sensitivity(StrEnum):
    """How much of a zone a caller may see (security issue)."""

    PUBLIC = "public"  # geometry and name shown to anyone
    RESTRICTED = "restricted"  # existence and legal basis only, for uncleared callers
    SECRET = "secret"  # as restricted; geometry only for cleared roles


NEIGHBOURS = {"CHN": "China", "LAO": "Laos", "KHM": "Cambodia"}

#: What a point in Vietnam stands on (``surface``): its land, its internal waters or its
#: territorial sea (all Vietnam's territory: Law 06/2003 Art 1, Art 9).
SURFACE_LAND = "land"
SURFACE_INTERNAL_WATERS = "internal_waters"
SURFACE_TERRITORIAL_SEA = "territorial_sea"
