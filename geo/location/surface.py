"""What a point stands on: Vietnam's land, its internal waters or its territorial sea.

Vietnam's territory includes its internal waters and its 12-nautical-mile territorial sea
(Law 06/2003 on National Borders Art 1, Art 9; Law of the Sea 2012 Art 9-12), so a point
there is ``in_vietnam`` with ``country`` VNM and ``surface`` saying which. The waters are
the sea layer's ``internal_waters`` and ``territorial_sea`` parts (``geo.location.sea``):
internal waters only behind the 1982 baseline; where the data has no baseline (the Gulf of
Tonkin, Hoàng Sa, Trường Sa) all waters within 12 nm of the shoreline are answered as
territorial sea. The coastal province is the one whose land is nearest, when no other
province's land is nearly as near (``PROVINCE_MARGIN_DEG``, about 1 km); otherwise it is not
determinable and left null. Everything lon/lat (EPSG:4326).
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo.common.timeutil import now
from geo.common.zones import (
    SURFACE_INTERNAL_WATERS,
    SURFACE_LAND,
    SURFACE_TERRITORIAL_SEA,
)
from geo.location.index import ZoneIndex, as_utc64

WATERS = (SURFACE_INTERNAL_WATERS, SURFACE_TERRITORIAL_SEA)
#: provinces searched within this many degrees of a point at sea (12 nm is ~0.2 degrees)
PROVINCE_SEARCH_DEG = 0.25
#: the nearest province is the coastal province only when the next is this much farther
#: (about 1 km)
PROVINCE_MARGIN_DEG = 0.01


def waters(index: ZoneIndex, pts: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Per point (shapely Points, lon/lat): ``internal_waters``, ``territorial_sea`` or ""
    (not in Vietnam's waters at ``when``, UTC datetime64[us] per point)."""
    out = np.full(len(pts), "", dtype="U16")
    if not len(pts) or not len(index.sea):
        return out
    pidx, fidx = index.sea.hits(pts, when)
    for p, f in zip(pidx.tolist(), fidx.tolist(), strict=True):
        part = index.sea.features[f].props.get("part")
        if part in WATERS and out[p] != SURFACE_INTERNAL_WATERS:
            out[p] = part
    return out


class _Coast:
    """Province outlines as vertices at most ``SPACING_DEG`` apart, in a k-d tree (x scaled
    by cos 16°N, so that a degree of x is about a degree of y across Vietnam)."""

    SPACING_DEG = 0.002  # ~200 m: the nearest vertex is within ~100 m of the nearest edge
    X_SCALE = float(np.cos(np.radians(16.0)))
    K = 48

    def __init__(self, layer):
        xy, owner = [], []
        for i, geom in enumerate(layer.geoms):
            pts = shapely.get_coordinates(shapely.segmentize(shapely.boundary(geom),
                                                             self.SPACING_DEG))
            xy.append(pts)
            owner.append(np.full(len(pts), i))
        self.layer = layer
        self.xy = np.concatenate(xy) if xy else np.empty((0, 2))
        self.owner = np.concatenate(owner) if owner else np.empty(0, dtype=int)
        self.tree = cKDTree(self.xy * [self.X_SCALE, 1.0]) if len(self.xy) else None

    def provinces(self, lon: np.ndarray, lat: np.ndarray, when: np.ndarray) -> list:
        if self.tree is None or not len(lon):
            return [None] * len(lon)
        k = min(self.K, len(self.xy))
        dist, idx = self.tree.query(np.column_stack([lon * self.X_SCALE, lat]), k=k,
                                    distance_upper_bound=PROVINCE_SEARCH_DEG)
        dist, idx = dist.reshape(len(lon), k), idx.reshape(len(lon), k)
        return [self._one(d, i, w) for d, i, w in zip(dist, idx, when, strict=True)]

    def _one(self, dist: np.ndarray, idx: np.ndarray, when) -> str | None:
        layer, best = self.layer, None
        for d, i in zip(dist.tolist(), idx.tolist(), strict=True):
            if i >= len(self.owner):
                break  # beyond the search distance
            f = int(self.owner[i])
            if not layer.starts[f] <= when < layer.ends[f]:
                continue
            code = layer.features[f].id
            if best is None:
                best = (d, code)
            elif code != best[1]:
                return best[1] if d - best[0] >= PROVINCE_MARGIN_DEG else None
        return None if best is None else best[1]


def coastal_provinces(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray,
                      when: np.ndarray) -> list[str | None]:
    """Per point at sea, the code of the province whose land is nearest, or None when none
    is within ``PROVINCE_SEARCH_DEG`` or two are nearly as near (``PROVINCE_MARGIN_DEG``).
    The outlines are built once per index (a thread that races builds its own copy)."""
    coast = getattr(index.provinces, "_coast", None)
    if coast is None:
        coast = _Coast(index.provinces)
        index.provinces._coast = coast
    return coast.provinces(np.asarray(lon, float), np.asarray(lat, float), when)


def surfaces(index: ZoneIndex, pts: np.ndarray, when: np.ndarray,
             on_land: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """``surface`` per point ("" outside Vietnam) and, for points in the waters, the code of
    their coastal province (None on land, outside, or where not determinable)."""
    out = np.where(on_land, SURFACE_LAND, "").astype("U16")
    provinces: list[str | None] = [None] * len(pts)
    at_sea = np.flatnonzero(~on_land)
    if len(at_sea):
        found = waters(index, pts[at_sea], when[at_sea])
        out[at_sea] = found
        sea_idx = at_sea[found != ""]
        xy = shapely.get_coordinates(pts[sea_idx])
        for i, code in zip(sea_idx.tolist(), coastal_provinces(
                index, xy[:, 0], xy[:, 1], when[sea_idx]), strict=True):
            provinces[i] = code
    return out, provinces


def province_code_at(index: ZoneIndex, lon: float, lat: float) -> str | None:
    """Code of the province (land, in force now) holding the WGS 84 point, or None."""
    pts = shapely.points([lon], [lat])
    hit = index.provinces.first_hit(pts, np.array([as_utc64(now(), None)],
                                                  dtype="datetime64[us]"))[0]
    return index.provinces.features[hit].id if hit >= 0 else None
