"""Restriction / suspension decisions as frozen, self-validating records (RULES.md §4).

A ``Decision`` restricts or suspends activities in the border belt, the land border area or at
one gate / border opening for a window ``[valid_from, valid_to)``; ``Extension`` records push
its end later, and one ``Revocation`` may end it (or one of its extensions) early.

Instants are timezone-aware; any naive input (datetime or ISO text) is Hanoi time (UTC+07:00,
``geo.common.timeutil.parse_instant``). Windows are half-open: the start is inclusive, the end
exclusive, so "from 08:00 to 20:00" is active at 08:00:00 and no longer at 20:00:00.

Areas are given in EPSG:4326 (lon, lat) GeoJSON, by commune codes, as the border belt within
commune codes, or by gate id (RULES.md GEO-DEC-01/02). No SQL, no web framework here: these are
the domain values that ``geo.store`` persists and ``api`` serialises.

Competence and duration limits are not checked here but in ``geo.decisions.authority``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from geo.common.errors import InvalidInput
from geo.common.timeutil import check_window, parse_instant
from geo.common.zones import GateType
from geo.decisions.vocab import (
    ACTIVITIES_BY_SCOPE,
    ROLE_TITLE_VI,
    Activity,
    DecisionKind,
    IssuerRole,
    ReasonCode,
    Scope,
)

__all__ = [
    "Activity",
    "AreaKind",
    "AreaSpec",
    "Decision",
    "DecisionKind",
    "Extension",
    "GateType",
    "Issuer",
    "IssuerRole",
    "ReasonCode",
    "Recipients",
    "Revocation",
    "Scope",
]

E = TypeVar("E", bound=StrEnum)


# --------------------------------------------------------------------------- coercion helpers
def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _enum(cls: type[E], value: object, name: str) -> E:
    try:
        return cls(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in cls)
        raise InvalidInput(f"{name}: {value!r} is not one of {allowed}", field=name) from None


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name}: a non-empty text is required", field=name)
    return value.strip()


def _texts(values: Iterable[str], name: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise InvalidInput(f"{name}: a list of texts is required, not one text", field=name)
    return tuple(_text(v, name) for v in values)


def _instant(value: object, name: str) -> datetime:
    """An aware instant from a datetime or ISO text; naive means Hanoi time."""
    if value is not None and not isinstance(value, str | datetime):
        raise InvalidInput(f"{name}: a date-time is required", field=name)
    moment = parse_instant(value, field=name)
    if moment is None:
        raise InvalidInput(f"{name}: a date-time is required", field=name)
    return moment


# --------------------------------------------------------------------------- area
class AreaKind(StrEnum):
    """How a decision's area is stated (GEO-DEC-01: coordinates or administrative units)."""

    POLYGON = "polygon"  # GeoJSON Polygon / MultiPolygon, EPSG:4326 (lon, lat)
    COMMUNES = "communes"  # whole communes / wards, by code
    BELT_IN_COMMUNES = "belt_in_communes"  # the border belt within these communes
    GATE = "gate"  # the checkpoint area of one gate / border opening (GEO-DEC-02)


#: Area kinds each scope accepts. A land-border-area decision may be confined to the belt part
#: of some communes (the provincial commander's power covers the whole area, belt included).
AREA_KINDS_BY_SCOPE = {
    Scope.BORDER_BELT: frozenset({AreaKind.POLYGON, AreaKind.BELT_IN_COMMUNES}),
    Scope.LAND_BORDER_AREA: frozenset(
        {AreaKind.POLYGON, AreaKind.COMMUNES, AreaKind.BELT_IN_COMMUNES}
    ),
    Scope.GATE: frozenset({AreaKind.GATE}),
}


def _check_polygon(geojson: Mapping[str, Any]) -> dict[str, Any]:
    """Check a GeoJSON (Multi)Polygon in EPSG:4326 degrees, (lon, lat); return a closed copy."""
    try:
        copy = json.loads(json.dumps(geojson))
        geom = shape(copy)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ShapelyError) as exc:
        raise InvalidInput(f"area: not a GeoJSON geometry ({exc})", field="area") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InvalidInput("area: a non-empty Polygon or MultiPolygon is required", field="area")
    west, south, east, north = geom.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput(
            "area: coordinates out of range; GeoJSON order is (lon, lat) in degrees",
            field="area",
        )
    if not geom.is_valid:
        raise InvalidInput(f"area: invalid polygon ({explain_validity(geom)})", field="area")
    return dict(json.loads(json.dumps(mapping(geom))))  # rings closed, plain lists


