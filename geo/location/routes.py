"""Route checks: which zones a route enters, where, when, and for how long.

Routes are lon/lat (EPSG:4326) LineStrings or MultiLineStrings, optionally with one time per
vertex. Intersections are computed in lon/lat, as PostGIS computes them on the stored
geometry; lengths are geodesic metres on WGS 84; entry times are interpolated along the
track at constant speed between timed vertices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString

from geo.common.crs import GEOD
from geo.common.errors import InvalidInput, PayloadTooLarge
from geo.location.answer_rules import overridden_communes, route_cuts
from geo.location.index import DECISION, LAYERS, ZONE, Feature, Layer, ZoneIndex, as_utc64

#: (layer attribute, zone kind) pairs a route is checked against (kind None: per feature),
#: and the restriction decisions, checked apart: both from ``geo.location.index.LAYERS``.
ROUTE_LAYERS = tuple((s.name, s.kind) for s in LAYERS if s.role == ZONE)
DECISION_LAYERS = tuple((s.name, s.kind) for s in LAYERS if s.role == DECISION)


def route_layers(cleared: bool) -> tuple:
    """``ROUTE_LAYERS`` for a caller: uncleared callers cross the zones' footprints."""
    if cleared:
        return ROUTE_LAYERS
    return tuple(("zones_public" if attr == "zones" else attr, kind)
                 for attr, kind in ROUTE_LAYERS)


@dataclass
class Track:
    """A validated route: its parts (lon/lat arrays), per-vertex geodesic distances and
    planar (degree) steps, and per-vertex times if given."""

    parts: list[np.ndarray]
    times: list[list[datetime]] | None = None
    cumulative_m: list[np.ndarray] = field(default_factory=list)
    lines: list[LineString] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = [LineString(p[:, :2]) for p in self.parts]
        self.geometry = (self.lines[0] if len(self.lines) == 1
                         else MultiLineString(self.lines))
        offsets = np.cumsum([0.0] + [float(c[-1]) for c in self.cumulative_m])
        self.seg_a = np.concatenate([p[:-1, :2] for p in self.parts])
        self.seg_b = np.concatenate([p[1:, :2] for p in self.parts])
        self.seg_start_m = np.concatenate([c[:-1] + o for c, o in zip(
            self.cumulative_m, offsets, strict=False)])
        self.seg_len_m = np.concatenate([np.diff(c) for c in self.cumulative_m])
        self.segments = shapely.linestrings(np.stack([self.seg_a, self.seg_b], axis=1))
        self.vertex_m = np.concatenate([c + o for c, o in zip(self.cumulative_m, offsets,
                                                               strict=False)])
        self.part_start_m = offsets[:-1]
        self.part_end_m = offsets[1:]

    def clock(self) -> tuple[datetime, np.ndarray]:
        """The first time and each vertex's seconds after it (computed once per track)."""
        if getattr(self, "_clock", None) is None:
            flat = [t for part in self.times or () for t in part]
            self._clock = (flat[0], np.array([(t - flat[0]).total_seconds() for t in flat]))
        return self._clock

    @property
    def length_m(self) -> float:
        return float(sum(c[-1] for c in self.cumulative_m))


@dataclass
class Passage:
    """One stretch of the route inside one zone."""

    kind: str
    feature: Feature
    entry: tuple[float, float]
    exit: tuple[float, float]
    entry_along_m: float
    exit_along_m: float
    length_m: float
    entry_time: datetime | None = None
    exit_time: datetime | None = None
    starts_inside: bool = False
    #: the route (or its part) ends inside the zone: ``exit`` is then its last vertex,
    #: not a crossing of the zone's edge
    ends_inside: bool = False


def make_track(parts: list[list[list[float]]], times: list[list[datetime]] | None = None, *,
               max_vertices: int = 10_000) -> Track:
    """Validate a route given as parts of [lon, lat] vertices (and optional times)."""
    if not parts or not any(len(p) for p in parts):
        raise InvalidInput("route: empty route", field="geometry")
    arrays = [np.asarray(p, dtype=float) for p in parts]
    total = sum(len(a) for a in arrays)
    if total > max_vertices:
        raise PayloadTooLarge(f"route: {total} vertices, more than the limit of {max_vertices}",
                              field="geometry")
    for n, a in enumerate(arrays):
        _check_part(a, n)
    cumulative = [_cumulative_m(a) for a in arrays]
    if times is not None:
        _check_times(times, arrays)
    return Track(parts=arrays, times=times, cumulative_m=cumulative)


