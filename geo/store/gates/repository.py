"""Gates in PostGIS: the gate list, working hours and emergency openings (migration
0007), the decisions on a gate, and the gate's status at an instant.

Hours and emergency openings are legal records: inserted, never changed (append-only
triggers), each with its audit entry in the same transaction, by an officer of the gate's
province. Reads are bitemporal: ``as_known_at`` drops every row recorded later, as the
decision reads do. ``bind`` is an Engine or a Connection already in a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Table, Text, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from geo.common.errors import Conflict, NotFound
from geo.common.security import Principal, Role
from geo.common.zones import GateType
from geo.decisions.history import DecisionFile
from geo.gates.model import EmergencyOpening, EmergencyReason, Gate, HoursVersion, fold
from geo.gates.status import GateStatus, gate_status
from geo.rules.crossings import CrossingRules
from geo.store import audit
from geo.store import models as m
from geo.store.db import Bind, reading_bind, writing
from geo.store.decisions import rows as rows
from geo.store.decisions.tables import decision

gate_hours = Table(
    "gate_hours", m.metadata,
    Column("id", Integer, primary_key=True),
    Column("gate_id", Text, ForeignKey("gate.id"), nullable=False),
    Column("opens_min", Integer, nullable=False),
    Column("closes_min", Integer, nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("instrument", Text, nullable=False),
    Column("note", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("recorded_by", Text, nullable=False),
)

gate_emergency_opening = Table(
    "gate_emergency_opening", m.metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Text, nullable=False, unique=True),
    Column("gate_id", Text, ForeignKey("gate.id"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("reason_text", Text, nullable=False),
    Column("agreed_with", Text, nullable=False),
    Column("ordered_by", Text, nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("recorded_by", Text, nullable=False),
)

MAX_GATES = 500
_GATE_COLUMNS = ("id", "name", "name_ascii", "gate_type", "neighbour_iso3", "province_code",
                 "mode", "alt_name", "paired_gate", "status_note", "source")


@dataclass(frozen=True)
class GateFilter:
    """Filters of ``GET /v1/gates``; ``q`` matches names with or without diacritics."""

    province_code: str | None = None
    neighbour_iso3: str | None = None
    gate_type: GateType | None = None
    mode: str | None = None
    q: str | None = None


def _gate_select():
    g = m.gate
    return select(*(g.c[name] for name in _GATE_COLUMNS),
                  g.c.location.isnot(None).label("has_location"))


def _gate(row) -> Gate:
    values = dict(row._mapping)
    values["gate_type"] = GateType(values["gate_type"])
    return Gate(**values)


def list_gates(bind: Bind, where: GateFilter) -> list[Gate]:
    """Gates matching ``where``, by id."""
    g, stmt = m.gate, _gate_select()
    if any("\x00" in (v or "") for v in (where.province_code, where.neighbour_iso3,
                                           where.mode, where.q)):
        return []
    for column, value in (("province_code", where.province_code),
                          ("neighbour_iso3", where.neighbour_iso3), ("mode", where.mode)):
        if value:
            stmt = stmt.where(g.c[column] == value)
    if where.gate_type is not None:
        stmt = stmt.where(g.c.gate_type == where.gate_type.value)
    if where.q:
        key = fold(where.q)
        stmt = stmt.where(or_(func.lower(g.c.name_ascii).contains(key, autoescape=True),
                              func.lower(g.c.name).contains(where.q.strip().lower(),
                                                            autoescape=True),
                              func.lower(g.c.alt_name).contains(where.q.strip().lower(),
                                                                autoescape=True)))
    with reading_bind(bind) as conn:
        return [_gate(r) for r in conn.execute(stmt.order_by(g.c.id).limit(MAX_GATES))]


def get_gate(conn: Connection, gate_id: str) -> Gate:
    row = None if "\x00" in gate_id else conn.execute(
        _gate_select().where(m.gate.c.id == gate_id)).first()
    if row is None:
        raise NotFound(f"gate_id: no gate {gate_id!r} in the gate list", field="gate_id")
    return _gate(row)


def _known(table: Table, stmt, as_known_at: datetime | None):
    return stmt if as_known_at is None else stmt.where(table.c.recorded_at <= as_known_at)


def hours_versions(conn: Connection, gate_id: str,
                   as_known_at: datetime | None = None) -> list[HoursVersion]:
    t = gate_hours
    stmt = _known(t, select(t).where(t.c.gate_id == gate_id).order_by(t.c.valid_from, t.c.id),
                  as_known_at)
    return [HoursVersion(r.gate_id, r.opens_min, r.closes_min, r.valid_from, r.instrument,
                         r.note, r.recorded_at, r.recorded_by) for r in conn.execute(stmt)]


def openings(conn: Connection, gate_id: str,
             as_known_at: datetime | None = None) -> list[EmergencyOpening]:
    t = gate_emergency_opening
    stmt = _known(t, select(t).where(t.c.gate_id == gate_id).order_by(t.c.valid_from, t.c.id),
                  as_known_at)
    return [EmergencyOpening(r.number, r.gate_id, EmergencyReason(r.reason), r.reason_text,
                             r.agreed_with, r.ordered_by, r.valid_from, r.valid_to,
                             r.recorded_at, r.recorded_by) for r in conn.execute(stmt)]


def gate_decisions(conn: Connection, gate_id: str,
                   as_known_at: datetime | None = None) -> list[DecisionFile]:
    """Decisions on the gate (scope gate) as known at ``as_known_at``, by start."""
    stmt = (rows.decision_select().where(decision.c.gate_id == gate_id)
            .order_by(decision.c.valid_from, decision.c.number))
    if as_known_at is not None:
        stmt = stmt.where(decision.c.recorded_at <= as_known_at)
    files = rows.files_from_rows(conn, conn.execute(stmt))
    return [known for f in files if (known := f.known_at(as_known_at)) is not None]


def checkpoint_areas(conn: Connection, gate_id: str) -> list[dict]:
    """The gate's checkpoint-area versions (no geometry: sizes and status only)."""
    ca = m.checkpoint_area
    stmt = (select(ca.c.id, ca.c.version, ca.c.status, ca.c.area_m2, ca.c.valid_from,
                   ca.c.valid_to, ca.c.geom.isnot(None).label("has_geometry"))
            .where(ca.c.gate_id == gate_id).order_by(ca.c.version))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def regime_citations(rules: CrossingRules) -> dict:
    """What ``geo.gates.status.gate_status`` cites for hours and emergency openings."""
    hours = rules.hours
    return {"hours": [c.to_dict() for c in hours["citations"]],
            "emergency": [c.to_dict() for c in hours["emergency_opening"]],
            "unknown_reason": " ".join(hours["unknown_reason"].split())}


