"""Survey versions: upload (validated, refused whole on an error), draft edits, the review
steps, and publication, which in one transaction closes the gate's checkpoint area in force
and writes the new one (the table checks, decisions and layers read; its trigger notifies
the live index). Every act is audited; past submission nothing is edited (trigger 0011).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date

import shapely
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from geo.common.errors import Conflict, InvalidInput, NotFound, NotPermitted
from geo.common.security import Principal, Role
from geo.common.timeutil import now
from geo.intake import Intake, IntakeLimits, Reference, read_geometry
from geo.store import audit
from geo.store import models as m
from geo.store.db import reading, transaction
from geo.store.surveys import surroundings as around
from geo.surveys import context, review, validate
from geo.surveys.meta import SurveyMeta, edits, printable
from geo.surveys.rules import Thresholds

#: reads the upload given the references and the gate's province (for its VN-2000 zones)
Reader = Callable[[Sequence[Reference], str | None], Intake]
_SUMMARY = ("id", "gate_id", "version", "state", "survey_date", "agencies", "minutes_ref",
            "notes", "format", "epsg", "filename", "area_m2", "uploaded_by", "uploaded_at",
            "submitted_by", "submitted_at", "decided_by", "decided_at", "instrument_number",
            "instrument_date", "authority", "reject_reason", "published_by", "published_at",
            "checkpoint_area_id", "superseded_at")


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def summary(row) -> dict:
    out = {k: _plain(getattr(row, k)) for k in _SUMMARY}
    out["area_ha"] = round(row.area_m2 / 1e4, 2)
    return out


def _row(conn: Connection, survey_id: int, *, lock: bool = False):
    stmt = select(m.survey).where(m.survey.c.id == survey_id)
    row = conn.execute(stmt.with_for_update() if lock else stmt).first()
    if row is None:
        raise NotFound(f"survey {survey_id} does not exist", field="survey_id")
    return row


def check(engine: Engine, principal: Principal, meta: SurveyMeta, read: Reader,
          th: Thresholds) -> tuple[Intake, dict, context.Surroundings]:
    """Read and validate an upload, writing nothing: the intake, the report (errors
    included) and what it was checked against."""
    with reading(engine) as conn:
        s = around.surroundings(conn, meta.gate_id)
    review.require_surveyor(principal, s.gate.province_code)
    intake = read(context.references(s, th), s.gate.province_code)
    with reading(engine) as conn:
        hits = around.commune_shares(conn, intake.geometry)
    return intake, validate.report(intake, s, hits, th), s


def validate_upload(engine: Engine, principal: Principal, meta: SurveyMeta, read: Reader,
                    th: Thresholds) -> tuple[Intake, dict, context.Surroundings]:
    """``check``, raising ``InvalidInput`` with the report when it has an error."""
    intake, report, s = check(engine, principal, meta, read, th)
    problems = validate.errors(report)
    if problems:
        raise InvalidInput("file: the survey is refused: " + "; ".join(
            p["message"] for p in problems), field="file", detail={"report": report})
    return intake, report, s


def file_reader(data: bytes, filename: str | None, crs_text: str | None,
                limits: IntakeLimits) -> Reader:
    """How an uploaded file is read: through the intake, invalid polygons repaired (the
    report says what changed), diagnosed against the references of the gate."""
    def read(refs: Sequence[Reference], province_code: str | None) -> Intake:
        return read_geometry(data, filename=filename, crs_text=crs_text or None,
                             limits=limits, references=refs, province_code=province_code,
                             repair=True)
    return read


def upload(engine: Engine, principal: Principal, meta: SurveyMeta, read: Reader,
           th: Thresholds, filename: str | None = None) -> dict:
    """A new draft version of the gate's area; its id, state and validation report."""
    intake, report, _ = validate_upload(engine, principal, meta, read, th)
    written = {"format": intake.report.format, "epsg": intake.report.epsg,
               "geometry": shapely.geometry.mapping(intake.written),
               "vertex_accuracy_m": None if intake.vertex_accuracy_m is None
               else list(intake.vertex_accuracy_m)}
    with transaction(engine) as conn:
        around.gate(conn, meta.gate_id, lock=True)  # one version number at a time per gate
        t = m.survey
        last = conn.execute(select(func.max(t.c.version)).where(t.c.gate_id == meta.gate_id)
                            ).scalar() or 0
        values = {**meta.as_dict(), "survey_date": meta.survey_date,
                  "agencies": list(meta.agencies), "version": last + 1, "state": "draft",
                  "format": intake.report.format, "epsg": intake.report.epsg,
                  "filename": _file_name(filename), "area_m2": report["area_m2"],
                  "written": written, "report": report, "uploaded_by": principal.subject}
        new_id = conn.execute(insert(t).values(**values, geom=from_shape(
            intake.geometry, srid=4326)).returning(t.c.id)).scalar_one()
        audit.record(conn, principal, "survey.upload", "survey", new_id, None,
                     {k: v for k, v in values.items() if k not in ("written", "report")})
        row = _row(conn, new_id)
    return {**summary(row), "report": report}


