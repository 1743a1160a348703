"""Batch location checks: the answers of ``geo.check.check_points`` as columns of arrays.

``check_arrays(index, lon, lat, at)`` takes WGS 84 lon/lat degrees and returns one numpy
array per answer field (``COLUMNS``), with no Python object made per point. Membership
comes from a ``geo.grid.RegionGrid`` built once per *validity epoch* — the set of features
in force at an instant — and cached on the ``ZoneIndex``: a point in an untouched cell takes
its region's answer, computed exactly at one representative point; a point in a touched
cell (within ~100 m of an edge, or of the border line) is answered exactly, vectorised,
with the same layer queries ``check_points`` makes. Distances are geodesic metres.

``distance=False`` skips measuring every point's distance to the border line (the costly
part): ``border_distance_m`` is then NaN and ``nearest_neighbour`` empty, while
``in_vietnam`` and ``country`` stay exact (the distance is measured where they depend on it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely

from geo import crs, grid
from geo.check import NEAR_BORDER_M, _belt_hits
from geo.index import Layer, ZoneIndex, as_utc64
from geo.timeutil import now
from geo.zones import ZoneKind

#: Outside Vietnam and its neighbours' polygons, ``check_points`` names the neighbour of the
#: nearest border segment within this distance (``geo.check._country``).
COUNTRY_BY_LINE_M = 3_000.0
#: An epoch with fewer points and no cached grid is answered exactly (a grid takes ~1.5 s).
GRID_MIN_POINTS = 20_000
CACHED_EPOCHS = 4
POLYGON_LAYERS = ("territory", "neighbours", "provinces", "communes_exact",
                  "communes_simplified", "land_border", "belt", "zones", "checkpoint_areas",
                  "decisions")

#: Every column: dtype and the value for "none".
COLUMNS: dict[str, tuple[object, object]] = {
    "in_vietnam": (bool, False),
    "country": ("U3", ""),
    "province_code": ("U8", ""),
    "province_name": (object, None),
    "commune_code": ("U8", ""),
    "commune_name": (object, None),
    "commune_precision": ("U10", ""),
    "in_land_border_area": (bool, False),
    "in_border_belt": (bool, False),
    "belt_index": (np.int32, -1),  # into index.belt.features
    "belt_id": ("U24", ""),
    "belt_depth_m": (np.float64, np.nan),
    "border_distance_m": (np.float64, np.nan),
    "nearest_neighbour": ("U3", ""),
    "zone_count": (np.int16, 0),
    "zones": (object, ()),  # per point: a shared tuple of (kind, Feature)
    "decision_count": (np.int16, 0),
    "decisions": (object, ()),  # per point: a shared tuple of decision Features
}

_LOCK = threading.Lock()


def blank(n: int) -> dict[str, np.ndarray]:
    """Columns for ``n`` points answering "nowhere" (plus ``at``, datetime64[us] UTC)."""
    out = {}
    for name, (dtype, empty) in COLUMNS.items():
        out[name] = np.empty(n, dtype=dtype)
        out[name].fill(empty)
    out["at"] = np.zeros(n, dtype="datetime64[us]")
    return out


@dataclass(frozen=True)
class Lookups:
    """Per index: feature attributes as arrays, each with a trailing "none" entry so that
    a feature index of -1 reads as none."""

    exact_code: np.ndarray
    exact_name: np.ndarray
    exact_province: np.ndarray
    simple_code: np.ndarray
    simple_name: np.ndarray
    simple_province: np.ndarray
    province_code: np.ndarray
    province_name: np.ndarray
    neighbour_id: np.ndarray
    belt_id: np.ndarray
    belt_depth_m: np.ndarray
    belt_row: dict[str, int]
    province_names: dict[str, str]
    line: np.ndarray  # the border line's segments, (n, 4) lon0, lat0, lon1, lat1
    boundaries: np.ndarray  # every validity boundary, int64 microseconds, sorted

    @classmethod
    def of(cls, index: ZoneIndex) -> Lookups:
        def col(layer: Layer, get, dtype, empty) -> np.ndarray:
            return np.array([*(get(f) for f in layer.features), empty], dtype=dtype)

        def code(f):
            return f.id

        def name(f):
            return f.name

        def prov(f):
            return f.props.get("province_code") or ""

        b = index.border
        a_lon, a_lat = crs.from_metric(b.a[:, 0], b.a[:, 1])
        b_lon, b_lat = crs.from_metric(b.b[:, 0], b.b[:, 1])
        layers = [getattr(index, n) for n in POLYGON_LAYERS]
        stamps = np.concatenate([np.concatenate([L.starts, L.ends]) for L in layers])
        return cls(
            col(index.communes_exact, code, "U8", ""), col(index.communes_exact, name, object,
                                                           None),
            col(index.communes_exact, prov, "U8", ""),
            col(index.communes_simplified, code, "U8", ""),
            col(index.communes_simplified, name, object, None),
            col(index.communes_simplified, prov, "U8", ""),
            col(index.provinces, code, "U8", ""), col(index.provinces, name, object, None),
            col(index.neighbours, code, "U3", ""),
            col(index.belt, code, "U24", ""),
            col(index.belt, lambda f: f.props["depth_m"], np.float64, np.nan),
            {f.id: i for i, f in enumerate(index.belt.features)}, dict(index.province_names),
            np.column_stack([a_lon, a_lat, b_lon, b_lat]).reshape(-1, 4),
            np.unique(stamps.astype("datetime64[us]").view(np.int64)))


@dataclass(frozen=True)
class Epoch:
    """The grid of one validity epoch and the answer of each of its regions (the last row
    answers points outside the grid)."""

    grid: grid.RegionGrid
    table: dict[str, np.ndarray]
    by_line: np.ndarray  # bool per row: country is the line's neighbour when within 3 km
    build_s: float

    @property
    def nbytes(self) -> int:
        return self.grid.nbytes + sum(a.nbytes for a in self.table.values())


def _cache(index: ZoneIndex) -> dict:
    return index.grids


def lookups(index: ZoneIndex) -> Lookups:
    cache = _cache(index)
    with _LOCK:
        if "lookups" not in cache:
            cache["lookups"] = Lookups.of(index)
        return cache["lookups"]


def _valid(layer: Layer, instant: np.datetime64) -> np.ndarray:
    return (layer.starts <= instant) & (instant < layer.ends)


def epoch(index: ZoneIndex, at: datetime | np.datetime64 | None = None, *,
          build: bool = True) -> Epoch | None:
    """The (cached) grid epoch holding ``at`` (default now); None when not cached and not
    ``build``. Also use it to build the grid ahead of the first batch."""
    lk = lookups(index)
    instant = at if isinstance(at, np.datetime64) else as_utc64(at or now(), None)
    layers = [getattr(index, n) for n in POLYGON_LAYERS]
    key = ("epoch", b"".join(_valid(layer, instant).tobytes() for layer in layers))
    cache = _cache(index)
    with _LOCK:
        if key in cache:
            cache[key] = cache.pop(key)  # most recently used last
            return cache[key]
        if not build:
            return None
        found = _build_epoch(index, lk, instant)
        cache[key] = found
        epochs = [k for k in cache if isinstance(k, tuple) and k[0] == "epoch"]
        for old in epochs[:-CACHED_EPOCHS]:
            del cache[old]
        return found


def _build_epoch(index: ZoneIndex, lk: Lookups, instant: np.datetime64) -> Epoch:
    import time

    start = time.perf_counter()
    layers = [getattr(index, n) for n in POLYGON_LAYERS]
    g = grid.build([layer.geoms[_valid(layer, instant)] for layer in layers], lk.line,
                   line_clear_m=NEAR_BORDER_M, band_m=COUNTRY_BY_LINE_M)
    lon = np.append(g.rep_lon, g.extent.west_deg - 1.0)  # last: a point outside the grid
    lat = np.append(g.rep_lat, g.extent.south_deg - 1.0)
    far = np.full(len(lon), np.inf)  # every region keeps > 99 m from the line
    table = exact_columns(index, lon, lat, np.full(len(lon), instant), far,
                          np.full(len(lon), "", dtype="U3"), lk)
    del table["at"]
    return Epoch(g, table, table["country"] == "", time.perf_counter() - start)


def _hits_by_point(n: int, pairs) -> tuple[np.ndarray, np.ndarray]:
    """Object column of tuples (shared empty tuple where none) and the count per point."""
    out = np.empty(n, dtype=object)
    out.fill(())
    count = np.zeros(n, dtype=np.int16)
    grouped: dict[int, list] = {}
    for p, item in pairs:
        grouped.setdefault(p, []).append(item)
    for p, items in grouped.items():
        out[p] = tuple(items)
        count[p] = len(items)
    return out, count


def _zone_pairs(index: ZoneIndex, pts, when):
    """(point, (kind, Feature)) in ``check_points`` order: zones, then checkpoint areas."""
    for layer, fixed_kind in ((index.zones, None),
                              (index.checkpoint_areas, ZoneKind.CHECKPOINT_AREA.value)):
        pidx, fidx = layer.hits(pts, when)
        for p, f in zip(pidx.tolist(), fidx.tolist(), strict=True):
            feat = layer.features[f]
            yield p, (fixed_kind or feat.props["kind"], feat)


def _decision_pairs(index: ZoneIndex, pts, when):
    pidx, fidx = index.decisions.hits(pts, when)
    for p, f in sorted(zip(pidx.tolist(), fidx.tolist(), strict=True)):
        yield p, index.decisions.features[f]


def _belt_rows(index: ZoneIndex, lk: Lookups, pts, when) -> np.ndarray:
    """The belt feature per point (-1 none), by ``geo.check``'s own override rule."""
    out = np.full(len(pts), -1, dtype=np.int32)
    for p, hit in _belt_hits(index, pts, when).items():
        out[p] = lk.belt_row[hit["id"]]
    return out