def _check_part(a: np.ndarray, n: int) -> None:
    if a.ndim != 2 or a.shape[1] < 2 or len(a) < 2:
        raise InvalidInput(f"route part {n}: a line needs at least 2 [lon, lat] vertices",
                           field="geometry")
    if not np.all(np.isfinite(a[:, :2])):
        raise InvalidInput(f"route part {n}: coordinates must be finite numbers",
                           field="geometry")
    if np.any(np.abs(a[:, 0]) > 180) or np.any(np.abs(a[:, 1]) > 90):
        raise InvalidInput(f"route part {n}: lon must be within ±180 and lat within ±90 "
                           "(GeoJSON order is lon, lat)", field="geometry")
    line = LineString(a[:, :2])
    if line.length == 0:
        raise InvalidInput(f"route part {n}: degenerate route (all vertices identical)",
                           field="geometry")
    # Tracks as people travel them are kept as they are: out-and-back walks, loops and GPS
    # jitter at a stop run over their own path, and every pass is measured in order.


def _cumulative_m(a: np.ndarray) -> np.ndarray:
    _, _, seg = GEOD.inv(a[:-1, 0], a[:-1, 1], a[1:, 0], a[1:, 1])
    return np.concatenate([[0.0], np.cumsum(seg)])


def _check_times(times: list[list[datetime]], arrays: list[np.ndarray]) -> None:
    if len(times) != len(arrays) or any(len(t) != len(a) for t, a in zip(times, arrays,
                                                                        strict=False)):
        raise InvalidInput("times: give one time per vertex", field="times")
    flat = [t for part in times for t in part]
    for i, (a, b) in enumerate(zip(flat, flat[1:], strict=False)):
        if b < a:
            raise InvalidInput(f"times: out of order at vertex {i + 1} ({b.isoformat()} is "
                               f"before {a.isoformat()})", field="times")