def _file_name(name: str | None) -> str | None:
    """The uploaded file's name as recorded: printable, at most 200 characters."""
    name = (name or "").strip()[:200]
    return name if name and printable(name) else None


def get(engine: Engine, principal: Principal, survey_id: int) -> tuple[dict, object]:
    """A survey (summary, report) and its geometry (lon/lat), for a caller who may read it."""
    with reading(engine) as conn:
        row = _row(conn, survey_id)
        g = around.gate(conn, row.gate_id)
    require_reader(principal, g.province_code)
    out = {**summary(row), "gate_name": g.name, "gate_type": g.gate_type,
           "province_code": g.province_code, "report": row.report,
           "authority_name": review.AUTHORITY[g.gate_type].name if row.authority else None}
    return out, to_shape(row.geom)


def require_reader(principal: Principal, province_code: str | None) -> None:
    """Planners and admins read every survey; surveyors, officers and approvers those of
    their provinces."""
    principal.require(Role.PLANNER, Role.SURVEYOR, Role.OFFICER, Role.APPROVER)
    if principal.has(Role.PLANNER) or province_code in principal.provinces:
        return
    raise NotPermitted(f"{principal.subject} reads surveys of provinces "
                       f"{sorted(principal.provinces) or 'none'}, not {province_code}",
                       field="province_code")


def edit(engine: Engine, principal: Principal, survey_id: int, fields: dict) -> dict:
    """Change a draft's metadata (409 past the draft: a correction is a new version)."""
    with transaction(engine) as conn:
        row = _row(conn, survey_id, lock=True)
        g = around.gate(conn, row.gate_id)
        review.require_surveyor(principal, g.province_code)
        review.require_editable(row.state)
        changes = edits(fields, now().date())
        if changes:
            conn.execute(update(m.survey).where(m.survey.c.id == survey_id).values(**changes))
            audit.record(conn, principal, "survey.edit", "survey", survey_id,
                         {k: getattr(row, k) for k in changes}, changes)
        return summary(_row(conn, survey_id))


def act(engine: Engine, principal: Principal, survey_id: int, name: str, **given) -> dict:
    """submit | approve (instrument_number, instrument_date) | reject (reason)."""
    with transaction(engine) as conn:
        row = _row(conn, survey_id, lock=True)
        g = around.gate(conn, row.gate_id)
        if name == "submit":
            review.require_surveyor(principal, g.province_code)
        else:
            _require_deciding(principal, g, row)
        end = review.step(row.state, name)
        values = _step_values(principal, name, row, g, **given)
        conn.execute(update(m.survey).where(m.survey.c.id == survey_id)
                     .values(state=end.value, **values))
        audit.record(conn, principal, f"survey.{name}", "survey", survey_id,
                     {"state": row.state}, {"state": end.value, **values})
        return summary(_row(conn, survey_id))


def _require_deciding(principal: Principal, g: context.Gate, row) -> None:
    review.require_approver(principal, g.province_code, g.gate_type)
    if principal.subject == row.uploaded_by and Role.ADMIN not in principal.roles:
        raise NotPermitted(f"{principal.subject} uploaded this survey and cannot also "
                           "decide on it", field="survey_id")


