"""Location checks: GET /v1/check/point and POST /v1/check (points, routes, GPX)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.auth import PrincipalDep
from api.deps import IndexDep, SettingsDep
from api.routers.check_input import receive, refuse_projected, respond
from api.schemas.location import CheckResponse, PointCheck
from api.work import WorkersDep
from geo.common.crs import WGS84, parse_crs
from geo.common.lonlat import to_lonlat, validate_lonlat
from geo.common.timeutil import parse_instant
from geo.location.check import check_points

router = APIRouter(prefix="/v1/check", tags=["checks"])


@router.get("/point", response_model=PointCheck)
async def check_point(
    index: IndexDep,
    principal: PrincipalDep,
    lon: Annotated[float, Query(description="longitude (or easting in `crs`)")],
    lat: Annotated[float, Query(description="latitude (or northing in `crs`)")],
    at: Annotated[str | None, Query(description="ISO-8601 instant; no offset = Hanoi")] = None,
    crs: Annotated[str | None, Query(description="EPSG:4326 (default) or VN-2000")] = None,
) -> JSONResponse:
    """Is this point in Vietnam, the land border area, the belt, a zone — and how far from
    the border line? Input without ``crs`` is WGS 84 lon/lat."""
    epsg = parse_crs(crs)
    if epsg == WGS84:
        refuse_projected(index, lon, lat)
    if epsg == WGS84 or epsg == 4756:
        validate_lonlat(lon, lat)
    x, y = to_lonlat([lon], [lat], epsg)
    if epsg != WGS84:
        validate_lonlat(float(x[0]), float(y[0]), field_prefix=f"transformed from EPSG:{epsg}: ")
    answer = check_points(index, x, y, parse_instant(at, field="at"), cleared=principal.cleared)
    return JSONResponse(answer[0].as_dict())  # plain JSON types: no re-validation needed


CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": "a GPX track (times are used)"},
                               "person": {"type": "string"}, "at": {"type": "string"},
                               "crs": {"type": "string"}}}},
        },
    }
}


@router.post("", openapi_extra=CHECK_BODY, response_model=CheckResponse)
async def check(request: Request, index: IndexDep, principal: PrincipalDep,
                settings: SettingsDep, workers: WorkersDep) -> Response:
    """A point, several points (Point/MultiPoint) or a route (LineString/MultiLineString,
    optional per-vertex `times`), or a GPX upload: zones entered, decisions in force,
    obligations for `person` with citations, and `valid_until`. Bounded per request:
    `BORDERZONE_MAX_ROUTE_VERTICES`, `BORDERZONE_MAX_ROUTE_KM`, `BORDERZONE_MAX_CHECK_POINTS`
    (413 naming the field)."""
    body = await receive(request)
    content = await workers.run(respond, index, body, settings, cleared=principal.cleared)
    return Response(content, media_type="application/json")