def time_at(track: Track, along_m: np.ndarray, *, ending: bool = False
            ) -> list[datetime | None]:
    """Times at ``along_m`` metres from the route's start (constant speed per segment).

    Where two vertices lie at the same distance along (the end of one part and the start
    of the next, or a stop), a stretch that ends there (``ending``) takes the earlier
    vertex's time, one that starts there the later one's.
    """
    if track.times is None:
        return [None] * len(along_m)
    base, seconds = track.clock()
    xp = track.vertex_m
    j = np.clip(np.searchsorted(xp, along_m, side="left" if ending else "right"),
                1, len(xp) - 1)
    span = xp[j] - xp[j - 1]
    frac = np.clip((along_m - xp[j - 1]) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    values = seconds[j - 1] + np.where(span > 0, frac, 0.0) * (seconds[j] - seconds[j - 1])
    return [base + timedelta(seconds=float(v)) for v in values]


def passages(index: ZoneIndex, track: Track, at: datetime,
             layers: tuple = ROUTE_LAYERS) -> list[Passage]:
    """Every stretch of the route inside a zone that is in force when it is entered
    (``layers``: ``route_layers(cleared)`` for a caller's answer).

    The route is in a belt or land border row exactly where its points are
    (``geo.location.answer_rules``): the areas of ``route_cuts`` are cut out of the rows, and
    a default belt row is not entered where an instrument's belt replaces it then."""
    cuts = route_cuts(index)
    found: list[Passage] = []
    for attr, kind in layers:
        skip = None
        if attr == "belt":
            def skip(f: int, moment: np.datetime64, feats=index.belt.features) -> bool:
                props = feats[f].props
                return bool(props["is_default"]) and props.get("commune_code") in \
                    overridden_communes(index, moment)
        found.extend(_layer_passages(getattr(index, attr), kind, track, at,
                                     cuts=cuts.get(attr), skip=skip))
    found.sort(key=lambda p: (p.entry_along_m, p.kind))
    return found


def _pieces(layer: Layer, track: Track, cuts: dict[int, object] | None = None):
    """Route segments cut by the layer's tiles: (feature, entry, exit, along_a, along_b,
    length_m) arrays, with entry/exit ordered along the route; ``cuts`` (per feature, an
    area where the route is not in it) are cut out of the pieces."""
    tiles = layer.tiles()
    si, ti = tiles.tree.query(track.segments)
    if not len(si):
        return None
    cut = [_cut(track.segments[si[k:k + SLICE]], tiles.geoms[ti[k:k + SLICE]], k)
           for k in range(0, len(si), SLICE)]
    a, b, idx = (np.concatenate(col) for col in zip(*cut, strict=True))
    if not len(idx):
        return None
    seg, feat = si[idx], tiles.owner[ti[idx]]
    if cuts:
        a, b, seg, feat = _cut_away(a, b, seg, feat, cuts)
        if not len(feat):
            return None
    origin, d = track.seg_a[seg], track.seg_b[seg] - track.seg_a[seg]
    norm = np.maximum((d * d).sum(axis=1), 1e-30)
    fa, fb = ((a - origin) * d).sum(axis=1) / norm, ((b - origin) * d).sum(axis=1) / norm
    swap = fa > fb
    a[swap], b[swap] = b[swap].copy(), a[swap].copy()
    fa, fb = np.where(swap, fb, fa), np.where(swap, fa, fb)
    along_a = track.seg_start_m[seg] + fa * track.seg_len_m[seg]
    along_b = track.seg_start_m[seg] + fb * track.seg_len_m[seg]
    _, _, length = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return feat, a, b, along_a, along_b, np.asarray(length)


#: Segment-tile pairs cut per shapely call: each call holds the GIL while it builds
#: geometries (~0.3 s for 50,000 pairs), so a long route is cut in slices that keep the
#: event loop's waits short.
SLICE = 4_000


def _cut(segments: np.ndarray, tiles: np.ndarray, offset: int):
    """Start and end [lon, lat] of each line piece of ``segments`` inside ``tiles`` (pairwise),
    and the index of its pair (plus ``offset``)."""
    parts, idx = shapely.get_parts(shapely.intersection(segments, tiles), return_index=True)
    lines = (shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)
    parts, idx = parts[lines], idx[lines]
    return (shapely.get_coordinates(shapely.get_point(parts, 0)).reshape(-1, 2),
            shapely.get_coordinates(shapely.get_point(parts, -1)).reshape(-1, 2), idx + offset)


#: Pieces left by ``_cut_away`` shorter than this (degrees, ~1 mm) are dropped.
REMNANT_DEG = 1e-8


def _cut_away(a, b, seg, feat, cuts: dict[int, object]):
    """The pieces ``a``-``b`` (on segments ``seg``, in features ``feat``) less the area
    ``cuts[feature]`` of their feature: what is left of each, as pieces of the same arrays."""
    hit = np.isin(feat, np.fromiter(cuts, dtype=feat.dtype, count=len(cuts)))
    if not hit.any():
        return a, b, seg, feat
    k = np.flatnonzero(hit)
    lines = shapely.linestrings(np.stack([a[k], b[k]], axis=1))
    left = shapely.difference(lines, np.array([cuts[f] for f in feat[k].tolist()],
                                              dtype=object))
    parts, j = shapely.get_parts(left, return_index=True)
    # where the area's edge meets the row's edge, what is left can be a remnant of a
    # few nanodegrees: nothing of the row a point could be told apart in
    keep = ((shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)
            & (shapely.length(parts) > REMNANT_DEG))
    parts, src = parts[keep], k[j[keep]]
    pa = shapely.get_coordinates(shapely.get_point(parts, 0)).reshape(-1, 2)
    pb = shapely.get_coordinates(shapely.get_point(parts, -1)).reshape(-1, 2)
    return (np.concatenate([a[~hit], pa]), np.concatenate([b[~hit], pb]),
            np.concatenate([seg[~hit], seg[src]]), np.concatenate([feat[~hit], feat[src]]))


def _layer_passages(layer: Layer, kind: str | None, track: Track, at, *,
                    cuts: dict[int, object] | None = None, skip=None) -> list[Passage]:
    """Passages through ``layer``'s features in force when entered; ``cuts`` as
    ``_pieces``; ``skip(feature, moment)`` True drops a passage entered at ``moment``."""
    if not len(layer):
        return []
    cut = _pieces(layer, track, cuts)
    if cut is None:
        return []
    feat, a, b, along_a, along_b, length = cut
    out = []
    for run in _runs(feat, a, b, along_a, along_b):
        f = int(feat[run[0]])
        [entry_t] = time_at(track, np.array([along_a[run[0]]]))
        [exit_t] = time_at(track, np.array([along_b[run[-1]]]), ending=True)
        moment = as_utc64(entry_t or at, None)
        if not layer.starts[f] <= moment < layer.ends[f] or (skip and skip(f, moment)):
            continue
        out.append(Passage(
            kind=kind or layer.features[f].props["kind"], feature=layer.features[f],
            entry=tuple(a[run[0]]), exit=tuple(b[run[-1]]),
            entry_along_m=float(along_a[run[0]]), exit_along_m=float(along_b[run[-1]]),
            length_m=float(length[run].sum()), entry_time=entry_t, exit_time=exit_t,
            starts_inside=_at_any(track.part_start_m, along_a[run[0]]),
            ends_inside=_at_any(track.part_end_m, along_b[run[-1]])))
    return out


def _at_any(marks_m: np.ndarray, along_m: float) -> bool:
    """True when ``along_m`` is one of ``marks_m`` (part starts or ends), to a micrometre."""
    return bool(np.min(np.abs(marks_m - along_m)) < 1e-6)


def _runs(feat, a, b, along_a, along_b) -> list[np.ndarray]:
    """Group pieces into continuous stretches inside one feature (pieces meet end to
    start where tile borders or route vertices cut them)."""
    order = np.lexsort((along_a, feat))
    f, pa, pb, aa, ab = feat[order], a[order], b[order], along_a[order], along_b[order]
    joined = ((f[1:] == f[:-1]) & (aa[1:] - ab[:-1] <= 1e-3)
              & np.all(np.abs(pa[1:] - pb[:-1]) <= 1e-9, axis=1))
    starts = np.flatnonzero(np.concatenate([[True], ~joined]))
    return np.split(order, starts[1:])
