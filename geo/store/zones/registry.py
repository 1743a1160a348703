"""The zone registry in PostGIS: register, amend, retire, read with history.

Every act runs in one transaction (``bind``: an Engine, or a Connection whose transaction
the caller owns) and is audited in it. The current version of a record is its highest
``version``; amending closes it at the new version's start, retiring at the retirement's
instant (``valid_to`` becomes that instant, ``valid_to_stated`` keeps the stated end).
Rows are never deleted. Writes to ``zone`` notify the live zone index (triggers), so a
registered zone reaches the checks at once. Geometry is lon/lat (EPSG:4326).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from geo.common import crs
from geo.common.errors import InvalidInput, NotFound
from geo.common.security import Principal
from geo.common.timeutil import now
from geo.common.zones import Sensitivity, ZoneKind
from geo.intake import Intake, Reference
from geo.location.footprint import DEFAULT_SPEC, FootprintSpec, footprint, is_sensitive
from geo.registry import authority
from geo.registry.kinds import ISSUER_LABEL, SEA_KINDS, Issuer, require_registrar
from geo.registry.versions import ZoneLegal, check_amendment, check_retirement
from geo.store import audit
from geo.store import models as m
from geo.store.db import Bind, reading, writing

#: A land zone may reach this far (m) outside its province: boundary data precision.
PROVINCE_TOLERANCE_M = 50.0


@dataclass(frozen=True)
class Registered:
    """The outcome of an act: the record id, its version and what the checks said."""

    id: int
    version: int
    rule_id: str
    citation: str
    warnings: tuple[str, ...]
    footprint_area_m2: float | None




def _area_m2(geom) -> float:
    return abs(crs.GEOD.geometry_area_perimeter(geom)[0])


def _outside_province_m2(conn: Connection, geom, province_code: str) -> float:
    p = m.province
    row = conn.execute(select(p.c.geom).where(p.c.code == province_code,
                                              p.c.valid_to.is_(None))).first()
    if row is None:
        raise InvalidInput(f"province_code: no province {province_code}", field="province_code")
    forward, _ = crs.local_metric(round(geom.centroid.x, 3), round(geom.centroid.y, 3))

    def to_m(shape):
        return shapely.transform(shape, lambda c: np.column_stack(
            forward.transform(c[:, 0], c[:, 1])))

    province = to_shape(row.geom)
    near = province.intersection(shapely.box(*shapely.buffer(geom, 0.05).bounds))
    return float(to_m(geom).difference(to_m(near).buffer(PROVINCE_TOLERANCE_M)).area)


def _check_place(conn: Connection, legal: ZoneLegal, geom) -> None:
    """A land zone lies in its province (within the boundary tolerance)."""
    if legal.kind in SEA_KINDS or legal.province_code is None:
        return
    outside = _outside_province_m2(conn, geom, legal.province_code)
    if outside > 0:
        raise InvalidInput(f"geometry: {outside:,.0f} m² lie outside province "
                           f"{legal.province_code} (beyond {PROVINCE_TOLERANCE_M:g} m of its "
                           "boundary)", field="geometry")


def _row_values(legal: ZoneLegal, verdict: authority.Verdict, intake: Intake | None,
                geom, principal: Principal, spec: FootprintSpec) -> dict:
    cover = footprint(geom, spec) if is_sensitive(legal.sensitivity.value) else None
    written = None if intake is None else {
        "format": intake.report.format, "crs": f"EPSG:{intake.report.epsg}",
        "geometry": intake.written.__geo_interface__}
    return {"kind": legal.kind.value, "name": legal.name,
            "authority": f"{ISSUER_LABEL[legal.issuer]} ({legal.authority_level})",
            "legal_basis": f"{legal.instrument_number} ({legal.instrument_date.isoformat()}); "
                           f"{verdict.rule.id}: {verdict.citation}",
            "sensitivity": legal.sensitivity.value, "province_code": legal.province_code,
            "valid_from": legal.valid_from, "valid_to": legal.valid_to,
            "instrument_number": legal.instrument_number,
            "instrument_date": legal.instrument_date, "issuer": legal.issuer.value,
            "authority_level": legal.authority_level, "rule_id": verdict.rule.id,
            "protection_rules_ref": legal.protection_rules_ref,
            "managing_unit": legal.managing_unit, "recorded_by": principal.subject,
            "written": audit.jsonable(written) if written else None,
            "intake": intake.report.as_dict(with_geometry=False) if intake else None,
            "geom": from_shape(geom, srid=4326),
            "footprint": from_shape(cover, srid=4326) if cover is not None else None}


def _result(record_id: int, version: int, verdict: authority.Verdict, values: dict,
            geom, intake: Intake | None) -> Registered:
    warnings = list(verdict.warnings)
    if intake is not None:
        warnings += [f"{d.code}: {d.message}" for d in intake.report.flagged]
    area = _area_m2(to_shape(values["footprint"])) if values["footprint"] is not None else None
    return Registered(record_id, version, verdict.rule.id, verdict.citation, tuple(warnings),
                      area)


def register(bind: Bind, principal: Principal, legal: ZoneLegal, intake: Intake,
             spec: FootprintSpec = DEFAULT_SPEC) -> Registered:
    """Record a new zone (version 1) from its legal fields and its intake."""
    require_registrar(principal, legal.kind, legal.province_code)
    verdict = authority.check(legal.kind, legal.issuer, legal.instrument_date,
                              legal.valid_from)
    geom = intake.geometry
    with writing(bind) as conn:
        _check_place(conn, legal, geom)
        values = _row_values(legal, verdict, intake, geom, principal, spec)
        zid = conn.execute(insert(m.zone).values(**values, version=1)
                           .returning(m.zone.c.id)).scalar_one()
        conn.execute(update(m.zone).where(m.zone.c.id == zid).values(record_id=zid))
        audit.record(conn, principal, "zone.register", "zone", zid, None,
                     _audited(values, geom))
    return _result(zid, 1, verdict, values, geom, intake)


def _audited(values: dict, geom) -> dict:
    return {**{k: v for k, v in values.items() if k not in ("geom", "footprint")},
            "geometry": geom}


def _current(conn: Connection, record_id: int, *, lock: bool = False):
    t = m.zone
    query = (select(t).where(func.coalesce(t.c.record_id, t.c.id) == record_id)
             .order_by(t.c.version.desc()).limit(1))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"zone {record_id} does not exist", field="zone_id")
    return row


def _legal_of(row) -> ZoneLegal:
    if row.issuer is None:
        raise InvalidInput(f"zone {row.id} was written before the registry; it has no "
                           "instrument to amend", field="zone_id")
    return ZoneLegal(ZoneKind(row.kind), row.name, row.instrument_number, row.instrument_date,
                     Issuer(row.issuer), Sensitivity(row.sensitivity), row.province_code,
                     row.valid_from, row.valid_to_stated or row.valid_to,
                     row.protection_rules_ref, row.managing_unit)


def amend(bind: Bind, principal: Principal, record_id: int, fields: dict,
          intake: Intake | None = None, spec: FootprintSpec = DEFAULT_SPEC) -> Registered:
    """A new version from ``fields`` (those not given stay; a new instrument is needed)
    and, if given, a new geometry; the current version closes when the new one starts."""
    with writing(bind) as conn:
        row = _current(conn, record_id, lock=True)
        old = _legal_of(row)
        require_registrar(principal, old.kind, old.province_code)
        legal = old.amended(fields)
        verdict = authority.check(legal.kind, legal.issuer, legal.instrument_date,
                                  legal.valid_from)
        check_amendment(row.valid_from, row.valid_to, legal.valid_from)
        geom = intake.geometry if intake is not None else to_shape(row.geom)
        _check_place(conn, legal, geom)
        _close(conn, row, legal.valid_from, "amended", legal.instrument_number)
        values = _row_values(legal, verdict, intake, geom, principal, spec)
        if intake is None:
            values.update(written=row.written, intake=row.intake)
        new_id = conn.execute(insert(m.zone).values(
            **values, record_id=record_id, version=row.version + 1)
            .returning(m.zone.c.id)).scalar_one()
        audit.record(conn, principal, "zone.amend", "zone", record_id,
                     {"version": row.version, "valid_to": row.valid_to},
                     {**_audited(values, geom), "version": row.version + 1, "row": new_id})
    return _result(record_id, row.version + 1, verdict, values, geom, intake)


def _close(conn: Connection, row, at: datetime, reason: str, by: str) -> None:
    conn.execute(update(m.zone).where(m.zone.c.id == row.id).values(
        valid_to=at, valid_to_stated=row.valid_to_stated or row.valid_to,
        closed_reason=reason, closed_by=by))


def retire(bind: Bind, principal: Principal, record_id: int, *, instrument_number: str,
           at: datetime | None = None) -> Registered:
    """Close the current version at ``at`` (default now) under ``instrument_number``."""
    if not (instrument_number or "").strip():
        raise InvalidInput("instrument_number: the instrument that retires the zone",
                           field="instrument_number")
    at = at or now()
    with writing(bind) as conn:
        row = _current(conn, record_id, lock=True)
        legal = _legal_of(row)
        require_registrar(principal, legal.kind, legal.province_code)
        check_retirement(row.valid_from, row.valid_to, at)
        _close(conn, row, at, "retired", instrument_number.strip())
        audit.record(conn, principal, "zone.retire", "zone", record_id,
                     {"version": row.version, "valid_to": row.valid_to},
                     {"version": row.version, "valid_to": at,
                      "instrument_number": instrument_number.strip()})
    return Registered(record_id, row.version, row.rule_id or "", "", (), None)


# -- reading -----------------------------------------------------------------------------
def _version(row) -> dict:
    return {"row_id": row.id, "version": row.version, "kind": row.kind, "name": row.name,
            "instrument_number": row.instrument_number,
            "instrument_date": row.instrument_date.isoformat() if row.instrument_date else None,
            "issuer": row.issuer, "authority_level": row.authority_level,
            "rule_id": row.rule_id, "legal_basis": row.legal_basis,
            "protection_rules_ref": row.protection_rules_ref,
            "managing_unit": row.managing_unit, "sensitivity": row.sensitivity,
            "province_code": row.province_code, "valid_from": row.valid_from.isoformat(),
            "valid_to": row.valid_to.isoformat() if row.valid_to else None,
            "valid_to_stated": row.valid_to_stated.isoformat() if row.valid_to_stated else None,
            "closed_reason": row.closed_reason, "closed_by": row.closed_by,
            "recorded_by": row.recorded_by, "recorded_at": row.recorded_at.isoformat(),
            "geometry": to_shape(row.geom).__geo_interface__,
            "footprint_area_m2": round(_area_m2(to_shape(row.footprint)), 1)
            if row.footprint is not None else None,
            "written": row.written, "intake": row.intake}


def get(bind: Bind, record_id: int) -> dict:
    """A record: its current version and every version, oldest first."""
    t = m.zone
    with _reading(bind) as conn:
        rows = conn.execute(select(t).where(func.coalesce(t.c.record_id, t.c.id) == record_id)
                            .order_by(t.c.version)).all()
    if not rows:
        raise NotFound(f"zone {record_id} does not exist", field="zone_id")
    return {"id": record_id, "current": _version(rows[-1]),
            "history": [_version(r) for r in rows]}


def list_zones(bind: Bind, *, province: str | None = None, kind: str | None = None,
               active_at: datetime | None = None, limit: int = 1000) -> list[dict]:
    """Current versions (optionally those in force at ``active_at``), newest first."""
    t = m.zone
    latest = (select(func.coalesce(t.c.record_id, t.c.id).label("rid"),
                     func.max(t.c.version).label("v"))
              .group_by(func.coalesce(t.c.record_id, t.c.id)).subquery())
    query = select(t).join(latest, and_(func.coalesce(t.c.record_id, t.c.id) == latest.c.rid,
                                        t.c.version == latest.c.v))
    if province:
        query = query.where(t.c.province_code == province)
    if kind:
        query = query.where(t.c.kind == kind)
    if active_at is not None:
        query = query.where(t.c.valid_from <= active_at,
                            (t.c.valid_to.is_(None)) | (t.c.valid_to > active_at))
    with _reading(bind) as conn:
        rows = conn.execute(query.order_by(t.c.id.desc()).limit(limit)).all()
    return [{"id": r.record_id or r.id, **_version(r)} for r in rows]


@contextmanager
def _reading(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
    else:
        with reading(bind) as conn:
            yield conn


def references(bind: Bind, legal: ZoneLegal) -> list[Reference]:
    """Where a zone should lie, for the intake's diagnoses: its province (land kinds; the
    commune polygons are generalised in places, hence the tolerance)."""
    if legal.kind in SEA_KINDS or legal.province_code is None:
        return []
    p = m.province
    with _reading(bind) as conn:
        row = conn.execute(select(p.c.name, p.c.geom).where(
            p.c.code == legal.province_code, p.c.valid_to.is_(None))).first()
    if row is None:
        raise InvalidInput(f"province_code: no province {legal.province_code}",
                           field="province_code")
    return [Reference(f"province {legal.province_code} {row.name}", to_shape(row.geom),
                      "inside", PROVINCE_TOLERANCE_M)]


def current_legal(bind: Bind, record_id: int) -> ZoneLegal:
    """The legal fields of a record's current version."""
    with _reading(bind) as conn:
        return _legal_of(_current(conn, record_id))
