"""Rows of the decision tables <-> domain records; inserts, row locks and loads.

Only inserts: the tables are append-only (migration 0003). Database errors of these
statements become domain errors here: a taken number is ``Conflict``, a decision row locked
by a concurrent act is ``Conflict`` (SELECT ... FOR UPDATE NOWAIT).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError, IntegrityError

from geo.common.errors import Conflict, NotFound
from geo.common.security import Principal
from geo.common.timeutil import json_default
from geo.decisions.authority import AuthorityVerdict
from geo.decisions.codec import area_to_dict, recipients_to_dict
from geo.decisions.history import (
    DecisionFile,
    Event,
    EventKind,
    RecordedExtension,
    RecordedRevocation,
    ResolvedArea,
)
from geo.decisions.model import (
    AreaSpec,
    Decision,
    Extension,
    Issuer,
    Recipients,
    Revocation,
)
from geo.store.decisions.areas import Resolution
from geo.store.decisions.tables import (
    decision,
    decision_event,
    decision_extension,
    decision_revocation,
)

LOCK_NOT_AVAILABLE = "55P03"
APPEND_ONLY = "BZ001"  # borderzone_append_only() of migration 0002


# --------------------------------------------------------------------------- errors
def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


@contextmanager
def translated(what: str):
    """Unique violations, lock timeouts and refused edits of ``what`` as ``Conflict``."""
    try:
        yield
    except IntegrityError as exc:
        diag = getattr(exc.orig, "diag", None)
        constraint = getattr(diag, "constraint_name", None) or "a unique constraint"
        raise Conflict(f"{what}: already recorded ({constraint}); act numbers are unique "
                       "across decisions, extensions and revocations", field="number") from exc
    except DBAPIError as exc:
        if _sqlstate(exc) == LOCK_NOT_AVAILABLE:
            raise Conflict(f"{what}: another act on this decision is being recorded right now; "
                           "reload it and try again") from exc
        if _sqlstate(exc) == APPEND_ONLY:
            raise Conflict(f"{what}: decisions are legal records and are never changed; "
                           "record an extension or a revocation instead") from exc
        raise


# --------------------------------------------------------------------------- writing
def _issuer_values(issuer: Issuer) -> dict[str, str]:
    return {"issuer_role": issuer.role.value, "issuer_unit": issuer.unit_name,
            "signer_name": issuer.signer_name, "signer_rank": issuer.signer_rank,
            "signer_title": issuer.signer_title}


def _paper_values(record: Decision | Extension | Revocation) -> dict[str, Any]:
    signed = record.signed if isinstance(record, Revocation) else record.signed_at
    return {"reason_text": record.reason_text, "legal_basis": list(record.legal_basis),
            "recipients": recipients_to_dict(record.recipients), "signed_at": signed,
            **_issuer_values(record.issuer)}


def insert_decision(conn: Connection, dec: Decision, resolution: Resolution,
                    verdict: AuthorityVerdict, principal: Principal) -> int:
    values = {
        "number": dec.number, "kind": dec.kind.value, "scope": dec.scope.value,
        "activities": [a.value for a in dec.activities], "area_spec": area_to_dict(dec.area),
        "area_text": resolution.area.text, "area_m2": resolution.area.area_m2,
        "geom": resolution.geom, "written_geom": resolution.written_geom,
        "written_area_m2": resolution.written_m2, "province_code": dec.province_code,
        "gate_id": dec.gate_id,
        "gate_type": dec.gate_type.value if dec.gate_type else None,
        "reason_code": dec.reason_code.value, "valid_from": dec.valid_from,
        "valid_to": dec.valid_to, "rule_id": verdict.rule_id, "citation": verdict.citation,
        "warnings": list(verdict.warnings) + list(resolution.area.warnings),
        "recorded_by": principal.subject, **_paper_values(dec),
    }
    with translated(f"decision {dec.number}"):
        return int(conn.execute(insert(decision).values(**values)
                                .returning(decision.c.id)).scalar_one())


def insert_extension(conn: Connection, decision_id: int, seq: int, ext: Extension,
                     verdict: AuthorityVerdict, principal: Principal) -> int:
    values = {"decision_id": decision_id, "seq": seq, "number": ext.number,
              "new_valid_to": ext.new_valid_to, "rule_id": verdict.rule_id,
              "citation": verdict.citation, "warnings": list(verdict.warnings),
              "recorded_by": principal.subject, **_paper_values(ext)}
    with translated(f"extension {ext.number}"):
        return int(conn.execute(insert(decision_extension).values(**values)
                                .returning(decision_extension.c.id)).scalar_one())


def insert_revocation(conn: Connection, decision_id: int, rev: Revocation,
                      principal: Principal) -> int:
    values = {"decision_id": decision_id, "number": rev.number, "revokes": rev.revokes,
              "effective_at": rev.effective_at, "recorded_by": principal.subject,
              **_paper_values(rev)}
    with translated(f"revocation {rev.number}"):
        return int(conn.execute(insert(decision_revocation).values(**values)
                                .returning(decision_revocation.c.id)).scalar_one())


def insert_event(conn: Connection, decision_id: int, kind: EventKind, act_number: str,
                 payload: Mapping[str, Any], principal: Principal) -> None:
    values = {"decision_id": decision_id, "kind": kind.value, "act_number": act_number,
              "payload": json.loads(json.dumps(payload, default=json_default, ensure_ascii=False)),
              "recorded_by": principal.subject}
    with translated(f"act {act_number}"):
        conn.execute(insert(decision_event).values(**values))


def lock_decision(conn: Connection, number: str) -> int:
    """Lock the decision row for this transaction (NOWAIT: a concurrent act is a Conflict)."""
    with translated(f"decision {number}"):
        found = conn.execute(select(decision.c.id).where(decision.c.number == number)
                             .with_for_update(nowait=True)).scalar()
    if found is None:
        raise NotFound(f"no decision {number}", field="number")
    return int(found)


# --------------------------------------------------------------------------- reading
def _issuer(row: Row) -> Issuer:
    return Issuer(row.issuer_role, row.issuer_unit, row.signer_name, row.signer_rank,
                  row.signer_title)


def _recipients(value: Mapping[str, Any]) -> Recipients:
    return Recipients(tuple(value.get("domestic") or ()), value.get("neighbour_force") or "")


def _area_spec(value: Mapping[str, Any]) -> AreaSpec:
    return AreaSpec(value["kind"], geojson=value.get("geojson"),
                    commune_codes=tuple(value.get("commune_codes") or ()),
                    gate_id=value.get("gate_id"))


def _decision(row: Row) -> Decision:
    return Decision(
        number=row.number, kind=row.kind, scope=row.scope, activities=tuple(row.activities),
        area=_area_spec(row.area_spec), issuer=_issuer(row), province_code=row.province_code,
        reason_code=row.reason_code, reason_text=row.reason_text, valid_from=row.valid_from,
        valid_to=row.valid_to, signed_at=row.signed_at, gate_id=row.gate_id,
        gate_type=row.gate_type, legal_basis=tuple(row.legal_basis),
        recipients=_recipients(row.recipients))


def _extension(row: Row, number: str) -> RecordedExtension:
    ext = Extension(row.number, number, row.new_valid_to, _issuer(row), row.reason_text,
                    row.signed_at, tuple(row.legal_basis), _recipients(row.recipients))
    return RecordedExtension(ext, row.recorded_at, row.recorded_by, row.rule_id, row.citation)


def _revocation(row: Row) -> RecordedRevocation:
    rev = Revocation(row.number, row.revokes, _issuer(row), row.reason_text, row.effective_at,
                     row.signed_at, tuple(row.legal_basis), _recipients(row.recipients))
    return RecordedRevocation(rev, row.recorded_at, row.recorded_by)


def decision_select() -> Select:
    """Decision rows with their resolved area as GeoJSON (``geojson``)."""
    columns = [c for c in decision.c if c.name not in ("geom", "written_geom")]
    return select(*columns, func.ST_AsGeoJSON(decision.c.geom, 7).label("geojson"))


def _children(conn: Connection, table, ids: list[int], order) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = {}
    if ids:
        for row in conn.execute(select(table).where(table.c.decision_id.in_(ids))
                                .order_by(table.c.decision_id, *order)):
            out.setdefault(row.decision_id, []).append(row)
    return out


def files_from_rows(conn: Connection, rows: Iterable[Row]) -> list[DecisionFile]:
    """Assemble decision rows (from ``decision_select``) with their acts and events."""
    rows = list(rows)
    ids = [r.id for r in rows]
    exts = _children(conn, decision_extension, ids, (decision_extension.c.seq,))
    revs = _children(conn, decision_revocation, ids, (decision_revocation.c.recorded_at,
                                                       decision_revocation.c.id))
    events = _children(conn, decision_event, ids, (decision_event.c.id,))
    files = []
    for r in rows:
        area = ResolvedArea(json.loads(r.geojson), r.area_text, r.area_m2,
                            written_m2=r.written_area_m2)
        files.append(DecisionFile(
            decision=_decision(r), area=area, recorded_at=r.recorded_at,
            recorded_by=r.recorded_by, rule_id=r.rule_id, citation=r.citation,
            warnings=tuple(r.warnings or ()),
            extensions=tuple(_extension(e, r.number) for e in exts.get(r.id, ())),
            revocations=tuple(_revocation(v) for v in revs.get(r.id, ())),
            events=tuple(Event(EventKind(e.kind), e.act_number, e.recorded_at, e.recorded_by,
                               e.payload) for e in events.get(r.id, ()))))
    return files


def load_file(conn: Connection, number: str) -> DecisionFile:
    rows = conn.execute(decision_select().where(decision.c.number == number)).all()
    if not rows:
        raise NotFound(f"no decision {number}", field="number")
    return files_from_rows(conn, rows)[0]
