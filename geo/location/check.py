"""Location checks: where points are relative to the border zones, at an instant.

Takes WGS 84 lon/lat arrays (or another accepted CRS, transformed once, vectorised) and a
``ZoneIndex``; returns one ``PointAnswer`` per point. Distances are geodesic metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely

from geo.common.timeutil import now
from geo.common.zones import Sensitivity, ZoneKind
from geo.location.decision_features import decision_hit
from geo.location.footprint import EXACT
from geo.location.index import Layer, ZoneIndex, as_utc64
from geo.location.surface import surfaces

#: Near the line, the side of the border is decided by the exact communes alone.
NEAR_BORDER_M = 30.0


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


def _unit(layer: Layer, idx: int, precision: str | None = None) -> dict | None:
    if idx < 0:
        return None
    f = layer.features[idx]
    out = {"code": f.id, "name": f.name}
    if precision:
        out["precision"] = precision
    return out


ZONE_KEYS = ("id", "authority", "gate_id", "gate_type", "status", "version", "valid_to")


def _zone_entry(f, kind: str, cleared: bool) -> dict:
    """One zone holding the point. Every caller gets the same keys; for uncleared callers a
    sensitive zone's name, id and authority stay empty (its kind and legal basis are
    public), its extent is the generalised footprint (``geo.location.footprint``: ``extent`` says
    so) and its ``valid_to`` is the footprint's, to the Hanoi day."""
    sensitivity = f.props.get("sensitivity", Sensitivity.PUBLIC)
    entry = {"kind": kind, "legal_basis": f.props.get("legal_basis"),
             "sensitivity": sensitivity, **dict.fromkeys(ZONE_KEYS),
             "extent": f.props.get("extent", EXACT), "extent_note": f.props.get("extent_note")}
    entry["valid_to"] = f.valid_to.isoformat() if f.valid_to else None
    if cleared or sensitivity == Sensitivity.PUBLIC:
        entry.update({k: f.props[k] for k in ZONE_KEYS if k in f.props})
        entry.update(id=f.id, name=f.name, authority=f.props.get("authority"))
    else:
        entry["name"] = f"restricted — {kind.replace('_', ' ')}"
    return entry


def _overridden(index: ZoneIndex, when: np.datetime64) -> set[str]:
    """Communes whose belt is set by an instrument in force at ``when``: there the
    instrument's belt replaces the default strip entirely (GEO-BELT-04)."""
    layer = index.belt
    return {layer.features[f].props.get("commune_code") for f in layer.instrument_rows
            if layer.starts[f] <= when < layer.ends[f]}


def commune_codes(index: ZoneIndex, exact: np.ndarray, simple: np.ndarray) -> np.ndarray:
    """The commune holding each point ("" none), by the one rule for overlapping communes:
    exact geometry first; where communes overlap in the data (``geo.location.overlaps``),
    the lowest code (``Layer.first_hit``). The belt row and the land border listing of a
    point are those of this commune (``_belt_hits``, ``land_border_rows``)."""
    ex, si = index.communes_exact.ids, index.communes_simplified.ids
    out = np.full(len(exact), "", dtype=object)
    out[exact >= 0] = ex[exact[exact >= 0]]
    use = (exact < 0) & (simple >= 0)
    out[use] = si[simple[use]]
    return out


def land_border_rows(index: ZoneIndex, pts, when, codes: np.ndarray) -> np.ndarray:
    """Per point, the land border row (-1 none) of its commune (``commune_codes``); a point
    in no commune keeps the lowest row holding it."""
    pidx, fidx = index.land_border.hits(pts, when)
    own = (codes[pidx] == "") | (index.land_border.ids[fidx] == codes[pidx])
    out = np.full(len(pts), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, pidx[own], fidx[own])
    out[out == np.iinfo(np.int64).max] = -1
    return out


def _belt_hits(index: ZoneIndex, pts, when, codes: np.ndarray | None = None
               ) -> dict[int, dict]:
    """Belt segment per point; an instrument's belt replaces the default for its commune.
    With ``codes`` (``commune_codes``), only rows of the point's commune (or of no commune)
    count: where communes overlap, another commune's belt does not apply."""
    pidx, fidx = index.belt.hits(pts, when)
    if not len(pidx):
        return {}
    overridden = _overridden(index, when[0])
    feats = index.belt.features
    out: dict[int, dict] = {}
    for p, f in zip(pidx.tolist(), fidx.tolist(), strict=True):
        props = feats[f].props
        owner = props.get("commune_code")
        if codes is not None and owner and codes[p] and owner != codes[p]:
            continue
        if props["is_default"] and (owner in overridden or p in out):
            continue
        out[p] = {"id": feats[f].id, "depth_m": props["depth_m"],
                  "is_default": props["is_default"], "instrument": props["instrument"],
                  "commune_code": props.get("commune_code")}
    return out


