"""Is a gate open at an instant, why, and when does that next change.

Order of precedence at an instant T (Hanoi time):

1. a **suspension** decision on the gate active at T -> ``closed`` (Law 66/2020 Art 11(4),
   DEC-14..18; the decision's number and citation are given);
2. otherwise an **emergency opening** active at T -> ``open`` (DEC-63);
3. otherwise the **working hours** in force at T: inside ``[opens, closes)`` -> ``open``,
   outside -> ``closed``; when no hours are known for the gate (RULES.md states none,
   DEC-60) the status rests on decisions only: ``open`` with ``hours_known`` false;
4. an open gate with an active **restriction** decision is ``restricted``.

Decision windows end automatically (DEC-32). ``next_change`` is the first later instant at
which the state differs, searched over every decision and opening boundary and the daily
hour boundaries of the next ``HORIZON_DAYS`` days; None when nothing changes in that range.
Callers pass only what was known at ``as_known_at`` (bitemporal, as decisions do).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from geo.common.timeutil import HANOI, stamp, to_hanoi
from geo.decisions.history import DecisionFile
from geo.decisions.vocab import DecisionKind
from geo.gates.model import EmergencyOpening, HoursVersion

HORIZON_DAYS = 8


class GateState(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"
    CLOSED = "closed"


@dataclass(frozen=True)
class GateStatus:
    """The state at ``at`` with the reasons (plain dicts, JSON-ready) and the next change."""

    at: datetime
    state: GateState
    hours_known: bool
    reasons: tuple[dict[str, Any], ...]
    next_change: dict[str, Any] | None = field(default=None)


def hours_at(versions: Sequence[HoursVersion], moment: datetime) -> HoursVersion | None:
    """The hours version in force at ``moment``: the latest ``valid_from`` not after it (of
    two with the same start, the later recorded)."""
    due = [v for v in versions if v.valid_from <= moment]
    if not due:
        return None
    return max(due, key=lambda v: (v.valid_from, v.recorded_at or v.valid_from))


def _inside(hours: HoursVersion, moment: datetime) -> bool:
    local = to_hanoi(moment)
    second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return hours.opens_min * 60 <= second < hours.closes_min * 60


def _decision_reason(file: DecisionFile) -> dict[str, Any]:
    dec = file.decision
    start, end = file.window
    return {"kind": "decision", "decision_kind": dec.kind.value, "number": dec.number,
            "issuer_role": dec.issuer.role.value, "issuer_unit": dec.issuer.unit_name,
            "effective_from": stamp(start), "effective_to": stamp(end),
            "citation": file.citation, "rule_id": file.rule_id}


def _state_at(moment: datetime, versions: Sequence[HoursVersion],
              openings: Sequence[EmergencyOpening], files: Sequence[DecisionFile],
              cite: dict[str, Any]) -> tuple[GateState, bool, list[dict[str, Any]]]:
    active = [f for f in files if f.active_at(moment)]
    suspensions = [f for f in active if f.decision.kind is DecisionKind.SUSPEND]
    restrictions = [f for f in active if f.decision.kind is DecisionKind.RESTRICT]
    hours = hours_at(versions, moment)
    known = hours is not None
    if suspensions:
        return GateState.CLOSED, known, [_decision_reason(f) for f in suspensions]
    opening = next((o for o in openings if o.active_at(moment)), None)
    if opening is not None:
        state, reasons = GateState.OPEN, [_opening_reason(opening, cite)]
    elif hours is not None:
        inside = _inside(hours, moment)
        state = GateState.OPEN if inside else GateState.CLOSED
        reasons = [_hours_reason(hours, inside, cite)]
    else:
        state = GateState.OPEN
        reasons = [{"kind": "hours_unknown", "text": cite["unknown_reason"],
                    "citations": cite["hours"],
                    "note": "open = no decision in force closes the gate"}]
    if state is GateState.OPEN and restrictions:
        state = GateState.RESTRICTED
        reasons += [_decision_reason(f) for f in restrictions]
    return state, known, reasons


def _opening_reason(opening: EmergencyOpening, cite: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "emergency_opening", "number": opening.number,
            "reason": opening.reason.value, "reason_text": opening.reason_text,
            "agreed_with": opening.agreed_with, "ordered_by": opening.ordered_by,
            "effective_from": stamp(opening.valid_from),
            "effective_to": stamp(opening.valid_to), "citations": cite["emergency"]}


def _hours_reason(hours: HoursVersion, inside: bool, cite: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "hours", "within_hours": inside, "opens": hours.opens,
            "closes": hours.closes, "instrument": hours.instrument,
            "valid_from": hours.valid_from.isoformat(), "citations": cite["hours"]}


def _day_boundaries(versions: Iterable[HoursVersion], start: datetime) -> list[datetime]:
    day0 = to_hanoi(start).date()
    out = []
    for offset in range(HORIZON_DAYS + 1):
        midnight = datetime.combine(day0 + timedelta(days=offset), time(0), tzinfo=HANOI)
        for version in versions:
            out += [midnight + timedelta(minutes=version.opens_min),
                    midnight + timedelta(minutes=version.closes_min)]
    return out


def _candidates(after: datetime, versions: Sequence[HoursVersion],
                openings: Sequence[EmergencyOpening],
                files: Sequence[DecisionFile]) -> list[datetime]:
    points = _day_boundaries(versions, after)
    points += [v.valid_from for v in versions]
    points += [t for o in openings for t in (o.valid_from, o.valid_to)]
    points += [t for f in files for t in f.window]
    return sorted({p for p in points if p > after})


def gate_status(at: datetime, versions: Sequence[HoursVersion],
                openings: Sequence[EmergencyOpening], files: Sequence[DecisionFile],
                cite: dict[str, Any]) -> GateStatus:
    """Status at ``at`` from the hours versions, emergency openings and gate decision files
    known at the caller's ``as_known_at``. ``cite`` carries the citations of the regime:
    ``hours`` (DEC-60..62), ``emergency`` (DEC-63), ``unknown_reason``."""
    state, known, reasons = _state_at(at, versions, openings, files, cite)
    change = None
    for moment in _candidates(at, versions, openings, files):
        later, _, why = _state_at(moment, versions, openings, files, cite)
        if later is not state:
            change = {"at": to_hanoi(moment).isoformat(), "state": later.value,
                      "reasons": why}
            break
    return GateStatus(to_hanoi(at), state, known, tuple(reasons), change)


def status_to_dict(status: GateStatus) -> dict[str, Any]:
    return {"at": stamp(status.at), "state": status.state.value,
            "open": status.state is not GateState.CLOSED, "hours_known": status.hours_known,
            "reasons": list(status.reasons), "next_change": status.next_change}
