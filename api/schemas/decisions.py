"""Request and response shapes of the decision API (documented in the OpenAPI schema).

Inputs are checked for shape here and for meaning by the domain records
(``geo.decisions.codec`` builds them; their errors name the field, 422). Instants without an
offset are Hanoi time; outputs are written in Hanoi time (``+07:00``). Geometry is GeoJSON,
EPSG:4326, (lon, lat).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from geo.decisions.model import (
    Activity,
    AreaKind,
    DecisionKind,
    GateType,
    IssuerRole,
    ReasonCode,
    Scope,
)

INSTANT = "ISO-8601 date-time; without an offset it is Hanoi time (UTC+07:00)"


# --------------------------------------------------------------------------- input
class IssuerIn(BaseModel):
    role: IssuerRole
    unit_name: str = Field(description="unit as on its seal, e.g. 'Đồn Biên phòng Lũng Cú'")
    signer_name: str
    signer_rank: str = Field(default="", description="military rank; empty for civilians")
    signer_title: str = Field(default="", description="default: the role's title")


class RecipientsIn(BaseModel):
    domestic: list[str] = Field(default=[], max_length=100)
    neighbour_force: str = Field(default="", description="addressee of Forms 19 / 24")


class AreaIn(BaseModel):
    """Exactly one of ``geojson`` (polygon), ``commune_codes`` (communes, belt_in_communes)
    or ``gate_id`` (gate), as ``kind`` says."""

    kind: AreaKind
    geojson: dict[str, Any] | None = Field(
        default=None, description="GeoJSON Polygon/MultiPolygon, EPSG:4326, (lon, lat)")
    commune_codes: list[str] = Field(default=[], max_length=200)
    gate_id: str | None = None


class DecisionIn(BaseModel):
    number: str = Field(min_length=1, max_length=100, examples=["12/QĐ-ĐBP"])
    kind: DecisionKind
    scope: Scope
    activities: list[Activity] = Field(min_length=1)
    area: AreaIn | None = Field(default=None, description="may be left out for a gate "
                                                          "decision: its checkpoint area")
    issuer: IssuerIn
    province_code: str = Field(min_length=2, max_length=2, examples=["08"])
    gate_id: str | None = None
    gate_type: GateType | None = None
    reason_code: ReasonCode
    reason_text: str
    legal_basis: list[str] = Field(default=[], max_length=50)
    recipients: RecipientsIn = RecipientsIn()
    valid_from: datetime = Field(description=INSTANT + "; inclusive")
    valid_to: datetime = Field(description=INSTANT + "; exclusive")
    signed_at: datetime = Field(description=INSTANT)


class ExtensionIn(BaseModel):
    number: str = Field(min_length=1, max_length=100)
    new_valid_to: datetime = Field(description=INSTANT + "; the new (exclusive) end")
    issuer: IssuerIn
    reason_text: str
    signed_at: datetime = Field(description=INSTANT + "; before the current period ends")
    legal_basis: list[str] = Field(default=[], max_length=50)
    recipients: RecipientsIn = RecipientsIn()


class RevocationIn(BaseModel):
    number: str = Field(min_length=1, max_length=100)
    revokes: str | None = Field(default=None, description="the decision (default) or the "
                                                          "number of one of its extensions")
    effective_at: datetime = Field(description=INSTANT)
    signed_at: datetime | None = Field(default=None, description=INSTANT + "; default "
                                                                 "effective_at")
    issuer: IssuerIn
    reason_text: str
    legal_basis: list[str] = Field(default=[], max_length=50)
    recipients: RecipientsIn = RecipientsIn()


class NoticeQuery(BaseModel):
    """Paperwork the records do not hold; every field optional."""

    format: str = Field(default="html", pattern="^(html|text)$")
    extension: str | None = Field(default=None, description="which extension (Forms 20, "
                                                            "II-02, II-04); default latest")
    notice_number: str = ""
    notice_date: str | None = Field(default=None, description=INSTANT)
    addressee: str = ""
    purpose: str = ""
    other_requests: str = ""
    agreement: str = Field(default="", description="Forms 19/24: what follows 'Hiệp định về "
                                                   "quy chế quản lý biên giới'")
    place_name: str = ""
    parent_body: str = ""
    proposer_unit: str = ""
    report_to: str = ""
    executors: list[str] = []


# --------------------------------------------------------------------------- output
class IssuerOut(BaseModel):
    role: str
    unit_name: str
    signer_name: str
    signer_rank: str
    signer_title: str


class RecipientsOut(BaseModel):
    domestic: list[str]
    neighbour_force: str


class AreaSpecOut(BaseModel):
    kind: str
    geojson: dict[str, Any] | None = None
    commune_codes: list[str] | None = None
    gate_id: str | None = None


class ExtensionOut(BaseModel):
    number: str
    new_valid_to: str
    period_from: str
    period_to: str
    signed_at: str
    issuer: IssuerOut
    reason_text: str
    legal_basis: list[str]
    recipients: RecipientsOut
    rule_id: str
    citation: str
    recorded_at: str = Field(description="transaction time")
    recorded_by: str | None = None


class RevocationOut(BaseModel):
    number: str
    revokes: str
    effective_at: str
    signed_at: str
    issuer: IssuerOut
    reason_text: str
    legal_basis: list[str]
    recipients: RecipientsOut
    recorded_at: str = Field(description="transaction time")
    recorded_by: str | None = None


class EventOut(BaseModel):
    kind: str = Field(description="issued | extended | revoked")
    act_number: str
    recorded_at: str
    recorded_by: str


class AuthorityOut(BaseModel):
    rule_id: str
    citation: str


class DecisionOut(BaseModel):
    """A decision with its acts. ``effective_from``/``effective_to`` is the window after the
    extensions and revocation (start inclusive, end exclusive); ``status`` at ``status_at``."""

    number: str
    kind: str
    scope: str
    activities: list[str]
    area: AreaSpecOut
    area_text: str
    area_m2: float = Field(description="geodesic area of the area in force, m²: the area "
                                       "as written clipped to the scope in the province")
    written_area_m2: float | None = Field(
        default=None, description="geodesic area of the area as written, m² (null on "
                                  "decisions recorded before the area was clipped)")
    geometry: dict[str, Any] = Field(description="area in force: GeoJSON MultiPolygon, "
                                                 "EPSG:4326")
    issuer: IssuerOut
    province_code: str
    gate_id: str | None
    gate_type: str | None
    reason_code: str
    reason_text: str
    legal_basis: list[str]
    recipients: RecipientsOut
    valid_from: str
    valid_to: str
    signed_at: str
    effective_from: str
    effective_to: str
    status: str = Field(description="pending | active | expired | revoked")
    status_at: str
    authority: AuthorityOut
    warnings: list[str]
    extensions: list[ExtensionOut]
    revocation: RevocationOut | None = Field(
        description="the revocation that ends the window earliest")
    revocations: list[RevocationOut] = Field(
        default=[], description="every revocation recorded: one per revoked act")
    recorded_at: str = Field(description="transaction time of the decision")
    recorded_by: str | None = None
    history: list[EventOut] | None = Field(default=None, description="event log (cleared "
                                                                     "roles)")


class ActOut(BaseModel):
    """The outcome of issuing, extending or revoking: the act's number, the decision after
    it, the warnings of the checks and, for decisions and extensions, the rule applied."""

    act_number: str
    warnings: list[str]
    rule_id: str | None = None
    citation: str | None = None
    form_id: str | None = Field(default=None, description="the form of Circular "
                                                          "112/2025/TT-BQP for this act")
    obligations: list[str] = []
    decision: DecisionOut


class DecisionList(BaseModel):
    count: int
    active_at: str | None
    as_known_at: str | None
    status_at: str = Field(description="the instant statuses are evaluated at")
    decisions: list[DecisionOut]
