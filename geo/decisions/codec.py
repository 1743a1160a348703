"""Plain-JSON shapes of decisions, shared by the store, the API and the CLI.

``*_from_dict`` build the frozen domain records from JSON input (they validate themselves:
errors are ``InvalidInput`` naming the field); ``*_to_dict`` write records as JSON values.
Instants are written in Hanoi time with their offset (``2026-01-05T08:00:00+07:00``);
geometry is GeoJSON in EPSG:4326 (lon, lat).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from geo.common.errors import InvalidInput
from geo.common.timeutil import to_hanoi
from geo.decisions.history import DecisionFile, RecordedExtension, RecordedRevocation
from geo.decisions.model import (
    AreaKind,
    AreaSpec,
    Decision,
    Extension,
    Issuer,
    Recipients,
    Revocation,
    Scope,
)


def instant(moment: datetime | None) -> str | None:
    """An instant as ISO-8601 in Hanoi time (``+07:00``)."""
    return None if moment is None else to_hanoi(moment).isoformat()


def _mapping(data: object, name: str) -> Any:
    """``data`` if it is a JSON object; its values are checked by the records built from it."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{name}: an object is required", field=name)
    return data


# --------------------------------------------------------------------------- parts
def issuer_from_dict(data: object) -> Issuer:
    d = _mapping(data, "issuer")
    return Issuer(role=d.get("role"), unit_name=d.get("unit_name"),
                  signer_name=d.get("signer_name"), signer_rank=d.get("signer_rank") or "",
                  signer_title=d.get("signer_title") or "")


def issuer_to_dict(issuer: Issuer) -> dict[str, str]:
    return {"role": issuer.role.value, "unit_name": issuer.unit_name,
            "signer_name": issuer.signer_name, "signer_rank": issuer.signer_rank,
            "signer_title": issuer.signer_title}


def recipients_from_dict(data: object) -> Recipients:
    d = _mapping(data or {}, "recipients")
    return Recipients(domestic=tuple(d.get("domestic") or ()),
                      neighbour_force=d.get("neighbour_force") or "")


def recipients_to_dict(recipients: Recipients) -> dict[str, Any]:
    return {"domestic": list(recipients.domestic), "neighbour_force": recipients.neighbour_force}


def area_from_dict(data: object, *, gate_id: str | None = None) -> AreaSpec:
    """``{"kind": "polygon", "geojson": {...}}``, ``{"kind": "communes", "commune_codes":
    [...]}``, ``{"kind": "belt_in_communes", ...}`` or ``{"kind": "gate", "gate_id": ...}``;
    a gate decision may leave the area out (its gate's checkpoint area)."""
    if data is None and gate_id is not None:
        return AreaSpec.gate(gate_id)
    d = _mapping(data, "area")
    return AreaSpec(kind=d.get("kind"), geojson=d.get("geojson"),
                    commune_codes=tuple(d.get("commune_codes") or ()),
                    gate_id=d.get("gate_id", gate_id if d.get("kind") == "gate" else None))


