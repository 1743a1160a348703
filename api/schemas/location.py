"""Response shapes of the location API (documented in the OpenAPI schema)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Unit(BaseModel):
    code: str
    name: str | None
    precision: str | None = Field(default=None, description="exact | simplified geometry")


class BeltInfo(BaseModel):
    id: str
    depth_m: float = Field(description="belt depth on this stretch, metres")
    is_default: bool = Field(
        description="true: the default 1,000 m strip pending the province's instrument")
    instrument: str
    commune_code: str | None


class ZoneHit(BaseModel):
    kind: str
    name: str
    legal_basis: str | None
    sensitivity: str
    id: str | None = None
    authority: str | None = None
    gate_id: str | None = None
    gate_type: str | None = None
    status: str | None = None
    version: int | None = None
    valid_to: str | None = Field(default=None, description="end of validity; for sensitive "
                                 "zones and uncleared callers, to the Hanoi day")
    extent: str = Field(default="exact", description="exact | generalised: for uncleared "
                        "callers a sensitive zone is its public footprint (whole grid cells "
                        "around it), never its exact shape")
    extent_note: str | None = None


class DecisionIssuer(BaseModel):
    role: str
    unit_name: str
    signer_name: str
    signer_rank: str = ""
    signer_title: str = ""


class DecisionHit(BaseModel):
    """A restriction decision whose area holds the point and that is in force at ``at``."""

    number: str
    kind: str = Field(description="restrict | suspend")
    scope: str = Field(description="border_belt | land_border_area | gate")
    activities: list[str]
    valid_from: str = Field(description="effective start (inclusive), Hanoi time")
    valid_to: str = Field(description="effective end (exclusive) after extensions and "
                                      "revocation, Hanoi time")
    issuer: DecisionIssuer


class PointCheck(BaseModel):
    """Where a point is relative to Vietnam's border zones at ``at``."""

    lon: float = Field(description="WGS 84 longitude, degrees")
    lat: float = Field(description="WGS 84 latitude, degrees")
    at: str = Field(description="the instant answered, ISO-8601 with offset")
    in_vietnam: bool = Field(description="on Vietnam's land, in its internal waters or in "
                             "its 12 nm territorial sea (`surface` says which)")
    country: str | None = Field(description="VNM in Vietnam (land and waters), else CHN, LAO "
                                "or KHM in a neighbour; null where the point is in none of "
                                "these four states: the sea beyond Vietnam's territorial sea, "
                                "or anywhere the data does not cover (e.g. Paris)")
    province: Unit | None
    commune: Unit | None
    in_land_border_area: bool
    in_border_belt: bool
    in_sea_border_area: bool = Field(
        default=False, description="in the waters (12 nm) or a coastal commune")
    belt: BeltInfo | None
    border_distance_m: float | None = Field(
        description="geodesic distance to the nearest land border segment, metres")
    nearest_neighbour: str | None = Field(description="ISO3 of that segment's neighbour")
    zones: list[ZoneHit]
    border_source: str
    decisions: list[DecisionHit] = Field(
        default_factory=list, description="restriction decisions in force here at `at`")
    surface: str | None = Field(
        default=None, description="land | internal_waters | territorial_sea in Vietnam; "
        "null outside. Internal waters are told apart only behind the 1982 baseline; where "
        "the data has none (Gulf of Tonkin, Hoàng Sa, Trường Sa) waters within 12 nm of the "
        "shore are territorial_sea. At sea `province` is the coastal province whose land is "
        "nearest (precision `nearest_coast`), null where two are about as near")


class Health(BaseModel):
    status: str
    database: bool
    index_version: int | None
    prepared: bool = Field(default=False, description="route tiles, batch grid and point "
                                                      "cells of the current index are built")
    message: str | None = None
    role: str | None = Field(default=None, description="the index's database: primary or "
                                                       "replica (hot standby)")
    data_version: int | None = Field(default=None, description="the database's data version "
                                                               "at the last probe")
    wal_lsn: str | None = Field(default=None, description="replay position (replica) or "
                                                          "current WAL position (primary)")
    lag_s: float | None = Field(default=None, description="replica: age of the last replayed "
                                                          "commit, 0 when all received WAL "
                                                          "is replayed")
    index_build_s: float | None = Field(default=None, description="seconds the last zone "
                                                                 "index build took")
    index_warm_s: float | None = Field(default=None, description="seconds the last index's "
                                                                "preparation took (before "
                                                                "its swap)")
    stale: bool = Field(default=False, description="true: the last rebuild failed (bad data, "
                                                   "not a lost database) and the previous "
                                                   "index is still served")
    stale_error: str | None = Field(default=None, description="the class of the error that "
                                                              "failed the last rebuild")
    writes: bool | None = Field(default=None, description="false: this worker serves reads "
                                                          "only; writes go to the primary")


class CheckResponse(BaseModel):
    """POST /v1/check: for points, one answer each; for a route, the zones it enters."""

    model_config = {"extra": "allow"}

    type: str = Field(description="points | route")
    at: str
    person: str
    valid_until: str | None = Field(
        description="next instant at which any zone, decision or rule in this answer "
                    "changes; null: nothing known to change (no end or start of any zone, "
                    "decision or rule in the answer is recorded)")
    points: list[dict] | None = None
    zones: list[dict] | None = None
    length_m: float | None = None
