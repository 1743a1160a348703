"""Batch location checks: the answers of ``geo.location.check.check_points`` as columns of arrays.

``check_arrays(index, lon, lat, at)`` takes WGS 84 lon/lat degrees and returns one numpy
array per answer field (``COLUMNS``), with no Python object made per point. Membership
comes from a ``geo.batch.grid.RegionGrid`` built once per *validity epoch* — the set of features
in force at an instant — and cached on the ``ZoneIndex``: a point in an untouched cell takes
its region's answer, computed exactly at one representative point; a point in a touched
cell (within ~100 m of an edge, or of the border line) is answered exactly, vectorised,
with the same layer queries ``check_points`` makes. Distances are geodesic metres.

``distance=False`` skips measuring every point's distance to the border line (the costly
part): ``border_distance_m`` is then NaN and ``nearest_neighbour`` empty, while
``in_vietnam`` and ``country`` stay exact (the distance is measured where they depend on it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely

from geo.batch import grid
from geo.common.timeutil import now
from geo.location.answer_rules import (
    CACHE_LOCK,
    COLUMNS,
    COUNTRY_BY_LINE_M,
    NEAR_BORDER_M,
    Lookups,
    answer_columns,
    blank,
    lookups,
    mark_waters,
    nearest,
)
from geo.location.index import Layer, ZoneIndex, as_utc64

#: An epoch with fewer points and no cached grid is answered exactly (a grid takes ~1.5 s).
GRID_MIN_POINTS = 20_000
CACHED_EPOCHS = 4

__all__ = ["COLUMNS", "check_arrays", "epoch", "lookups", "nearest"]


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


def _valid(layer: Layer, instant: np.datetime64) -> np.ndarray:
    return (layer.starts <= instant) & (instant < layer.ends)


def epoch(index: ZoneIndex, at: datetime | np.datetime64 | None = None, *,
          build: bool = True, cleared: bool = False) -> Epoch | None:
    """The (cached) grid epoch holding ``at`` (default now) for a caller of ``cleared``
    clearance (grids of uncleared callers hold footprints, not sensitive zones); None when
    not cached and not ``build``. Also use it to build the grid ahead of the first batch."""
    lk = lookups(index)
    instant = at if isinstance(at, np.datetime64) else as_utc64(at or now(), None)
    layers = index.layers(cleared=cleared)
    public = not cleared and index.generalises  # else both clearances share one grid
    key = ("epoch", public, b"".join(_valid(layer, instant).tobytes() for layer in layers))
    cache = index.grids
    with CACHE_LOCK:  # held while a grid is built
        if key in cache:
            cache[key] = cache.pop(key)  # most recently used last
            return cache[key]
        if not build:
            return None
        found = _build_epoch(index, lk, instant, cleared)
        cache[key] = found
        epochs = [k for k in cache if isinstance(k, tuple) and k[0] == "epoch"]
        for old in epochs[:-CACHED_EPOCHS]:
            del cache[old]
        return found


def _build_epoch(index: ZoneIndex, lk: Lookups, instant: np.datetime64,
                 cleared: bool) -> Epoch:
    start = time.perf_counter()
    layers = index.layers(cleared=cleared)
    g = grid.build([layer.geoms[_valid(layer, instant)] for layer in layers], lk.line,
                   line_clear_m=NEAR_BORDER_M, band_m=COUNTRY_BY_LINE_M)
    lon = np.append(g.rep_lon, g.extent.west_deg - 1.0)  # last: a point outside the grid
    lat = np.append(g.rep_lat, g.extent.south_deg - 1.0)
    far = np.full(len(lon), np.inf)  # every region keeps > 99 m from the line
    table = answer_columns(index, lon, lat, np.full(len(lon), instant), lk, far,
                          np.full(len(lon), "", dtype="U3"), cleared=cleared)
    del table["at"]
    return Epoch(g, table, table["country"] == "", time.perf_counter() - start)


def _grid_columns(index: ZoneIndex, lk: Lookups, ep: Epoch, lon, lat, when,
                  distance: bool, cleared: bool) -> dict[str, np.ndarray]:
    """Answers through the grid; points in touched cells answered exactly."""
    region, band = ep.grid.locate(lon, lat)
    touched = region == grid.TOUCHED
    row = np.where(region >= 0, region, len(ep.by_line) - 1)
    cols = {name: np.take(column, row) for name, column in ep.table.items()}
    by_line = ep.by_line[row] & ~touched
    if distance:
        dist, iso = nearest(index, lon, lat)
    else:  # only where the answer depends on it (touched cells: see answer_columns)
        dist, iso = np.full(len(lon), np.nan), np.full(len(lon), "", dtype="U3")
        need = np.flatnonzero(by_line & band)
        dist[need], iso[need] = nearest(index, lon[need], lat[need])
    near = by_line & (dist <= COUNTRY_BY_LINE_M)
    cols["country"][near] = iso[near]
    where = np.flatnonzero(touched)
    if len(where):
        part = answer_columns(index, lon[where], lat[where], when[where], lk,
                             *((dist[where], iso[where]) if distance else ()),
                             cleared=cleared)
        for name, column in cols.items():
            column[where] = part[name]
    cols["border_distance_m"], cols["nearest_neighbour"] = np.round(dist, 2), iso
    return cols


def _check_epoch(index: ZoneIndex, lk: Lookups, lon, lat, when,
                 distance: bool, cleared: bool) -> dict[str, np.ndarray]:
    """Points whose instants all fall in one validity epoch."""
    if not len(lon):
        return blank(0)
    ep = epoch(index, when[0], build=len(lon) >= GRID_MIN_POINTS, cleared=cleared)
    if ep is None:
        cols = answer_columns(index, lon, lat, when, lk, *(nearest(index, lon, lat)
                                                          if distance else ()),
                             cleared=cleared)
    else:
        cols = _grid_columns(index, lk, ep, lon, lat, when, distance, cleared)
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
                 distance: bool = True, cleared: bool = False) -> dict[str, np.ndarray]:
    """Where each point (WGS 84 lon/lat degrees) is at ``at``: one instant (default now) or
    one datetime64 per point (UTC). Columns as ``COLUMNS`` plus ``at``; same answers as
    ``check_points`` with the same ``cleared`` (uncleared: sensitive zones as footprints;
    distances rounded to 0.01 m). Points are grouped by validity epoch."""
    lon = np.ascontiguousarray(lon, dtype=float).ravel()
    lat = np.ascontiguousarray(lat, dtype=float).ravel()
    when = _instants(at, len(lon))
    lk = lookups(index)
    epochs = np.searchsorted(lk.boundaries, when.view(np.int64), side="right")
    if not len(lon) or (epochs == epochs[0]).all():
        return _with_surface(index, lon, lat, when,
                             _check_epoch(index, lk, lon, lat, when, distance, cleared))
    out = blank(len(lon))
    order = np.argsort(epochs, kind="stable")
    for idx in np.split(order, np.flatnonzero(np.diff(epochs[order])) + 1):
        part = _check_epoch(index, lk, lon[idx], lat[idx], when[idx], distance, cleared)
        for name, column in out.items():
            if name in part:  # the waters are marked per point, below
                column[idx] = part[name]
    return _with_surface(index, lon, lat, when, out)


def _with_surface(index: ZoneIndex, lon, lat, when, cols: dict) -> dict:
    """The waters, per point (``geo.location.answer_rules.mark_waters``: one rule for single
    points and batches)."""
    if len(lon):
        mark_waters(index, shapely.points(lon, lat), when, cols)
    return cols

