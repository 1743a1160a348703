"""VN-2000 at the intake: which CRSs are accepted, which are refused (and what replaces
them), the 3° zone each province works in, and the pinned transform to WGS 84.

* Accepted: EPSG:4326 and the VN-2000 codes of ``geo.common.crs`` (4756, 3405/3406, 5896-5899,
  9205-9218). Deprecated EPSG:6956-6959 (TM-3 zones with false easting 0) are refused with
  the code that replaced them.
* VN-2000 -> WGS 84 is EPSG:6960 ("VN-2000 to WGS 84 (2)") through ``geo.common.crs.transformer``
  (pinned and rebuilt from its pipeline: thread-safe; PROJ would otherwise switch to
  EPSG:5194 inside the Mekong blocks DBSCL 02/03, ~0.8 m away at Tịnh Biên).
* Provincial 3° zones (TM-3, k = 0.9999, false easting 500 km): the central meridian of each
  pre-2025 province as set by Circular 973/2001/TT-TCĐC (Annex), grouped under the post-2025
  province codes through ``data/vn_province_mapping_63_to_34.csv``. The meridians are
  transcribed, not read from a stored copy of the circular: a wrong one only changes a
  suggestion and a warning, never a transform.

Coordinates are (x=easting or lon, y=northing or lat) everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo.common import crs
from geo.common.errors import InvalidInput

#: Deprecated VN-2000 TM-3 codes (false easting 0) and the code that replaced each.
DEPRECATED = {6956: 5896, 6957: 5897, 6958: 5898, 6959: 5899}

#: Central meridian (degrees) of each TM-3 code of VN-2000 (all k = 0.9999, x_0 = 500 km).
TM3_MERIDIANS = {5896: 102.0, 5897: 105.0, 5898: 108.0, 5899: 107.75, 9205: 103.0,
                 9206: 104.0, 9207: 104.5, 9208: 104.75, 9209: 105.5, 9210: 105.75,
                 9211: 106.0, 9212: 106.25, 9213: 106.5, 9214: 107.0, 9215: 107.25,
                 9216: 107.5, 9217: 108.25, 9218: 108.5}
TM3_BY_MERIDIAN = {v: k for k, v in TM3_MERIDIANS.items()}
UTM = {3405: 105.0, 3406: 111.0}  # k = 0.9996
TM3_SCALE, UTM_SCALE, FALSE_EASTING_M = 0.9999, 0.9996, 500_000.0

#: Post-2025 province code -> (pre-2025 province, central meridian of its 3° zone).
PROVINCE_MERIDIANS: dict[str, tuple[tuple[str, float], ...]] = {
    "01": (("Hà Nội", 105),), "04": (("Cao Bằng", 105.75),),
    "08": (("Hà Giang", 105.5), ("Tuyên Quang", 106)), "11": (("Điện Biên", 103),),
    "12": (("Lai Châu", 103),), "14": (("Sơn La", 104),),
    "15": (("Lào Cai", 104.75), ("Yên Bái", 104.75)),
    "19": (("Bắc Kạn", 106.5), ("Thái Nguyên", 106.5)), "20": (("Lạng Sơn", 107.25),),
    "22": (("Quảng Ninh", 107.75),), "24": (("Bắc Giang", 107), ("Bắc Ninh", 105.5)),
    "25": (("Hòa Bình", 106), ("Phú Thọ", 104.75), ("Vĩnh Phúc", 105)),
    "31": (("Hải Dương", 105.5), ("Hải Phòng", 105.75)),
    "33": (("Hưng Yên", 105.5), ("Thái Bình", 105.5)),
    "37": (("Hà Nam", 105), ("Nam Định", 105.5), ("Ninh Bình", 105)),
    "38": (("Thanh Hóa", 105),), "40": (("Nghệ An", 104.75),), "42": (("Hà Tĩnh", 105.5),),
    "44": (("Quảng Bình", 106), ("Quảng Trị", 106.25)), "46": (("Thừa Thiên Huế", 107),),
    "48": (("Đà Nẵng", 107.75), ("Quảng Nam", 107.75)),
    "51": (("Kon Tum", 107.5), ("Quảng Ngãi", 108)),
    "52": (("Bình Định", 108.25), ("Gia Lai", 108.5)),
    "56": (("Khánh Hòa", 108.25), ("Ninh Thuận", 108.25)),
    "66": (("Đăk Lăk", 108.5), ("Phú Yên", 108.5)),
    "68": (("Bình Thuận", 108.5), ("Đăk Nông", 108.5), ("Lâm Đồng", 107.75)),
    "75": (("Bình Phước", 106.25), ("Đồng Nai", 107.75)),
    "79": (("Bà Rịa - Vũng Tàu", 107.75), ("Bình Dương", 105.75),
           ("TP. Hồ Chí Minh", 105.75)),
    "80": (("Long An", 105.75), ("Tây Ninh", 105.5)),
    "82": (("Đồng Tháp", 105), ("Tiền Giang", 105.75)),
    "86": (("Bến Tre", 105.75), ("Trà Vinh", 105.5), ("Vĩnh Long", 105.5)),
    "91": (("An Giang", 104.75), ("Kiên Giang", 104.5)),
    "92": (("Cần Thơ", 105), ("Hậu Giang", 105), ("Sóc Trăng", 105.5)),
    "96": (("Bạc Liêu", 105), ("Cà Mau", 104.5)),
}


def accept(value: str | int | None, *, field: str = "crs") -> int:
    """An accepted EPSG code from 'EPSG:9209', '9209', a URN, CRS84 or WKT (a .prj).
    Deprecated VN-2000 codes are refused naming their replacement."""
    if value is None or str(value).strip() == "":
        raise InvalidInput(f"{field}: missing; give the CRS of the coordinates (e.g. "
                           "EPSG:4326, or VN-2000 EPSG:9205-9218 for a province's 3° zone)",
                           field=field)
    text = str(value).strip()
    code = _epsg_of(text)
    if code in DEPRECATED:
        raise InvalidInput(f"{field}: EPSG:{code} is deprecated (false easting 0); use "
                           f"EPSG:{DEPRECATED[code]} ({crs_name(DEPRECATED[code])}), whose "
                           "coordinates carry the 500 km false easting", field=field,
                           detail={"replacement": f"EPSG:{DEPRECATED[code]}"})
    return crs.parse_crs(str(code) if code is not None else text, field=field)


def _epsg_of(text: str) -> int | None:
    tail = text.upper().replace("::", ":").rsplit(":", 1)[-1]
    if tail.isdigit():
        return int(tail)
    if not text.lstrip().upper().startswith(("PROJCS", "GEOGCS", "PROJCRS", "GEOGCRS", "{")):
        return None
    try:
        return CRS.from_user_input(text).to_epsg(min_confidence=70)
    except CRSError:
        return None


@lru_cache(maxsize=64)
def crs_name(epsg: int) -> str:
    return CRS.from_epsg(epsg).name


def province_zones(province_code: str | None) -> tuple[int, ...]:
    """The TM-3 EPSG codes a province's offices use (post-2025 code; empty if unknown)."""
    pairs = PROVINCE_MERIDIANS.get(province_code or "", ())
    return tuple(sorted({TM3_BY_MERIDIAN[float(cm)] for _, cm in pairs}))