@dataclass(frozen=True)
class AreaSpec:
    """The affected area; build it with ``polygon``, ``communes``, ``belt_within`` or ``gate``."""

    kind: AreaKind
    geojson: Mapping[str, Any] | None = field(default=None, hash=False)
    commune_codes: tuple[str, ...] = ()
    gate_id: str | None = None

    @classmethod
    def polygon(cls, geojson: Mapping[str, Any]) -> AreaSpec:
        return cls(AreaKind.POLYGON, geojson=geojson)

    @classmethod
    def communes(cls, codes: Iterable[str]) -> AreaSpec:
        return cls(AreaKind.COMMUNES, commune_codes=tuple(codes))

    @classmethod
    def belt_within(cls, codes: Iterable[str]) -> AreaSpec:
        return cls(AreaKind.BELT_IN_COMMUNES, commune_codes=tuple(codes))

    @classmethod
    def gate(cls, gate_id: str) -> AreaSpec:
        return cls(AreaKind.GATE, gate_id=gate_id)

    def __post_init__(self) -> None:
        kind = _enum(AreaKind, self.kind, "area.kind")
        _set(self, "kind", kind)
        if (self.geojson is not None) != (kind is AreaKind.POLYGON):
            raise InvalidInput("area: coordinates go with kind 'polygon' only", field="area")
        if (self.gate_id is not None) != (kind is AreaKind.GATE):
            raise InvalidInput("area: a gate id goes with kind 'gate' only", field="area")
        wants_codes = kind in (AreaKind.COMMUNES, AreaKind.BELT_IN_COMMUNES)
        codes = _texts(self.commune_codes, "area.commune_codes")
        if wants_codes != bool(codes) or len(set(codes)) != len(codes):
            raise InvalidInput(
                "area: commune codes (distinct, at least one) go with kinds "
                "'communes' and 'belt_in_communes' only",
                field="area.commune_codes",
            )
        _set(self, "commune_codes", codes)
        if kind is AreaKind.POLYGON:
            _set(self, "geojson", _check_polygon(self.geojson or {}))
        if kind is AreaKind.GATE:
            _set(self, "gate_id", _text(self.gate_id, "area.gate_id"))


# --------------------------------------------------------------------------- parties
@dataclass(frozen=True)
class Issuer:
    """Who decides: role, unit (as on its seal) and signer.

    ``unit_name`` e.g. "Đồn Biên phòng Chi Ma", "Ban Chỉ huy Bộ đội Biên phòng tỉnh Lạng Sơn",
    "Ủy ban nhân dân tỉnh Lạng Sơn", "Chính phủ". ``signer_rank`` is the military rank
    (empty for civilian issuers); ``signer_title`` defaults to the role's title ("Đồn trưởng").
    """

    role: IssuerRole
    unit_name: str
    signer_name: str
    signer_rank: str = ""
    signer_title: str = ""

    def __post_init__(self) -> None:
        role = _enum(IssuerRole, self.role, "issuer.role")
        _set(self, "role", role)
        _set(self, "unit_name", _text(self.unit_name, "issuer.unit_name"))
        _set(self, "signer_name", _text(self.signer_name, "issuer.signer_name"))
        _set(self, "signer_rank", (self.signer_rank or "").strip())
        _set(self, "signer_title", (self.signer_title or "").strip() or ROLE_TITLE_VI[role])

    @property
    def collective(self) -> bool:
        """True when the power is the body's (provincial People's Committee, Form 20 note 3)."""
        return self.role is IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE

    @property
    def full_title(self) -> str:
        """Authority line of the forms: the head's full title, or the body's name if collective."""
        return self.unit_name if self.collective else f"{self.signer_title} {self.unit_name}"


@dataclass(frozen=True)
class Recipients:
    """Who must be notified (DEC-13): domestic bodies and the neighbour's border force."""

    domestic: tuple[str, ...] = ()
    neighbour_force: str = ""

    def __post_init__(self) -> None:
        _set(self, "domestic", _texts(self.domestic, "recipients.domestic"))
        _set(self, "neighbour_force", (self.neighbour_force or "").strip())


