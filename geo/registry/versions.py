"""The legal record of a zone, checked, and the rules of its versions.

A registered zone is a record with one or more versions. Each version carries the whole
legal record (instrument, issuer, sensitivity, validity, geometry). Amending records a new
version that starts at its own ``valid_from``: the current version closes then (its end is
the earlier of its stated end and that instant; the stated end is kept). Retiring closes the
current version at the retirement's instant. Nothing is deleted; every act is audited.
Instants are aware; a naive one is Hanoi time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from geo.common.errors import Conflict, InvalidInput
from geo.common.timeutil import check_window, parse_instant
from geo.common.zones import Sensitivity, ZoneKind
from geo.registry.kinds import AUTHORITY_LEVEL, Issuer, parse_issuer, parse_kind

_PROVINCE_RE = re.compile(r"^[0-9]{2}$")
MAX_TEXT = 500


def _text(data: Mapping[str, Any], name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None or not str(value).strip():
        if required:
            raise InvalidInput(f"{name}: must not be empty", field=name)
        return None
    value = " ".join(str(value).split())
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{name}: longer than {MAX_TEXT} characters", field=name)
    return value


def _date(value: Any, name: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a date (YYYY-MM-DD)", field=name) \
            from None


@dataclass(frozen=True)
class ZoneLegal:
    """The legal fields of one version of a zone record."""

    kind: ZoneKind
    name: str
    instrument_number: str
    instrument_date: date
    issuer: Issuer
    sensitivity: Sensitivity
    province_code: str | None
    valid_from: datetime
    valid_to: datetime | None = None
    protection_rules_ref: str | None = None
    managing_unit: str | None = None

    @property
    def authority_level(self) -> str:
        return AUTHORITY_LEVEL[self.issuer]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ZoneLegal:
        """From API/CLI fields (strings); every problem names its field (422)."""
        kind = parse_kind(data.get("kind", ""))
        try:
            sensitivity = Sensitivity(str(data.get("sensitivity", "")).strip())
        except ValueError:
            raise InvalidInput("sensitivity: one of public, restricted, secret",
                               field="sensitivity") from None
        province = _text(data, "province_code", required=False)
        if province is not None and not _PROVINCE_RE.match(province):
            raise InvalidInput("province_code: two digits (e.g. 08 for Tuyên Quang)",
                               field="province_code")
        valid_from = parse_instant(data.get("valid_from"), field="valid_from")
        if valid_from is None:
            raise InvalidInput("valid_from: required (ISO-8601; no offset = Hanoi time)",
                               field="valid_from")
        valid_to = parse_instant(data.get("valid_to"), field="valid_to")
        if valid_to is not None:
            check_window(valid_from, valid_to)
        instrument_date = _date(data.get("instrument_date"), "instrument_date")
        return cls(kind, _text(data, "name"), _text(data, "instrument_number"),
                   instrument_date, parse_issuer(data.get("issuer", "")), sensitivity,
                   province, valid_from, valid_to, _text(data, "protection_rules_ref", False),
                   _text(data, "managing_unit", False))

    def amended(self, data: Mapping[str, Any]) -> ZoneLegal:
        """The next version's fields: this version's, overridden by ``data``; the kind
        and province stay (another kind or province is another zone)."""
        for fixed in ("kind", "province_code"):
            if data.get(fixed) not in (None, "", getattr(self, fixed)):
                raise InvalidInput(f"{fixed}: an amendment keeps the zone's {fixed}; "
                                   "register another zone instead", field=fixed)
        base = {"kind": self.kind.value, "name": self.name,
                "instrument_number": None, "instrument_date": None,
                "issuer": self.issuer.value, "sensitivity": self.sensitivity.value,
                "province_code": self.province_code, "valid_from": None,
                "valid_to": self.valid_to, "protection_rules_ref": self.protection_rules_ref,
                "managing_unit": self.managing_unit}
        merged = {**base, **{k: v for k, v in data.items() if v not in (None, "")}}
        return ZoneLegal.parse(merged)


def check_amendment(current_from: datetime, current_end: datetime | None,
                    new_from: datetime) -> None:
    """An amendment starts after the current version started and before it ended."""
    if new_from <= current_from:
        raise InvalidInput(f"valid_from: an amendment starts after the version it amends "
                           f"({current_from.isoformat()})", field="valid_from")
    if current_end is not None and new_from >= current_end:
        raise Conflict(f"valid_from: the current version already ended at "
                       f"{current_end.isoformat()}; nothing left to amend", field="valid_from")


def check_retirement(current_from: datetime, current_end: datetime | None,
                     at: datetime) -> None:
    """A retirement falls within the current version's validity."""
    if current_end is not None and at >= current_end:
        raise Conflict(f"at: the zone already ended at {current_end.isoformat()}",
                       field="at")
    if at <= current_from:
        raise InvalidInput(f"at: a retirement comes after the version's start "
                           f"({current_from.isoformat()})", field="at")