def zone_suggestion(province_code: str | None) -> str | None:
    """A sentence naming the 3° zone(s) of a province, or None."""
    pairs = PROVINCE_MERIDIANS.get(province_code or "")
    if not pairs:
        return None
    parts = [f"{name}: EPSG:{TM3_BY_MERIDIAN[float(cm)]} (TM-3 {cm:g}°E)" for name, cm in pairs]
    return f"province {province_code} works in VN-2000 3° zones " + "; ".join(parts)


def operation(epsg: int) -> str | None:
    """The operation that takes ``epsg`` to WGS 84, as recorded in intake reports."""
    if epsg == crs.WGS84:
        return None
    pipeline = crs.transformer(epsg, crs.WGS84).definition
    return f"EPSG:6960 {crs.VN2000_TO_WGS84_OPERATION} (pinned): {pipeline}"


def tm_params(epsg: int) -> tuple[float, float] | None:
    """(central meridian in degrees, scale) of a projected VN-2000 code; None otherwise."""
    if epsg in TM3_MERIDIANS:
        return TM3_MERIDIANS[epsg], TM3_SCALE
    if epsg in UTM:
        return UTM[epsg], UTM_SCALE
    return None


@lru_cache(maxsize=64)
def _inverse_tm(lon0_deg: float, scale: float) -> Transformer:
    return Transformer.from_pipeline(
        f"+proj=pipeline +step +inv +proj=tmerc +lat_0=0 +lon_0={lon0_deg!r} +k={scale!r} "
        f"+x_0={FALSE_EASTING_M!r} +y_0=0 +ellps=WGS84 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg")


