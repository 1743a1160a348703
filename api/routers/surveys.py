"""Checkpoint-area surveys: upload (any intake format), the validation report (JSON and a
readable page), review (submit, approve with the instrument, reject with a reason),
publication as the gate's checkpoint area, diff, export and the printable sketch.

Surveyors upload, edit drafts and submit in their provinces; approvers granted the gate's
province and type approve, reject and publish (RULES.md GEO-GATE-01: the Government for
international and main gates, the provincial People's Committee for auxiliary gates and
border openings); planners read everything, scoped roles their provinces.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import requires
from api.deps import SettingsDep
from api.json_route import SafeJsonRoute, body_json
from geo.common.errors import InvalidInput
from geo.common.security import Principal, Role
from geo.intake import IntakeLimits
from geo.store.surveys import repository as store
from geo.surveys import diff, export, render, rules
from geo.surveys.meta import SurveyMeta

router = APIRouter(prefix="/v1/surveys", tags=["surveys"], route_class=SafeJsonRoute)
Surveyor = Annotated[Principal, Depends(requires(Role.SURVEYOR))]
Approver = Annotated[Principal, Depends(requires(Role.APPROVER))]
Reader = Annotated[Principal, Depends(requires(Role.PLANNER, Role.SURVEYOR, Role.OFFICER,
                                               Role.APPROVER))]
FIELDS = ("gate_id", "survey_date", "agencies", "minutes_ref", "notes", "crs")
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file", "gate_id", "survey_date", "agencies",
                                              "minutes_ref"],
               "properties": {"file": {"type": "string", "format": "binary"},
                              **{f: {"type": "string"} for f in FIELDS}}}}}}}


def _engine(request: Request) -> Any:
    return request.app.state.engine


def thresholds() -> rules.Thresholds:
    return rules.load()


Engine = Annotated[Any, Depends(_engine)]
Limits = Annotated[rules.Thresholds, Depends(thresholds)]
SurveyId = Annotated[int, Path(ge=1, le=2_147_483_647, description="a survey version's id")]
OtherId = Annotated[int, Path(ge=1, le=2_147_483_647, description="another version's id")]
PAGE_OR_JSON = {200: {"description": "JSON, or with format=html a readable page",
                      "content": {"application/json": {}, "text/html": {}}}}
FILES = {200: {"description": "the area as a file",
               "content": {media: {} for media, _ in export.FORMATS.values()}}}


class ApprovalIn(BaseModel):
    instrument_number: str = Field(description="number of the approving instrument")
    instrument_date: str = Field(description="its date, YYYY-MM-DD")


class RejectionIn(BaseModel):
    reason: str = Field(description="why the survey is rejected")


@router.post("", status_code=201, openapi_extra=UPLOAD_BODY)
async def upload(request: Request, principal: Surveyor, engine: Engine,
                 settings: SettingsDep, th: Limits) -> dict:
    """A new version of the gate's area (draft), validated; refused (422, with the report)
    when a check fails with an error."""
    meta, read, name = await _upload_request(request, settings)
    return await run_in_threadpool(store.upload, engine, principal, meta, read, th, name)


async def _upload_request(request: Request, settings) -> tuple[SurveyMeta, Any, str | None]:
    """The survey's metadata, a reader of its file, and the file's name."""
    form = await request.form()
    file = form.get("file")
    if file is None or isinstance(file, str):
        raise InvalidInput("file: the survey file (multipart field `file`)", field="file")
    fields = {k: form.get(k) for k in FIELDS if isinstance(form.get(k), str)}
    meta = SurveyMeta.parse(fields, store.today())
    read = store.file_reader(await file.read(), file.filename, fields.get("crs"),
                             IntakeLimits(max_vertices=settings.max_vertices))
    return meta, read, file.filename


@router.post("/validation", response_model=None, responses=PAGE_OR_JSON,
             openapi_extra=UPLOAD_BODY)
async def validation(request: Request, principal: Surveyor, engine: Engine,
                     settings: SettingsDep, th: Limits,
                     format: Annotated[str, Query(pattern="^(json|html)$")] = "json"
                     ) -> dict | HTMLResponse:
    """The validation report of a file, errors included, as JSON or a readable page;
    nothing is stored (upload with POST /v1/surveys)."""
    meta, read, _ = await _upload_request(request, settings)
    intake, report, s = await run_in_threadpool(store.check, engine, principal, meta, read, th)
    if format == "json":
        return report
    page = {**meta.as_dict(), "id": "—", "version": "—", "state": "not stored"}
    return HTMLResponse(await run_in_threadpool(render.report_page, page, report,
                                                intake.geometry, s.border, s.gate.location))


@router.get("")
async def list_versions(principal: Reader, engine: Engine,
                        gate_id: Annotated[str, Query(description="a gate of the list")]
                        ) -> dict:
    """Every survey version of a gate, oldest first."""
    versions = await run_in_threadpool(store.history, engine, principal, gate_id)
    return {"gate_id": gate_id, "count": len(versions), "versions": versions}


@router.get("/{survey_id}")
async def get_survey(survey_id: SurveyId, principal: Reader, engine: Engine) -> dict:
    """The version: metadata, state, review record, report and geometry (lon/lat)."""
    out, geom = await run_in_threadpool(store.get, engine, principal, survey_id)
    return {**out, "geometry": geom.__geo_interface__}


EDIT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"survey_date": {"type": "string", "format": "date"},
                                     "agencies": {"type": "array", "items": {"type": "string"}},
                                     "minutes_ref": {"type": "string"},
                                     "notes": {"type": "string"}}}}}}}


@router.patch("/{survey_id}", openapi_extra=EDIT_BODY)
async def edit(survey_id: SurveyId, request: Request, principal: Surveyor, engine: Engine) -> dict:
    """Edit a draft's metadata; 409 past the draft (a correction is a new version)."""
    body = await body_json(request)
    body = {} if body is None else body
    if not isinstance(body, dict):
        raise InvalidInput("body: a JSON object", field="body")
    return await run_in_threadpool(store.edit, engine, principal, survey_id, body)


