"""Reading POST /v1/check bodies (JSON or a GPX upload) into domain calls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError

from api.schemas.location import CheckResponse
from api.settings import Settings
from geo.common.crs import WGS84, parse_crs
from geo.common.errors import InvalidInput
from geo.common.limits import check_batch, check_route
from geo.common.safejson import loads
from geo.common.timeutil import now, parse_instant
from geo.common.zones import PersonCategory
from geo.intake.vn2000 import looks_projected, projected_hint
from geo.location.answers import answer
from geo.location.index import ZoneIndex
from geo.location.inputs import Parsed, from_geojson, from_gpx
from geo.location.surface import province_code_at
from geo.rules import parse_person


class CheckRequest(BaseModel):
    """A point, points or a route to check (GeoJSON geometry; lon, lat unless `crs`)."""

    geometry: dict = Field(description="GeoJSON Point, MultiPoint, LineString or "
                                       "MultiLineString")
    times: list | None = Field(default=None, description="one ISO-8601 time per vertex "
                               "(a list per part for MultiLineString)")
    at: str | None = Field(default=None, description="instant to answer; default now")
    person: str = Field(default=PersonCategory.VIETNAMESE_CITIZEN.value,
                        description="person category: " + ", ".join(PersonCategory))
    crs: str | None = Field(default=None, description="EPSG:4326 (default) or VN-2000")


@dataclass
class CheckQuery:
    parsed: Parsed
    at: datetime
    person: PersonCategory


@dataclass
class CheckBody:
    """What POST /v1/check received, read off the socket but not yet parsed."""

    json: bytes | None = None
    gpx: bytes | None = None
    person: str | None = None
    at: str | None = None


async def receive(request: Request) -> CheckBody:
    """Read the body (I/O only: parsing is CPU work and runs in a worker thread)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        return CheckBody(json=await request.body())
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput("file: upload a GPX file in the form field `file`", field="file")
    person, at = (v if isinstance(v, str) else None for v in map(form.get, ("person", "at")))
    return CheckBody(gpx=await upload.read(), person=person, at=at)


def refuse_projected(index: ZoneIndex | None, x: float, y: float) -> None:
    """Lon/lat that are VN-2000 metres: a 422 naming the zone to send as ``crs``."""
    if index is None or not looks_projected(x, y):
        return
    hint = projected_hint(x, y, lambda lon, lat: province_code_at(index, lon, lat))
    if hint is not None:
        raise hint


def _first_position(geometry) -> tuple[float, float] | None:
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    if (isinstance(coords, list) and len(coords) >= 2
            and all(isinstance(v, int | float) for v in coords[:2])):
        return float(coords[0]), float(coords[1])
    return None


def parse_check(body: CheckBody, settings: Settings,
                index: ZoneIndex | None = None) -> CheckQuery:
    """Parse and bound the request: over-large input is refused before any check runs."""
    if body.gpx is not None:
        parsed = from_gpx(body.gpx, max_vertices=settings.max_vertices)
        query = _query(parsed, body.at, body.person)
    else:
        try:
            req = CheckRequest.model_validate(loads(body.json or b""))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise InvalidInput(f"{where}: {first['msg']}", field=where) from exc
        epsg = parse_crs(req.crs)
        first = _first_position(req.geometry)
        if epsg == WGS84 and first is not None:
            refuse_projected(index, *first)
        parsed = from_geojson(req.geometry, epsg,
                              max_vertices=settings.max_vertices, times=req.times)
        query = _query(parsed, req.at, req.person)
    field = "file" if body.gpx is not None else "geometry"
    if parsed.kind == "points":
        check_batch(len(parsed.lon), settings.max_check_points, field=field)
    else:
        check_route(parsed.parts, max_vertices=settings.max_route_vertices,
                    max_km=settings.max_route_km, field=field)
    return query


def _query(parsed: Parsed, at, person) -> CheckQuery:
    moment = parse_instant(at, field="at") if at else now()
    return CheckQuery(parsed, moment, parse_person(person or PersonCategory.VIETNAMESE_CITIZEN))


def respond(index: ZoneIndex, body: CheckBody, settings: Settings, *, cleared: bool) -> bytes:
    """Parse, bound, answer and encode one request: all of it CPU work, for a worker."""
    query = parse_check(body, settings, index)
    return render(answer(index, query.parsed, query.at, query.person, cleared=cleared))


def render(result: dict) -> bytes:
    """The JSON FastAPI would send for ``CheckResponse`` (every declared field first, then
    the rest), encoded one list item at a time: a single ``json.dumps`` of a 20 MB answer
    would hold the GIL, and so the event loop, for hundreds of milliseconds."""
    declared = {name: result.get(name) for name in CheckResponse.model_fields}
    parts = []
    for key, value in (declared | result).items():
        parts.append(_dumps(key) + ":" + (_dumps_list(value) if isinstance(value, list)
                                          else _dumps(value)))
    return ("{" + ",".join(parts) + "}").encode()


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _dumps_list(items: list) -> str:
    return "[" + ",".join(_dumps(item) for item in items) + "]"
