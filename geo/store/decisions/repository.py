"""Recording and reading restriction decisions: one transaction per act.

``issue``, ``extend`` and ``revoke`` check the caller (officer of the decision's province;
on issue, the whole area within the officer's provinces, ``areas.EDGE_TOLERANCE_M`` aside),
the issuer's legal authority (``geo.decisions.authority``), resolve the area in PostGIS, then
insert the act, its event and its audit entry in one transaction: a failed request writes
nothing. ``extend`` and ``revoke`` lock the decision row first (NOWAIT), so of two officers
acting on one decision at once, one wins and the other gets ``Conflict`` (409).

``bind`` is an ``Engine`` (a transaction per call) or a ``Connection`` already in a
transaction (the act runs in a savepoint of it: tests, or callers grouping acts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.engine import Connection

from geo.common.errors import NotFound
from geo.common.security import Principal, Role
from geo.common.timeutil import now
from geo.decisions.authority import AuthorityVerdict, check_authority
from geo.decisions.codec import decision_to_dict, extension_to_dict, revocation_to_dict
from geo.decisions.history import (
    DecisionFile,
    EventKind,
    RecordedExtension,
    RecordedRevocation,
    check_extension_fits,
    check_recordable,
    revocation_warnings,
)
from geo.decisions.model import Decision, Extension, Revocation
from geo.decisions.query import DecisionQuery
from geo.decisions.timeline import extension_periods
from geo.store import audit
from geo.store.db import Bind, reading_bind, writing
from geo.store.decisions import rows as rows
from geo.store.decisions.areas import provinces_beyond, resolve_area
from geo.store.decisions.tables import decision, decision_extension


@dataclass(frozen=True)
class Recorded:
    """The decision after an act, with what the act's check said."""

    file: DecisionFile
    act_number: str
    warnings: tuple[str, ...] = ()
    rule_id: str | None = None
    citation: str | None = None
    form_id: str | None = None
    obligations: tuple[str, ...] = ()






def _recorded(file: DecisionFile, number: str, warnings: tuple[str, ...],
              verdict: AuthorityVerdict | None = None) -> Recorded:
    if verdict is None:
        return Recorded(file, number, warnings)
    return Recorded(file, number, warnings, verdict.rule_id, verdict.citation,
                    verdict.form_id, verdict.obligations)


def _act_state(record: dict) -> dict:
    """An act as the event and audit logs keep it (their own columns say who and when)."""
    return {k: v for k, v in record.items() if k not in ("recorded_at", "recorded_by")}


# --------------------------------------------------------------------------- acts
def issue(bind: Bind, principal: Principal, dec: Decision) -> Recorded:
    """Record a new decision (Form 17 / Appendix II 01, 03) within its issuer's authority."""
    principal.require_province(dec.province_code, Role.OFFICER)
    check_recordable(dec.signed_at, now())
    verdict = check_authority(dec)
    with writing(bind) as conn:
        resolution = resolve_area(conn, dec)
        if Role.ADMIN not in principal.roles:
            principal.require_area_within(provinces_beyond(conn, resolution,
                                                           principal.provinces))
        resolution.require_in_force()
        decision_id = rows.insert_decision(conn, dec, resolution, verdict, principal)
        state = {**decision_to_dict(dec), "area_text": resolution.area.text,
                 "area_m2": resolution.area.area_m2, "rule_id": verdict.rule_id}
        rows.insert_event(conn, decision_id, EventKind.ISSUED, dec.number, state, principal)
        audit.record(conn, principal, "decision.issue", "decision", dec.number, None, state)
        file = rows.load_file(conn, dec.number)
    return _recorded(file, dec.number, file.warnings, verdict)


