"""Border crossings of a route: where it leaves or enters Vietnam, and where it passes
from one neighbour to another, in the order travelled.

Everything lon/lat (EPSG:4326). A route leaves or enters Vietnam where it meets the land
border line (the loaded line, exact as the data) and the side changes: each stretch of the
route between two meetings is on the side of its middle point, tested against Vietnam's
land polygon, whose outline is that same line. Between two neighbours only the Natural
Earth polygons are in the data (about 2 km off), so those crossings say so in
``precision``. Times are interpolated along the track (``routes.time_at``); distances to
gates are geodesic metres on WGS 84.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely

from geo.common.crs import GEOD
from geo.common.timeutil import to_hanoi
from geo.location.index import Layer, ZoneIndex, as_utc64
from geo.location.routes import Track, time_at

VIETNAM = "VNM"
#: a gate counts as the crossing's gate when its recorded point is this close (metres)
GATE_NEAR_M = 5_000.0
#: meetings closer than this along the route are one (a vertex on the line meets two
#: segments)
SAME_M = 0.01
EXACT_LINE = "exact: the loaded land border line"
NEIGHBOURS_NE = "approximate: Natural Earth 1:10m neighbour polygons, about 2 km"
#: a stretch outside every polygon but this close to the line is the line's neighbour
NEAR_LINE_M = 3_000.0


@dataclass
class Crossing:
    """One border crossing: ``from_country`` -> ``to_country`` at ``point``."""

    from_country: str
    to_country: str
    point: tuple[float, float]
    along_m: float
    time: datetime | None
    precision: str
    nearest_gate: dict | None = None

    @property
    def direction(self) -> str:
        if self.from_country == VIETNAM:
            return "exit"
        return "entry" if self.to_country == VIETNAM else "between_neighbours"

    @property
    def neighbour(self) -> str:
        return self.to_country if self.from_country == VIETNAM else self.from_country


def crossings(index: ZoneIndex, track: Track, at: datetime) -> list[Crossing]:
    """Every border crossing of ``track``, in order along it (``at``: the instant whose
    layers count when the track has no times)."""
    meets = _meetings(track, index.border.lines, index.border.line_iso, index.border.line_tree,
                      exact=True)
    if len(index.neighbours):
        meets += _meetings(track, *_outlines(index.neighbours), exact=False)
    found: list[Crossing] = []
    for part in range(len(track.parts)):
        found.extend(_part_crossings(index, track, part, meets, at))
    for c in found:
        c.nearest_gate = nearest_gate(index, c.point, c.neighbour)
    return found


def _outlines(layer: Layer) -> tuple[np.ndarray, np.ndarray, shapely.STRtree]:
    """The neighbour polygons' outlines in pieces of at most 64 vertices, their country and
    a tree of them; built once per layer (a thread that races builds its own copy)."""
    cached = getattr(layer, "_crossing_outlines", None)
    if cached is None:
        pieces, isos = [], []
        for f in layer.features:
            for ring in shapely.get_parts(shapely.boundary(f.geom)):
                xy = shapely.get_coordinates(ring)
                for k in range(0, len(xy) - 1, 63):
                    pieces.append(shapely.linestrings(xy[k:k + 64]))
                    isos.append(f.id)
        lines = np.array(pieces, dtype=object)
        tree = shapely.STRtree(lines)
        tree.query(lines[:1])  # built before it is shared
        cached = (lines, np.array(isos, dtype=object), tree)
        layer._crossing_outlines = cached
    return cached


def _meetings(track: Track, lines: np.ndarray, isos: np.ndarray, tree, *,
              exact: bool) -> list[tuple]:
    """(along_m, segment, neighbour, exact, lon, lat) where the route meets ``lines``."""
    if not len(lines):
        return []
    si, li = tree.query(track.segments, predicate="intersects")
    if not len(si):
        return []
    shared = shapely.intersection(track.segments[si], lines[li])
    coords, idx = shapely.get_coordinates(shared, return_index=True)
    seg, iso = si[idx], isos[li[idx]]
    origin, d = track.seg_a[seg], track.seg_b[seg] - track.seg_a[seg]
    norm = np.maximum((d * d).sum(axis=1), 1e-30)
    frac = np.clip(((coords - origin) * d).sum(axis=1) / norm, 0.0, 1.0)
    along = track.seg_start_m[seg] + frac * track.seg_len_m[seg]
    return [(float(a), int(s), str(i), exact, float(x), float(y))
            for a, s, i, (x, y) in zip(along, seg, iso, coords, strict=True)]


def _part_crossings(index: ZoneIndex, track: Track, part: int, meets: list,
                    at: datetime) -> list[Crossing]:
    first, last = _segment_range(track, part)
    mine = sorted(m for m in meets if first <= m[1] < last)
    cuts: list[tuple] = []
    for m in mine:  # one cut per place; the exact line wins over the approximate outlines
        if cuts and m[0] - cuts[-1][0] <= SAME_M:
            if m[3] and not cuts[-1][3]:
                cuts[-1] = m
            continue
        cuts.append(m)
    if not cuts:
        return []
    start, end = float(track.part_start_m[part]), float(track.part_end_m[part])
    bounds = [start] + [c[0] for c in cuts] + [end]
    middles = np.array([(a + b) / 2 for a, b in zip(bounds, bounds[1:], strict=False)])
    sides = _sides(index, track, first, last, middles, at)
    times = time_at(track, np.array([c[0] for c in cuts]))
    out = []
    for k, (along, _, iso, exact, x, y) in enumerate(cuts):
        before, after = sides[k], sides[k + 1]
        if before == after or None in (before, after):
            continue
        if VIETNAM in (before, after) and not exact:
            continue  # Vietnam's side changes only on the exact line
        if exact:  # the line's own neighbour, not the coarse polygon's
            before, after = (VIETNAM, iso) if before == VIETNAM else (iso, VIETNAM)
        out.append(Crossing(before, after, (x, y), along, times[k],
                            EXACT_LINE if exact else NEIGHBOURS_NE))
    return out


def _segment_range(track: Track, part: int) -> tuple[int, int]:
    sizes = [len(p) - 1 for p in track.parts]
    first = int(sum(sizes[:part]))
    return first, first + sizes[part]


def _sides(index: ZoneIndex, track: Track, first: int, last: int, middles: np.ndarray,
           at: datetime) -> list[str | None]:
    """The country of each stretch's middle: VNM inside the land polygon, else the
    neighbour polygon holding it, else the line's neighbour within 3 km, else None."""
    seg = first + np.searchsorted(track.seg_start_m[first:last], middles, side="right") - 1
    seg = np.clip(seg, first, last - 1)
    xy = np.array([_point_at(track, int(s), float(m)) for s, m in zip(seg, middles,
                                                                      strict=True)])
    pts = shapely.points(xy[:, 0], xy[:, 1])
    when = np.full(len(pts), as_utc64(at, None), dtype="datetime64[us]")
    inside = index.territory.first_hit(pts, when)
    other = index.neighbours.first_hit(pts, when)
    dist, iso = index.border.nearest(xy[:, 0], xy[:, 1])
    sides: list[str | None] = []
    for i in range(len(pts)):
        if inside[i] >= 0:
            sides.append(VIETNAM)
        elif other[i] >= 0:
            sides.append(index.neighbours.features[other[i]].id)
        elif np.isfinite(dist[i]) and dist[i] <= NEAR_LINE_M:
            sides.append(str(iso[i]))
        else:
            sides.append(None)
    return sides


