"""Request and response shapes of the gate and crossing API (a stable integration contract).

Instants are ISO-8601; without an offset they are Hanoi time (UTC+07:00). Answers give
instants with ``+07:00``. Nested citation objects have the shape of
``geo.rules.model.Citation.to_dict`` (document, article, clause, point, label, rules_ref, ...).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

INSTANT = "ISO-8601 date-time; no offset = Hanoi time (UTC+07:00)"
#: The published vocabulary (GET /v1/crossings/documents); a test keeps it equal to the data.
DOCUMENT_CODES = ("passport", "travel_document", "visa", "visa_exemption", "border_pass",
                  "entry_exit_pass", "border_area_entry_exit_pass", "repatriation_pass",
                  "pass", "citizen_id_card", "id_card", "electronic_id")
CATEGORIES = Literal["vietnamese_citizen", "border_resident", "third_country_national",
                     "tourist_group", "official_delegation", "vehicle"]

CROSSING_EXAMPLE = {"gate_id": "VN-GATE-010", "direction": "entry", "nationality": "VNM",
                    "category": "tourist_group", "documents": ["passport"],
                    "arrival": "2026-03-02T09:00:00+07:00"}


class GateOut(BaseModel):
    id: str = Field(description="gate_id of the gate list, e.g. VN-GATE-004")
    name: str = Field(description="Vietnamese name, e.g. Móng Cái")
    name_ascii: str
    gate_type: str = Field(description="international | main | auxiliary | border_opening")
    neighbour_iso3: str = Field(description="CHN | LAO | KHM")
    province_code: str | None = Field(description="2025 province code, e.g. 22")
    mode: str | None = Field(description="road | rail | river")
    paired_gate: str | None = Field(description="the facing gate across the border")
    alt_name: str | None = None
    status_note: str | None = None
    has_location: bool = Field(description="false for every gate of the list: it has no "
                                           "coordinates")


class GateList(BaseModel):
    count: int
    gates: list[GateOut]


class GateStatusOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "gate_id": "VN-GATE-008", "at": "2026-03-02T12:00:00+07:00", "as_known_at": None,
        "state": "closed", "open": False, "hours_known": False,
        "reasons": [{"kind": "decision", "decision_kind": "suspend", "number": "07/QĐ-BCH",
                     "effective_from": "2026-03-02T08:00:00+07:00",
                     "effective_to": "2026-03-02T20:00:00+07:00",
                     "citation": "Law 66/2020/QH14 Art 11(4)(a)"}],
        "next_change": {"at": "2026-03-02T20:00:00+07:00", "state": "open",
                        "reasons": [{"kind": "hours_unknown"}]}}]})

    gate_id: str
    at: str = Field(description="the instant asked about, Hanoi time")
    as_known_at: str | None = Field(description="transaction time; null = as recorded now")
    state: Literal["open", "restricted", "closed"]
    open: bool = Field(description="state is open or restricted")
    hours_known: bool = Field(description="false: no working hours are known for the gate "
                                          "(RULES.md states none): status rests on "
                                          "decisions and emergency openings only")
    reasons: list[dict[str, Any]] = Field(description="why: hours, hours_unknown, decision "
                                                      "(number, citation), emergency_opening")
    next_change: dict[str, Any] | None = Field(description="first later instant with another "
                                                           "state (at, state, reasons)")


class CrossingIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CROSSING_EXAMPLE]})

    gate_id: str = Field(min_length=1, max_length=40, description="id from GET /v1/gates")
    direction: Literal["entry", "exit"]
    nationality: str = Field(min_length=1, max_length=10,
                             description="ISO 3166-1 alpha-3, e.g. VNM, CHN, LAO, KHM")
    category: CATEGORIES = Field(description="third_country_national: a foreigner not "
                                             "crossing as a border resident (a citizen of "
                                             "the gate's neighbour gets the neighbour list)")
    documents: list[str] = Field(max_length=20, description="codes of the documents held: "
                                 + ", ".join(DOCUMENT_CODES))
    arrival: str = Field(min_length=1, max_length=40, description="planned arrival; " + INSTANT)


class CrossingOut(BaseModel):
    gate: dict[str, Any]
    direction: str
    nationality: str
    category: str
    holder: Literal["vietnamese", "neighbour", "foreign"]
    documents: list[str]
    arrival: str
    accepted: bool = Field(description="one listed option is fully held")
    verdict: Literal["accepted", "not_listed", "not_permitted_at_gate", "not_determined"]
    accepted_documents: list[dict[str, Any]] = Field(
        description="every option accepted for this traveller at this gate, each with its "
                    "citation, rule_id and UNCONFIRMED flag")
    held_accepted: list[dict[str, Any]] = []
    incomplete: list[str] = []
    document_rule: dict[str, Any] | None = None
    gate_users: dict[str, Any]
    reason: str | None = None
    gate_status: dict[str, Any] = Field(description="the gate's status at arrival")
    e_procedure: dict[str, Any] = Field(
        description="code, nsw_item, available, optional, declare_by, confirm_within "
                    "(ISO-8601 duration after a complete declaration), citations")


class HoursIn(BaseModel):
    opens: str = Field(examples=["07:00"], description="Hanoi time of day HH:MM")
    closes: str = Field(examples=["22:00"], description="HH:MM, later than opens; 24:00 ok")
    valid_from: str = Field(description="from when; " + INSTANT)
    instrument: str = Field(min_length=1, max_length=500,
                            description="the act setting the hours, e.g. the provincial "
                                        "notice of the agreement with the facing province")
    note: str | None = Field(default=None, max_length=500)


class EmergencyOpeningIn(BaseModel):
    number: str = Field(min_length=1, max_length=100, examples=["15/TB-BCH"])
    reason: Literal["defence", "security", "natural_disaster", "fire", "emergency_rescue",
                    "pursuit_of_criminals", "force_majeure"]
    reason_text: str = Field(min_length=1, max_length=500)
    agreed_with: str = Field(min_length=1, max_length=500,
                             description="the neighbouring country's authority agreed with")
    ordered_by: str = Field(min_length=1, max_length=500,
                            description="the provincial Border Guard Command ordering it")
    valid_from: str = Field(description=INSTANT + "; inclusive")
    valid_to: str = Field(description=INSTANT + "; exclusive")
