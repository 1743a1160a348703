"""The in-memory zone index: every zone layer, prepared once, answering many points at once.

PostGIS is the source of truth; ``geo.store.zones.snapshot`` reads a consistent snapshot into a
``ZoneIndex`` that API workers keep and replace when the data version changes. All queries
are vectorised over arrays of lon/lat (EPSG:4326): one transform, one tree query per layer.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely import STRtree

from geo.common import crs
from geo.common.timeutil import HANOI
from geo.common.zones import ZoneKind
from geo.location.footprint import (
    DEFAULT_SPEC,
    GENERALISED,
    FootprintSpec,
    day_ceil,
    day_floor,
    footprint,
    is_sensitive,
)

FAR_PAST = np.datetime64("1900-01-01T00:00:00", "us")
FAR_FUTURE = np.datetime64("9999-01-01T00:00:00", "us")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def as_utc64(moment: datetime | None, default: np.datetime64) -> np.datetime64:
    """A datetime as UTC numpy datetime64[us] (None -> ``default``). A naive datetime is
    Hanoi time (the project rule, as ``geo.common.timeutil.parse_instant``), never the
    server's local time."""
    if moment is None:
        return default
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=HANOI)
    return np.datetime64((moment - _EPOCH) // timedelta(microseconds=1), "us")


@dataclass(frozen=True)
class Feature:
    """One polygonal feature of a layer (geometry lon/lat), valid in [valid_from, valid_to)."""

    id: str
    name: str
    geom: object
    props: dict = field(default_factory=dict)
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    #: sensitive zones: the stored public footprint (lon/lat), when there is one
    footprint: object | None = None


class Layer:
    """Polygons in an STRtree, with validity intervals for time-filtered hits."""

    def __init__(self, features: list[Feature]):
        self.features = features
        self.ids = np.array([f.id for f in features], dtype=object)
        self.geoms = np.array([f.geom for f in features], dtype=object)
        self.tree = STRtree(self.geoms)
        _prepare_for_threads(self.geoms, self.tree)
        self.starts = np.array([as_utc64(f.valid_from, FAR_PAST) for f in features],
                               dtype="datetime64[us]")
        self.ends = np.array([as_utc64(f.valid_to, FAR_FUTURE) for f in features],
                             dtype="datetime64[us]")
        #: the same instants as Python ints (µs), for ``hits_one``: comparing numpy scalars
        #: costs ~3 µs per candidate, ints ~0.05 µs
        self._spans = list(zip(self.starts.view(np.int64).tolist(),
                               self.ends.view(np.int64).tolist(), strict=True))
        self._tiles: Tiles | None = None
        self._cells: CellTable | None = None
        #: rows set by an instrument (belt layer: not the default strip)
        self.instrument_rows = [i for i, f in enumerate(features)
                                if f.props.get("is_default") is False]

    def __len__(self) -> int:
        return len(self.features)

    def hits(self, points: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point index, feature index) pairs for points inside features valid at ``at``.

        ``at`` holds one datetime64[us] per point (UTC).
        """
        if not self.features:
            return np.empty(0, dtype=int), np.empty(0, dtype=int)
        if len(points) == 1:  # one request, one point: skip the array machinery
            found = self.hits_one(points[0], at[0])
            return np.zeros(len(found), dtype=int), np.array(found, dtype=int)
        pidx, fidx = self.tree.query(points)  # bounding boxes only
        when = at[pidx]
        live = (self.starts[fidx] <= when) & (when < self.ends[fidx])
        pidx, fidx = pidx[live], fidx[live]
        inside = shapely.intersects(self.geoms[fidx], points[pidx])  # prepared polygons
        return pidx[inside], fidx[inside]

    CELL_DEG = 0.05

    def hits_one(self, point, at: np.datetime64) -> list[int]:
        """Features holding one shapely Point at ``at``, in index order (the single-request
        fast path: a table of 0.05-degree cells instead of the array-oriented tree query;
        ``prepare`` builds it, else the first call does)."""
        if not self.features:
            return []
        cells = self._cells if self._cells is not None else self.prepare()
        t = int(np.datetime64(at, "us").view(np.int64))
        spans, geoms = self._spans, self.geoms
        return [i for i in cells.candidates(point.x, point.y)
                if spans[i][0] <= t < spans[i][1] and geoms[i].intersects(point)]

    def prepare(self) -> CellTable:
        """Build the single-point cell table now (before the layer is shared or swapped
        in), and return it."""
        if self._cells is None:
            self._cells = CellTable(shapely.bounds(self.geoms), self.CELL_DEG)
        return self._cells

    def next_change(self, geoms: np.ndarray, after: np.datetime64) -> np.datetime64:
        """The earliest validity boundary after ``after`` among features touching ``geoms``
        (points or lines), or FAR_FUTURE."""
        if not self.features:
            return FAR_FUTURE
        fidx = self.touching(geoms)
        bounds = np.concatenate([self.starts[fidx], self.ends[fidx]])
        later = bounds[bounds > after]
        return later.min() if len(later) else FAR_FUTURE

    def touching(self, geoms: np.ndarray) -> np.ndarray:
        """Indices of the features that intersect any of ``geoms`` (points or lines).

        Points are tested against the shared prepared polygons (read-only once warmed);
        lines against the unprepared tiles, because a prepared polygon's segment
        intersector keeps mutable state and is not safe for two threads at once.
        """
        is_point = shapely.get_type_id(geoms) == 0
        found = []
        if is_point.any():
            pidx, fidx = self.tree.query(geoms[is_point])
            found.append(fidx[shapely.intersects(self.geoms[fidx], geoms[is_point][pidx])])
        if (~is_point).any():
            tiles = self.tiles()
            _, tidx = tiles.tree.query(geoms[~is_point], predicate="intersects")
            found.append(tiles.owner[tidx])
        return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=int)

    def first_hit(self, points: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Per point, the lowest index of the features containing it, or -1 (sources can
        overlap, e.g. three Lào Cai wards: the lowest index, i.e. the lowest code as
        snapshots order features, keeps answers deterministic)."""
        if len(points) == 1 and self.features:
            found = self.hits_one(points[0], at[0])
            return np.array([found[0] if found else -1])  # ascending: the first is lowest
        return lowest_per_point(len(points), *self.hits(points, at))

    def tiles(self) -> Tiles:
        """The features cut into small tiles (built once), for fast line intersections."""
        if self._tiles is None:
            self._tiles = Tiles(self.geoms)
        return self._tiles


def lowest_per_point(n: int, pidx: np.ndarray, fidx: np.ndarray) -> np.ndarray:
    """Per point of ``n``, the lowest feature index among the (point, feature) pairs, or -1
    (one point: without the scatter machinery)."""
    if n == 1:
        return np.array([fidx.min() if len(fidx) else -1], dtype=np.int64)
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, pidx, fidx)
    out[out == np.iinfo(np.int64).max] = -1
    return out


