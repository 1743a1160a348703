"""Web Mercator tile math (OGC WebMercatorQuad, EPSG:3857) and the zoom bands of prepared
geometry.

Tiles carry a buffer of ``BUFFER``/``EXTENT`` of their width on each side (what
``ST_AsMVTGeom`` keeps), so a tile *shows* whatever meets its buffered box; that box is also
what the cache compares an edit's geometry with. Geometry is prepared per zoom band in
migration 0009: simplified to half a display pixel (256 px tiles) at the band's deepest
zoom, so no band shows a coarser shape than its zooms can draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geo.common.errors import InvalidInput

#: Half the Web Mercator world's width, metres (EPSG:3857).
HALF_WORLD_M = 20037508.342789244
EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
TILE_MATRIX_SET = "WebMercatorQuad"


@dataclass(frozen=True)
class Band:
    """Zooms up to ``max_zoom`` draw from the prepared column ``<geometry column>_3857
    <suffix>`` (Web Mercator, simplified to ``tolerance_m``, made valid)."""

    max_zoom: int
    suffix: str
    tolerance_m: float

    def column(self, geom_column: str) -> str:
        return f"{geom_column}_3857{self.suffix}"


#: Prepared columns (migration 0009). Deeper zooms use the unsimplified ``*_3857``.
BANDS = (Band(6, "_z6", 1200.0), Band(10, "_z10", 75.0), Band(13, "_z13", 9.0))
RAW = Band(MAX_ZOOM, "", 0.0)


def band(z: int) -> Band:
    for b in BANDS:
        if z <= b.max_zoom:
            return b
    return RAW


def pixel_m(z: int) -> float:
    """Width of a 256-px display pixel at zoom ``z``, in Web Mercator metres."""
    return 2 * HALF_WORLD_M / (256 * 2 ** z)


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidInput(f"z: 0..{MAX_ZOOM}, not {z}", field="z")
    size = 2 ** z
    if not (0 <= x < size and 0 <= y < size):
        raise InvalidInput(f"tile {z}/{x}/{y} does not exist: x and y are 0..{size - 1}",
                           field="x" if not 0 <= x < size else "y")


def bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of tile z/x/y in EPSG:3857 metres (XYZ: y=0 north)."""
    size = 2 * HALF_WORLD_M / 2 ** z
    west = -HALF_WORLD_M + x * size
    north = HALF_WORLD_M - y * size
    return west, north - size, west + size, north


def buffered_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The box a tile shows (its bounds grown by the MVT buffer), EPSG:3857 metres."""
    west, south, east, north = bounds(z, x, y)
    pad = (east - west) * BUFFER / EXTENT
    return west - pad, south - pad, east + pad, north + pad


def tiles_over(box: tuple[float, float, float, float], z: int) -> list[tuple[int, int]]:
    """(x, y) of the zoom-``z`` tiles whose bounds meet ``box`` (EPSG:3857 metres)."""
    size = 2 * HALF_WORLD_M / 2 ** z
    last = 2 ** z - 1

    def clamp(v: float) -> int:
        return min(last, max(0, int(math.floor(v))))

    x0, x1 = clamp((box[0] + HALF_WORLD_M) / size), clamp((box[2] + HALF_WORLD_M) / size)
    y0, y1 = clamp((HALF_WORLD_M - box[3]) / size), clamp((HALF_WORLD_M - box[1]) / size)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
