"""What a survey is validated against: its gate, and the real data around it (lon/lat,
EPSG:4326), as ``geo.store.surveys`` reads it. Value objects only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geo.intake import Reference
from geo.surveys.rules import Thresholds


@dataclass(frozen=True)
class Gate:
    """A gate of the gate list; ``location`` the recorded point (lon/lat) or None."""

    id: str
    name: str
    gate_type: str
    province_code: str | None
    neighbour_iso3: str
    location: Any = None  # shapely Point, lon/lat
    location_accuracy_m: float | None = None
    location_reference: str | None = None


@dataclass(frozen=True)
class CommuneShare:
    """A commune the sketch lies in, and how much of the sketch lies there (m²)."""

    code: str
    name: str
    province_code: str
    area_m2: float

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "province_code": self.province_code,
                "area_m2": round(self.area_m2, 1)}


@dataclass(frozen=True)
class Surroundings:
    """The gate and the data near it: Vietnam's land and the land border line (clipped to
    the gate's province, lon/lat), the commune holding the gate's location with its
    neighbours (None when the location is unknown)."""

    gate: Gate
    land: Any  # (Multi)Polygon
    border: Any  # (Multi)LineString, possibly empty
    home: tuple[str, str] | None = None  # (code, name) of the commune holding the gate
    allowed: Any = None  # the home commune and its neighbours, unioned
    allowed_names: tuple[str, ...] = ()


def references(s: Surroundings, th: Thresholds) -> list[Reference]:
    """Where a gate's area must lie, to tell likely VN-2000 mistakes: inside Vietnam's
    land, reaching the border line (a gate area shares part of its boundary with it,
    RULES.md GL-13), and holding (or near) the gate's recorded location."""
    refs = [Reference("Viet Nam's land", s.land, "inside", th.touch_tolerance_m)]
    if s.border is not None and not s.border.is_empty:
        refs.append(Reference("the land border line", s.border, "near", th.touch_tolerance_m))
    if s.gate.location is not None:
        refs.append(Reference(f"the location of gate {s.gate.id}", s.gate.location, "near",
                              th.gate_distance_m))
    return refs