class CellTable:
    """Feature indices per grid cell of ``cell_deg`` degrees (lon/lat), built with numpy:
    the sorted keys of the occupied cells, each with a slice of one member array (a
    compressed sparse row table), then one dict from cell key to its features for the
    lookup (a dict probe beats a binary search from Python). A feature whose bounding box
    spans more than ``BIG_CELLS`` cells (a neighbour country, the territorial sea) is not
    tabled cell by cell: it is a candidate wherever its bounding box holds the point.
    Features with empty geometry (NaN bounds) are never candidates.
    """

    BIG_CELLS = 4_096
    SPAN = 1 << 13  # cell indices are clamped to [-SPAN/2, SPAN/2): 0.05 deg covers +-204 deg

    def __init__(self, bounds: np.ndarray, cell_deg: float):
        self.cell_deg = cell_deg
        ok = np.all(np.isfinite(bounds), axis=1)
        lo = self._cell(bounds[:, :2], ok)
        hi = self._cell(bounds[:, 2:], ok)
        nx, ny = hi[:, 0] - lo[:, 0] + 1, hi[:, 1] - lo[:, 1] + 1
        count = np.where(ok, nx * ny, 0)
        big = count > self.BIG_CELLS
        small = np.flatnonzero(ok & ~big)
        per = count[small]
        owner = np.repeat(small, per)  # one entry per (feature, cell), features ascending
        k = np.arange(len(owner)) - np.repeat(np.cumsum(per) - per, per)
        x = lo[owner, 0] + k // ny[owner]
        y = lo[owner, 1] + k % ny[owner]
        key = self._key(x, y)
        order = np.argsort(key, kind="stable")  # within a cell, features stay ascending
        key = key[order]
        self.keys, first = np.unique(key, return_index=True)
        self.offsets = np.append(first, len(key))
        self.members = owner[order].astype(np.int32)
        members, offsets = self.members.tolist(), self.offsets.tolist()
        self.cells = dict(zip(self.keys.tolist(), (tuple(members[a:b]) for a, b in zip(
            offsets, offsets[1:], strict=False)), strict=False))
        self.big = np.flatnonzero(big).tolist()
        self.big_bounds = bounds[big].tolist()

    def _cell(self, lonlat: np.ndarray, ok: np.ndarray) -> np.ndarray:
        """Cell indices (floor division, as ``candidates`` computes them), clamped."""
        half = self.SPAN // 2
        cells = np.where(ok[:, None], lonlat, 0.0) // self.cell_deg
        return np.clip(cells, -half, half - 1).astype(np.int64)

    def _key(self, x, y):
        return x * self.SPAN + y  # one int per cell: |y| < SPAN / 2, so no two collide

    def candidates(self, lon: float, lat: float) -> Sequence[int]:
        """Indices of the features whose cells (or bounding box) hold (lon, lat), ascending
        (NaN or far outside the world: only the bounding-box features can say no)."""
        if -200.0 <= lon <= 200.0 and -100.0 <= lat <= 100.0:
            found = self.cells.get(int(lon // self.cell_deg) * self.SPAN
                                   + int(lat // self.cell_deg), ())
        else:
            found = ()
        if self.big:
            extra = [i for i, (w, s, e, n) in zip(self.big, self.big_bounds, strict=True)
                     if w <= lon <= e and s <= lat <= n]
            if extra:
                return sorted((*found, *extra))
        return found

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.members.nbytes + self.offsets.nbytes + sum(
            sys.getsizeof(v) for v in self.cells.values()) + sys.getsizeof(self.cells)


def _prepare_for_threads(geoms: np.ndarray, tree: STRtree) -> None:
    """Prepare polygons and build every lazily made GEOS structure now, before the layer is
    shared between threads.

    GEOS builds a prepared polygon's point locator (and its interval index) on the first
    point test, and an STRtree on its first query; two threads doing that first step at once
    corrupt memory. After one point test per polygon and one tree query, point tests and
    tree queries only read.
    """
    if not len(geoms):
        return
    shapely.prepare(geoms)
    west, south, east, north = shapely.bounds(geoms).T
    probes = shapely.points((west + east) / 2, (south + north) / 2)
    shapely.intersects(geoms, probes)  # builds each point locator
    tree.query(probes[:1])  # builds the tree


class Tiles:
    """Polygons cut into pieces of at most ``MAX_VERTICES`` by recursive halving of their
    bounding box: intersecting a route with a few small pieces is far cheaper than with a
    whole commune, belt segment or the territorial sea."""

    MAX_VERTICES = 128
    MAX_DEPTH = 24

    def __init__(self, geoms: np.ndarray):
        owners, pieces = [], []
        for i, geom in enumerate(geoms):
            cut = self._cut(geom, 0)
            pieces.extend(cut)
            owners.extend([i] * len(cut))
        self.owner = np.array(owners, dtype=int)
        self.geoms = np.array(pieces, dtype=object)
        self.tree = STRtree(self.geoms)
        if len(self.geoms):
            self.tree.query(self.geoms[:1])  # build the tree before any thread shares it

    def _cut(self, geom, depth: int) -> list:
        if shapely.get_num_coordinates(geom) <= self.MAX_VERTICES or depth >= self.MAX_DEPTH:
            return [geom]
        west, south, east, north = geom.bounds
        if east - west >= north - south:
            mid = (west + east) / 2
            halves = [(west, south, mid, north), (mid, south, east, north)]
        else:
            mid = (south + north) / 2
            halves = [(west, south, east, mid), (west, mid, east, north)]
        out = []
        for box in halves:
            part = shapely.clip_by_rect(geom, *box)
            if not part.is_empty and part.area > 0:
                out.extend(self._cut(part, depth + 1))
        return out


class BorderLine:
    """The land border in EPSG:3405, densified to <= 25 m segments, with a k-d tree of its
    vertices: the nearest point is found among the segments next to the k nearest vertices,
    then measured geodesically (WGS 84) from the query point."""

    MAX_SEGMENT_M = 25.0
    K = 12
    CHUNK = 65_536
    PARALLEL_FROM = 10_000

    def __init__(self, pieces: list[tuple[str, object]], source: str):
        self.source = source
        #: the pieces as loaded (lon/lat) with their neighbour, for crossings of a route
        self.lines = np.array([geom for _, geom in pieces], dtype=object)
        self.line_iso = np.array([iso for iso, _ in pieces], dtype=object)
        self.line_tree = STRtree(self.lines)
        if len(self.lines):
            self.line_tree.query(self.lines[:1])  # built before any thread shares it
        starts, ends, isos = [], [], []
        for iso, geom in pieces:
            line = shapely.segmentize(shapely.transform(geom, _to_metric), self.MAX_SEGMENT_M)
            xy = shapely.get_coordinates(line)
            starts.append(xy[:-1])
            ends.append(xy[1:])
            isos.append(np.full(len(xy) - 1, iso))
        self.a = np.concatenate(starts) if starts else np.empty((0, 2))
        self.b = np.concatenate(ends) if ends else np.empty((0, 2))
        self.neighbour_of = np.concatenate(isos) if isos else np.empty(0, dtype=object)
        # unbalanced, non-compact nodes: ~30x faster for points far from this thin curve
        self.tree = (cKDTree(self.a, balanced_tree=False, compact_nodes=False)
                     if len(self.a) else None)
        self._forward = crs.transformer(crs.WGS84, crs.METRIC)
        # plain floats for ``nearest_one`` (one point: Python arithmetic beats numpy)
        self._seg_lists = (self.a[:, 0].tolist(), self.a[:, 1].tolist(),
                           self.b[:, 0].tolist(), self.b[:, 1].tolist())
        self._inverse = crs.transformer(crs.METRIC, crs.WGS84)
        # per segment, for ``_feet``: start, direction and squared length (>= 1e-12)
        self._ax, self._ay = self.a[:, 0].copy(), self.a[:, 1].copy()
        self._abx, self._aby = self.b[:, 0] - self.a[:, 0], self.b[:, 1] - self.a[:, 1]
        self._ab2 = np.maximum(self._abx * self._abx + self._aby * self._aby, 1e-12)

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Geodesic distance (m) to the nearest border segment, and its neighbour (ISO3)."""
        if len(lon) == 1 and self.tree is not None:
            one, iso = self.nearest_one(float(lon[0]), float(lat[0]))
            return np.array([one]), np.array([iso], dtype=object)
        if self.tree is None:
            return np.full(len(lon), np.nan), np.full(len(lon), None, dtype=object)
        px, py = crs.to_metric(lon, lat)
        far = ~(np.isfinite(px) & np.isfinite(py))
        if far.any():  # beyond where EPSG:3405 is defined (other continents): no distance
            dist, iso = np.full(len(lon), np.nan), np.full(len(lon), None, dtype=object)
            if (~far).any():
                dist[~far], iso[~far] = self.nearest(lon[~far], lat[~far])
            return dist, iso
        # big batches: both cores, and points in Z-order so that neighbours in space are
        # queried together (tree and segments stay in cache: ~2x faster); same answers
        big = len(px) >= self.PARALLEL_FROM
        order = _z_order(px, py) if big else np.arange(len(px))
        _, vidx = self.tree.query(np.column_stack([px[order], py[order]]), k=self.K,
                                  workers=-1 if big else 1)
        fx, fy = np.empty(len(px)), np.empty(len(px))
        best_seg = np.empty(len(px), dtype=np.intp)
        for s in range(0, len(px), self.CHUNK):  # chunks of (n, 2k) arrays stay in cache
            idx = order[s:s + self.CHUNK]
            fx[idx], fy[idx], best_seg[idx] = self._feet(px[idx], py[idx], vidx[s:s + self.CHUNK])
        flon, flat = crs.from_metric(fx, fy)
        dist = crs.geodesic_distance_m(lon, lat, flon, flat)
        return dist, self.neighbour_of[best_seg]

    def _feet(self, px: np.ndarray, py: np.ndarray, vidx: np.ndarray):
        """Foot of the perpendicular on the nearest of the segments next to the k nearest
        vertices (EPSG:3405 metres): its x, y and the segment's index."""
        seg = np.concatenate([vidx, np.clip(vidx - 1, 0, None)], axis=1)  # (n, 2k)
        x, y = px[:, None], py[:, None]
        ax, ay, abx, aby = self._ax[seg], self._ay[seg], self._abx[seg], self._aby[seg]
        t = ((x - ax) * abx + (y - ay) * aby) / self._ab2[seg]
        np.clip(t, 0.0, 1.0, out=t)
        fx, fy = ax + t * abx, ay + t * aby
        best = np.argmin((fx - x) * (fx - x) + (fy - y) * (fy - y), axis=1)
        rows = np.arange(len(px))
        return fx[rows, best], fy[rows, best], seg[rows, best]


    def nearest_one(self, lon: float, lat: float) -> tuple[float, str | None]:
        """``nearest`` for one point: the same candidates and arithmetic in plain Python
        floats (cheaper than numpy on two dozen segments)."""
        e, n = self._forward.transform(lon, lat)
        if not (math.isfinite(e) and math.isfinite(n)):
            return float("nan"), None  # beyond where EPSG:3405 is defined
        _, vidx = self.tree.query((e, n), k=self.K)
        best = (float("inf"), 0.0, 0.0, 0)
        ax, ay, bx, by = self._seg_lists
        for v in vidx.tolist():
            for s in (v, v - 1 if v > 0 else 0):
                x0, y0 = ax[s], ay[s]
                dx, dy = bx[s] - x0, by[s] - y0
                norm = dx * dx + dy * dy
                t = ((e - x0) * dx + (n - y0) * dy) / norm if norm else 0.0
                if t < 0.0:  # clipped to the segment, as ``_feet`` does
                    t = 0.0
                elif t > 1.0:
                    t = 1.0
                fx, fy = x0 + t * dx, y0 + t * dy
                d2 = (fx - e) * (fx - e) + (fy - n) * (fy - n)
                if d2 < best[0]:
                    best = (d2, fx, fy, s)
        flon, flat = self._inverse.transform(best[1], best[2])
        _, _, dist = crs.GEOD.inv(lon, lat, flon, flat)
        return float(dist), str(self.neighbour_of[best[3]])


def _z_order(x: np.ndarray, y: np.ndarray, cell_m: float = 1_000.0) -> np.ndarray:
    """A permutation visiting metric points cell by cell (1 km cells) in Morton order."""
    def spread(v: np.ndarray) -> np.ndarray:  # the 16 low bits of v to the even bits
        v = v & 0xFFFF
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333),
                            (1, 0x55555555)):
            v = (v | (v << shift)) & mask
        return v

    with np.errstate(invalid="ignore"):
        ix = np.nan_to_num((x - np.nanmin(x)) / cell_m).astype(np.int64)
        iy = np.nan_to_num((y - np.nanmin(y)) / cell_m).astype(np.int64)
    return np.argsort(spread(ix) | (spread(iy) << 1), kind="stable")


def _to_metric(xy: np.ndarray) -> np.ndarray:
    return np.column_stack(crs.to_metric(xy[:, 0], xy[:, 1]))


def public_layer(layer: Layer, spec: FootprintSpec = DEFAULT_SPEC) -> Layer:
    """The layer as uncleared callers meet it: sensitive features replaced by their
    footprints (the stored one, else made with ``spec``), valid over whole Hanoi days
    (widened outward). The layer itself when nothing in it is sensitive."""
    if not any(is_sensitive(f.props.get("sensitivity")) for f in layer.features):
        return layer
    return Layer([_public(f, spec) if is_sensitive(f.props.get("sensitivity")) else f
                  for f in layer.features])


def _public(f: Feature, spec: FootprintSpec) -> Feature:
    shape = f.footprint if f.footprint is not None else footprint(f.geom, spec)
    return replace(f, geom=shape, footprint=shape,
                   props={**f.props, "extent": GENERALISED, "extent_note": spec.note},
                   valid_from=day_floor(f.valid_from), valid_to=day_ceil(f.valid_to))


#: What a layer is for: locating a point (country, province, commune), a zone a point or
#: route can be in, or restriction decisions.
LOCATES, ZONE, DECISION = "locates", "zone", "decision"


@dataclass(frozen=True)
class LayerSpec:
    """One polygon layer of a ``ZoneIndex``: its attribute name, its ``role``, the zone kind
    of its features (None: each feature's own ``kind`` property) and whether its validity
    bounds an answer's ``valid_until``."""

    name: str
    role: str = LOCATES
    kind: str | None = None
    bounds_validity: bool = False


#: Every polygon layer of a ``ZoneIndex``, once. Batches make their grid epochs from all of
#: them; routes cross the ``ZONE`` layers in this order and the ``DECISION`` layers apart;
#: ``valid_until`` looks at those that bound validity.
LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec("territory"),
    LayerSpec("neighbours"),
    LayerSpec("provinces", bounds_validity=True),
    LayerSpec("communes_exact", bounds_validity=True),
    LayerSpec("communes_simplified"),
    LayerSpec("land_border", ZONE, ZoneKind.LAND_BORDER_AREA.value, True),
    LayerSpec("belt", ZONE, ZoneKind.BORDER_BELT.value, True),
    LayerSpec("zones", ZONE, None, True),
    LayerSpec("checkpoint_areas", ZONE, ZoneKind.CHECKPOINT_AREA.value, True),
    LayerSpec("decisions", DECISION, "restriction_decision", True),
    LayerSpec("sea", ZONE, ZoneKind.SEA_BORDER_AREA.value, True),
)


