"""Gates and crossings: the registry, status at an instant, the crossing check; hours and
emergency openings recorded by officers.

Access: gate data, status and crossing checks are public information for integrators
(National Single Window, E-Customs look-ups): anyone may call them, anonymously too.
``as_known_at`` (what the system knew at an earlier instant) is for cleared roles, as for
decisions. Setting hours and recording emergency openings needs the role ``officer`` for
the gate's province (403 otherwise; 401 without credentials).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request

from api.auth import PrincipalDep, requires
from api.json_route import SafeJsonRoute
from api.schemas.gates import (
    CROSSING_EXAMPLE,
    CrossingIn,
    CrossingOut,
    EmergencyOpeningIn,
    GateList,
    GateStatusOut,
    HoursIn,
)
from geo.common.errors import InvalidInput, NotPermitted
from geo.common.security import Principal, Role
from geo.common.timeutil import now, stamp
from geo.common.zones import GateType
from geo.gates.crossing import check_crossing, vocabulary
from geo.gates.describe import gate_detail, gate_to_dict, hours_to_dict, opening_to_dict
from geo.gates.model import CrossingRequest, EmergencyOpening, HoursVersion, instant_param
from geo.gates.status import status_to_dict
from geo.rules.crossings import load_crossings
from geo.store.gates import repository as store

router = APIRouter(prefix="/v1/gates", tags=["gates"], route_class=SafeJsonRoute)
crossings = APIRouter(prefix="/v1/crossings", tags=["gates"], route_class=SafeJsonRoute)
Officer = Annotated[Principal, Depends(requires(Role.OFFICER))]
GateId = Annotated[str, "gate id of the gate list, e.g. VN-GATE-004"]
AT = "ISO-8601 instant; no offset = Hanoi time; default now"
KNOWN = "as recorded at this instant (transaction time; cleared roles only)"


def get_bind(request: Request) -> Any:
    """Where gates are read and written (the app's engine; tests may pass a connection)."""
    return request.app.state.engine


Bind = Annotated[Any, Depends(get_bind)]


def _known_at(principal: Principal, text: str | None):
    moment = instant_param(text, "as_known_at")
    if moment is not None and not principal.cleared:
        raise NotPermitted("as_known_at: reconstructing past knowledge is for planners, "
                           "officers, approvers and admins", field="as_known_at")
    return moment


def gate_filter(
    province: Annotated[str | None, Query(description="2025 province code, e.g. 20")] = None,
    neighbour: Annotated[str | None, Query(description="CHN | LAO | KHM")] = None,
    type: Annotated[str | None, Query(description="international | main | auxiliary | "
                                                  "border_opening")] = None,
    mode: Annotated[str | None, Query(description="road | rail | river")] = None,
    q: Annotated[str | None, Query(max_length=100, description="name, with or without "
                                                               "diacritics")] = None,
) -> store.GateFilter:
    if q is not None and "\x00" in q:
        raise InvalidInput("q: NUL characters are not allowed", field="q")
    try:
        kind = GateType(type) if type else None
    except ValueError:
        raise InvalidInput(f"type: {type!r} is not one of "
                           + ", ".join(t.value for t in GateType), field="type") from None
    return store.GateFilter(province, neighbour.upper() if neighbour else None, kind, mode, q)


@router.get("", response_model=GateList)
def list_gates(_: PrincipalDep, bind: Bind,
               where: Annotated[store.GateFilter, Depends(gate_filter)]) -> dict:
    """The land border gates (78 from the gate list), filtered."""
    gates = store.list_gates(bind, where)
    return {"count": len(gates), "gates": [gate_to_dict(g) for g in gates]}


@router.get("/{gate_id}")
def get_gate(gate_id: GateId, principal: PrincipalDep, bind: Bind,
             as_known_at: Annotated[str | None, Query(description=KNOWN)] = None) -> dict:
    """One gate: type, pair, province, neighbour, mode, checkpoint areas, working hours
    (or 'unknown' with the reason), emergency openings and the decisions on it."""
    known = _known_at(principal, as_known_at)
    at = known or now()
    with store.reading_bind(bind) as conn:
        parts = (store.get_gate(conn, gate_id), store.checkpoint_areas(conn, gate_id),
                 store.hours_versions(conn, gate_id, known), store.openings(conn, gate_id, known),
                 store.gate_decisions(conn, gate_id, known))
    cite = store.regime_citations(load_crossings())
    return gate_detail(*parts, at, cite, principal.cleared)


@router.get("/{gate_id}/status", response_model=GateStatusOut)
def gate_status(gate_id: GateId, principal: PrincipalDep, bind: Bind,
                at: Annotated[str | None, Query(description=AT)] = None,
                as_known_at: Annotated[str | None, Query(description=KNOWN)] = None) -> dict:
    """Open, restricted or closed at ``at``, why, and ``next_change``."""
    known = _known_at(principal, as_known_at)
    moment = instant_param(at, "at") or now()
    gate, status = store.status(bind, gate_id, moment, load_crossings(), known)
    return {"gate_id": gate.id, "as_known_at": stamp(known),
            **status_to_dict(status)}


@router.post("/{gate_id}/hours", status_code=201)
def set_hours(gate_id: GateId, body: HoursIn, principal: Officer, bind: Bind) -> dict:
    """Record the gate's daily working hours from ``valid_from``, with the instrument."""
    hours = HoursVersion.parse(gate_id, body.opens, body.closes, body.valid_from,
                               body.instrument, body.note)
    return hours_to_dict(store.set_hours(bind, principal, hours), internal=True)


@router.post("/{gate_id}/emergency-openings", status_code=201)
def record_opening(gate_id: GateId, body: EmergencyOpeningIn, principal: Officer,
                   bind: Bind) -> dict:
    """Record an opening outside working hours for urgent reasons (DEC-63)."""
    opening = EmergencyOpening.parse(gate_id, body.model_dump())
    return opening_to_dict(store.record_opening(bind, principal, opening), internal=True)


@crossings.get("/documents")
def documents(_: PrincipalDep) -> dict:
    """The document codes a crossing check accepts, with their Vietnamese names."""
    return {"documents": vocabulary(load_crossings())}


@crossings.post("/check", response_model=CrossingOut, response_model_exclude_none=False)
def check(body: Annotated[CrossingIn, Body(examples=[CROSSING_EXAMPLE])], _: PrincipalDep,
          bind: Bind) -> dict:
    """Are these documents accepted at this gate, is it open at arrival, and which
    e-border procedure applies, by when to declare and within what it is confirmed."""
    rules = load_crossings()
    request = CrossingRequest.parse(**body.model_dump(), vocabulary=rules.vocabulary)
    gate, status = store.status(bind, request.gate_id, request.arrival, rules)
    return check_crossing(rules, gate, request, status_to_dict(status), now())