@router.post("/{survey_id}/submit")
async def submit(survey_id: SurveyId, principal: Surveyor, engine: Engine) -> dict:
    return await run_in_threadpool(store.act, engine, principal, survey_id, "submit")


@router.post("/{survey_id}/approve")
async def approve(survey_id: SurveyId, body: ApprovalIn, principal: Approver,
                  engine: Engine) -> dict:
    """Approve, recording the instrument of the authority the gate type needs."""
    return await run_in_threadpool(store.act, engine, principal, survey_id, "approve",
                                   **body.model_dump())


@router.post("/{survey_id}/reject")
async def reject(survey_id: SurveyId, body: RejectionIn, principal: Approver,
                 engine: Engine) -> dict:
    return await run_in_threadpool(store.act, engine, principal, survey_id, "reject",
                                   reason=body.reason)


@router.post("/{survey_id}/publish")
async def publish(survey_id: SurveyId, principal: Approver, engine: Engine) -> dict:
    """Atomically make the approved area the gate's checkpoint area (the previous closes)."""
    return await run_in_threadpool(store.publish, engine, principal, survey_id)


@router.get("/{survey_id}/report", response_model=None, responses=PAGE_OR_JSON)
async def report(survey_id: SurveyId, principal: Reader, engine: Engine,
                 format: Annotated[str, Query(pattern="^(json|html)$")] = "json"
                 ) -> dict | HTMLResponse:
    """The validation report, as JSON or as a readable page."""
    out, geom = await run_in_threadpool(store.get, engine, principal, survey_id)
    if format == "json":
        return out["report"]
    border, gate = await run_in_threadpool(store.drawing, engine, survey_id)
    page = await run_in_threadpool(render.report_page, out, out["report"], geom, border, gate)
    return HTMLResponse(page)


@router.get("/{survey_id}/diff/{other_id}", response_model=None, responses=PAGE_OR_JSON)
async def compare(survey_id: SurveyId, other_id: OtherId, principal: Reader, engine: Engine,
                  format: Annotated[str, Query(pattern="^(json|html)$")] = "json"
                  ) -> dict | HTMLResponse:
    """What changed from this version to the other: area (ha, %), symmetric difference,
    Hausdorff distance (m, and where), parts gained and lost."""
    a_meta, a = await run_in_threadpool(store.get, engine, principal, survey_id)
    b_meta, b = await run_in_threadpool(store.get, engine, principal, other_id)
    if a_meta["gate_id"] != b_meta["gate_id"]:
        raise InvalidInput(f"other_id: survey {other_id} is of gate {b_meta['gate_id']}, not "
                           f"{a_meta['gate_id']}", field="other_id")
    found = await run_in_threadpool(diff.compare, a, b)
    if format == "html":
        return HTMLResponse(render.diff_page(a_meta, b_meta, found, a, b))
    return {"from": survey_id, "to": other_id, **found}


@router.get("/{survey_id}/export", response_class=Response, responses=FILES)
async def export_area(survey_id: SurveyId, principal: Reader, engine: Engine,
                      format: Annotated[str, Query()] = "geojson",
                      crs: Annotated[str | None, Query()] = None) -> Response:
    """An approved or published area as GeoJSON, KML or GeoPackage, in WGS 84 or VN-2000
    (``crs=EPSG:…``, or ``vn2000`` for the province's 3° zone)."""
    out, geom = await run_in_threadpool(store.get, engine, principal, survey_id)
    store.require_exportable(out["state"])
    epsg = export.target_crs(crs, out["province_code"])
    props = {k: out[k] for k in ("id", "gate_id", "gate_name", "version", "state",
                                 "survey_date", "minutes_ref", "instrument_number",
                                 "instrument_date", "authority", "area_ha")}
    data, media, ext = await run_in_threadpool(export.export, geom, props, format, epsg)
    name = f"survey-{survey_id}-{out['gate_id']}-v{out['version']}.{ext}"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{survey_id}/sketch", response_class=HTMLResponse)
async def sketch(survey_id: SurveyId, principal: Reader, engine: Engine) -> HTMLResponse:
    """The printable sketch: map, metadata, vertices in VN-2000 and WGS 84, participants,
    minutes reference and approval."""
    out, geom = await run_in_threadpool(store.get, engine, principal, survey_id)
    border, gate = await run_in_threadpool(store.drawing, engine, survey_id)
    epsg = export.target_crs("vn2000", out["province_code"]) \
        if out["province_code"] in export.vn2000.PROVINCE_MERIDIANS else None
    page = await run_in_threadpool(render.sketch_page, out, geom, epsg, border, gate)
    return HTMLResponse(page)
