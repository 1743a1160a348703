"""Gate records and requests as frozen, self-validating values (InvalidInput names the field).

Times of day are minutes after Hanoi midnight (0..1440; 1440 = 24:00); instants are aware
(naive input is Hanoi time). Windows are half-open ``[start, end)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pycountry

from geo.common.errors import InvalidInput
from geo.common.timeutil import check_window, parse_instant
from geo.common.zones import GateType
from geo.rules.crossings import TravellerCategory

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
MAX_TEXT = 500
#: Instants outside these years are refused (422): no gate rule reaches them, and date
#: arithmetic near year 1 or 9999 would overflow.
YEARS = (1990, 2200)


def fold(text: str) -> str:
    """Search key: lower case, no diacritics, đ -> d ('Móng Cái' -> 'mong cai')."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c))
                    .lower().split())


def _text(value: object, name: str, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name}: a non-empty text is required", field=name)
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        raise InvalidInput(f"{name}: a text of at most {MAX_TEXT} characters (no NUL) is "
                           "required", field=name)
    return value.strip()


def bounded(moment: datetime | None, name: str) -> datetime | None:
    """``moment`` if its year lies in ``YEARS``, else InvalidInput naming ``name``."""
    if moment is not None and not YEARS[0] <= moment.year <= YEARS[1]:
        raise InvalidInput(f"{name}: years {YEARS[0]}-{YEARS[1]} only, got {moment.year}",
                           field=name)
    return moment


def _instant(value: object, name: str) -> datetime:
    if not isinstance(value, str | datetime):
        raise InvalidInput(f"{name}: an ISO-8601 date-time is required", field=name)
    moment = bounded(parse_instant(value, field=name), name)
    if moment is None:
        raise InvalidInput(f"{name}: an ISO-8601 date-time is required", field=name)
    return moment


def instant_param(value: str | None, name: str) -> datetime | None:
    """An optional query-string instant (no offset = Hanoi time), within ``YEARS``."""
    return bounded(parse_instant(value, field=name), name)


def _choice(cls: type[StrEnum], value: object, name: str) -> StrEnum:
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        valid = ", ".join(m.value for m in cls)
        raise InvalidInput(f"{name}: {value!r} is not one of {valid}", field=name,
                           detail={"valid": [m.value for m in cls]}) from None


def minutes_of(text: object, name: str) -> int:
    """'07:30' -> 450; '24:00' -> 1440. Anything else: InvalidInput naming ``name``."""
    match = _HHMM.match(str(text).strip()) if isinstance(text, str) else None
    if match is None or (match.group(1) == "24" and match.group(2) != "00"):
        raise InvalidInput(f"{name}: expected a Hanoi time of day HH:MM (00:00-24:00), "
                           f"got {text!r}", field=name)
    return int(match.group(1)) * 60 + int(match.group(2))


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Gate:
    """One land border gate of the gate list (``vn_border_gates.csv``; no coordinates)."""

    id: str
    name: str
    name_ascii: str
    gate_type: GateType
    neighbour_iso3: str
    province_code: str | None
    mode: str | None = None
    alt_name: str | None = None
    paired_gate: str | None = None
    status_note: str | None = None
    source: str = ""
    has_location: bool = False


@dataclass(frozen=True)
class HoursVersion:
    """Daily working hours ``[opens, closes)`` (Hanoi time) from ``valid_from`` until a later
    version, set by ``instrument`` (e.g. the notice of the agreement with the facing
    province, DEC-62). ``recorded_at``/``recorded_by``: transaction time and who."""

    gate_id: str
    opens_min: int
    closes_min: int
    valid_from: datetime
    instrument: str
    note: str | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None

    @classmethod
    def parse(cls, gate_id: str, opens: object, closes: object, valid_from: object,
              instrument: object, note: object = None) -> HoursVersion:
        start, end = minutes_of(opens, "opens"), minutes_of(closes, "closes")
        if end <= start:
            raise InvalidInput("closes: must be later than opens on the same day "
                               "(00:00-24:00 for round the clock)", field="closes")
        return cls(gate_id, start, end, _instant(valid_from, "valid_from"),
                   str(_text(instrument, "instrument")), _text(note, "note", required=False))

    @property
    def opens(self) -> str:
        return hhmm(self.opens_min)

    @property
    def closes(self) -> str:
        return hhmm(self.closes_min)


class EmergencyReason(StrEnum):
    """Urgent reasons for opening outside working hours (DEC-63, Circular 09 Art 16(3))."""

    DEFENCE = "defence"
    SECURITY = "security"
    NATURAL_DISASTER = "natural_disaster"
    FIRE = "fire"
    EMERGENCY_RESCUE = "emergency_rescue"
    PURSUIT_OF_CRIMINALS = "pursuit_of_criminals"
    FORCE_MAJEURE = "force_majeure"


@dataclass(frozen=True)
class EmergencyOpening:
    """A gate opened outside its working hours on ``[valid_from, valid_to)``: agreed by the
    provincial Border Guard Commander (``ordered_by``) with the neighbour's authority
    (``agreed_with``), carried out by the Post Commander (DEC-63)."""

    number: str
    gate_id: str
    reason: EmergencyReason
    reason_text: str
    agreed_with: str
    ordered_by: str
    valid_from: datetime
    valid_to: datetime
    recorded_at: datetime | None = None
    recorded_by: str | None = None

    @classmethod
    def parse(cls, gate_id: str, body: dict) -> EmergencyOpening:
        start = _instant(body.get("valid_from"), "valid_from")
        end = _instant(body.get("valid_to"), "valid_to")
        check_window(start, end, field="valid_to")
        return cls(str(_text(body.get("number"), "number")), gate_id,
                   EmergencyReason(_choice(EmergencyReason, body.get("reason"), "reason")),
                   str(_text(body.get("reason_text"), "reason_text")),
                   str(_text(body.get("agreed_with"), "agreed_with")),
                   str(_text(body.get("ordered_by"), "ordered_by")), start, end)

    def active_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment < self.valid_to


class Direction(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"


def parse_nationality(value: object) -> str:
    """An ISO 3166-1 alpha-3 code (case-insensitive) -> 'VNM'; else InvalidInput."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 3 or pycountry.countries.get(alpha_3=code) is None:
        raise InvalidInput(f"nationality: {value!r} is not an ISO 3166-1 alpha-3 country code "
                           "(e.g. VNM, CHN, LAO, KHM)", field="nationality")
    return code


@dataclass(frozen=True)
class CrossingRequest:
    """A planned crossing: who (nationality, category), with which documents, when."""

    gate_id: str
    direction: Direction
    nationality: str
    category: TravellerCategory
    documents: tuple[str, ...]
    arrival: datetime

    @classmethod
    def parse(cls, *, gate_id: object, direction: object, nationality: object,
              category: object, documents: Iterable[object] | None, arrival: object,
              vocabulary: Iterable[str]) -> CrossingRequest:
        known = set(vocabulary)
        if documents is None or isinstance(documents, str):
            raise InvalidInput("documents: a list of document codes is required",
                               field="documents")
        codes = tuple(dict.fromkeys(str(d).strip().lower() for d in documents))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise InvalidInput(f"documents: unknown code(s) {unknown}; the vocabulary is "
                               f"{sorted(known)} (GET /v1/crossings/documents)",
                               field="documents", detail={"valid": sorted(known)})
        return cls(str(_text(gate_id, "gate_id")),
                   Direction(_choice(Direction, direction, "direction")),
                   parse_nationality(nationality),
                   TravellerCategory(_choice(TravellerCategory, category, "category")),
                   codes, _instant(arrival, "arrival"))
