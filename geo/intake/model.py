"""Value objects of the intake: limits, the report, diagnoses and placement references.

Geometries are shapely objects; ``geometry`` and ``corrected`` are lon/lat (EPSG:4326),
``written`` is in the source CRS (``report.epsg``) as the file gave it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from geo.common.errors import InvalidInput, PayloadTooLarge


@dataclass(frozen=True)
class IntakeLimits:
    """What one upload may hold. ``max_bytes`` also bounds what a zip may expand to (times
    ``zip_ratio``); ``max_parts`` counts polygons; ``max_vertices`` all positions."""

    max_bytes: int = 20_000_000
    max_vertices: int = 200_000
    max_parts: int = 500
    max_zip_entries: int = 32
    zip_ratio: int = 10

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_vertices", "max_parts", "max_zip_entries", "zip_ratio"):
            if getattr(self, name) < 1:
                raise InvalidInput(f"intake limit {name} must be at least 1", field=name)

    def check_bytes(self, size: int, *, field: str = "file") -> None:
        if size > self.max_bytes:
            raise PayloadTooLarge(f"{field}: {size:,} bytes, more than the limit of "
                                  f"{self.max_bytes:,}", field=field,
                                  detail={"limit": self.max_bytes, "count": size})

    def check_shape(self, vertices: int, parts: int, *, field: str = "geometry") -> None:
        if vertices > self.max_vertices:
            raise PayloadTooLarge(f"{field}: {vertices:,} vertices, more than the limit of "
                                  f"{self.max_vertices:,}", field=field,
                                  detail={"limit": self.max_vertices, "count": vertices})
        if parts > self.max_parts:
            raise PayloadTooLarge(f"{field}: {parts:,} polygons, more than the limit of "
                                  f"{self.max_parts:,}", field=field,
                                  detail={"limit": self.max_parts, "count": parts})


DEFAULT_LIMITS = IntakeLimits()


@dataclass(frozen=True)
class Reference:
    """Where the geometry should lie, to judge likely CRS mistakes against: an area it
    should be inside (a province, a commune) or a place it should be at (a surveyed corner,
    a gate, the previous version), or a place it should reach (``near``: a line it runs
    along such as the border, a point it holds such as its gate: the distance from the
    geometry's hull to the place), with how far off is still fine (metres)."""

    name: str
    geom: Any  # lon/lat shapely geometry
    kind: str = "inside"  # inside | at | near
    tolerance_m: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("inside", "at", "near"):
            raise InvalidInput("reference kind: inside, at or near", field="reference")
        if not (math.isfinite(self.tolerance_m) and self.tolerance_m >= 0):
            raise InvalidInput("reference tolerance_m: a finite, non-negative number of "
                               "metres", field="reference")


@dataclass(frozen=True)
class Diagnosis:
    """A likely mistake: ``code`` (no_datum_shift, shift_twice, scale_0_9996, wrong_zone,
    swapped_xy, rotation_sign), what it is, how far it put the geometry as written from
    where it belongs (``offset_m``, the largest vertex displacement, metres; the mean east
    and north components), and the geometry were it the case.
    ``flagged`` is True when the references say it is likely; False when it cannot be told
    apart from the geometry as written (reported for its size only)."""

    code: str
    message: str
    offset_m: float
    flagged: bool
    corrected: Any = None  # lon/lat geometry, or None
    epsg: int | None = None  # the CRS the correction reads the coordinates in, when one
    offset_east_m: float | None = None
    offset_north_m: float | None = None

    def as_dict(self, *, with_geometry: bool = True) -> dict:
        out = {"code": self.code, "message": self.message, "offset_m": _r(self.offset_m),
               "flagged": self.flagged, "epsg": self.epsg,
               "offset_east_m": _r(self.offset_east_m), "offset_north_m": _r(self.offset_north_m)}
        if with_geometry and self.corrected is not None:
            out["corrected"] = self.corrected.__geo_interface__
        return out


def _r(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 2)


@dataclass(frozen=True)
class IntakeReport:
    """What was read and how: the format, the source CRS and the operation that took it to
    WGS 84, counts, per-vertex accuracy (when the source had one), warnings, diagnoses."""

    format: str
    epsg: int
    crs_name: str
    operation: str | None
    vertices: int
    parts: int
    area_m2: float
    accuracy_m: dict | None = None
    warnings: tuple[str, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = field(default=())
    repairs: tuple[str, ...] = ()  # what ``repair=True`` changed (empty: nothing)

    @property
    def flagged(self) -> tuple[Diagnosis, ...]:
        return tuple(d for d in self.diagnoses if d.flagged)

    def as_dict(self, *, with_geometry: bool = True) -> dict:
        return {"format": self.format, "crs": f"EPSG:{self.epsg}", "crs_name": self.crs_name,
                "operation": self.operation, "vertices": self.vertices, "parts": self.parts,
                "area_m2": round(self.area_m2, 1), "accuracy_m": self.accuracy_m,
                "warnings": list(self.warnings), "repairs": list(self.repairs),
                "diagnoses": [d.as_dict(with_geometry=with_geometry) for d in self.diagnoses]}


@dataclass(frozen=True)
class Intake:
    """The geometry read: lon/lat MultiPolygon, the geometry as written (source CRS), the
    report, and each vertex's accuracy (metres, None = unknown) in the order of the
    geometry's coordinates when the source had accuracies (CSV, ODK)."""

    geometry: Any
    written: Any
    report: IntakeReport
    vertex_accuracy_m: tuple[float | None, ...] | None = None