def exact_columns(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray, when: np.ndarray,
                  dist: np.ndarray, iso: np.ndarray, lk: Lookups | None = None
                  ) -> dict[str, np.ndarray]:
    """Exact answers for points (lon/lat degrees) at instants ``when`` of one epoch, given
    their distance to the line (metres) and its neighbour, as ``check_points`` derives them."""
    lk = lk or lookups(index)
    pts = shapely.points(lon, lat)
    hit = {name: getattr(index, name).first_hit(pts, when) for name in (
        "communes_exact", "communes_simplified", "provinces", "territory", "neighbours",
        "land_border")}
    exact, simple = hit["communes_exact"], hit["communes_simplified"]
    in_vn = (exact >= 0) | ((hit["territory"] >= 0) & ~(dist <= NEAR_BORDER_M))
    cols = _units(lk, in_vn, exact, simple, hit["provinces"])
    by_line = dist <= COUNTRY_BY_LINE_M  # False for NaN (no line loaded)
    cols["country"] = np.where(in_vn, "VNM", np.where(
        hit["neighbours"] >= 0, lk.neighbour_id[hit["neighbours"]],
        np.where(by_line, iso, ""))).astype("U3")
    cols["in_vietnam"] = in_vn
    cols["in_land_border_area"] = in_vn & (hit["land_border"] >= 0)
    belt = np.where(in_vn, _belt_rows(index, lk, pts, when), -1).astype(np.int32)
    cols.update(in_border_belt=belt >= 0, belt_index=belt, belt_id=lk.belt_id[belt],
                belt_depth_m=lk.belt_depth_m[belt], border_distance_m=np.round(dist, 2),
                nearest_neighbour=np.asarray(iso, dtype="U3"), at=when)
    cols["zones"], cols["zone_count"] = _hits_by_point(len(pts), _zone_pairs(index, pts, when))
    cols["decisions"], cols["decision_count"] = _hits_by_point(
        len(pts), _decision_pairs(index, pts, when))
    return cols


