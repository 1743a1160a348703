"""Obligations in answers: every zone kind x person category, citations from the catalogue."""

from datetime import datetime

import pytest

from geo.common.timeutil import HANOI
from geo.common.zones import PersonCategory, ZoneKind
from geo.location.answers import obligations
from geo.rules import load_catalogue

ON = datetime(2026, 1, 15, 9, 0, tzinfo=HANOI)


@pytest.mark.parametrize("person", list(PersonCategory))
@pytest.mark.parametrize("kind", list(ZoneKind))
def test_obligations__every_kind_and_person_cites_the_catalogue(kind, person):
    catalogue = load_catalogue()
    found = obligations([kind.value], person, ON, catalogue)
    assert found, (kind, person)
    known = catalogue.citation_ids()
    for rule in found:
        assert rule["citations"], rule["id"]
        assert set(rule["rules_refs"]) <= known
        assert catalogue.get(rule["id"]).id == rule["id"]
        assert rule["matched_zone_kinds"] == [kind.value]


def test_obligations__foreign_resident_in_belt_needs_border_post_consent():
    found = obligations([ZoneKind.BORDER_BELT.value], PersonCategory.FOREIGN_RESIDENT, ON)
    consent = [r for r in found if "PER-22" in r["rules_refs"]]
    assert consent and consent[0]["citations"][0]["document"] == "Circular 112/2025/TT-BQP"


def test_obligations__unconfirmed_rules_carry_the_flag():
    found = obligations([ZoneKind.LAND_BORDER_AREA.value], PersonCategory.VIETNAMESE_CITIZEN,
                        ON)
    flagged = [r for r in found if r["unconfirmed"]]
    assert flagged and all(r["unconfirmed_reason"] for r in flagged)


def test_obligations__circular_112_rules_start_on_5_december_2025():
    before = {r["id"] for r in obligations([ZoneKind.BORDER_BELT.value],
                                           PersonCategory.FOREIGN_RESIDENT,
                                           datetime(2025, 12, 4, 12, tzinfo=HANOI))}
    after = {r["id"] for r in obligations([ZoneKind.BORDER_BELT.value],
                                          PersonCategory.FOREIGN_RESIDENT,
                                          datetime(2025, 12, 5, 12, tzinfo=HANOI))}
    assert before - after == {"land.all.suspension_procedure.until_2025_12_05",
                              "land.foreign_resident.permit.until_2025_12_05"}
    assert after - before == {
        "belt.foreign_resident.border_post_consent", "land.all.inspection_by_border_post",
        "land.all.restriction_decision_forms", "land.all.restriction_ends",
        "land.foreign_resident.overnight_declared", "land.foreign_resident.permit",
        "land.foreigner.brought_by_organisation", "land.non_resident.barred_literal_reading"}
    assert "land.all.prohibited_acts" in before & after  # Decree 34 rules run on
