"""Restriction decisions: issue, extend, revoke, list (bitemporal), get, render a form.

Roles (``geo.common.security.Role``; admins may do everything):

* write (POST) — ``officer``, only for decisions of the provinces granted to them;
* read everything (GET list with ``as_known_at``, one decision, its event log, its forms) —
  ``planner``, ``officer``, ``approver``;
* ``app`` — the list only, and only what is in force at one instant (``active_at``, default
  now): restrictions are public notices (Law 66/2020 Art 11(3)(c), (6)), but history
  reconstruction and who recorded what are for cleared roles. ``public`` callers see the
  decisions in force at a point through ``/v1/check/point``.

Decision numbers contain "/" (``12/QĐ-ĐBP``): send them as they are or percent-encoded.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.auth import requires
from api.deps import SettingsDep
from api.headers import SCOPE_KEY
from api.json_route import SafeJsonRoute
from api.schemas.decisions import (
    ActOut,
    DecisionIn,
    DecisionList,
    DecisionOut,
    ExtensionIn,
    NoticeQuery,
    RevocationIn,
)
from geo.common.limits import check_vertices
from geo.common.security import Principal, Role
from geo.common.timeutil import now, parse_instant
from geo.decisions.codec import (
    decision_from_dict,
    extension_from_dict,
    file_to_dict,
    instant,
    revocation_from_dict,
)
from geo.decisions.query import DecisionQuery
from geo.store.decisions import notices as decision_notices
from geo.store.decisions import repository as decisions
from geo.store.zones import snapshot

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], route_class=SafeJsonRoute)

Writer = Annotated[Principal, Depends(requires(Role.OFFICER))]
Reader = Annotated[Principal, Depends(requires(Role.PLANNER, Role.OFFICER, Role.APPROVER))]
Lister = Annotated[Principal, Depends(requires(Role.PLANNER, Role.OFFICER, Role.APPROVER,
                                               Role.APP))]
Number = Annotated[str, "decision number (may contain '/')"]


def get_bind(request: Request) -> Any:
    """Where decisions are read and written (the app's engine; tests may pass a connection)."""
    return request.app.state.engine


Bind = Annotated[Any, Depends(get_bind)]


def get_read_bind(request: Request, bind: Bind) -> Any:
    """Where decisions are listed and read: the replica when one is configured (else, or
    when a test passes its own connection, the same as ``get_bind``)."""
    state = request.app.state
    if bind is getattr(state, "engine", None):
        return getattr(state, "read_engine", bind)
    return bind


ReadBind = Annotated[Any, Depends(get_read_bind)]


def _written(request: Request, bind: Any, body: dict) -> dict:
    """Note the data version after a write in ``X-Index-Version`` (see api/headers.py):
    a caller reading from a replica next sends it as ``X-Min-Index-Version``."""
    version = snapshot.version_after_write(bind)
    if version is not None:
        request.scope[SCOPE_KEY] = version
    return body


def _act(recorded: decisions.Recorded) -> dict:
    return {"act_number": recorded.act_number, "warnings": list(recorded.warnings),
            "rule_id": recorded.rule_id, "citation": recorded.citation,
            "form_id": recorded.form_id, "obligations": list(recorded.obligations),
            "decision": file_to_dict(recorded.file, now())}


def _query(principal: Principal, query: DecisionQuery) -> DecisionQuery:
    return query if principal.cleared else query.public(now())


def _listing(query: DecisionQuery, files: list, internal: bool) -> dict:
    at = query.instant(now())
    return {"count": len(files), "active_at": instant(query.active_at),
            "as_known_at": instant(query.as_known_at), "status_at": instant(at),
            "decisions": [file_to_dict(f, at, internal=internal) for f in files]}


def decision_query(
    active_at: Annotated[str | None, Query(description="in force at T (valid time)")] = None,
    as_known_at: Annotated[str | None, Query(description="as recorded at T2 (transaction "
                                                         "time)")] = None,
    province: Annotated[str | None, Query(description="two-digit province code")] = None,
    scope: Annotated[str | None, Query(description="border_belt | land_border_area | gate")]
    = None,
    status: Annotated[str | None, Query(description="pending | active | expired | revoked")]
    = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north (EPSG:4326)")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> DecisionQuery:
    """The list filters, validated (see ``geo.decisions.query``; no offset = Hanoi time)."""
    return DecisionQuery.parse(active_at=active_at, as_known_at=as_known_at, province=province,
                               scope=scope, status=status, bbox=bbox, limit=limit)


@router.get("", response_model=DecisionList)
def list_decisions(principal: Lister, bind: ReadBind,
                   query: Annotated[DecisionQuery, Depends(decision_query)]) -> dict:
    """Decisions by valid time (``active_at``) and transaction time (``as_known_at``)."""
    query = _query(principal, query)
    return _listing(query, decisions.list_decisions(bind, query), principal.cleared)


@router.post("", status_code=201, response_model=ActOut)
def issue(request: Request, body: DecisionIn, principal: Writer, bind: Bind,
          settings: SettingsDep) -> dict:
    """Record a decision (Form 17; Appendix II Forms 01, 03) within its issuer's authority;
    beyond it: 422 citing the rule."""
    if body.area is not None and body.area.geojson is not None:
        check_vertices(body.area.geojson, settings.max_vertices, field="area.geojson")
    dec = decision_from_dict(body.model_dump(mode="json"))
    return _written(request, bind, _act(decisions.issue(bind, principal, dec)))


@router.post("/{number:path}/extensions", status_code=201, response_model=ActOut)
def extend(request: Request, number: Number, body: ExtensionIn, principal: Writer,
           bind: Bind) -> dict:
    """Record an extension (Form 20; Appendix II Forms 02, 04). A concurrent act: 409."""
    ext = extension_from_dict(body.model_dump(mode="json"), number)
    return _written(request, bind, _act(decisions.extend(bind, principal, number, ext)))


@router.post("/{number:path}/revocation", status_code=201, response_model=ActOut)
def revoke(request: Request, number: Number, body: RevocationIn, principal: Writer,
           bind: Bind) -> dict:
    """Record the revocation (Forms 21, 22) of the decision or of one of its extensions."""
    rev = revocation_from_dict(body.model_dump(mode="json"), number)
    return _written(request, bind, _act(decisions.revoke(bind, principal, number, rev)))


@router.get("/{number:path}/notices/{form_id}", response_class=HTMLResponse,
            responses={200: {"content": {"text/plain": {}}}})
def notice(number: Number, form_id: str, principal: Reader, bind: ReadBind,
           options: Annotated[NoticeQuery, Query()]) -> Response:
    """Form ``17``-``24`` or ``II-01``-``II-04`` filled from the records, in Vietnamese."""
    extra = options.model_dump(exclude={"format"})
    text = decision_notices.render_notice(bind, number, form_id, options.format, extra)
    cls = HTMLResponse if options.format == "html" else PlainTextResponse
    return cls(text, media_type=f"text/{'html' if options.format == 'html' else 'plain'}")


@router.get("/{number:path}", response_model=DecisionOut)
def get_decision(number: Number, principal: Reader, bind: ReadBind,
                 as_known_at: Annotated[str | None, Query()] = None) -> dict:
    """One decision with its acts and event log, now or as known at ``as_known_at``."""
    moment = parse_instant(as_known_at, field="as_known_at")
    return file_to_dict(decisions.get(bind, number, moment), moment or now())
