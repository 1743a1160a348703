"""Reading POST /v1/check bodies (JSON or a GPX upload) into domain calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError

from geo.answers import answer_points, answer_route
from geo.crs import parse_crs
from geo.errors import InvalidInput
from geo.index import ZoneIndex
from geo.inputs import Parsed, from_geojson, from_gpx
from geo.routes import make_track
from geo.rules import parse_person
from geo.safejson import loads
from geo.timeutil import now, parse_instant
from geo.zones import PersonCategory


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


async def read_check_request(request: Request, max_vertices: int) -> CheckQuery:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput("file: upload a GPX file in the form field `file`",
                               field="file")
        parsed = from_gpx(await upload.read(), max_vertices=max_vertices)
        fields = {k: form.get(k) for k in ("person", "at")}
        return _query(parsed, fields.get("at"), fields.get("person"))
    try:
        body = CheckRequest.model_validate(loads(await request.body()))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"{where}: {first['msg']}", field=where) from exc
    parsed = from_geojson(body.geometry, parse_crs(body.crs), max_vertices=max_vertices,
                          times=body.times)
    return _query(parsed, body.at, body.person)


def _query(parsed: Parsed, at, person) -> CheckQuery:
    moment = parse_instant(at, field="at") if at else now()
    return CheckQuery(parsed, moment, parse_person(person or PersonCategory.VIETNAMESE_CITIZEN))


def answer(index: ZoneIndex, query: CheckQuery, *, cleared: bool) -> dict:
    parsed = query.parsed
    if parsed.kind == "points":
        return answer_points(index, parsed.lon, parsed.lat, query.at, query.person,
                             cleared=cleared)
    track = make_track([p.tolist() for p in parsed.parts], parsed.times,
                       max_vertices=10 ** 9)
    return answer_route(index, track, query.at, query.person, cleared=cleared)
