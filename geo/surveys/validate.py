"""The validation report of a survey: one item per check, each with its measure.

Measures are in a local transverse Mercator centred on the sketch (``geo.common.crs.
local_metric``: scale error < 1.2e-5 within 30 km) and areas geodesically (WGS 84). Items:
``closed_ring``, ``valid_polygon``, ``spikes``, ``slivers``, ``border`` (crossing length,
shared length, area beyond Viet Nam's land), ``gate_location``, ``commune``, ``area``,
``accuracy`` and one ``vn2000.<code>`` per intake diagnosis. Severity ``error`` refuses the
upload; ``warning`` is shown to the approver; ``ok``/``info`` report the measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from geo.common import crs
from geo.intake import Intake
from geo.intake import diagnosis as intake_diagnosis
from geo.surveys.context import CommuneShare, Surroundings
from geo.surveys.rules import Thresholds

SEQUENCE_FORMATS = ("csv", "odk", "gpx")  # the intake closes their rings
_MAX_LISTED = 25


@dataclass(frozen=True)
class Item:
    code: str
    severity: str  # ok | info | warning | error
    message: str
    measure: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "measure": self.measure}


class Metric:
    """Forward/inverse transforms of a local metric CRS centred on a geometry."""

    def __init__(self, geom):
        c = geom.representative_point()
        self.forward, self.inverse = crs.local_metric(round(c.x, 3), round(c.y, 3))

    def to(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(
            self.forward.transform(xy[:, 0], xy[:, 1])))

    def back(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(
            self.inverse.transform(xy[:, 0], xy[:, 1])))

    def lonlat(self, x: float, y: float) -> list[float]:
        lon, lat = self.inverse.transform(x, y)
        return [round(float(lon), 7), round(float(lat), 7)]


def _r(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


# -- shape --------------------------------------------------------------------------------
def closed_ring(intake: Intake, sketch_m, m: Metric, th: Thresholds) -> Item:
    edges = []
    for ring in _rings(sketch_m):
        xy = shapely.get_coordinates(ring)
        steps = np.hypot(*np.diff(xy, axis=0).T)
        edges.append((float(steps[-1]), float(np.median(steps)), xy[-2]))
    fmt = intake.report.format
    longest = max(edges, key=lambda e: e[0])
    measure = {"closing_edge_m": _r(longest[0]), "median_edge_m": _r(longest[1]),
               "closed_by_intake": fmt in SEQUENCE_FORMATS, "rings": len(edges)}
    if fmt in SEQUENCE_FORMATS and longest[0] > th.closing_edge_max_m and \
            longest[0] > 5 * longest[1]:
        return Item("closed_ring", "warning",
                    f"the {fmt} sequence was closed by joining its last vertex to its first, "
                    f"an edge of {longest[0]:,.1f} m (median edge {longest[1]:,.1f} m): the "
                    "walk may not have come back to its start", measure)
    return Item("closed_ring", "ok", f"every ring is closed (closing edge "
                f"{longest[0]:,.1f} m)", measure)


def _rings(geom) -> list:
    out = []
    for poly in shapely.get_parts(geom):
        out.append(poly.exterior)
        out.extend(poly.interiors)
    return out


def valid_polygon(intake: Intake) -> Item:
    repairs = list(intake.report.repairs)
    if repairs:
        return Item("valid_polygon", "warning", "the polygon was invalid and was repaired: "
                    + "; ".join(repairs), {"repaired": True, "changes": repairs})
    return Item("valid_polygon", "ok", "a valid polygon", {"repaired": False})


def spikes(sketch_m, m: Metric, th: Thresholds) -> Item:
    found = []
    for ring in _rings(sketch_m):
        xy = shapely.get_coordinates(ring)[:-1]
        if len(xy) < 3:
            continue
        a, b = np.roll(xy, 1, axis=0) - xy, np.roll(xy, -1, axis=0) - xy
        norm = np.hypot(*a.T) * np.hypot(*b.T)
        cos = np.clip(np.einsum("ij,ij->i", a, b) / np.where(norm > 0, norm, 1), -1, 1)
        angle = np.degrees(np.arccos(cos))
        for i in np.flatnonzero((angle < th.spike_angle_deg) & (norm > 0)):
            found.append({"lonlat": m.lonlat(*xy[i]), "angle_deg": _r(angle[i], 2)})
    measure = {"count": len(found), "threshold_deg": th.spike_angle_deg,
               "vertices": found[:_MAX_LISTED],
               "sharpest_deg": min((f["angle_deg"] for f in found), default=None)}
    if found:
        return Item("spikes", "warning", f"{len(found)} spike(s): vertices whose angle is "
                    f"sharper than {th.spike_angle_deg:g}°", measure)
    return Item("spikes", "ok", f"no angle sharper than {th.spike_angle_deg:g}°", measure)


def slivers(sketch_m, m: Metric, th: Thresholds) -> Item:
    half = th.sliver_width_m / 2
    opened = shapely.buffer(shapely.buffer(sketch_m, -half), half)
    lost = shapely.difference(sketch_m, opened) if not opened.is_empty else sketch_m
    pieces = [p for p in shapely.get_parts(lost) if p.area >= th.sliver_min_area_m2]
    listed = [{"area_m2": _r(p.area), "lonlat": m.lonlat(*shapely.get_coordinates(
        p.representative_point())[0])} for p in pieces]
    measure = {"count": len(pieces), "width_m": th.sliver_width_m,
               "area_m2": _r(sum(p.area for p in pieces)), "parts": listed[:_MAX_LISTED]}
    if pieces:
        return Item("slivers", "warning", f"{len(pieces)} sliver(s) narrower than "
                    f"{th.sliver_width_m:g} m, {measure['area_m2']:,.1f} m² in all", measure)
    return Item("slivers", "ok", f"no part narrower than {th.sliver_width_m:g} m", measure)


# -- place --------------------------------------------------------------------------------
def crossing(sketch_m, border_m, band) -> tuple[float, list]:
    """Length (m) of the border line inside the sketch, counting each stretch of it that
    leaves ``band`` (the outline buffered by the border tolerance: a stretch running along
    the outline is shared, not crossing), and those stretches."""
    if border_m.is_empty:
        return 0.0, []
    inside = shapely.get_parts(shapely.line_merge(shapely.intersection(border_m, sketch_m)))
    shapely.prepare(band)
    pieces = [p for p, along in zip(inside, shapely.covers(band, inside), strict=True)
              if p.length > 0 and not along]
    return float(sum(p.length for p in pieces)), pieces


def border(sketch_m, s: Surroundings, m: Metric, th: Thresholds) -> Item:
    window = shapely.buffer(shapely.envelope(sketch_m), 2_000)
    border_m = shapely.intersection(m.to(s.border), window) if s.border is not None \
        else shapely.LineString()
    land_m = shapely.intersection(m.to(s.land), window)
    band = shapely.buffer(sketch_m.boundary, th.border_tolerance_m)
    crossing_m, pieces = crossing(sketch_m, border_m, band)
    shared = shapely.intersection(border_m, band)
    if pieces:
        shared = shapely.difference(shared, shapely.union_all(pieces))
    beyond = shapely.buffer(land_m, th.land_tolerance_m) if th.land_tolerance_m else land_m
    outside_m2 = float(shapely.difference(sketch_m, beyond).area)
    whole = s.border is not None and not s.border.is_empty
    gap_m = float(shapely.distance(sketch_m, border_m if not border_m.is_empty
                                   else m.to(s.border))) if whole else None
    measure = {"crossing_m": _r(crossing_m), "shared_m": _r(shared.length),
               "outside_vietnam_m2": _r(outside_m2),
               "gap_m": None if gap_m is None else _r(gap_m),
               "crossings": [{"length_m": _r(p.length), "lonlat": m.lonlat(
                   *shapely.get_coordinates(p.interpolate(0.5, normalized=True))[0])}
                   for p in pieces][:_MAX_LISTED]}
    if crossing_m > 0 or outside_m2 > th.outside_vietnam_max_m2:
        return Item("border", "error", f"the area crosses the border line into the "
                    f"neighbouring country: {crossing_m:,.1f} m of the border line runs "
                    f"inside it, {outside_m2:,.0f} m² lie beyond Viet Nam's land", measure)
    if shared.length == 0:
        where = "no border line near" if gap_m is None else f"nearest {gap_m:,.1f} m away"
        return Item("border", "warning", "the area does not touch the land border line "
                    f"({where}); a gate area shares part of its boundary with it", measure)
    return Item("border", "ok", f"inside Viet Nam; shares {shared.length:,.1f} m of its "
                "boundary with the land border line", measure)


def gate_location(sketch_m, s: Surroundings, m: Metric, th: Thresholds) -> Item:
    gate = s.gate
    if gate.location is None:
        return Item("gate_location", "info", f"gate {gate.id} has no recorded location; "
                    "record one (POST /v1/gates/{id}/location) to check it", {"known": False})
    point = m.to(gate.location)
    distance = float(shapely.distance(point, sketch_m))
    measure = {"known": True, "contains": distance == 0, "distance_m": _r(distance),
               "threshold_m": th.gate_distance_m, "location": m.lonlat(point.x, point.y),
               "location_accuracy_m": gate.location_accuracy_m,
               "location_reference": gate.location_reference}
    if distance == 0:
        return Item("gate_location", "ok", f"the area holds the location of gate "
                    f"{gate.id} ({gate.name})", measure)
    severity = "ok" if distance <= th.gate_distance_m else "warning"
    return Item("gate_location", severity, f"the location of gate {gate.id} ({gate.name}) "
                f"lies {distance:,.1f} m outside the area (allowed {th.gate_distance_m:g} m)",
                measure)


def commune(sketch_m, s: Surroundings, hits: Sequence[CommuneShare], m: Metric,
            th: Thresholds) -> Item:
    measure: dict = {"communes": [h.as_dict() for h in hits], "home": None}
    foreign = [h for h in hits if h.province_code != s.gate.province_code]
    if hits and len(foreign) == len(hits):
        return Item("commune", "error", f"the area lies outside the gate's province "
                    f"{s.gate.province_code} (in {', '.join(h.name for h in hits)})", measure)
    if s.allowed is None:
        return Item("commune", "warning" if foreign else "info", "the gate's commune is "
                    "unknown (no recorded location); the area lies in "
                    + (", ".join(f"{h.name} ({h.code})" for h in hits) or "no commune"),
                    measure)
    outside = float(shapely.difference(sketch_m, m.to(s.allowed)).area)
    share = outside / sketch_m.area if sketch_m.area else 0.0
    measure.update(home={"code": s.home[0], "name": s.home[1]} if s.home else None,
                   allowed=list(s.allowed_names), outside_m2=_r(outside),
                   outside_share=round(share, 4))
    where = f"{s.home[1]} ({s.home[0]})" if s.home else "the gate's commune"
    if share > th.commune_outside_share:
        return Item("commune", "warning", f"{share:.1%} of the area ({outside:,.0f} m²) lies "
                    f"outside {where} and its neighbours", measure)
    return Item("commune", "ok", f"inside {where} or its neighbours", measure)


def area(area_m2: float, gate_type: str, th: Thresholds) -> Item:
    ha = area_m2 / 10_000
    low, high = th.area_ha.get(gate_type, (0.0, float("inf")))
    measure = {"area_ha": round(ha, 2), "area_m2": _r(area_m2), "gate_type": gate_type,
               "plausible_ha": [low, high], "reference_ha": th.reference_areas_ha}
    if not low <= ha <= high:
        return Item("area", "warning", f"{ha:,.2f} ha is outside the plausible range for a "
                    f"{gate_type} gate ({low:g}-{high:g} ha; approved references: "
                    + ", ".join(f"{k} {v} ha" for k, v in th.reference_areas_ha.items())
                    + ")", measure)
    return Item("area", "ok", f"{ha:,.2f} ha, plausible for a {gate_type} gate "
                f"({low:g}-{high:g} ha)", measure)


def accuracy(intake: Intake, th: Thresholds) -> Item:
    values = intake.vertex_accuracy_m
    if values is None:
        return Item("accuracy", "info", f"a {intake.report.format} file carries no per-vertex "
                    "accuracy: unknown for every vertex", {"known": 0, "unknown": None})
    xy = shapely.get_coordinates(intake.written)
    lonlat = intake_diagnosis.declared(xy, intake.report.epsg)
    ring = list(values[:-1]) if len(values) > 1 else list(values)  # the closing repeat
    flagged = [{"vertex": i, "lonlat": [round(float(v), 7) for v in lonlat[i]],
                "accuracy_m": acc} for i, acc in enumerate(ring)
               if acc is None or acc > th.accuracy_max_m]
    unknown = sum(1 for a in ring if a is None)
    worse = len(flagged) - unknown
    measure = {"vertices": len(ring), "unknown": unknown, "worse": worse,
               "threshold_m": th.accuracy_max_m, "flagged": flagged[:_MAX_LISTED],
               "max_m": max((a for a in ring if a is not None), default=None)}
    if flagged:
        return Item("accuracy", "warning", f"{len(flagged)} of {len(ring)} vertices flagged: "
                    f"{worse} worse than {th.accuracy_max_m:g} m, {unknown} unknown (0 or "
                    "empty: tapped, not measured)", measure)
    return Item("accuracy", "ok", f"every vertex measured to {th.accuracy_max_m:g} m or "
                "better", measure)


def diagnoses(intake: Intake) -> list[Item]:
    out = [Item(f"vn2000.{d.code}", "warning" if d.flagged else "info", d.message,
                d.as_dict(with_geometry=False)) for d in intake.report.diagnoses]
    out += [Item("intake.note", "info", w, {}) for w in intake.report.warnings]
    return out


# -- the report ---------------------------------------------------------------------------
def report(intake: Intake, s: Surroundings, hits: Sequence[CommuneShare],
           th: Thresholds) -> dict:
    """Every check of a survey read by the intake; JSON-ready."""
    sketch = intake.geometry
    m = Metric(sketch)
    sketch_m = m.to(sketch)
    area_m2 = abs(crs.GEOD.geometry_area_perimeter(sketch)[0])
    items = [closed_ring(intake, sketch_m, m, th), valid_polygon(intake),
             spikes(sketch_m, m, th), slivers(sketch_m, m, th), border(sketch_m, s, m, th),
             gate_location(sketch_m, s, m, th), commune(sketch_m, s, hits, m, th),
             area(area_m2, s.gate.gate_type, th), accuracy(intake, th), *diagnoses(intake)]
    counts = {k: sum(1 for i in items if i.severity == k)
              for k in ("error", "warning", "info", "ok")}
    return {"ok": counts["error"] == 0, "counts": counts, "gate_id": s.gate.id,
            "area_m2": round(area_m2, 1), "area_ha": round(area_m2 / 10_000, 2),
            "items": [i.as_dict() for i in items],
            "intake": intake.report.as_dict(with_geometry=False)}


def errors(report_: dict) -> list[dict]:
    return [i for i in report_["items"] if i["severity"] == "error"]