def extend(bind: Bind, principal: Principal, number: str, ext: Extension) -> Recorded:
    """Record an extension (Form 20 / Appendix II 02, 04) of decision ``number``."""
    with writing(bind) as conn:
        decision_id = rows.lock_decision(conn, number)
        file = rows.load_file(conn, number)
        principal.require_province(file.decision.province_code, Role.OFFICER)
        check_recordable(ext.signed_at, now())
        check_extension_fits(file, ext)
        verdict = check_authority(ext, decision=file.decision,
                                  extensions=file.extension_records,
                                  revocation=file.revocation_record)
        rows.insert_extension(conn, decision_id, len(file.extensions) + 1, ext, verdict,
                              principal)
        period = extension_periods(file.decision, (*file.extension_records, ext))[-1]
        state = _act_state(extension_to_dict(RecordedExtension(
            ext, now(), principal.subject, verdict.rule_id, verdict.citation),
            period.start, period.end))
        rows.insert_event(conn, decision_id, EventKind.EXTENDED, ext.number, state, principal)
        audit.record(conn, principal, "decision.extend", "decision", number,
                     {"effective_to": file.window[1]}, state)
        after = rows.load_file(conn, number)
    return _recorded(after, ext.number, verdict.warnings, verdict)


def revoke(bind: Bind, principal: Principal, number: str, rev: Revocation) -> Recorded:
    """Record the revocation (Forms 21, 22) of decision ``number`` or of an extension."""
    with writing(bind) as conn:
        decision_id = rows.lock_decision(conn, number)
        file = rows.load_file(conn, number)
        principal.require_province(file.decision.province_code, Role.OFFICER)
        check_recordable(rev.signed, now())
        warnings = revocation_warnings(file, rev)
        rows.insert_revocation(conn, decision_id, rev, principal)
        state = _act_state(revocation_to_dict(RecordedRevocation(rev, now(),
                                                                 principal.subject)))
        rows.insert_event(conn, decision_id, EventKind.REVOKED, rev.number, state, principal)
        audit.record(conn, principal, "decision.revoke", "decision", number,
                     {"effective_to": file.window[1]}, state)
        after = rows.load_file(conn, number)
    return _recorded(after, rev.number, warnings)


# --------------------------------------------------------------------------- reading
def get(bind: Bind, number: str, as_known_at: datetime | None = None) -> DecisionFile:
    """Decision ``number`` as recorded now, or as known at ``as_known_at``."""
    with reading_bind(bind) as conn:
        file = rows.load_file(conn, number)
    known = file.known_at(as_known_at)
    if known is None:
        raise NotFound(f"decision {number} was not yet recorded at "
                       f"{as_known_at.isoformat() if as_known_at else 'that time'}",
                       field="as_known_at")
    return known


def _prefilter(query: DecisionQuery):
    """SQL conditions that only narrow the candidates; statuses are decided in Python."""
    d, e = decision, decision_extension
    conds = []
    if query.province_code:
        conds.append(d.c.province_code == query.province_code)
    if query.scope is not None:
        conds.append(d.c.scope == query.scope.value)
    if query.bbox is not None:
        b = query.bbox
        conds.append(func.ST_Intersects(d.c.geom, func.ST_MakeEnvelope(
            b.west, b.south, b.east, b.north, 4326)))
    if query.as_known_at is not None:
        conds.append(d.c.recorded_at <= query.as_known_at)
    if query.active_at is not None and query.status in (None, "active"):
        latest = select(func.max(e.c.new_valid_to)).where(e.c.decision_id == d.c.id)
        if query.as_known_at is not None:
            latest = latest.where(e.c.recorded_at <= query.as_known_at)
        conds += [d.c.valid_from <= query.active_at,
                  or_(d.c.valid_to > query.active_at,
                      latest.scalar_subquery() > query.active_at)]
    return and_(true(), *conds)


def list_decisions(bind: Bind, query: DecisionQuery) -> list[DecisionFile]:
    """Decisions matching ``query`` (see ``geo.decisions.query``), by start then number."""
    stmt = (rows.decision_select().where(_prefilter(query))
            .order_by(decision.c.valid_from, decision.c.number))
    with reading_bind(bind) as conn:
        files = rows.files_from_rows(conn, conn.execute(stmt))
    return query.select(files, now())


def all_files(conn: Connection) -> list[DecisionFile]:
    """Every decision as recorded now (for the location index snapshot)."""
    stmt = rows.decision_select().order_by(decision.c.valid_from, decision.c.number)
    return rows.files_from_rows(conn, conn.execute(stmt))

