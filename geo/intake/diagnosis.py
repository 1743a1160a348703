"""Likely VN-2000 mistakes, found by reading the same coordinates under each mistake and
asking which reading puts the geometry where it should lie (``Reference``: its province or
commune, a surveyed corner, a gate, the previous version).

Hypotheses (each gives the geometry were it the case, and how far that is from the geometry
as written, metres):

* ``no_datum_shift`` — VN-2000 coordinates computed without the datum shift (the "local
  VN-2000" signature: read correctly they land ~195 m east and 107-112 m south, ~224 m);
* ``shift_twice`` — the shift applied in the wrong direction (twice over, ~448 m);
* ``scale_0_9996`` — a provincial 3° zone projected with the UTM scale (~700-800 m north);
* ``wrong_zone`` — another 3° zone's central meridian (the province's zones first);
* ``swapped_xy`` — x and y (lon and lat) exchanged;
* ``rotation_sign`` — a hand-typed towgs84 whose rotations have the other sign convention
  (position vector instead of coordinate frame, 0.8-1.3 m: seen only against a reference
  known to better than a metre);
* ``vn2000_as_wgs84`` — VN-2000 lon/lat sent as WGS 84 (~224 m).

A hypothesis is *flagged* when the geometry as written misses a reference (by more than its
tolerance) and the hypothesis meets every reference. Unflagged datum, scale and rotation
hypotheses are still listed with their size: the references could not tell them apart.
Nothing is changed: the corrected geometry is offered beside the geometry as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from geo.common import crs
from geo.intake import vn2000
from geo.intake.model import Diagnosis, Reference

Coords = np.ndarray  # (n, 2): x, y
_SAMPLE = 256


@dataclass(frozen=True)
class _Hypothesis:
    code: str
    text: str
    read: Callable[[Coords], Coords]
    epsg: int | None = None
    always: bool = True  # listed even when not flagged


def _stack(pair) -> Coords:
    return np.column_stack([np.asarray(pair[0], "float64"), np.asarray(pair[1], "float64")])


def declared(xy: Coords, epsg: int) -> Coords:
    return _stack(crs.to_wgs84(xy[:, 0], xy[:, 1], epsg))


def _vn_geographic(xy: Coords, epsg: int) -> Coords:
    params = vn2000.tm_params(epsg)
    if params is None:
        return xy.copy()
    return _stack(vn2000.inverse_tm(xy[:, 0], xy[:, 1], *params))


def _tm3(cm: float, scale: float) -> Callable[[Coords], Coords]:
    def read(xy: Coords) -> Coords:
        lon, lat = vn2000.inverse_tm(xy[:, 0], xy[:, 1], cm, scale)
        return _stack(crs.to_wgs84(lon, lat, crs.VN2000_GEOGRAPHIC))
    return read


def _vn2000_hypotheses(epsg: int, province_code: str | None) -> list[_Hypothesis]:
    def no_shift(xy):
        return _vn_geographic(xy, epsg)

    def twice(xy):
        return 2 * no_shift(xy) - declared(xy, epsg)

    def rotation(xy):
        q = _vn_geographic(xy, epsg)
        return _stack(vn2000.vn2000_to_wgs84(q[:, 0], q[:, 1], rotation_flipped=True))

    out = [_Hypothesis("no_datum_shift", "VN-2000 coordinates computed without the datum "
                       "shift (the 'local VN-2000' signature)", no_shift),
           _Hypothesis("shift_twice", "the datum shift applied in the wrong direction "
                       "(twice over)", twice),
           _Hypothesis("rotation_sign", "a hand-typed towgs84 with the rotations' signs "
                       "reversed (position vector instead of coordinate frame)", rotation)]
    if epsg in vn2000.TM3_MERIDIANS:
        cm = vn2000.TM3_MERIDIANS[epsg]
        out.append(_Hypothesis("scale_0_9996", f"projected with scale 0.9996 (UTM) instead "
                               f"of 0.9999 for the 3° zone {cm:g}°E", _tm3(cm, 0.9996)))
    if vn2000.tm_params(epsg) is not None:
        mine = vn2000.province_zones(province_code)
        others = [z for z in (*mine, *vn2000.TM3_MERIDIANS) if z != epsg]
        for zone in dict.fromkeys(others):
            cm = vn2000.TM3_MERIDIANS[zone]
            out.append(_Hypothesis("wrong_zone", f"coordinates of the 3° zone {cm:g}°E "
                                   f"(EPSG:{zone}), not EPSG:{epsg}", _tm3(cm, 0.9999),
                                   epsg=zone, always=False))
    return out


def hypotheses(epsg: int, province_code: str | None = None) -> list[_Hypothesis]:
    """Every mistake worth testing for coordinates declared in ``epsg``."""
    def swapped(xy):
        return declared(xy[:, ::-1].copy(), epsg)

    out = [_Hypothesis("swapped_xy", "x and y (lon and lat) exchanged", swapped,
                       always=False)]
    if epsg == crs.WGS84:
        out.append(_Hypothesis("vn2000_as_wgs84", "VN-2000 lon/lat sent as WGS 84",
                               _stack_vn2000, epsg=crs.VN2000_GEOGRAPHIC, always=False))
    else:
        out.extend(_vn2000_hypotheses(epsg, province_code))
    return out


def _stack_vn2000(xy: Coords) -> Coords:
    return _stack(crs.to_wgs84(xy[:, 0], xy[:, 1], crs.VN2000_GEOGRAPHIC))


# -- fitting ---------------------------------------------------------------------------------
class _Fit:
    """A reference in a local metric CRS, measuring how far coordinates miss it (m)."""

    def __init__(self, ref: Reference):
        self.ref = ref
        c = ref.geom.representative_point()
        self.forward, _ = crs.local_metric(round(c.x, 3), round(c.y, 3))
        metric = shapely.transform(ref.geom, self._metric)
        self.area = metric
        self.outline = shapely.simplify(metric.boundary if metric.area > 0 else metric, 1.0)
        shapely.prepare(self.area)
        self._edges = shapely.STRtree(_edges(self.outline))  # nearest-edge distances

    def _distance(self, geoms) -> np.ndarray:
        """Distance (m) from each of ``geoms`` to the outline, through the edge tree."""
        geoms = np.atleast_1d(geoms)
        (i, _), d = self._edges.query_nearest(geoms, return_distance=True, all_matches=False)
        out = np.full(len(geoms), np.inf)
        np.minimum.at(out, i, d)
        return out

    def _metric(self, xy: Coords) -> Coords:
        return _stack(self.forward.transform(xy[:, 0], xy[:, 1]))

    def miss_m(self, lonlat: Coords) -> float:
        if not np.all(np.isfinite(lonlat)) or np.any(np.abs(lonlat[:, 1]) > 89.9):
            return float("inf")
        xy = self._metric(lonlat)
        if not np.all(np.isfinite(xy)):
            return float("inf")
        if self.ref.kind == "inside":
            out = xy[~shapely.contains_xy(self.area, xy[:, 0], xy[:, 1])]
            if not len(out):
                return 0.0
            step = max(1, len(out) // _SAMPLE)
            return float(np.max(self._distance(shapely.points(out[::step]))))
        if self.ref.kind == "near":
            step = max(1, len(xy) // (_SAMPLE * 4))
            hull = shapely.convex_hull(shapely.multipoints(xy[::step]))
            if self.area.geom_type not in ("Point", "MultiPoint") and \
                    shapely.intersects(hull, self.area):
                return 0.0
            return float(self._distance(hull)[0])  # to the outline simplified to 1 m
        if self.area.geom_type in ("Point", "MultiPoint"):
            line = shapely.linestrings(xy)
            return float(np.max(shapely.distance(shapely.get_parts(self.area), line)))
        sample = shapely.linestrings(xy[::max(1, len(xy) // _SAMPLE)])
        return float(shapely.hausdorff_distance(self.outline, sample))


def _edges(outline) -> np.ndarray:
    """Every edge of a (multi)line or point geometry as its own geometry."""
    out = []
    for part in shapely.get_parts(outline):
        xy = shapely.get_coordinates(part)
        if len(xy) < 2:
            out.append(shapely.points(xy))
        else:
            out.append(shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1)))
    return np.concatenate(out) if out else np.array([shapely.Point()])


def offsets(a: Coords, b: Coords) -> tuple[float, float, float] | None:
    """(largest, mean east, mean north) geodesic displacement from ``a`` to ``b`` (m):
    called with (corrected, as written), it is how far the mistake moved the geometry."""
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))) or \
            np.any(np.abs(a[:, 1]) > 90) or np.any(np.abs(b[:, 1]) > 90):
        return None
    az, _, dist = crs.GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    az = np.radians(az)
    return float(np.max(dist)), float(np.mean(dist * np.sin(az))), \
        float(np.mean(dist * np.cos(az)))


def _message(h: _Hypothesis, shift, flagged: bool, refs: Sequence[Reference]) -> str:
    size = "an unmeasurable distance" if shift is None else \
        f"{shift[0]:,.1f} m (east {shift[1]:+,.1f} m, north {shift[2]:+,.1f} m)"
    names = ", ".join(r.name for r in refs) or "no reference"
    if flagged:
        return (f"likely {h.text}: read that way the geometry lies where it should "
                f"({names}); as written it is off by {size}. The geometry as written was "
                "kept — send the corrected one if this is right")
    return (f"cannot be excluded: {h.text} would put the geometry off by {size}; "
            f"the references ({names}) cannot tell")


def diagnose(written, epsg: int, refs: Sequence[Reference] = (),
             province_code: str | None = None) -> tuple[Diagnosis, ...]:
    """Likely mistakes in ``written`` (a geometry in ``epsg``), flagged against ``refs``."""
    xy = shapely.get_coordinates(written)
    stated = declared(xy, epsg)
    fits = [_Fit(r) for r in refs]
    stated_ok = [f.miss_m(stated) <= f.ref.tolerance_m for f in fits]
    found: list[tuple[float, Diagnosis]] = []
    for h in hypotheses(epsg, province_code):
        moved = h.read(xy)
        misses = [f.miss_m(moved) for f in fits]
        ok = [m <= f.ref.tolerance_m for m, f in zip(misses, fits, strict=True)]
        flagged = any(o and not s for o, s in zip(ok, stated_ok, strict=True)) and all(ok)
        if not (flagged or h.always):
            continue
        shift = offsets(moved, stated)  # how far the mistake put the geometry as written
        corrected = shapely.transform(written, h.read) if flagged else None
        found.append((sum(misses), Diagnosis(
            h.code, _message(h, shift, flagged, refs), shift[0] if shift else float("inf"),
            flagged, corrected, h.epsg, shift[1] if shift else None,
            shift[2] if shift else None)))
    flagged = sorted((d for d in found if d[1].flagged), key=lambda d: d[0])
    return tuple(d for _, d in flagged) + tuple(d for _, d in found if not d.flagged)