def inverse_tm(x: np.ndarray, y: np.ndarray, lon0_deg: float,
               scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Easting/northing (m) of a transverse Mercator on the WGS 84 ellipsoid (VN-2000 uses
    it) back to geographic degrees of the same datum."""
    lon, lat = _inverse_tm(float(lon0_deg), float(scale)).transform(x, y)
    return np.asarray(lon), np.asarray(lat)


@lru_cache(maxsize=2)
def _helmert(convention: str) -> Transformer:
    pipeline = crs.transformer(crs.VN2000_GEOGRAPHIC, crs.WGS84).definition
    return Transformer.from_pipeline(pipeline.replace("convention=coordinate_frame",
                                                      f"convention={convention}"))


def vn2000_to_wgs84(lon: np.ndarray, lat: np.ndarray, *,
                    rotation_flipped: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """VN-2000 geographic -> WGS 84 by EPSG:6960; ``rotation_flipped`` reads its rotations
    with the opposite sign convention (position vector), the hand-typed towgs84 mistake."""
    if not rotation_flipped:
        return crs.to_wgs84(lon, lat, crs.VN2000_GEOGRAPHIC)
    out_lon, out_lat = _helmert("position_vector").transform(lon, lat)
    return np.asarray(out_lon), np.asarray(out_lat)


#: Easting/northing (metres) of VN-2000 in Vietnam: false easting 500 km, 8.0-23.5°N.
EASTING_M = (100_000.0, 900_000.0)
NORTHING_M = (850_000.0, 2_650_000.0)


def looks_projected(x: float, y: float) -> bool:
    """True when (x, y), given as lon/lat, are metres of a VN-2000 grid in Vietnam."""
    return (EASTING_M[0] <= x <= EASTING_M[1] and NORTHING_M[0] <= y <= NORTHING_M[1])


def projected_hint(x: float, y: float,
                   province_at: Callable[[float, float], str | None]) -> InvalidInput | None:
    """For (x, y) sent as lon/lat, a 422 that names the VN-2000 CRS they were most likely
    written in: a provincial 3° zone (TM-3) whose reading falls in a province that works in
    that zone (Circular 973/2001), else a UTM zone (EPSG:3405/3406) whose reading falls in
    Vietnam. ``province_at(lon, lat)`` gives the post-2025 province code of a WGS 84 point.
    None when (x, y) do not look like easting/northing."""
    if not looks_projected(x, y):
        return None
    found: list[tuple[int, str]] = []
    for code in sorted(TM3_MERIDIANS) + sorted(UTM):
        lon, lat = crs.to_wgs84(np.array([x]), np.array([y]), code)
        province = province_at(float(lon[0]), float(lat[0]))
        if province and (code in UTM or code in province_zones(province)):
            found.append((code, province))
    head = (f"lon/lat: ({x:.1f}, {y:.1f}) are not degrees; they look like VN-2000 easting/northing "
            "in metres")
    if not found:
        return InvalidInput(f"{head}, but no VN-2000 zone puts them in Vietnam; send lon/lat "
                            "in degrees, or the coordinates with their `crs`", field="crs")
    code, province = found[0]
    others = ", ".join(f"EPSG:{c}" for c, _ in found[1:3])
    return InvalidInput(
        f"{head}. Read in EPSG:{code} ({crs_name(code)}) they fall in province {province}"
        + (", which works in that zone" if code in TM3_MERIDIANS else "")
        + f": send crs=EPSG:{code}" + (f" (other readings: {others})" if others else ""),
        field="crs", detail={"suggested_crs": f"EPSG:{code}", "province_code": province})
