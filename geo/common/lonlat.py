"""Lon/lat input: Vietnam's extent in WGS 84 degrees, the range and axis-order checks of a
point, and input coordinates of an accepted CRS to WGS 84 lon/lat (vectorised, ``geo.common.crs``).

Shared by the location checks, batches and decision areas (moved here from
``geo.location.check`` so that decisions need not import the location checks).
"""

from __future__ import annotations

import numpy as np

from geo.common import crs
from geo.common.errors import InvalidInput

VN_WEST, VN_SOUTH, VN_EAST, VN_NORTH = 102.0, 8.0, 117.9, 23.5  # incl. Trường Sa


def validate_lonlat(lon: float, lat: float, *, field_prefix: str = "") -> None:
    """Refuse non-finite or out-of-range values, and a point given as (lat, lon) instead of
    (lon, lat) — detectable because Vietnam's longitudes are not valid latitudes."""
    for name, value in (("lon", lon), ("lat", lat)):
        if not np.isfinite(value):
            raise InvalidInput(f"{field_prefix}{name}: must be a finite number", field=name)
    in_vn = VN_WEST <= lon <= VN_EAST and VN_SOUTH <= lat <= VN_NORTH
    if not in_vn and VN_WEST <= lat <= VN_EAST and VN_SOUTH <= lon <= VN_NORTH:
        raise InvalidInput(
            f"{field_prefix}lon/lat look swapped: ({lon}, {lat}) is (lat, lon) of a place in "
            f"Vietnam; GeoJSON and this API take lon first: lon={lat}&lat={lon}", field="lat")
    for name, value, limit in (("lon", lon, 180.0), ("lat", lat, 90.0)):
        if abs(value) > limit:
            raise InvalidInput(f"{field_prefix}{name}: {value} is outside -{limit:g}..{limit:g}",
                               field=name)


def to_lonlat(x: np.ndarray, y: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Input coordinates in ``epsg`` to WGS 84 lon/lat, once for the whole array."""
    lon, lat = crs.to_wgs84(np.asarray(x, float), np.asarray(y, float), epsg)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        raise InvalidInput(f"coordinates: not valid in EPSG:{epsg}", field="crs")
    return lon, lat


__all__ = ["VN_EAST", "VN_NORTH", "VN_SOUTH", "VN_WEST", "to_lonlat", "validate_lonlat"]
