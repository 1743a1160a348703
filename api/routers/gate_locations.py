"""Gate locations: an officer of the gate's province (or an admin) records where a gate is
(point, source, accuracy, reference); every record is a version, audited, never invented.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import requires
from api.json_route import SafeJsonRoute
from geo.common.security import Principal, Role
from geo.store.gates import locations as gate_locations

router = APIRouter(prefix="/v1/gates", tags=["gates"], route_class=SafeJsonRoute)
Writer = Annotated[Principal, Depends(requires(Role.OFFICER))]
Reader = Annotated[Principal, Depends(requires(Role.PLANNER, Role.OFFICER, Role.APPROVER))]


class LocationIn(BaseModel):
    lon: float = Field(description="WGS 84 longitude")
    lat: float = Field(description="WGS 84 latitude")
    source: str = Field(description="survey | officer_report | gazetteer")
    accuracy_m: float = Field(description="horizontal accuracy, metres")
    reference: str = Field(description="the survey, report or gazetteer entry")


def _engine(request: Request) -> Any:
    return request.app.state.engine


@router.post("/{gate_id}/location", status_code=201)
async def record_location(gate_id: str, body: LocationIn, principal: Writer,
                          engine: Annotated[Any, Depends(_engine)]) -> dict:
    """Record the gate's location (a new version; the previous one is kept)."""
    return await run_in_threadpool(gate_locations.record, engine, principal, gate_id,
                                   **body.model_dump())


@router.get("/{gate_id}/locations")
async def location_history(gate_id: str, principal: Reader,
                           engine: Annotated[Any, Depends(_engine)]) -> dict:
    """Every location recorded for the gate, oldest first."""
    return {"gate_id": gate_id,
            "locations": await run_in_threadpool(gate_locations.history, engine, gate_id)}
