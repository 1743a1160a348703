"""A lookup grid for batch point checks: which *region* a lon/lat point falls in.

The plane (EPSG:4326 lon/lat degrees, treated as planar exactly as GEOS treats the
polygons) is cut into square cells of ``cell_deg`` (1/1024 deg: ~108 m north-south,
~100-107 m east-west over Vietnam). A cell is *touched* when any polygon edge of the
layers given to ``build`` (or any place within one cell of the border line) may pass
through it; its points go to the exact path. Untouched cells that share a side belong to
the same *region*; no edge separates them, so every point of a region lies inside exactly
the same polygons, and one exact answer per region (at its representative point) is the
answer for all of its points.

Cells are stored as runs along rows: one sorted array of run starts (``row * cols + col``)
with, per run, its region (or ``TOUCHED``), so a lookup is one ``searchsorted`` per point.

Why this is exact: each edge is cut into pieces no longer than a cell, and every cell in
the bounding box of a piece, widened by ``EPS_DEG``, is marked; cell indices come from one
monotone function ``floor((x - west) * 1024)`` for edges and queries alike, so a point lying
on an edge always lands in a marked cell, and points of an unmarked cell are on no edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy import sparse
from scipy.ndimage import binary_dilation
from scipy.sparse.csgraph import connected_components

CELL_DEG = 1.0 / 1024  # a power of two: (x - west) * 1024 is exact scaling
EPS_DEG = 1e-9  # ~0.1 mm: covers the rounding of edge pieces cut by segmentize
MARGIN_DEG = 0.1  # the grid's extent reaches this far past every edge (> 3 km)
BAND_FACTOR = 16  # band cells are 16 x 16 grid cells (1/64 deg, ~1.6-1.7 km)

TOUCHED = -1  # the point's cell may hold an edge: use the exact path
OUTSIDE = -2  # the point is outside the grid's extent (no polygon reaches there)


@dataclass(frozen=True)
class Extent:
    """The grid's origin (``west``, ``south``, degrees) and size in cells."""

    west_deg: float
    south_deg: float
    rows: int
    cols: int
    cell_deg: float = CELL_DEG

    @classmethod
    def around(cls, bounds: Sequence[float], cell_deg: float = CELL_DEG) -> Extent:
        """Cells covering ``bounds`` (west, south, east, north) plus ``MARGIN_DEG``."""
        west, south, east, north = bounds
        west = np.floor((west - MARGIN_DEG) / cell_deg) * cell_deg
        south = np.floor((south - MARGIN_DEG) / cell_deg) * cell_deg
        cols = int(np.ceil((east + MARGIN_DEG - west) / cell_deg)) + 1
        rows = int(np.ceil((north + MARGIN_DEG - south) / cell_deg)) + 1
        return cls(float(west), float(south), rows, cols, cell_deg)

    @property
    def key_dtype(self) -> type:
        """Cell keys (row * cols + col) as int32 when they fit: faster sorts and lookups."""
        return np.int32 if self.rows * self.cols < 2**31 else np.int64

    def cell_of(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional column and row of lon/lat degrees (floor them for the cell)."""
        scale = 1.0 / self.cell_deg
        return (np.asarray(lon, float) - self.west_deg) * scale, \
            (np.asarray(lat, float) - self.south_deg) * scale


@dataclass(frozen=True)
class RegionGrid:
    """Run-length cells -> region ids, plus the representative point of every region."""

    extent: Extent
    run_starts: np.ndarray  # sorted keys (row * cols + col) of each run's first cell
    run_region: np.ndarray  # int32 region id per run, or TOUCHED
    rep_lon: np.ndarray  # a point inside each region (the centre of one of its cells)
    rep_lat: np.ndarray
    band: np.ndarray  # bool per 16 x 16 block: within ~3 km of the border line
    block_region: np.ndarray  # int32 per 16 x 16 block: its region when untouched, else -1

    @property
    def regions(self) -> int:
        return len(self.rep_lon)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.run_starts, self.run_region, self.rep_lon,
                                      self.rep_lat, self.band, self.block_region))

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Region id per point (``TOUCHED`` / ``OUTSIDE`` when none), and whether the point
        is in the ~3 km band along the border line."""
        e = self.extent
        fx, fy = e.cell_of(lon, lat)
        inside = (fx >= 0) & (fx < e.cols) & (fy >= 0) & (fy < e.rows)  # False for NaN
        col = np.where(inside, fx, 0).astype(self.run_starts.dtype)
        row = np.where(inside, fy, 0).astype(self.run_starts.dtype)
        block = (row // BAND_FACTOR) * self.band.shape[1] + col // BAND_FACTOR
        region = np.take(self.block_region, block)
        mixed = np.flatnonzero(region < 0)  # blocks holding touched cells: look up the runs
        key = row[mixed] * e.cols + col[mixed]
        region[mixed] = np.take(self.run_region,
                                np.searchsorted(self.run_starts, key, side="right") - 1)
        region[~inside] = OUTSIDE
        return region, np.take(self.band, block) & inside


def _unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (a plain sort: faster here than ``np.unique``'s hashing)."""
    keys = np.sort(keys, kind="stable")  # radix sort for int32
    return keys[np.append(True, keys[1:] != keys[:-1])] if len(keys) else keys


def _pieces(geoms: np.ndarray, cell_deg: float) -> np.ndarray:
    """Edges of every ring of ``geoms`` cut to <= one cell: (n, 4) as x0, y0, x1, y1."""
    rings = shapely.get_rings(shapely.get_parts(geoms))
    if not len(rings):
        return np.empty((0, 4))
    rings = shapely.segmentize(rings, cell_deg)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    return np.column_stack([xy[:-1][same], xy[1:][same]])


def _marked_cells(extent: Extent, segs: np.ndarray, widen: int = 0) -> np.ndarray:
    """Keys (row * cols + col) of cells within the bounding box of each piece, widened by
    ``EPS_DEG`` and then by ``widen`` cells (unsorted; repeats removed where cheap)."""
    if not len(segs):
        return np.empty(0, dtype=np.int64)
    x0, y0 = extent.cell_of(np.minimum(segs[:, 0], segs[:, 2]) - EPS_DEG,
                            np.minimum(segs[:, 1], segs[:, 3]) - EPS_DEG)
    x1, y1 = extent.cell_of(np.maximum(segs[:, 0], segs[:, 2]) + EPS_DEG,
                            np.maximum(segs[:, 1], segs[:, 3]) + EPS_DEG)
    c0 = np.clip(np.floor(x0).astype(np.int64) - widen, 0, extent.cols - 1)
    c1 = np.clip(np.floor(x1).astype(np.int64) + widen, 0, extent.cols - 1)
    r0 = np.clip(np.floor(y0).astype(np.int64) - widen, 0, extent.rows - 1)
    r1 = np.clip(np.floor(y1).astype(np.int64) + widen, 0, extent.rows - 1)
    base = r0 * extent.cols + c0
    keys = [base[np.append(True, base[1:] != base[:-1])]]  # consecutive pieces share cells
    wide = np.flatnonzero((c1 > c0) | (r1 > r0))
    c0, c1, r0, r1 = c0[wide], c1[wide], r0[wide], r1[wide]
    for dr in range(int((r1 - r0).max(initial=0)) + 1):
        for dc in range(int((c1 - c0).max(initial=0)) + 1):
            ok = (r0 + dr <= r1) & (c0 + dc <= c1) & ((dr > 0) | (dc > 0))
            keys.append((r0[ok] + dr) * extent.cols + c0[ok] + dc)
    return np.concatenate(keys)


def _runs(extent: Extent, touched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run starts covering every row, and whether each run is touched."""
    cols = extent.cols
    new_run = np.ones(len(touched), dtype=bool)
    new_run[1:] = (touched[1:] != touched[:-1] + 1) | (touched[1:] % cols == 0)
    starts = touched[new_run]
    ends = np.append(touched[np.flatnonzero(new_run)[1:] - 1], touched[-1:])  # inclusive
    after = ends[(ends + 1) % cols != 0] + 1
    row_starts = np.arange(extent.rows, dtype=np.int64) * cols
    keys = _unique(np.concatenate([row_starts, starts, after]).astype(touched.dtype))
    is_touched = np.zeros(len(keys), dtype=bool)
    is_touched[np.searchsorted(keys, starts)] = True
    return keys, is_touched


def _regions(extent: Extent, keys: np.ndarray, touched: np.ndarray) -> np.ndarray:
    """Region id per run (``TOUCHED`` for touched runs): untouched runs of adjacent rows
    that overlap in columns are joined (they share a cell side)."""
    cols = extent.cols
    free = np.flatnonzero(~touched)
    node = np.full(len(keys), -1, dtype=np.int64)
    node[free] = np.arange(len(free))
    row = keys[free] // cols
    first = keys[free] % cols
    ends = np.append(keys[1:], extent.rows * cols)[free] - 1
    last = ends % cols  # runs never cross a row end: every row start is a run start
    below = row + 1 < extent.rows
    u, row, first, last = free[below], row[below], first[below], last[below]
    lo = np.searchsorted(keys, ((row + 1) * cols + first).astype(keys.dtype), "right") - 1
    hi = np.searchsorted(keys, ((row + 1) * cols + last).astype(keys.dtype), "right") - 1
    count = hi - lo + 1
    src = np.repeat(u, count)
    dst = np.repeat(lo - np.cumsum(count) + count, count) + np.arange(count.sum())
    keep = ~touched[dst]
    graph = sparse.coo_matrix((np.ones(int(keep.sum()), dtype=np.int8),
                               (node[src[keep]], node[dst[keep]])),
                              shape=(len(free), len(free)))
    _, label = connected_components(graph, directed=False)
    region = np.full(len(keys), TOUCHED, dtype=np.int32)
    region[free] = label
    return region


def _representatives(extent: Extent, keys: np.ndarray,
                     region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centre of the first cell of one run of each region."""
    free = np.flatnonzero(region >= 0)
    _, first = np.unique(region[free], return_index=True)  # labels run 0..n-1
    key = keys[free[first]]
    lon = extent.west_deg + (key % extent.cols + 0.5) * extent.cell_deg
    lat = extent.south_deg + (key // extent.cols + 0.5) * extent.cell_deg
    return lon, lat


def _band(extent: Extent, line_segs: np.ndarray, band_m: float) -> np.ndarray:
    """Blocks of BAND_FACTOR x BAND_FACTOR cells within ``band_m`` of the line (widened
    by one block for the length of a piece)."""
    shape = (extent.rows // BAND_FACTOR + 1, extent.cols // BAND_FACTOR + 1)
    band = np.zeros(shape, dtype=bool)
    if not len(line_segs):
        return band
    fx, fy = extent.cell_of(line_segs[:, 0], line_segs[:, 1])
    band[np.clip(fy.astype(np.int64) // BAND_FACTOR, 0, shape[0] - 1),
         np.clip(fx.astype(np.int64) // BAND_FACTOR, 0, shape[1] - 1)] = True
    block_m = BAND_FACTOR * extent.cell_deg * 111_320.0 * np.cos(np.radians(24.0))
    reach = int(np.ceil(band_m / block_m)) + 1
    return binary_dilation(band, np.ones((2 * reach + 1, 2 * reach + 1), dtype=bool))


def _blocks(extent: Extent, touched: np.ndarray, keys: np.ndarray,
            region: np.ndarray) -> np.ndarray:
    """Per block of BAND_FACTOR x BAND_FACTOR cells: its region if no cell is touched."""
    shape = (extent.rows // BAND_FACTOR + 1, extent.cols // BAND_FACTOR + 1)
    dirty = np.zeros(shape, dtype=bool)
    dirty[touched // extent.cols // BAND_FACTOR, touched % extent.cols // BAND_FACTOR] = True
    br, bc = np.nonzero(~dirty)
    row, col = br * BAND_FACTOR, bc * BAND_FACTOR
    ok = (row < extent.rows) & (col < extent.cols)  # the last blocks may be partial
    first = (row[ok] * extent.cols + col[ok]).astype(keys.dtype)
    out = np.full(shape, -1, dtype=np.int32)
    out[br[ok], bc[ok]] = region[np.searchsorted(keys, first, side="right") - 1]
    return out


def build(layers: Sequence[np.ndarray], line_segs: np.ndarray, *, line_clear_m: float,
          band_m: float, cell_deg: float = CELL_DEG) -> RegionGrid:
    """The region grid of the polygons in ``layers`` (arrays of lon/lat geometries).

    ``line_segs`` (n, 4: lon0, lat0, lon1, lat1) is the border line, pieces <= one cell:
    cells within one cell of it (>= ``line_clear_m`` metres) are marked touched, and blocks
    within ``band_m`` metres of it are flagged in ``RegionGrid.band``.
    """
    geoms = [g for g in layers if len(g)]
    boxes = [shapely.total_bounds(g) for g in geoms]
    if len(line_segs):
        boxes.append([line_segs[:, 0::2].min(), line_segs[:, 1::2].min(),
                      line_segs[:, 0::2].max(), line_segs[:, 1::2].max()])
    boxes = np.array(boxes).reshape(-1, 4)
    bounds = np.array([*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0)]) \
        if len(boxes) else np.zeros(4)
    extent = Extent.around(bounds, cell_deg)
    min_cell_m = cell_deg * 111_320.0 * np.cos(np.radians(max(abs(bounds[1]), abs(bounds[3]))))
    if len(line_segs) and min_cell_m <= line_clear_m:
        raise ValueError(f"cells of {min_cell_m:.0f} m cannot keep {line_clear_m} m clear")
    marked = [_marked_cells(extent, _pieces(g, cell_deg)) for g in geoms]  # one layer at a time
    touched = _unique(np.concatenate([*marked, _marked_cells(extent, line_segs, 1)])
                      .astype(extent.key_dtype))
    keys, is_touched = _runs(extent, touched)
    region = _regions(extent, keys, is_touched)
    rep_lon, rep_lat = _representatives(extent, keys, region)
    return RegionGrid(extent, keys, region, rep_lon, rep_lat, _band(extent, line_segs, band_m),
                      _blocks(extent, touched, keys, region))