def _units(lk: Lookups, in_vn, exact, simple, province) -> dict[str, np.ndarray]:
    """Commune (exact geometry first) and province (the commune's, else the polygon's)."""
    use_exact = in_vn & (exact >= 0)
    use_simple = in_vn & ~use_exact & (simple >= 0)
    e, s = np.where(use_exact, exact, -1), np.where(use_simple, simple, -1)
    from_commune = np.where(exact >= 0, lk.exact_province[exact],
                            np.where(simple >= 0, lk.simple_province[simple], ""))
    by_code = in_vn & (from_commune != "")
    by_polygon = in_vn & ~by_code
    p = np.where(by_polygon, province, -1)
    names = _province_names(lk, from_commune, by_code)
    return {
        "commune_code": np.where(use_exact, lk.exact_code[e], lk.simple_code[s]),
        "commune_name": np.where(use_exact, lk.exact_name[e], lk.simple_name[s]),
        "commune_precision": np.where(use_exact, "exact", np.where(use_simple, "simplified",
                                                                   "")).astype("U10"),
        "province_code": np.where(by_code, from_commune, lk.province_code[p]).astype("U8"),
        "province_name": np.where(by_code, names, lk.province_name[p]),
    }


def _province_names(lk: Lookups, codes: np.ndarray, use: np.ndarray) -> np.ndarray:
    """The current province's name per code (``ZoneIndex.province_names``; None unknown)."""
    out = np.empty(len(codes), dtype=object)
    if use.any():
        uniq, inverse = np.unique(codes[use], return_inverse=True)
        names = np.empty(len(uniq), dtype=object)
        names[:] = [lk.province_names.get(c) for c in uniq.tolist()]
        out[use] = names[inverse]
    return out


