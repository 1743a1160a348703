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
    is_default: bool = Field(description="true: the legal maximum 1,000 m pending an instrument")
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
    valid_to: str | None = None


class PointCheck(BaseModel):
    """Where a point is relative to Vietnam's border zones at ``at``."""

    lon: float = Field(description="WGS 84 longitude, degrees")
    lat: float = Field(description="WGS 84 latitude, degrees")
    at: str = Field(description="the instant answered, ISO-8601 with offset")
    in_vietnam: bool
    country: str | None = Field(description="VNM, or the neighbour's ISO3; null at sea")
    province: Unit | None
    commune: Unit | None
    in_land_border_area: bool
    in_border_belt: bool
    belt: BeltInfo | None
    border_distance_m: float | None = Field(
        description="geodesic distance to the nearest land border segment, metres")
    nearest_neighbour: str | None = Field(description="ISO3 of that segment's neighbour")
    zones: list[ZoneHit]
    border_source: str


class Health(BaseModel):
    status: str
    database: bool
    index_version: int | None
    message: str | None = None
