"""Lon/lat input: Vietnam's extent in WGS 84 degrees, the range and axis-order checks of a
point, and input coordinates of an accepted CRS to WGS 84 lon/lat (vectorised, ``geo.common.crs``).

Shared by the location checks, batches and decision areas (moved here from
``geo.location.check`` so that decisions need not import the location checks).
"""

from __future__ import annotations

import numpy as np

from geo.common import crs
from geo.common.errors import InvalidInput

VN_WEST, VN_SOUTH, VN_EAST, VN_NORTH = 102.0, 6.0, 117.9, 23.5  # incl. Trường Sa


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
    """Input coordinates in ``epsg`` to WGS 84 lon/lat, once for the whole array. In a
    projected VN-2000 CRS, easting and northing given the wrong way round are refused by
    name (the swapped reading lands in Vietnam, the given one does not)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    lon, lat = crs.to_wgs84(x, y, epsg)
    if epsg in crs.VN2000_CODES and epsg != crs.VN2000_GEOGRAPHIC:
        _refuse_swapped(x, y, lon, lat, epsg)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        raise InvalidInput(f"coordinates: not valid in EPSG:{epsg}", field="crs")
    return lon, lat


def _in_extent(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (lon >= VN_WEST) & (lon <= VN_EAST) & (lat >= VN_SOUTH) & (lat <= VN_NORTH)


def _refuse_swapped(x: np.ndarray, y: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                    epsg: int) -> None:
    """Refuse input whose easting and northing were given the wrong way round: a single
    position, or most of the positions (a file written in the wrong order), lie outside
    Vietnam as given and inside it swapped. A few such positions among many are only
    points outside Vietnam, and are answered as such."""
    outside = np.flatnonzero(~_in_extent(lon, lat))
    if not len(outside) or 2 * len(outside) <= len(x) and len(x) > 1:
        return
    slon, slat = crs.to_wgs84(y[outside], x[outside], epsg)
    swapped = outside[_in_extent(slon, slat)]
    if not len(swapped) or 2 * len(swapped) <= len(x) and len(x) > 1:
        return
    i = int(swapped[0])
    k = int(np.flatnonzero(outside == i)[0])
    raise InvalidInput(
        f"coordinates: easting and northing look swapped at position {i}: in "
        f"EPSG:{epsg} ({x[i]:.1f}, {y[i]:.1f}) lies at lon {lon[i]:.4f}, lat {lat[i]:.4f}, "
        f"outside Vietnam, while ({y[i]:.1f}, {x[i]:.1f}) lies in Vietnam (lon "
        f"{slon[k]:.4f}, lat {slat[k]:.4f}); give the easting (x) first",
        field="lat", detail={"index": i, "swapped": True})


__all__ = ["VN_EAST", "VN_NORTH", "VN_SOUTH", "VN_WEST", "to_lonlat", "validate_lonlat"]