def nearest(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (m) to the border line and its neighbour (ISO3, "" if none)."""
    if not len(lon):
        return np.empty(0), np.empty(0, dtype="U3")
    try:
        dist, iso = index.border.nearest(lon, lat)
    except ValueError:  # points where EPSG:3405 fails (~80 deg of longitude away): NaN
        x, y = crs.to_metric(lon, lat)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        dist, iso = np.full(len(lon), np.nan), np.full(len(lon), "", dtype="U3")
        if len(ok):
            dist[ok], iso[ok] = nearest(index, lon[ok], lat[ok])
        return dist, iso
    iso = np.asarray(iso)
    if iso.dtype == object:
        iso = np.where(iso == None, "", iso)  # noqa: E711 (elementwise)
    return np.asarray(dist, float), iso.astype("U3")


def _grid_columns(index: ZoneIndex, lk: Lookups, ep: Epoch, lon, lat, when,
                  distance: bool) -> dict[str, np.ndarray]:
    """Answers through the grid; points in touched cells answered exactly."""
    region, band = ep.grid.locate(lon, lat)
    touched = region == grid.TOUCHED
    row = np.where(region >= 0, region, len(ep.by_line) - 1)
    cols = {name: np.take(column, row) for name, column in ep.table.items()}
    by_line = ep.by_line[row] & ~touched
    if distance:
        dist, iso = nearest(index, lon, lat)
    else:  # only where the answer depends on it: touched cells, and near the line
        dist, iso = np.full(len(lon), np.nan), np.full(len(lon), "", dtype="U3")
        need = np.flatnonzero(touched | (by_line & band))
        dist[need], iso[need] = nearest(index, lon[need], lat[need])
    near = by_line & (dist <= COUNTRY_BY_LINE_M)
    cols["country"][near] = iso[near]
    where = np.flatnonzero(touched)
    if len(where):
        part = exact_columns(index, lon[where], lat[where], when[where], dist[where],
                             iso[where], lk)
        for name, column in cols.items():
            column[where] = part[name]
    cols["border_distance_m"], cols["nearest_neighbour"] = np.round(dist, 2), iso
    return cols


def _check_epoch(index: ZoneIndex, lk: Lookups, lon, lat, when,
                 distance: bool) -> dict[str, np.ndarray]:
    """Points whose instants all fall in one validity epoch."""
    if not len(lon):
        return blank(0)
    ep = epoch(index, when[0], build=len(lon) >= GRID_MIN_POINTS)
    if ep is None:
        dist, iso = nearest(index, lon, lat)
        cols = exact_columns(index, lon, lat, when, dist, iso, lk)
    else:
        cols = _grid_columns(index, lk, ep, lon, lat, when, distance)
    if not distance:
        cols["border_distance_m"] = np.full(len(lon), np.nan)
        cols["nearest_neighbour"] = np.full(len(lon), "", dtype="U3")
    cols["at"] = when
    return cols


def _instants(at, n: int) -> np.ndarray:
    if at is None or isinstance(at, datetime):
        return np.full(n, as_utc64(at or now(), None), dtype="datetime64[us]")
    when = np.asarray(at).astype("datetime64[us]")
    if when.shape != (n,):
        raise ValueError(f"at: expected one instant or {n}, got shape {when.shape}")
    return when


def check_arrays(index: ZoneIndex, lon, lat, at: datetime | np.ndarray | None = None, *,
                 distance: bool = True) -> dict[str, np.ndarray]:
    """Where each point (WGS 84 lon/lat degrees) is at ``at``: one instant (default now) or
    one datetime64 per point (UTC). Columns as ``COLUMNS`` plus ``at``; same answers as
    ``check_points`` (distances rounded to 0.01 m). Points are grouped by validity epoch."""
    lon = np.ascontiguousarray(lon, dtype=float).ravel()
    lat = np.ascontiguousarray(lat, dtype=float).ravel()
    when = _instants(at, len(lon))
    lk = lookups(index)
    epochs = np.searchsorted(lk.boundaries, when.view(np.int64), side="right")
    if not len(lon) or (epochs == epochs[0]).all():
        return _check_epoch(index, lk, lon, lat, when, distance)
    out = blank(len(lon))
    order = np.argsort(epochs, kind="stable")
    for idx in np.split(order, np.flatnonzero(np.diff(epochs[order])) + 1):
        part = _check_epoch(index, lk, lon[idx], lat[idx], when[idx], distance)
        for name, column in out.items():
            column[idx] = part[name]
    return out
