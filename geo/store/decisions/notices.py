"""Filling the decision and notice forms from the stored records (``geo.decisions.notices``).

The records give the decision, its extensions and revocation, and the area text fixed when
the decision was recorded (commune names or coordinates); the database adds the province's
name and, for Forms 19 and 24, the neighbour whose border agreement is cited. The caller may
add the paperwork the records do not hold (notice number, addressee, agreement, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from geo.common.errors import InvalidInput
from geo.common.timeutil import parse_instant
from geo.decisions.area import AGREEMENT_BY_NEIGHBOUR
from geo.decisions.document import FormContext
from geo.decisions.history import DecisionFile
from geo.decisions.model import Extension, Revocation
from geo.decisions.notices import render
from geo.store import models as m
from geo.store.db import Bind, reading_bind
from geo.store.decisions.areas import province_name
from geo.store.decisions.repository import get
from geo.store.decisions.tables import decision

#: Forms filled from one extension (which one: ``extension=<number>``, default the latest).
EXTENSION_FORMS = frozenset({"20", "II-02", "II-04"})
#: Paperwork a caller may give (FormContext fields that the records do not hold).
PAPERWORK = frozenset(f.name for f in fields(FormContext)) - {
    "decision", "area_text", "province_name", "extension", "extensions", "revocation"}


def _neighbours(conn: Connection, file: DecisionFile) -> list[str]:
    """ISO3 codes of the neighbours along the decision's area (its gate's, for gates)."""
    dec = file.decision
    if dec.gate_id:
        g = m.gate
        return list(conn.execute(select(g.c.neighbour_iso3).where(g.c.id == dec.gate_id))
                    .scalars())
    lbc, c = m.land_border_commune, m.commune
    area = select(decision.c.geom).where(decision.c.number == dec.number).scalar_subquery()
    iso = func.unnest(lbc.c.neighbours).label("iso")
    stmt = (select(iso).select_from(lbc)
            .join(c, and_(c.c.code == lbc.c.commune_code, c.c.valid_to.is_(None)))
            .where(lbc.c.valid_to.is_(None), func.ST_Intersects(c.c.geom, area)))
    return sorted(set(conn.execute(stmt).scalars()))


#: Forms filled from the revocation of the decision itself.
DECISION_REVOCATION_FORMS = frozenset({"21", "23", "24"})


def _extension(file: DecisionFile, form_id: str, wanted: str | None) -> Extension | None:
    exts = {e.extension.number: e.extension for e in file.extensions}
    revoked = [r.revocation.revokes for r in file.revocations
               if r.revocation.revokes in exts]
    if form_id == "22" and revoked and not wanted:
        return exts[revoked[-1]]
    if wanted:
        if wanted not in exts:
            raise InvalidInput(f"extension: {wanted} is not an extension of "
                               f"{file.decision.number}", field="extension")
        return exts[wanted]
    if form_id in EXTENSION_FORMS and file.periods:
        return file.periods[-1].extension
    return None


def _paperwork(options: Mapping[str, object]) -> dict[str, object]:
    unknown = sorted(set(options) - PAPERWORK - {"extension"})
    if unknown:
        raise InvalidInput(f"unknown notice options {unknown}", field=unknown[0])
    out = {k: v for k, v in options.items() if k in PAPERWORK and v not in (None, "", ())}
    if "notice_date" in out:
        out["notice_date"] = parse_instant(str(out["notice_date"]), field="notice_date")
    if "executors" in out:
        out["executors"] = tuple(out["executors"])  # type: ignore[arg-type]
    return out


def form_context(bind: Bind, number: str, form_id: str,
                 options: Mapping[str, object] | None = None) -> FormContext:
    """Everything form ``form_id`` of decision ``number`` is filled from."""
    options = dict(options or {})
    file = get(bind, number)
    paperwork = _paperwork(options)
    with reading_bind(bind) as conn:
        province = province_name(conn, file.decision.province_code)
        if not paperwork.get("agreement"):
            isos = _neighbours(conn, file)
            if len(isos) == 1 and isos[0] in AGREEMENT_BY_NEIGHBOUR:
                paperwork["agreement"] = AGREEMENT_BY_NEIGHBOUR[isos[0]]
    extension = _extension(file, form_id, str(options.get("extension") or "") or None)
    return FormContext(decision=file.decision, area_text=file.area.text,
                       province_name=province, extension=extension,
                       extensions=file.extension_records,
                       revocation=_revocation(file, form_id, extension),
                       **paperwork)  # type: ignore[arg-type]


def _revocation(file: DecisionFile, form_id: str,
                extension: Extension | None) -> Revocation | None:
    """The revocation a form is filled from: of the decision (Forms 21, 23, 24), of the
    form's extension (Form 22), otherwise the one that ends the window earliest."""
    if form_id in DECISION_REVOCATION_FORMS:
        found = file.revocation_of(file.decision.number)
    elif form_id == "22":
        found = file.revocation_of(extension.number) if extension else None
    else:
        found = file.revocation
    return None if found is None else found.revocation


def render_notice(bind: Bind, number: str, form_id: str, fmt: str = "html",
                  options: Mapping[str, object] | None = None) -> str:
    """Form ``form_id`` of decision ``number`` in Vietnamese, as ``fmt`` html or text."""
    return render(form_id, form_context(bind, number, form_id, options), fmt)
