"""Location checks: where points are relative to the border zones, at an instant.

Takes WGS 84 lon/lat arrays and a ``ZoneIndex``; returns one ``PointAnswer`` per point,
read from the columns of ``geo.location.answer_rules`` (the one definition of the answer
rules, which batches read too). Distances are geodesic metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely

from geo.common.timeutil import now, stamp
from geo.common.zones import Sensitivity
from geo.location.answer_rules import answer_columns, lookups, mark_waters, nearest
from geo.location.decision_features import decision_hit
from geo.location.footprint import EXACT
from geo.location.index import Feature, ZoneIndex, as_utc64


@dataclass
class PointAnswer:
    """Where one point is. Distances in metres; codes as in the official lists."""

    lon: float
    lat: float
    at: str
    in_vietnam: bool
    country: str | None
    province: dict | None
    commune: dict | None
    in_land_border_area: bool
    in_border_belt: bool
    belt: dict | None
    border_distance_m: float | None
    nearest_neighbour: str | None
    zones: list[dict] = field(default_factory=list)
    border_source: str = ""
    decisions: list[dict] = field(default_factory=list)  # restriction decisions active at `at`
    in_sea_border_area: bool = False  # the waters (12 nm) or a coastal commune
    #: land | internal_waters | territorial_sea in Vietnam; null outside (geo.location.surface)
    surface: str | None = None

    def as_dict(self) -> dict:
        """A JSON-ready dict (values are already plain: a shallow copy is enough)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


ZONE_KEYS = ("id", "authority", "gate_id", "gate_type", "status", "version", "valid_to")


def zone_entry(f: Feature, kind: str, cleared: bool) -> dict:
    """One zone holding the point. Every caller gets the same keys; for uncleared callers a
    sensitive zone's name, id and authority stay empty (its kind and legal basis are
    public), its extent is the generalised footprint (``geo.location.footprint``: ``extent`` says
    so) and its ``valid_to`` is the footprint's, to the Hanoi day."""
    sensitivity = f.props.get("sensitivity", Sensitivity.PUBLIC)
    entry = {"kind": kind, "legal_basis": f.props.get("legal_basis"),
             "sensitivity": sensitivity, **dict.fromkeys(ZONE_KEYS),
             "extent": f.props.get("extent", EXACT), "extent_note": f.props.get("extent_note")}
    entry["valid_to"] = stamp(f.valid_to)
    if cleared or sensitivity == Sensitivity.PUBLIC:
        entry.update({k: f.props[k] for k in ZONE_KEYS if k in f.props})
        entry.update(id=f.id, name=f.name, authority=f.props.get("authority"))
    else:
        entry["name"] = f"restricted — {kind.replace('_', ' ')}"
    return entry


def belt_entry(f: Feature) -> dict:
    """The belt segment holding a point, as answers show it (depth in metres)."""
    p = f.props
    return {"id": f.id, "depth_m": p["depth_m"], "is_default": p["is_default"],
            "instrument": p["instrument"], "commune_code": p.get("commune_code")}


def check_points(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray,
                 at: datetime | None = None, *, cleared: bool = False) -> list[PointAnswer]:
    """Answer every point at the instant ``at`` (default now). ``cleared`` callers see the
    names, ids and exact extent of sensitive zones; others only their kind and legal basis,
    answered against their footprints (``ZoneIndex.zone_layer``)."""
    at = at or now()
    lon = np.asarray(lon, dtype=float).ravel()
    lat = np.asarray(lat, dtype=float).ravel()
    if not len(lon):
        return []
    when = np.full(len(lon), as_utc64(at, None), dtype="datetime64[us]")
    pts = shapely.points(lon, lat)
    cols = answer_columns(index, lon, lat, when, lookups(index), *nearest(index, lon, lat),
                          cleared=cleared, pts=pts)
    mark_waters(index, pts, when, cols)
    return _answers(index, lon, lat, stamp(at), cols, cleared)


def _answers(index: ZoneIndex, lon, lat, at: str, cols: dict[str, np.ndarray],
             cleared: bool) -> list[PointAnswer]:
    """One ``PointAnswer`` per row of ``answer_columns`` ("" and NaN read as None)."""
    belts, source = index.belt.features, index.border.source
    rows = zip(lon.tolist(), lat.tolist(), *(cols[name].tolist() for name in (
        "in_vietnam", "country", "province_code", "province_name", "commune_code",
        "commune_name", "commune_precision", "in_land_border_area", "belt_index",
        "border_distance_m", "nearest_neighbour", "zones", "decisions",
        "in_sea_border_area", "surface", "province_precision")), strict=True)
    return [PointAnswer(
        lon=x, lat=y, at=at, in_vietnam=in_vn, country=country or None,
        province=_province(p_code, p_name, p_precision),
        commune={"code": c_code, "name": c_name, "precision": precision} if c_code else None,
        in_land_border_area=lba, in_border_belt=belt >= 0,
        belt=belt_entry(belts[belt]) if belt >= 0 else None,
        border_distance_m=None if dist != dist else dist, nearest_neighbour=iso or None,
        zones=[zone_entry(f, kind, cleared) for kind, f in zones], border_source=source,
        decisions=[decision_hit(f) for f in decisions], in_sea_border_area=sea,
        surface=surface or None)
        for (x, y, in_vn, country, p_code, p_name, c_code, c_name, precision, lba, belt,
             dist, iso, zones, decisions, sea, surface, p_precision) in rows]


def _province(code: str, name: str | None, precision: str) -> dict | None:
    if not code:
        return None
    return {"code": code, "name": name, **({"precision": precision} if precision else {})}


__all__ = ["PointAnswer", "belt_entry", "check_points", "zone_entry"]
