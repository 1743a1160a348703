"""geo.gates without a database: hours, emergency openings, next_change, the crossing
rules file and the request checks."""

from __future__ import annotations

from datetime import datetime

import pytest

from geo.common.errors import InvalidInput
from geo.common.timeutil import HANOI
from geo.common.zones import GateType
from geo.gates import (
    CrossingRequest,
    EmergencyOpening,
    Gate,
    GateState,
    HoursVersion,
    check_crossing,
    fold,
    gate_status,
)
from geo.rules.crossings import load_crossings, parse_crossings
from geo.rules.loader import CatalogueError, load_catalogue

CITE = {"hours": [], "emergency": [], "unknown_reason": "no hours in the texts read"}
HOURS = HoursVersion.parse("G", "07:00", "22:00", "2026-01-01T00:00", "TB 1/TEST")
LAO_CAI = Gate("VN-GATE-027", "Lào Cai", "Lao Cai", GateType.INTERNATIONAL, "CHN", "15")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HANOI)


def test_fold__diacritics_and_d():
    assert fold("  Đồng  Đăng ") == "dong dang" and fold("Móng Cái") == "mong cai"


def test_status__hours_and_next_change_over_midnight():
    late = gate_status(at("2026-03-02T22:30"), [HOURS], [], [], CITE)
    assert late.state is GateState.CLOSED and late.hours_known
    assert late.next_change["at"] == "2026-03-03T07:00:00+07:00"
    edge = gate_status(at("2026-03-02T21:59:59"), [HOURS], [], [], CITE)
    assert edge.state is GateState.OPEN and edge.next_change["at"].endswith("22:00:00+07:00")


def test_status__unknown_hours_rely_on_decisions_only():
    status = gate_status(at("2026-03-02T03:00"), [], [], [], CITE)
    assert status.state is GateState.OPEN and not status.hours_known
    assert status.next_change is None and status.reasons[0]["kind"] == "hours_unknown"


def test_status__later_hours_version_takes_over_from_its_start():
    later = HoursVersion.parse("G", "06:00", "24:00", "2026-03-05T00:00", "TB 2/TEST")
    status = gate_status(at("2026-03-04T23:00"), [HOURS, later], [], [], CITE)
    assert status.state is GateState.CLOSED
    assert status.next_change["at"] == "2026-03-05T06:00:00+07:00"


def test_status__emergency_opening_outside_hours():
    opening = EmergencyOpening.parse("G", {
        "number": "1/TEST", "reason": "fire", "reason_text": "cháy rừng",
        "agreed_with": "x", "ordered_by": "y", "valid_from": "2026-03-02T23:00",
        "valid_to": "2026-03-03T02:00"})
    status = gate_status(at("2026-03-03T01:00"), [HOURS], [opening], [], CITE)
    assert status.state is GateState.OPEN
    assert status.next_change == {**status.next_change, "at": "2026-03-03T02:00:00+07:00",
                                  "state": "closed"}


@pytest.mark.parametrize(("opens", "closes", "field"), [
    ("22:00", "07:00", "closes"), ("7h", "22:00", "opens"), ("07:00", "24:30", "closes")])
def test_hours__bad_times_name_the_field(opens, closes, field):
    with pytest.raises(InvalidInput) as err:
        HoursVersion.parse("G", opens, closes, "2026-01-01", "TB")
    assert err.value.field == field


def test_crossing__vietnamese_id_card_not_on_the_china_border():
    rules = load_crossings()
    request = CrossingRequest.parse(gate_id=LAO_CAI.id, direction="exit", nationality="vnm",
                                    category="border_resident", documents=["citizen_id_card"],
                                    arrival="2026-03-02T09:00", vocabulary=rules.vocabulary)
    data = check_crossing(rules, LAO_CAI, request, {}, at("2026-03-01T00:00"))
    assert data["verdict"] == "not_listed" and data["nationality"] == "VNM"
    assert "citizen_id_card" not in {o["label"] for o in data["accepted_documents"]}


def test_crossings_file__every_rule_cites_a_known_catalogue_rule_and_document():
    rules = load_crossings()
    ids = {r.id for r in load_catalogue()}
    assert {r.rule_id for r in rules.document_rules} <= ids
    assert {p.rule_id for p in rules.e_procedures} <= ids
    assert {r.citation.rules_ref for r in rules.document_rules} >= {
        "DOC-01", "DOC-02", "DOC-03", "DOC-10", "DOC-11", "DOC-12"}
    assert rules.hours["defaults"] == ()  # RULES.md states no gate's hours


def test_crossings_file__unknown_document_code_is_refused():
    from importlib import resources

    import yaml

    raw = yaml.safe_load(resources.files("geo.rules").joinpath("crossings.yaml")
                         .read_text(encoding="utf-8"))
    raw["document_rules"][0]["options"][0]["docs"] = "passport + driving_licence"
    with pytest.raises(CatalogueError, match="driving_licence"):
        parse_crossings(raw, load_catalogue())
