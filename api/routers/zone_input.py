"""Reading zone requests (multipart with a ``file``, or JSON with a GeoJSON ``geometry``)
and running the registry's acts off the event loop.

Fields of POST /v1/zones: ``kind``, ``name``, ``instrument_number``, ``instrument_date``,
``issuer``, ``sensitivity``, ``province_code``, ``valid_from``, optional ``valid_to``,
``protection_rules_ref``, ``managing_unit``; the geometry as ``file`` (+ ``crs`` when the
file does not state one) or ``geometry`` (+ optional ``crs``); optional ``reference``: a
GeoJSON geometry where the zone should lie (``reference_kind`` inside|at,
``reference_tolerance_m``) to check the coordinates against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from shapely.geometry import shape
from starlette.concurrency import run_in_threadpool

from api.json_route import body_json, decode_json
from geo.common.errors import InvalidInput
from geo.common.security import Principal
from geo.intake import Intake, IntakeLimits, Reference, from_geojson, read_geometry
from geo.registry.kinds import parse_kind, require_registrar
from geo.registry.versions import ZoneLegal
from geo.store.zones import registry

TEXT_FIELDS = ("kind", "name", "instrument_number", "instrument_date", "issuer",
               "sensitivity", "province_code", "valid_from", "valid_to",
               "protection_rules_ref", "managing_unit", "crs", "reference_kind",
               "reference_tolerance_m", "filename")


@dataclass
class ZoneRequest:
    """What a request sent: the text fields, and the geometry (file bytes or GeoJSON)."""

    fields: dict[str, Any]
    data: bytes | None = None
    geometry: dict | None = None
    reference: dict | None = None


async def read_zone_request(request: Request, *, geometry_required: bool) -> ZoneRequest:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        fields = {k: form.get(k) for k in TEXT_FIELDS if isinstance(form.get(k), str)}
        data = None
        if upload is not None and not isinstance(upload, str):
            data, fields["filename"] = await upload.read(), upload.filename
        reference = await _json_field(request, form.get("reference"), "reference")
        out = ZoneRequest(fields, data=data, reference=reference)
    else:
        body = await body_json(request)
        if not isinstance(body, dict):
            raise InvalidInput("body: a JSON object", field="body")
        fields = {k: body.get(k) for k in TEXT_FIELDS if body.get(k) is not None}
        out = ZoneRequest(fields, geometry=body.get("geometry"),
                          reference=body.get("reference"))
    if geometry_required and out.data is None and out.geometry is None:
        raise InvalidInput("file: send the geometry as a `file` (multipart) or as a GeoJSON "
                           "`geometry` (JSON)", field="file")
    return out


async def _json_field(request: Request, text: Any, field: str) -> Any:
    """A JSON text (a form field, the body) decoded as ``api.json_route`` decodes bodies:
    off the event loop when large, deep nesting, NaN and lone surrogates refused (422)."""
    if text is None or text == b"" or text == "":
        return None
    if not isinstance(text, str | bytes):
        raise InvalidInput(f"{field}: not JSON (expected a JSON text)", field=field)
    return await decode_json(request, text, field=field)


def _reference(req: ZoneRequest) -> list[Reference]:
    if req.reference is None:
        return []
    shape = from_geojson_any(req.reference)
    try:
        tolerance = float(req.fields.get("reference_tolerance_m") or 10.0)
    except ValueError:
        raise InvalidInput("reference_tolerance_m: metres", field="reference_tolerance_m") \
            from None
    return [Reference("the reference sent", shape, req.fields.get("reference_kind") or "at",
                      tolerance)]


def from_geojson_any(geometry: Any):
    try:
        return shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        raise InvalidInput("reference: a GeoJSON geometry (lon, lat)", field="reference") \
            from None


def intake_of(engine, req: ZoneRequest, legal: ZoneLegal, limits: IntakeLimits) -> Intake:
    refs = [*registry.references(engine, legal), *_reference(req)]
    crs_text = req.fields.get("crs")
    if req.data is not None:
        return read_geometry(req.data, filename=req.fields.get("filename"),
                             crs_text=crs_text, limits=limits, references=refs,
                             province_code=legal.province_code)
    return from_geojson(req.geometry, crs_text=crs_text, limits=limits, references=refs,
                        province_code=legal.province_code)


def _register(engine, principal: Principal, req: ZoneRequest, limits, spec) -> dict:
    require_registrar(principal, parse_kind(req.fields.get("kind", "")),
                      req.fields.get("province_code"))
    legal = ZoneLegal.parse(req.fields)
    intake = intake_of(engine, req, legal, limits)
    return answer(registry.register(engine, principal, legal, intake, spec), intake)


def _amend(engine, principal: Principal, zone_id: int, req: ZoneRequest, limits,
           spec) -> dict:
    intake = None
    if req.data is not None or req.geometry is not None:
        current = registry.current_legal(engine, zone_id)
        intake = intake_of(engine, req, current, limits)
    return answer(registry.amend(engine, principal, zone_id, req.fields, intake, spec),
                  intake)


async def register(engine, principal, req, limits, spec) -> dict:
    return await run_in_threadpool(_register, engine, principal, req, limits, spec)


async def amend(engine, principal, zone_id, req, limits, spec) -> dict:
    return await run_in_threadpool(_amend, engine, principal, zone_id, req, limits, spec)


def answer(done: registry.Registered, intake: Intake | None) -> dict:
    return {"id": done.id, "version": done.version, "rule_id": done.rule_id,
            "citation": done.citation, "warnings": list(done.warnings),
            "footprint_area_m2": None if done.footprint_area_m2 is None
            else round(done.footprint_area_m2, 1),
            "intake": intake.report.as_dict() if intake is not None else None}
