"""What a surveyor states about an upload: the gate, the survey date, the participating
agencies (GEO-GATE-02, 05: the Border Guard leads with the provincial departments and the
commune People's Committee), the survey minutes' reference and notes. Parsed and checked
from form fields (strings); every problem names its field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from geo.common.errors import InvalidInput
from geo.surveys.review import parse_date

EDITABLE_FIELDS = ("survey_date", "agencies", "minutes_ref", "notes")


@dataclass(frozen=True)
class SurveyMeta:
    gate_id: str
    survey_date: date
    agencies: tuple[str, ...]
    minutes_ref: str
    notes: str | None = None

    @classmethod
    def parse(cls, fields: dict, today: date) -> SurveyMeta:
        gate_id = _text(fields.get("gate_id"), "gate_id", 64)
        return cls(gate_id, survey_date(fields.get("survey_date"), today),
                   agencies(fields.get("agencies")),
                   _text(fields.get("minutes_ref"), "minutes_ref", 200),
                   _text(fields.get("notes"), "notes", 4000, required=False))

    def as_dict(self) -> dict:
        return {"gate_id": self.gate_id, "survey_date": self.survey_date.isoformat(),
                "agencies": list(self.agencies), "minutes_ref": self.minutes_ref,
                "notes": self.notes}


def edits(fields: dict, today: date) -> dict:
    """The draft fields a PATCH may change, checked; unknown fields are refused."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: cannot be edited; editable: "
                           f"{', '.join(EDITABLE_FIELDS)} (a new geometry is a new version)",
                           field=unknown[0])
    out: dict = {}
    if "survey_date" in fields:
        out["survey_date"] = survey_date(fields["survey_date"], today)
    if "agencies" in fields:
        out["agencies"] = list(agencies(fields["agencies"]))
    if "minutes_ref" in fields:
        out["minutes_ref"] = _text(fields["minutes_ref"], "minutes_ref", 200)
    if "notes" in fields:
        out["notes"] = _text(fields["notes"], "notes", 4000, required=False)
    return out


def survey_date(value, today: date) -> date:
    when = parse_date(value, "survey_date")
    if when > today:
        raise InvalidInput(f"survey_date: {when} is in the future", field="survey_date")
    if when.year < 1990:
        raise InvalidInput("survey_date: before 1990", field="survey_date")
    return when


def agencies(value) -> tuple[str, ...]:
    """A JSON list, or names separated by ';' or new lines (commas occur inside names)."""
    items = value
    if isinstance(value, str):
        text = value.strip()
        try:
            items = json.loads(text) if text.startswith("[") else None
        except json.JSONDecodeError:
            raise InvalidInput("agencies: not a JSON list", field="agencies") from None
        if items is None:
            items = [p for line in text.splitlines() for p in line.split(";")]
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise InvalidInput("agencies: a list of the participating agencies", field="agencies")
    names = tuple(i.strip() for i in items if i.strip())
    if not names or len(names) > 40 or any(len(n) > 200 or not printable(n) for n in names):
        raise InvalidInput("agencies: 1-40 participating agencies, each up to 200 characters",
                           field="agencies")
    return names


def _text(value, field: str, limit: int, required: bool = True) -> str | None:
    text = (value or "").strip() if isinstance(value, str | type(None)) else None
    if text is None:
        raise InvalidInput(f"{field}: text", field=field)
    if required and not text:
        raise InvalidInput(f"{field}: missing", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters", field=field)
    if not printable(text, newlines=field == "notes"):
        raise InvalidInput(f"{field}: control characters are not allowed", field=field)
    return text or None


def printable(text: str, *, newlines: bool = False) -> bool:
    """No control characters (new lines and tabs allowed in free text when asked) and no
    lone surrogates: what PostgreSQL text and the printed sketch can hold."""
    allowed = "\n\r\t" if newlines else ""
    return all((ch.isprintable() or ch in allowed) and not "\ud800" <= ch <= "\udfff"
               for ch in text)