def area_to_dict(area: AreaSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": area.kind.value}
    if area.kind is AreaKind.POLYGON:
        out["geojson"] = dict(area.geojson or {})
    elif area.kind is AreaKind.GATE:
        out["gate_id"] = area.gate_id
    else:
        out["commune_codes"] = list(area.commune_codes)
    return out


# --------------------------------------------------------------------------- records
def decision_from_dict(data: object) -> Decision:
    d = _mapping(data, "decision")
    scope = d.get("scope")
    gate_id = d.get("gate_id") if scope == Scope.GATE.value else None
    return Decision(
        number=d.get("number"), kind=d.get("kind"), scope=scope,
        activities=tuple(d.get("activities") or ()),
        area=area_from_dict(d.get("area"), gate_id=gate_id),
        issuer=issuer_from_dict(d.get("issuer")), province_code=d.get("province_code"),
        reason_code=d.get("reason_code"), reason_text=d.get("reason_text"),
        valid_from=d.get("valid_from"), valid_to=d.get("valid_to"),
        signed_at=d.get("signed_at"), gate_id=d.get("gate_id"), gate_type=d.get("gate_type"),
        legal_basis=tuple(d.get("legal_basis") or ()),
        recipients=recipients_from_dict(d.get("recipients")),
    )


def extension_from_dict(data: object, extends: str) -> Extension:
    d = _mapping(data, "extension")
    return Extension(
        number=d.get("number"), extends=extends, new_valid_to=d.get("new_valid_to"),
        issuer=issuer_from_dict(d.get("issuer")), reason_text=d.get("reason_text"),
        signed_at=d.get("signed_at"), legal_basis=tuple(d.get("legal_basis") or ()),
        recipients=recipients_from_dict(d.get("recipients")),
    )


def revocation_from_dict(data: object, decision_number: str) -> Revocation:
    """A revocation of the decision (default) or of one of its extensions (``revokes``)."""
    d = _mapping(data, "revocation")
    return Revocation(
        number=d.get("number"), revokes=d.get("revokes") or decision_number,
        issuer=issuer_from_dict(d.get("issuer")), reason_text=d.get("reason_text"),
        effective_at=d.get("effective_at"), signed_at=d.get("signed_at"),
        legal_basis=tuple(d.get("legal_basis") or ()),
        recipients=recipients_from_dict(d.get("recipients")),
    )


def _acts_common(record: Extension | Revocation) -> dict[str, Any]:
    return {"number": record.number, "issuer": issuer_to_dict(record.issuer),
            "reason_text": record.reason_text, "legal_basis": list(record.legal_basis),
            "recipients": recipients_to_dict(record.recipients)}


def extension_to_dict(rec: RecordedExtension, start: datetime, end: datetime) -> dict[str, Any]:
    ext = rec.extension
    return {**_acts_common(ext), "new_valid_to": instant(ext.new_valid_to),
            "period_from": instant(start), "period_to": instant(end),
            "signed_at": instant(ext.signed_at), "rule_id": rec.rule_id,
            "citation": rec.citation, "recorded_at": instant(rec.recorded_at),
            "recorded_by": rec.recorded_by}


def revocation_to_dict(rec: RecordedRevocation) -> dict[str, Any]:
    rev = rec.revocation
    return {**_acts_common(rev), "revokes": rev.revokes,
            "effective_at": instant(rev.effective_at), "signed_at": instant(rev.signed),
            "recorded_at": instant(rec.recorded_at), "recorded_by": rec.recorded_by}


def decision_to_dict(dec: Decision) -> dict[str, Any]:
    return {
        "number": dec.number, "kind": dec.kind.value, "scope": dec.scope.value,
        "activities": [a.value for a in dec.activities], "area": area_to_dict(dec.area),
        "issuer": issuer_to_dict(dec.issuer), "province_code": dec.province_code,
        "gate_id": dec.gate_id, "gate_type": dec.gate_type.value if dec.gate_type else None,
        "reason_code": dec.reason_code.value, "reason_text": dec.reason_text,
        "legal_basis": list(dec.legal_basis), "recipients": recipients_to_dict(dec.recipients),
        "valid_from": instant(dec.valid_from), "valid_to": instant(dec.valid_to),
        "signed_at": instant(dec.signed_at),
    }


def file_to_dict(file: DecisionFile, at: datetime, *, internal: bool = True) -> dict[str, Any]:
    """A decision with its acts, its effective window and its status at ``at``.

    ``internal`` adds who recorded each act and the event log (for cleared roles)."""
    start, end = file.window
    periods = {p.extension.number: p for p in file.periods}
    out = {
        **decision_to_dict(file.decision),
        "geometry": dict(file.area.geojson), "area_text": file.area.text,
        "area_m2": round(file.area.area_m2, 1),
        "written_area_m2": (None if file.area.written_m2 is None
                            else round(file.area.written_m2, 1)),
        "effective_from": instant(start), "effective_to": instant(end),
        "status": file.status_at(at).value, "status_at": instant(at),
        "authority": {"rule_id": file.rule_id, "citation": file.citation},
        "warnings": list(file.warnings),
        "extensions": [extension_to_dict(e, periods[e.extension.number].start,
                                         periods[e.extension.number].end)
                       for e in file.extensions],
        "revocation": None if file.revocation is None else revocation_to_dict(file.revocation),
        "revocations": [revocation_to_dict(r) for r in file.revocations],
        "recorded_at": instant(file.recorded_at), "recorded_by": file.recorded_by,
    }
    if not internal:
        return _public(out)
    out["history"] = [{"kind": e.kind.value, "act_number": e.act_number,
                       "recorded_at": instant(e.recorded_at), "recorded_by": e.recorded_by}
                      for e in file.events]
    return out


def _public(out: dict[str, Any]) -> dict[str, Any]:
    """Without the names of the users who recorded the acts."""
    out.pop("recorded_by", None)
    for ext in out["extensions"]:
        ext.pop("recorded_by", None)
    for rev in (out["revocation"], *out["revocations"]):
        if rev is not None:
            rev.pop("recorded_by", None)
    return out
