"""Decision areas: lon/lat sanity of a polygon, and the area as the forms write it.

Polygons are GeoJSON in EPSG:4326 degrees, (lon, lat). The store resolves commune codes,
belts and checkpoint areas to geometry (``geo.store.decisions.areas``); here only pure checks and
wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shapely.geometry import shape

from geo.common.errors import InvalidInput
from geo.common.lonlat import VN_EAST, VN_NORTH, VN_SOUTH, VN_WEST

#: How far outside Vietnam's bounding box a decision polygon may reach, degrees (~55 km).
NEAR_VN_DEG = 0.5
MAX_LISTED_VERTICES = 60

#: What follows "Hiệp định về quy chế quản lý biên giới" on Forms 19 and 24, per neighbour.
#: Defaults only: the notice endpoint takes ``agreement`` to override. None for Cambodia, whose
#: agreement title was not verified.
AGREEMENT_BY_NEIGHBOUR = {
    "CHN": "trên đất liền Việt Nam - Trung Quốc",
    "LAO": "và cửa khẩu biên giới trên đất liền Việt Nam - Lào",
}


def _in_vn_box(west: float, south: float, east: float, north: float, margin: float) -> bool:
    return (VN_WEST - margin <= west and east <= VN_EAST + margin
            and VN_SOUTH - margin <= south and north <= VN_NORTH + margin)


def check_near_vietnam(geojson: Mapping[str, Any]) -> None:
    """Refuse a polygon lying far from Vietnam (EPSG:4326 degrees, (lon, lat)). A polygon
    given as (lat, lon) never gets here: Vietnam's longitudes are not valid latitudes, so the
    record itself refuses it (``AreaSpec``)."""
    west, south, east, north = shape(geojson).bounds
    if not _in_vn_box(west, south, east, north, NEAR_VN_DEG):
        raise InvalidInput(
            f"area: the polygon ({west:.4f}, {south:.4f}, {east:.4f}, {north:.4f}) is not in "
            "or near Vietnam (EPSG:4326 lon/lat degrees expected)", field="area")


def _dms(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    seconds_total = round(abs(value) * 3600)
    degrees, rest = divmod(seconds_total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{degrees}°{minutes:02d}′{seconds:02d}″{hemisphere}"


def _point(lon: float, lat: float) -> str:
    """``21°42′00″B, 106°54′00″Đ`` — latitude first, as Vietnamese maps write it; the
    hemisphere letters make the order unambiguous."""
    return f"{_dms(lat, 'B', 'N')}, {_dms(lon, 'Đ', 'T')}"


def coordinates_text(geojson: Mapping[str, Any]) -> str:
    """The polygon's outer rings as a list of points (WGS 84), for Forms 17-19 "(8)"."""
    geom = shape(geojson)
    polygons = list(getattr(geom, "geoms", [geom]))
    rings = [list(p.exterior.coords)[:-1] for p in polygons]
    if sum(len(r) for r in rings) > MAX_LISTED_VERTICES:
        west, south, east, north = geom.bounds
        return (f"khu vực theo tọa độ kèm theo ({sum(len(r) for r in rings)} điểm, hệ WGS 84), "
                f"trong khung từ {_point(west, south)} đến {_point(east, north)}")
    parts = []
    for n, ring in enumerate(rings, start=1):
        points = "; ".join(f"{i}) {_point(x, y)}" for i, (x, y) in enumerate(ring, start=1))
        parts.append(f"vùng {n}: {points}" if len(rings) > 1 else points)
    return "khu vực giới hạn bởi các điểm có tọa độ (hệ WGS 84): " + " — ".join(parts)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


#: Province-level units that are centrally-run cities (thành phố), not provinces (tỉnh).
CITIES = frozenset({"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"})


def province_label(name: str) -> str:
    """``"tỉnh Tuyên Quang"``, ``"thành phố Huế"``."""
    return f"{'thành phố' if name in CITIES else 'tỉnh'} {name}"


def communes_text(full_names: Iterable[str], province_name: str, *, belt: bool) -> str:
    """``"xã Lũng Cú, tỉnh Tuyên Quang"`` or ``"vành đai biên giới thuộc xã Lũng Cú, ..."``."""
    names = ", ".join(_lower_first(n) for n in full_names)
    text = f"{names}, {province_label(province_name)}"
    return f"vành đai biên giới thuộc {text}" if belt else text
