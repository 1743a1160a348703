"""JSON-ready shapes of gates, their hours and emergency openings (for the API and CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from geo.common.timeutil import stamp, to_hanoi
from geo.decisions.codec import file_to_dict
from geo.decisions.history import DecisionFile
from geo.gates.model import EmergencyOpening, Gate, HoursVersion
from geo.gates.status import hours_at

NO_LOCATION = ("the gate list (vn_border_gates.csv) carries no coordinates; a location is "
               "given only once a checkpoint area is surveyed and approved")


def gate_to_dict(gate: Gate) -> dict[str, Any]:
    return {"id": gate.id, "name": gate.name, "name_ascii": gate.name_ascii,
            "gate_type": gate.gate_type.value, "neighbour_iso3": gate.neighbour_iso3,
            "province_code": gate.province_code, "mode": gate.mode,
            "paired_gate": gate.paired_gate, "alt_name": gate.alt_name,
            "status_note": gate.status_note, "has_location": gate.has_location}


def hours_to_dict(version: HoursVersion, internal: bool) -> dict[str, Any]:
    out = {"opens": version.opens, "closes": version.closes, "time_zone": "Asia/Ho_Chi_Minh",
           "valid_from": to_hanoi(version.valid_from).isoformat(),
           "instrument": version.instrument, "note": version.note,
           "recorded_at": stamp(version.recorded_at)}
    if internal:
        out["recorded_by"] = version.recorded_by
    return out


def opening_to_dict(opening: EmergencyOpening, internal: bool) -> dict[str, Any]:
    out = {"number": opening.number, "reason": opening.reason.value,
           "reason_text": opening.reason_text, "agreed_with": opening.agreed_with,
           "ordered_by": opening.ordered_by,
           "valid_from": to_hanoi(opening.valid_from).isoformat(),
           "valid_to": to_hanoi(opening.valid_to).isoformat(),
           "recorded_at": stamp(opening.recorded_at)}
    if internal:
        out["recorded_by"] = opening.recorded_by
    return out


def hours_block(versions: Sequence[HoursVersion], at: datetime, cite: dict[str, Any],
                internal: bool) -> dict[str, Any]:
    """Working hours now in force (or unknown, with the reason), and every version."""
    current = hours_at(versions, at)
    return {"known": current is not None,
            "current": hours_to_dict(current, internal) if current else None,
            "source": "set by an officer with the instrument" if current else
            "unknown: " + cite["unknown_reason"],
            "citations": cite["hours"],
            "versions": [hours_to_dict(v, internal) for v in versions]}


def gate_detail(gate: Gate, areas: list[dict], versions: Sequence[HoursVersion],
                openings: Sequence[EmergencyOpening], files: Sequence[DecisionFile],
                at: datetime, cite: dict[str, Any], internal: bool) -> dict[str, Any]:
    """The gate with its checkpoint areas, hours, emergency openings and decisions. For
    uncleared callers (``internal`` false) only decisions not yet ended at ``at`` and no
    names of the users who recorded acts."""
    shown = [f for f in files if internal or f.window[1] > at]
    return {**gate_to_dict(gate), "location": None, "location_note": NO_LOCATION,
            "checkpoint_areas": [{**a, "valid_from": _iso(a["valid_from"]),
                                  "valid_to": _iso(a["valid_to"])} for a in areas],
            "hours": hours_block(versions, at, cite, internal),
            "emergency_openings": [opening_to_dict(o, internal) for o in openings],
            "emergency_opening_citations": cite["emergency"],
            "decisions": [_decision(f, at, internal) for f in shown]}


def _decision(file: DecisionFile, at: datetime, internal: bool) -> dict[str, Any]:
    out = file_to_dict(file, at, internal=internal)
    out.pop("geometry", None)
    return out


def _iso(value: datetime | None) -> str | None:
    return None if value is None else to_hanoi(value).isoformat()