def _common(obj: Any, names: Iterable[str]) -> None:
    """Validate the text, issuer, legal-basis and recipients fields shared by all records."""
    for name in names:
        _set(obj, name, _text(getattr(obj, name), name))
    if not isinstance(obj.issuer, Issuer):
        raise InvalidInput("issuer: an Issuer is required", field="issuer")
    _set(obj, "legal_basis", _texts(obj.legal_basis, "legal_basis"))
    if not isinstance(obj.recipients, Recipients):
        raise InvalidInput("recipients: a Recipients value is required", field="recipients")


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Decision:
    """A decision (Form 17, or Appendix II Form 01/03) restricting or suspending activities.

    Active on ``[valid_from, valid_to)``. Gate decisions (``scope=gate``) name ``gate_id`` and
    its ``gate_type`` and take ``AreaSpec.gate(gate_id)`` as area.
    """

    number: str
    kind: DecisionKind
    scope: Scope
    activities: tuple[Activity, ...]
    area: AreaSpec
    issuer: Issuer
    province_code: str
    reason_code: ReasonCode
    reason_text: str
    valid_from: datetime
    valid_to: datetime
    signed_at: datetime
    gate_id: str | None = None
    gate_type: GateType | None = None
    legal_basis: tuple[str, ...] = ()
    recipients: Recipients = field(default_factory=Recipients)

    def __post_init__(self) -> None:
        _common(self, ("number", "province_code", "reason_text"))
        _set(self, "kind", _enum(DecisionKind, self.kind, "kind"))
        _set(self, "scope", _enum(Scope, self.scope, "scope"))
        _set(self, "reason_code", _enum(ReasonCode, self.reason_code, "reason_code"))
        self._check_times()
        self._check_activities()
        self._check_gate()
        self._check_area()

    def _check_times(self) -> None:
        for name in ("valid_from", "valid_to", "signed_at"):
            _set(self, name, _instant(getattr(self, name), name))
        check_window(self.valid_from, self.valid_to, field="valid_to")
        if self.signed_at >= self.valid_to:
            raise InvalidInput(
                "signed_at: signed when the window had already ended", field="signed_at"
            )

    def _check_activities(self) -> None:
        if isinstance(self.activities, str):
            raise InvalidInput("activities: a list is required", field="activities")
        activities = tuple(_enum(Activity, a, "activities") for a in self.activities)
        if not activities:
            raise InvalidInput("activities: at least one activity is required", field="activities")
        if len(set(activities)) != len(activities):
            raise InvalidInput("activities: listed twice", field="activities")
        foreign = [a.value for a in activities if a not in ACTIVITIES_BY_SCOPE[self.scope]]
        if foreign:
            raise InvalidInput(
                f"activities: {', '.join(foreign)} cannot be restricted with scope "
                f"{self.scope.value} (Law 66/2020/QH14 Art 11(2))",
                field="activities",
            )
        _set(self, "activities", activities)

    def _check_gate(self) -> None:
        if self.scope is not Scope.GATE:
            if self.gate_id is not None or self.gate_type is not None:
                raise InvalidInput("gate_id: only gate decisions name a gate", field="gate_id")
            return
        _set(self, "gate_id", _text(self.gate_id, "gate_id"))
        if self.gate_type is None:
            raise InvalidInput("gate_type: a gate decision needs the gate type", field="gate_type")
        _set(self, "gate_type", _enum(GateType, self.gate_type, "gate_type"))

    def _check_area(self) -> None:
        if not isinstance(self.area, AreaSpec):
            raise InvalidInput("area: an AreaSpec is required", field="area")
        allowed = AREA_KINDS_BY_SCOPE[self.scope]
        if self.area.kind not in allowed:
            names = ", ".join(sorted(k.value for k in allowed))
            raise InvalidInput(
                f"area: scope {self.scope.value} takes an area of kind {names}", field="area"
            )
        if self.scope is Scope.GATE and self.area.gate_id != self.gate_id:
            raise InvalidInput("area: the area names another gate than gate_id", field="area")


@dataclass(frozen=True)
class Extension:
    """Extends decision ``extends`` to ``new_valid_to`` (Form 20; Appendix II Forms 02/04).

    Its own period runs from the end of the current period (the decision's, or the previous
    extension's) to ``new_valid_to``; see ``geo.decisions.timeline.extension_periods``.
    """

    number: str
    extends: str
    new_valid_to: datetime
    issuer: Issuer
    reason_text: str
    signed_at: datetime
    legal_basis: tuple[str, ...] = ()
    recipients: Recipients = field(default_factory=Recipients)

    def __post_init__(self) -> None:
        _common(self, ("number", "extends", "reason_text"))
        _set(self, "new_valid_to", _instant(self.new_valid_to, "new_valid_to"))
        _set(self, "signed_at", _instant(self.signed_at, "signed_at"))


@dataclass(frozen=True)
class Revocation:
    """Revokes a decision (Form 21) or an extension (Form 22) from ``effective_at``.

    The forms take effect on signing, so ``signed_at`` defaults to ``effective_at``.
    """

    number: str
    revokes: str
    issuer: Issuer
    reason_text: str
    effective_at: datetime
    signed_at: datetime | None = None
    legal_basis: tuple[str, ...] = ()
    recipients: Recipients = field(default_factory=Recipients)

    def __post_init__(self) -> None:
        _common(self, ("number", "revokes", "reason_text"))
        _set(self, "effective_at", _instant(self.effective_at, "effective_at"))
        signed = self.effective_at if self.signed_at is None else self.signed_at
        _set(self, "signed_at", _instant(signed, "signed_at"))

    @property
    def signed(self) -> datetime:
        """``signed_at``, never None once built (it defaults to ``effective_at``)."""
        return self.signed_at or self.effective_at