def check_points(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray,
                 at: datetime | None = None, *, cleared: bool = False) -> list[PointAnswer]:
    """Answer every point at the instant ``at`` (default now). ``cleared`` callers see the
    names, ids and exact extent of sensitive zones; others only their kind and legal basis,
    answered against their footprints (``ZoneIndex.zone_layer``)."""
    at = at or now()
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    pts = shapely.points(lon, lat)
    when = np.full(len(pts), as_utc64(at, None), dtype="datetime64[us]")
    exact = index.communes_exact.first_hit(pts, when)
    simple = index.communes_simplified.first_hit(pts, when)
    province = index.provinces.first_hit(pts, when)
    land = index.territory.first_hit(pts, when)
    neighbour_poly = index.neighbours.first_hit(pts, when)
    codes = commune_codes(index, exact, simple)
    lba = land_border_rows(index, pts, when, codes)
    belt = _belt_hits(index, pts, when, codes)
    dist, near_iso = index.border.nearest(lon, lat)
    zones = _collect(index, pts, when, cleared)
    answers = []
    for i in range(len(pts)):
        near = bool(dist[i] <= NEAR_BORDER_M)
        in_vn = bool(exact[i] >= 0 or (land[i] >= 0 and not near))
        answers.append(_answer(index, i, lon, lat, at, in_vn, exact, simple, province,
                               neighbour_poly, lba, belt, dist, near_iso, zones))
    for p in set(index.sea.hits(pts, when)[0].tolist()):
        answers[p].in_sea_border_area = True
    pidx, fidx = index.decisions.hits(pts, when)  # areas holding the point, in force at `at`
    for p, f in sorted(zip(pidx, fidx, strict=True)):
        answers[p].decisions.append(decision_hit(index.decisions.features[f]))
    _mark_surface(index, answers, pts, when)
    return answers


def _mark_surface(index: ZoneIndex, answers: list[PointAnswer], pts, when) -> None:
    """Vietnam's waters are Vietnam: ``surface``, and at sea ``in_vietnam``, ``country``
    and the coastal province where determinable (``geo.location.surface``)."""
    on_land = np.array([a.in_vietnam for a in answers], dtype=bool)
    kinds, provinces = surfaces(index, pts, when, on_land)
    for a, kind, code in zip(answers, kinds.tolist(), provinces, strict=True):
        a.surface = kind or None
        if kind and not a.in_vietnam:
            a.in_vietnam, a.country = True, "VNM"
            a.province = ({**_province_by_code(index, code), "precision": "nearest_coast"}
                          if code else None)


def _collect(index: ZoneIndex, pts, when, cleared: bool) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for layer, fixed_kind in ((index.zone_layer(cleared), None),
                              (index.checkpoint_areas, ZoneKind.CHECKPOINT_AREA.value)):
        pidx, fidx = layer.hits(pts, when)
        for p, f in zip(pidx, fidx, strict=True):
            feat = layer.features[f]
            kind = fixed_kind or feat.props["kind"]
            out.setdefault(int(p), []).append(_zone_entry(feat, kind, cleared))
    return out


def _answer(index, i, lon, lat, at, in_vn, exact, simple, province, neighbour_poly, lba,
            belt, dist, near_iso, zones) -> PointAnswer:
    commune = (_unit(index.communes_exact, exact[i], "exact") if exact[i] >= 0
               else _unit(index.communes_simplified, simple[i], "simplified"))
    prov = None
    if in_vn:
        code = (index.communes_exact.features[exact[i]].props["province_code"] if exact[i] >= 0
                else index.communes_simplified.features[simple[i]].props["province_code"]
                if simple[i] >= 0 else None)
        prov = (_province_by_code(index, code) if code
                else _unit(index.provinces, province[i]))
    country = "VNM" if in_vn else _country(index, i, neighbour_poly, dist, near_iso)
    in_belt = in_vn and i in belt
    return PointAnswer(
        lon=float(lon[i]), lat=float(lat[i]), at=at.isoformat(), in_vietnam=in_vn,
        country=country, province=prov, commune=commune if in_vn else None,
        in_land_border_area=bool(in_vn and lba[i] >= 0), in_border_belt=bool(in_belt),
        belt=belt.get(i) if in_belt else None,
        border_distance_m=None if np.isnan(dist[i]) else round(float(dist[i]), 2),
        nearest_neighbour=None if near_iso[i] is None else str(near_iso[i]),
        zones=zones.get(i, []), border_source=index.border.source)


def _province_by_code(index: ZoneIndex, code: str) -> dict | None:
    return {"code": code, "name": index.province_names.get(code)}


def _country(index: ZoneIndex, i, neighbour_poly, dist, near_iso) -> str | None:
    """Outside Vietnam: the neighbour's polygon (Natural Earth, ~2 km precision), or within
    3 km of the line the nearest segment's neighbour; None at sea."""
    if neighbour_poly[i] >= 0:
        return index.neighbours.features[neighbour_poly[i]].id
    if not np.isnan(dist[i]) and dist[i] <= 3_000:
        return str(near_iso[i])
    return None


__all__ = ["PointAnswer", "check_points"]
