"""States of a survey version, the steps between them, who may take each, and the
authority each gate type's approval needs (RULES.md GEO-GATE-01, 05, 06).

draft → submitted → approved | rejected; approved → published → superseded (when a later
version is published). Only a draft is ever edited; past submission a correction is a new
version (``Conflict``, 409).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from geo.common.errors import Conflict, InvalidInput
from geo.common.security import Principal, Role


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


#: step -> (the state it starts from, the state it leads to)
STEPS = {"submit": (State.DRAFT, State.SUBMITTED), "approve": (State.SUBMITTED, State.APPROVED),
         "reject": (State.SUBMITTED, State.REJECTED),
         "publish": (State.APPROVED, State.PUBLISHED)}
EDITABLE = frozenset({State.DRAFT})
EXPORTABLE = frozenset({State.APPROVED, State.PUBLISHED, State.SUPERSEDED})


@dataclass(frozen=True)
class Authority:
    """Who decides the extent of a gate type's area, and the rule that says so."""

    code: str
    name: str
    rule: str


GOVERNMENT = Authority("government", "Chính phủ (the Government)", "GEO-GATE-01")
PROVINCIAL = Authority("provincial_peoples_committee", "Ủy ban nhân dân tỉnh (the provincial "
                       "People's Committee)", "GEO-GATE-01, GEO-GATE-06")
AUTHORITY = {"international": GOVERNMENT, "main": GOVERNMENT, "auxiliary": PROVINCIAL,
             "border_opening": PROVINCIAL}


def authority_for(gate_type: str) -> Authority:
    try:
        return AUTHORITY[gate_type]
    except KeyError:
        raise InvalidInput(f"gate_type: unknown {gate_type!r}", field="gate_type") from None


def step(state: str, name: str) -> State:
    """The state ``name`` leads to from ``state``; ``Conflict`` when it is not allowed."""
    start, end = STEPS[name]
    if State(state) != start:
        raise Conflict(f"survey is {state}: {name} needs a {start.value} survey"
                       + ("; a correction is a new version (POST /v1/surveys)"
                          if State(state) not in EDITABLE else ""), field="state",
                       detail={"state": state})
    return end


def require_editable(state: str) -> None:
    if State(state) not in EDITABLE:
        raise Conflict(f"survey is {state}: only a draft is edited; past submission a "
                       "correction is a new version (POST /v1/surveys)", field="state",
                       detail={"state": state})


def require_surveyor(principal: Principal, province_code: str | None) -> None:
    """Surveyors upload, edit and submit surveys of their provinces (admins anywhere)."""
    principal.require_province(province_code, Role.SURVEYOR)


def require_approver(principal: Principal, province_code: str | None, gate_type: str) -> None:
    """Approve, reject or publish: an approver granted the gate's province and type."""
    principal.require_province(province_code, Role.APPROVER)
    principal.require_gate_type(gate_type)


_INSTRUMENT = re.compile(r"^\S.{0,118}\S$")


def approval(instrument_number: str | None, instrument_date: str | date | None,
             survey_date: date, today: date) -> tuple[str, date]:
    """The approving instrument, checked: a number, and a date neither before the survey
    nor in the future."""
    number = (instrument_number or "").strip()
    if not _INSTRUMENT.match(number) or not number.isprintable():
        raise InvalidInput("instrument_number: the number of the approving instrument "
                           "(2-120 characters)", field="instrument_number")
    when = parse_date(instrument_date, "instrument_date")
    if when > today:
        raise InvalidInput(f"instrument_date: {when} is in the future", field="instrument_date")
    if when < survey_date:
        raise InvalidInput(f"instrument_date: {when} is before the survey ({survey_date})",
                           field="instrument_date")
    return number, when


def rejection(reason: str | None) -> str:
    text = (reason or "").strip()
    if not 3 <= len(text) <= 2000 or "\x00" in text or any(
            "\ud800" <= ch <= "\udfff" for ch in text):
        raise InvalidInput("reason: why the survey is rejected (3-2000 characters)",
                           field="reason")
    return text


def parse_date(value: str | date | None, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(f"{field}: a date (YYYY-MM-DD)", field=field) from None
