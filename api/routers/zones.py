"""The zone registry: register, amend, retire, list, read with history.

Roles: officers (province-scoped) register and amend land and sea prohibited zones of their
provinces; admins every kind. Reading (list, one zone with its history) is for cleared
roles (planner, officer, approver, admin): uncleared callers meet sensitive zones only as
footprints, through the checks.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import requires
from api.deps import SettingsDep
from api.json_route import SafeJsonRoute
from api.routers import zone_input
from geo.common.security import Principal, Role
from geo.common.timeutil import parse_instant
from geo.common.zones import ZoneKind
from geo.intake import IntakeLimits
from geo.store.zones import registry

router = APIRouter(prefix="/v1/zones", tags=["zones"], route_class=SafeJsonRoute)
Writer = Annotated[Principal, Depends(requires(Role.OFFICER))]
Reader = Annotated[Principal, Depends(requires(Role.PLANNER, Role.OFFICER, Role.APPROVER))]
ZONE_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "crs": {"type": "string"}}}},
    "application/json": {"schema": {"type": "object", "required": ["geometry"]}}}}}


def _engine(request: Request) -> Any:
    return request.app.state.engine


Engine = Annotated[Any, Depends(_engine)]
ZoneId = Annotated[int, Path(ge=1, le=2_147_483_647, description="a zone record's id")]


def _limits(settings) -> IntakeLimits:
    return IntakeLimits(max_vertices=settings.max_vertices)


class RetirementIn(BaseModel):
    instrument_number: str = Field(description="the instrument that retires the zone")
    at: str | None = Field(default=None, description="when it ends (ISO-8601; default now)")


@router.post("", status_code=201, openapi_extra=ZONE_BODY)
async def register(request: Request, principal: Writer, engine: Engine,
                   settings: SettingsDep) -> dict:
    """Register a zone from its instrument and its geometry (any intake format)."""
    req = await zone_input.read_zone_request(request, geometry_required=True)
    return await zone_input.register(engine, principal, req, _limits(settings),
                                     settings.footprint)


@router.post("/{zone_id}/versions", status_code=201, openapi_extra=ZONE_BODY)
async def amend(zone_id: ZoneId, request: Request, principal: Writer, engine: Engine,
                settings: SettingsDep) -> dict:
    """A new version (new instrument; fields not sent stay); the current one closes."""
    req = await zone_input.read_zone_request(request, geometry_required=False)
    return await zone_input.amend(engine, principal, zone_id, req, _limits(settings),
                                  settings.footprint)


@router.post("/{zone_id}/retirement", status_code=201)
def retire(zone_id: ZoneId, body: RetirementIn, principal: Writer, engine: Engine) -> dict:
    """Close the zone's current version (nothing is deleted)."""
    done = registry.retire(engine, principal, zone_id, instrument_number=body.instrument_number,
                           at=parse_instant(body.at))
    return {"id": done.id, "version": done.version, "retired": True}


@router.get("")
async def list_zones(principal: Reader, engine: Engine,
                     province: Annotated[str | None, Query(
                         pattern=r"^[0-9]{2}$", description="province code, e.g. 20")] = None,
                     kind: Annotated[ZoneKind | None, Query()] = None,
                     active_at: Annotated[str | None, Query()] = None,
                     limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> dict:
    """Current versions of registered zones (in force at ``active_at`` when given)."""
    kind = kind.value if kind else None
    zones = await run_in_threadpool(registry.list_zones, engine, province=province, kind=kind,
                                    active_at=parse_instant(active_at, field="active_at"),
                                    limit=limit)
    return {"count": len(zones), "zones": zones}


@router.get("/{zone_id}")
async def get_zone(zone_id: ZoneId, principal: Reader, engine: Engine) -> dict:
    """One zone: its current version and every version (history)."""
    return await run_in_threadpool(registry.get, engine, zone_id)