def status(bind: Bind, gate_id: str, at: datetime, rules: CrossingRules,
           as_known_at: datetime | None = None) -> tuple[Gate, GateStatus]:
    """The gate and its status at ``at`` as known at ``as_known_at`` (None: now)."""
    with reading_bind(bind) as conn:
        gate = get_gate(conn, gate_id)
        versions = hours_versions(conn, gate_id, as_known_at)
        opened = openings(conn, gate_id, as_known_at)
        files = gate_decisions(conn, gate_id, as_known_at)
    return gate, gate_status(at, versions, opened, files, regime_citations(rules))


# --------------------------------------------------------------------------- acts
def set_hours(bind: Bind, principal: Principal, hours: HoursVersion) -> HoursVersion:
    """Record working hours set by an instrument (officer of the gate's province)."""
    with writing(bind) as conn:
        gate = get_gate(conn, hours.gate_id)
        principal.require_province(gate.province_code, Role.OFFICER)
        values = {"gate_id": gate.id, "opens_min": hours.opens_min,
                  "closes_min": hours.closes_min, "valid_from": hours.valid_from,
                  "instrument": hours.instrument, "note": hours.note,
                  "recorded_by": principal.subject}
        row = conn.execute(gate_hours.insert().values(**values)
                           .returning(gate_hours.c.id, gate_hours.c.recorded_at)).one()
        audit.record(conn, principal, "gate.hours", "gate", gate.id, None,
                     {**values, "id": row.id, "opens": hours.opens, "closes": hours.closes})
    return HoursVersion(gate.id, hours.opens_min, hours.closes_min, hours.valid_from,
                        hours.instrument, hours.note, row.recorded_at, principal.subject)


def record_opening(bind: Bind, principal: Principal,
                   opening: EmergencyOpening) -> EmergencyOpening:
    """Record an emergency opening (DEC-63); a number already used: Conflict (409)."""
    t = gate_emergency_opening
    try:
        with writing(bind) as conn:
            gate = get_gate(conn, opening.gate_id)
            principal.require_province(gate.province_code, Role.OFFICER)
            values = {"number": opening.number, "gate_id": gate.id,
                      "reason": opening.reason.value, "reason_text": opening.reason_text,
                      "agreed_with": opening.agreed_with, "ordered_by": opening.ordered_by,
                      "valid_from": opening.valid_from, "valid_to": opening.valid_to,
                      "recorded_by": principal.subject}
            recorded_at = conn.execute(t.insert().values(**values)
                                       .returning(t.c.recorded_at)).scalar_one()
            audit.record(conn, principal, "gate.emergency_opening", "gate", gate.id, None,
                         values)
    except IntegrityError as exc:
        raise Conflict(f"number: an emergency opening {opening.number!r} is already "
                       "recorded", field="number") from exc
    return EmergencyOpening(opening.number, gate.id, opening.reason, opening.reason_text,
                            opening.agreed_with, opening.ordered_by, opening.valid_from,
                            opening.valid_to, recorded_at, principal.subject)

