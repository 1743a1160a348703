"""Location checks: GET /v1/check/point."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import PrincipalDep
from api.deps import IndexDep
from api.schemas import PointCheck
from geo.check import check_points, to_lonlat, validate_lonlat
from geo.crs import WGS84, parse_crs
from geo.timeutil import parse_instant

router = APIRouter(prefix="/v1/check", tags=["checks"])


@router.get("/point", response_model=PointCheck)
def check_point(
    index: IndexDep,
    principal: PrincipalDep,
    lon: Annotated[float, Query(description="longitude (or easting in `crs`)")],
    lat: Annotated[float, Query(description="latitude (or northing in `crs`)")],
    at: Annotated[str | None, Query(description="ISO-8601 instant; no offset = Hanoi")] = None,
    crs: Annotated[str | None, Query(description="EPSG:4326 (default) or VN-2000")] = None,
) -> dict:
    """Is this point in Vietnam, the land border area, the belt, a zone — and how far from
    the border line? Input without ``crs`` is WGS 84 lon/lat."""
    epsg = parse_crs(crs)
    if epsg == WGS84 or epsg == 4756:
        validate_lonlat(lon, lat)
    x, y = to_lonlat([lon], [lat], epsg)
    if epsg != WGS84:
        validate_lonlat(float(x[0]), float(y[0]), field_prefix=f"transformed from EPSG:{epsg}: ")
    return check_points(index, x, y, parse_instant(at, field="at"),
                        cleared=principal.cleared)[0].as_dict()