@dataclass
class ZoneIndex:
    """Everything a location check needs, prepared once per data version."""

    version: int
    territory: Layer
    neighbours: Layer
    provinces: Layer
    communes_exact: Layer
    communes_simplified: Layer
    land_border: Layer  # exact geometry of communes on the land border list, with validity
    belt: Layer
    zones: Layer
    checkpoint_areas: Layer
    border: BorderLine
    province_names: dict[str, str] = field(default_factory=dict)
    built_at: datetime | None = None
    #: restriction decisions: resolved areas, valid over their effective windows
    decisions: Layer = field(default_factory=lambda: Layer([]))
    #: the sea border area: territorial waters and coastal communes (GEO-SEA-01)
    sea: Layer = field(default_factory=lambda: Layer([]))
    #: border gates with a recorded location: (id, name, neighbour ISO3, lon, lat)
    gates: list[tuple[str, str, str, float, float]] = field(default_factory=list)
    #: how footprints are made for sensitive zones stored without one
    footprint_spec: FootprintSpec = DEFAULT_SPEC
    #: ``zones`` as uncleared callers meet them (``public_layer``), made from ``zones``
    zones_public: Layer = field(init=False, repr=False, compare=False)
    #: batch-check lookup grids per validity epoch (``geo.batch.check``), built on first use
    grids: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.zones_public = public_layer(self.zones, self.footprint_spec)

    def zone_layer(self, cleared: bool) -> Layer:
        """The prohibited and restricted zones a caller is answered against: exact for
        cleared callers, footprints of the sensitive ones for everybody else."""
        return self.zones if cleared else self.zones_public

    def layer(self, name: str, *, cleared: bool) -> Layer:
        """The layer ``name`` (a ``LAYERS`` entry) as a caller of ``cleared`` clearance
        meets it: only ``zones`` differs (``zone_layer``)."""
        return self.zone_layer(cleared) if name == "zones" else getattr(self, name)

    def layers(self, *, cleared: bool, role: str | None = None,
               bounds_validity: bool | None = None) -> list[Layer]:
        """The layers of ``LAYERS`` (in its order) with that ``role`` and ``bounds_validity``
        (None: any), as a caller of ``cleared`` clearance meets them."""
        return [self.layer(s.name, cleared=cleared) for s in LAYERS
                if role in (None, s.role) and bounds_validity in (None, s.bounds_validity)]

    def prepare(self) -> None:
        """Build now what requests would otherwise build on first use: the single-point
        cell tables of every layer, and the tiles routes are cut by (for both
        clearances). Call it before the index is shared between threads."""
        for spec in LAYERS:
            both = {id(layer): layer for layer in (self.layer(spec.name, cleared=True),
                                                   self.layer(spec.name, cleared=False))}
            for layer in both.values():
                if spec.role != LOCATES:
                    layer.tiles()
                layer.prepare()

    @property
    def generalises(self) -> bool:
        """True when uncleared callers see some zone as a footprint."""
        return self.zones_public is not self.zones
