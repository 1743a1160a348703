"""Communes that overlap in the source data, found at load and reported with their area.

Official boundary files are not always a partition: in Lào Cai three wards (02647, 02683,
02746) share 3.5 km². A point there is answered by one rule (``geo.location.check``): the
commune with the lowest code holds it, and its belt row and land border listing follow that
commune. Geometry in lon/lat (EPSG:4326); areas are geodesic square metres on WGS 84.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from geo.common.crs import GEOD

#: Overlaps from this area up are listed one by one (smaller ones are boundary slivers
#: between the exact and the simplified layers: counted and summed only).
LIST_FROM_M2 = 100_000.0


@dataclass(frozen=True)
class Overlap:
    """Two communes (codes, ``a`` < ``b``) sharing ``area_m2`` geodesic square metres."""

    a: str
    b: str
    area_m2: float

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "area_m2": round(self.area_m2, 1)}


@dataclass
class Overlaps:
    """Overlaps of at least ``min_area_m2`` (largest first), and the smaller ones summed."""

    pairs: list[Overlap] = field(default_factory=list)
    small_count: int = 0
    small_area_m2: float = 0.0

    def as_dict(self) -> dict:
        return {"pairs": [p.as_dict() for p in self.pairs], "small_count": self.small_count,
                "small_area_m2": round(self.small_area_m2, 1)}

    def warnings(self) -> list[str]:
        return [f"communes {p.a} and {p.b} overlap on {p.area_m2 / 1e6:.2f} km² of the data; "
                f"a point there is answered as {p.a} (the lowest code), with its belt and "
                "land border listing" for p in self.pairs]


def commune_overlaps(codes: Sequence[str], geoms: Sequence, *,
                     min_area_m2: float = LIST_FROM_M2) -> Overlaps:
    """Every pair of ``geoms`` (lon/lat polygons named by ``codes``) whose interiors
    overlap, with the geodesic area of the overlap (m²)."""
    arr = np.array(list(geoms), dtype=object)
    if len(arr) < 2:
        return Overlaps()
    tree = shapely.STRtree(arr)
    i, j = tree.query(arr, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shapely.prepare(arr)
    real = shapely.overlaps(arr[i], arr[j]) | shapely.contains(arr[i], arr[j]) | \
        shapely.within(arr[i], arr[j])
    i, j = i[real], j[real]
    shared = shapely.intersection(arr[i], arr[j])
    areas = np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in shared], dtype=float)
    out = Overlaps()
    for a, b, area in sorted(zip(i.tolist(), j.tolist(), areas.tolist(), strict=True),
                             key=lambda r: -r[2]):
        first, second = sorted((str(codes[a]), str(codes[b])))
        if area >= min_area_m2:
            out.pairs.append(Overlap(first, second, area))
        elif area > 0:
            out.small_count += 1
            out.small_area_m2 += area
    return out