def _step_values(principal: Principal, name: str, row, g: context.Gate, **given) -> dict:
    at = func.now()
    if name == "submit":
        return {"submitted_by": principal.subject, "submitted_at": at}
    values = {"decided_by": principal.subject, "decided_at": at}
    if name == "reject":
        return {**values, "reject_reason": review.rejection(given.get("reason"))}
    number, when = review.approval(given.get("instrument_number"),
                                   given.get("instrument_date"), row.survey_date,
                                   now().date())
    return {**values, "instrument_number": number, "instrument_date": when,
            "authority": review.authority_for(g.gate_type).code}


def publish(engine: Engine, principal: Principal, survey_id: int) -> dict:
    """Make an approved survey the gate's checkpoint area, in one transaction: the area in
    force is closed (``superseded``, ``valid_to`` now, kept), the new one opens at the same
    instant, the previously published survey becomes ``superseded``."""
    started = time.perf_counter()
    with transaction(engine) as conn:
        row = _row(conn, survey_id, lock=True)
        g = around.gate(conn, row.gate_id, lock=True)
        _require_deciding(principal, g, row)
        review.step(row.state, "publish")
        # the instant of the swap, read once the gate is locked: a publication that waited
        # for another one's lock starts after it (now() would be its transaction's start)
        at = conn.execute(select(func.clock_timestamp())).scalar_one()
        closed = _close_current(conn, g.id, at)
        area_id = _open_area(conn, row, g, at)
        t = m.survey
        conn.execute(update(t).where(t.c.gate_id == g.id, t.c.state == "published")
                     .values(state="superseded", superseded_at=at))
        conn.execute(update(t).where(t.c.id == survey_id).values(
            state="published", published_by=principal.subject, published_at=at,
            checkpoint_area_id=area_id))
        audit.record(conn, principal, "survey.publish", "survey", survey_id,
                     {"state": row.state, "checkpoint_areas_closed": closed},
                     {"state": "published", "checkpoint_area_id": area_id})
        out = summary(_row(conn, survey_id))
    return {**out, "closed_checkpoint_areas": closed,
            "swap_s": round(time.perf_counter() - started, 4)}


def _close_current(conn: Connection, gate_id: str, at) -> list[int]:
    ca = m.checkpoint_area
    return list(conn.execute(
        update(ca).where(ca.c.gate_id == gate_id, ca.c.status == "approved",
                         or_(ca.c.valid_to.is_(None), ca.c.valid_to > at))
        .values(status="superseded", valid_to=at).returning(ca.c.id)).scalars())


def _open_area(conn: Connection, row, g: context.Gate, at) -> int:
    ca = m.checkpoint_area
    last = conn.execute(select(func.max(ca.c.version)).where(ca.c.gate_id == g.id)
                        ).scalar() or 0
    source = (f"survey {row.id} v{row.version} ({row.minutes_ref}); approved by "
              f"{review.AUTHORITY[g.gate_type].name}, {row.instrument_number} of "
              f"{row.instrument_date}")
    return conn.execute(insert(ca).values(
        gate_id=g.id, version=last + 1, status="approved", source=source,
        area_m2=row.area_m2, valid_from=at, geom=row.geom)
        .returning(ca.c.id)).scalar_one()


def drawing(engine: Engine, survey_id: int) -> tuple[object, object]:
    """The land border line near a survey's area and its gate's location (for pages)."""
    with reading(engine) as conn:
        row = _row(conn, survey_id)
        g = around.gate(conn, row.gate_id)
        return around.border_near(conn, to_shape(row.geom)), g.location


def history(engine: Engine, principal: Principal, gate_id: str) -> list[dict]:
    """Every survey version of a gate, oldest first."""
    with reading(engine) as conn:
        g = around.gate(conn, gate_id)
        require_reader(principal, g.province_code)
        rows = conn.execute(select(m.survey).where(m.survey.c.gate_id == gate_id)
                            .order_by(m.survey.c.version)).all()
    return [summary(r) for r in rows]


def require_exportable(state: str) -> None:
    if review.State(state) not in review.EXPORTABLE:
        raise Conflict(f"survey is {state}: only an approved or published area is exported",
                       field="state", detail={"state": state})


def today() -> date:
    return now().date()