def _point_at(track: Track, seg: int, along_m: float) -> tuple[float, float]:
    """The lon/lat ``along_m`` metres from the start, on segment ``seg`` (linear in
    lon/lat within the segment, as the route's pieces are cut)."""
    length = float(track.seg_len_m[seg])
    frac = 0.0 if length <= 0 else min(1.0, max(0.0, (along_m - track.seg_start_m[seg])
                                                / length))
    a, b = track.seg_a[seg], track.seg_b[seg]
    return float(a[0] + frac * (b[0] - a[0])), float(a[1] + frac * (b[1] - a[1]))


def nearest_gate(index: ZoneIndex, point: tuple[float, float], neighbour: str) -> dict | None:
    """The gate on the border with ``neighbour`` whose recorded point is nearest ``point``,
    if within ``GATE_NEAR_M``; None when no gate there has a recorded location."""
    gates = [g for g in index.gates if g[2] == neighbour]
    if not gates:
        return None
    lon = np.array([g[3] for g in gates])
    lat = np.array([g[4] for g in gates])
    _, _, dist = GEOD.inv(np.full(len(lon), point[0]), np.full(len(lat), point[1]), lon, lat)
    best = int(np.argmin(dist))
    if dist[best] > GATE_NEAR_M:
        return None
    return {"id": gates[best][0], "name": gates[best][1],
            "distance_m": round(float(dist[best]), 1)}


def crossing_dict(c: Crossing) -> dict:
    """A crossing as apps receive it (time in Hanoi time, ISO 8601 with +07:00)."""
    return {"direction": c.direction, "from_country": c.from_country,
            "to_country": c.to_country, "neighbour": c.neighbour,
            "lon": c.point[0], "lat": c.point[1], "along_m": round(c.along_m, 2),
            "time": to_hanoi(c.time).isoformat() if c.time else None,
            "precision": c.precision, "nearest_gate": c.nearest_gate}
