"""The rule catalogue (geo.rules): coverage, citations against RULES.md, dates, loader checks."""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from geo.common.errors import DataError, InvalidInput, NotFound
from geo.common.zones import PersonCategory, ZoneKind
from geo.rules import (
    Catalogue,
    CatalogueError,
    LeadTime,
    RuleKind,
    TimeUnit,
    load_catalogue,
    parse_catalogue,
    parse_person,
)

REPO = Path(__file__).resolve().parents[3]
NEW_YEAR_2026 = date(2026, 1, 1)
BEFORE_C112 = date(2025, 12, 1)  # Circular 112/2025/TT-BQP takes effect on 2025-12-05
AFTER_C112 = date(2025, 12, 10)
RULES_MD_ID = re.compile(r"^\|\s*([A-Z]+(?:-[A-Z]+)*-\d+)\s*\|", re.MULTILINE)


def rules_md_path() -> Path:
    shared = os.environ.get("BORDERZONE_SHARED_DIR")
    base = Path(shared) if shared else REPO.parent / "shared"
    return base / "RULES.md"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def rules_md_ids() -> set[str]:
    path = rules_md_path()
    assert path.is_file(), f"RULES.md not found at {path} (set BORDERZONE_SHARED_DIR)"
    ids = set(RULES_MD_ID.findall(path.read_text(encoding="utf-8")))
    assert {"PER-22", "DEC-10", "GL-02"} <= ids, "RULES.md ID table format changed"
    return ids


def ids_of(rules) -> set[str]:
    return {rule.id for rule in rules}


def minimal_rule(**changes) -> dict:
    rule = {
        "id": "test.vietnamese_citizen.sample",
        "kind": "obligation",
        "zone_kinds": ["border_belt"],
        "persons": ["vietnamese_citizen"],
        "text_en": "Sample.",
        "text_vi": "Mẫu.",
        "citations": [{"document": "Law 66/2020/QH14", "article": 11, "rules_ref": "DEC-10"}],
        "effective_from": "2022-01-01",
    }
    rule.update(changes)
    return rule


def minimal_file(*rules: dict) -> dict:
    document = {
        "name": "Law 66/2020/QH14",
        "title_vi": "Luật Biên phòng Việt Nam",
        "effective_from": "2022-01-01",
        "date_basis": "effective",
        "date_source": "RULES.md §0.2",
    }
    return {"schema": 1, "documents": [document], "rules": list(rules) or [minimal_rule()]}


# ------------------------------------------------------------------ coverage and citations


@pytest.mark.parametrize("on", [NEW_YEAR_2026, BEFORE_C112], ids=str)
@pytest.mark.parametrize("person", list(PersonCategory), ids=str)
@pytest.mark.parametrize("zone_kind", list(ZoneKind), ids=str)
def test_rules_for__every_zone_kind_and_person_has_a_rule(catalogue, zone_kind, person, on):
    assert catalogue.rules_for(zone_kind, person, on), f"no rule for {zone_kind} × {person}"


def test_catalogue__every_rule_has_a_citation_and_bilingual_text(catalogue):
    assert len(catalogue) >= 60
    for rule in catalogue:
        assert rule.citations, rule.id
        assert rule.text_en and rule.text_vi, rule.id


def test_citation_ids__all_exist_in_rules_md(catalogue, rules_md_ids):
    missing = sorted(catalogue.citation_ids() - rules_md_ids)
    assert not missing, f"rules_ref not found in RULES.md: {missing}"


def test_citation_ids__cover_the_person_rules_of_rules_md(catalogue):
    expected = {
        "PER-02",
        "PER-10",
        "PER-11",
        "PER-20",
        "PER-22",
        "PER-31",
        "PER-40",
        "PER-41",
        "PER-42",
        "PER-50",
        "PER-51",
        *(f"PER-{n}" for n in range(60, 70)),
    }
    assert expected <= catalogue.citation_ids()


# ------------------------------------------------------------------ real values


def test_rules_for__foreign_resident_in_belt_needs_border_post_consent(catalogue):
    rules = catalogue.rules_for(
        ZoneKind.BORDER_BELT, PersonCategory.FOREIGN_RESIDENT, NEW_YEAR_2026
    )
    consent = catalogue.get("belt.foreign_resident.border_post_consent")
    assert consent in rules
    assert consent.kind is RuleKind.OBLIGATION
    assert not consent.unconfirmed
    [citation] = consent.citations
    assert (citation.document, citation.article, citation.clause, citation.point) == (
        "Circular 112/2025/TT-BQP",
        "1",
        "4",
        "b",
    )
    assert citation.amends == "Circular 43/2015/TT-BQP Art 6(2)(a)"  # S004 L80: point a
    assert citation.rules_ref == "PER-22"
    assert consent.effective_from == date(2025, 12, 5)


def test_rules_for__foreign_resident_in_belt_also_needs_the_permit(catalogue):
    rules = catalogue.rules_for("border_belt", "foreign_resident", NEW_YEAR_2026)
    assert "land.foreign_resident.permit" in ids_of(rules)


def test_rule__organisation_notifies_start_of_works_three_working_days_ahead(catalogue):
    rules = catalogue.rules_for(
        ZoneKind.LAND_BORDER_AREA, PersonCategory.ORGANISATION, NEW_YEAR_2026
    )
    [notice] = [rule for rule in rules if "PER-31" in rule.rules_refs]
    assert notice.lead_time == LeadTime(3, TimeUnit.WORKING_DAYS, before="start of works")
    assert notice.citations[0].label == "Decree 34/2014/NĐ-CP Art 8(2)"
    assert notice.citations[0].amended_by == "Decree 299/2025/NĐ-CP"
    assert notice.effective_from == date(2025, 11, 17)


def test_rule__road_vehicle_in_sea_border_area_notifies_two_working_days_ahead(catalogue):
    rules = catalogue.rules_for(
        ZoneKind.SEA_BORDER_AREA, PersonCategory.ROAD_VEHICLE, NEW_YEAR_2026
    )
    notice = catalogue.get("sea.road_vehicle.notify_border_post")
    assert notice in rules
    assert notice.lead_time == LeadTime(2, TimeUnit.WORKING_DAYS, before="start of the activity")
    assert "Appendix III, Circular 112/2025/TT-BQP" in (notice.form or "")
    assert {"PER-62", "PER-63", "PER-64"} <= set(notice.rules_refs)


def test_rule__road_vehicle_in_belt_has_info_entry_citing_general_rules(catalogue):
    rules = catalogue.rules_for(ZoneKind.BORDER_BELT, PersonCategory.ROAD_VEHICLE, NEW_YEAR_2026)
    info = catalogue.get("belt.road_vehicle.no_specific_rule")
    assert info in rules and info.kind is RuleKind.INFO
    assert {"PER-14", "PER-40"} <= set(info.rules_refs)


def test_rule__belt_notice_uses_form_13_of_appendix_i(catalogue):
    notice = catalogue.get("belt.vietnamese_citizen.notify_border_post")
    assert notice.form == "Form 13, Appendix I, Circular 112/2025/TT-BQP"
    assert "PER-11" in notice.rules_refs


def test_rule__unconfirmed_rules_carry_flag_and_reason(catalogue):
    flagged = [rule for rule in catalogue if rule.unconfirmed]
    assert flagged
    assert all(rule.unconfirmed_reason for rule in flagged)
    assert all(rule.unconfirmed_reason is None for rule in catalogue if not rule.unconfirmed)
    for rule_id, marker in [
        ("sea.vietnamese_citizen.identity_papers", "OQ-08"),  # PER-60 "(2015 text; ...)"
        ("land.organisation.notify_foreigners_brought_in", "Lead time"),  # PER-24
        ("land.foreign_visitor.status_unconfirmed", "OQ-15"),  # PER-27
        ("land.non_resident.barred_literal_reading", "OQ-13"),  # PER-04
        ("land.all.restriction_decisions", "OQ-01"),  # Law 98/2025 changes
    ]:
        rule = catalogue.get(rule_id)
        assert rule.unconfirmed and marker in (rule.unconfirmed_reason or ""), rule_id


# ------------------------------------------------------------------ dates of force


def test_rules_for__circular_112_changes_the_rules_on_2025_12_05(catalogue):
    before = ids_of(catalogue.in_force(BEFORE_C112))
    after = ids_of(catalogue.in_force(AFTER_C112))
    assert "land.all.suspension_procedure.until_2025_12_05" in before - after  # C43 Art 8
    assert "land.all.restriction_decision_forms" in after - before
    belt_before = catalogue.rules_for("border_belt", "vietnamese_citizen", BEFORE_C112)
    belt_after = catalogue.rules_for("border_belt", "vietnamese_citizen", AFTER_C112)
    forms_before = {rule.form for rule in belt_before if "PER-11" in rule.rules_refs}
    forms_after = {rule.form for rule in belt_after if "PER-11" in rule.rules_refs}
    assert "Form 13, Appendix I, Circular 112/2025/TT-BQP" in forms_after - forms_before
    consent = "belt.foreign_resident.border_post_consent"
    assert consent not in ids_of(
        catalogue.rules_for("border_belt", "foreign_resident", BEFORE_C112)
    )


def test_rules_for__effective_to_is_exclusive(catalogue):
    old = catalogue.get("land.vietnamese_citizen.carry_identity_papers.until_2025_12_05")
    new = catalogue.get("land.vietnamese_citizen.carry_identity_papers")
    assert new.supersedes == old.id
    assert old.in_force(date(2025, 12, 4)) and not new.in_force(date(2025, 12, 4))
    assert new.in_force(date(2025, 12, 5)) and not old.in_force(date(2025, 12, 5))


def test_rules_for__decree_299_shortens_ministry_reply_on_2025_11_17(catalogue):
    def reply_days(on: date) -> set[int]:
        rules = catalogue.rules_for("border_belt", "organisation", on)
        return {rule.lead_time.amount for rule in rules if "PER-30" in rule.rules_refs}

    assert reply_days(date(2025, 11, 16)) == {30}
    assert reply_days(date(2025, 11, 17)) == {20}


def test_rules_for__datetime_is_read_on_the_hanoi_calendar(catalogue):
    late_utc = datetime(2025, 12, 4, 18, 0, tzinfo=UTC)  # 01:00 on 5 Dec in Hanoi
    rules = catalogue.rules_for("border_belt", "foreign_resident", late_utc)
    assert "belt.foreign_resident.border_post_consent" in ids_of(rules)
    naive_hanoi = datetime(2025, 12, 4, 23, 59)
    rules = catalogue.rules_for("border_belt", "foreign_resident", naive_hanoi)
    assert "belt.foreign_resident.border_post_consent" not in ids_of(rules)


# ------------------------------------------------------------------ parsing inputs


def test_parse_person__unknown_category_raises_invalid_input_naming_person():
    with pytest.raises(InvalidInput) as caught:
        parse_person("tourist")
    assert caught.value.field == "person"
    for category in PersonCategory:
        assert category.value in caught.value.message


def test_parse_person__accepts_case_and_hyphen_variants():
    assert parse_person("Foreign-Resident") is PersonCategory.FOREIGN_RESIDENT
    assert parse_person(PersonCategory.ROAD_VEHICLE) is PersonCategory.ROAD_VEHICLE


def test_rules_for__unknown_person_or_zone_raises_invalid_input(catalogue):
    with pytest.raises(InvalidInput) as caught:
        catalogue.rules_for("border_belt", "smuggler", NEW_YEAR_2026)
    assert caught.value.field == "person"
    with pytest.raises(InvalidInput) as caught:
        catalogue.rules_for("air_border_area", "organisation", NEW_YEAR_2026)
    assert caught.value.field == "zone_kind"


def test_catalogue_get__unknown_rule_raises_not_found(catalogue):
    with pytest.raises(NotFound) as caught:
        catalogue.get("belt.nobody.nothing")
    assert caught.value.field == "rule_id"


def test_rule_to_dict__is_json_ready_with_citations_and_flag(catalogue):
    data = catalogue.get("sea.vietnamese_citizen.identity_papers").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["unconfirmed"] is True
    assert data["citations"][0]["label"] == "Decree 71/2015/NĐ-CP Art 6(1)"
    assert data["citations"][0]["rules_ref"] == "PER-60"
    assert data["effective_from"] == "2015-09-03"
    assert data["persons"] == ["vietnamese_citizen"]


# ------------------------------------------------------------------ loader


def test_load_catalogue__is_cached():
    assert load_catalogue() is load_catalogue()


def test_load_catalogue__yaml_is_declared_package_data():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "rules/*.yaml" in pyproject["tool"]["setuptools"]["package-data"]["geo"]


def test_load_catalogue__reads_a_given_path(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(minimal_file(), allow_unicode=True), encoding="utf-8")
    loaded = load_catalogue(path)
    assert [rule.id for rule in loaded] == ["test.vietnamese_citizen.sample"]
    assert loaded.get("test.vietnamese_citizen.sample").citations[0].article == "11"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"citations": []}, "at least one citation"),
        ({"zone_kinds": ["air_border_area"]}, "zone_kind"),
        ({"persons": ["tourist"]}, "person"),
        ({"kind": "advice"}, "unknown kind"),
        ({"effective_to": "2021-01-01"}, "effective_to"),
        ({"unconfirmed": True}, "unconfirmed_reason"),
        ({"lead_time": {"amount": 3, "unit": "weeks", "before": "x"}}, "lead_time"),
        ({"citations": [{"document": "Law 66/2020/QH14", "article": 11}]}, "rules_ref"),
        (
            {"citations": [{"document": "Decree 1/2000", "article": 1, "rules_ref": "PER-01"}]},
            "undeclared document",
        ),
        ({"effective_from": "2020-01-01"}, "precedes every cited document"),
        ({"supersedes": "test.nothing.here"}, "supersedes unknown"),
        ({"colour": "blue"}, "unknown rule field"),
    ],
)
def test_parse_catalogue__bad_rule_raises_naming_the_rule(changes, message):
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(minimal_file(minimal_rule(**changes)))
    assert str(caught.value).startswith("test.vietnamese_citizen.sample:")
    assert message in str(caught.value)
    assert isinstance(caught.value, DataError)


def test_parse_catalogue__duplicate_id_raises():
    with pytest.raises(CatalogueError, match="duplicate rule id"):
        parse_catalogue(minimal_file(minimal_rule(), minimal_rule()))


# ------------------------------------------------------------------ revised RULES.md (issue 16)


def test_rules_for__foreign_visitor_in_belt_reads_duties_first(catalogue):
    rules = [r.id for r in catalogue.rules_for("border_belt", "foreign_visitor", NEW_YEAR_2026)]
    permit, overnight, fine = (rules.index(i) for i in (
        "land.foreign_visitor.permit", "land.foreign_visitor.overnight_declared",
        "land.foreigner.fine_without_papers"))
    assert permit == 0 and permit < overnight < fine
    kinds = [catalogue.get(i).kind for i in rules]
    assert kinds == sorted(kinds, key=[RuleKind.OBLIGATION, RuleKind.PROHIBITION,
                                       RuleKind.PERMISSION, RuleKind.INFO].index)
    fine_rule = catalogue.get("land.foreigner.fine_without_papers")
    assert fine_rule.unconfirmed and "PER-26" in fine_rule.unconfirmed_reason
    assert fine_rule.citations[0].label == "Decree 96/2020/NĐ-CP Art 6(2)(d)"
    assert catalogue.get("land.foreign_visitor.overnight_declared").form.startswith("Form 14")


def test_rule__foreign_duties_stood_in_2015_and_were_restated_in_2025(catalogue):
    for person in ("foreign_resident", "foreign_visitor"):
        new = catalogue.get(f"land.{person}.permit")
        old = catalogue.get(new.supersedes)
        assert (old.effective_from, old.effective_to) == (date(2015, 5, 28), date(2025, 12, 5))
        assert old.citations[0].label == "Circular 43/2015/TT-BQP Art 6(2)(a)"
        assert new.citations[0].amends == "Circular 43/2015/TT-BQP Art 6(2)(a)"


def test_rule__per67_cites_art_7_3_and_binds_the_foreigner(catalogue):
    rules = catalogue.rules_for("sea_border_area", "foreign_resident", NEW_YEAR_2026)
    [notice] = [r for r in rules if "PER-67" in r.rules_refs]
    labels = [c.label for c in notice.citations]
    assert "Decree 71/2015/NĐ-CP Art 7(3)" in labels
    assert not any("Art 7(4)" in label for label in labels)
    assert notice.persons == (PersonCategory.FOREIGN_RESIDENT,)
    organisation = catalogue.rules_for("sea_border_area", "organisation", NEW_YEAR_2026)
    assert not any("PER-67" in r.rules_refs for r in organisation)
    old = catalogue.get(notice.supersedes)  # the 2015 employer's notice within 24 hours
    assert "Decree 71/2015/NĐ-CP Art 7(4)" in [c.label for c in old.citations]


def test_rule__organisation_bringing_foreigners_notifies_24_hours_ahead(catalogue):
    notice = catalogue.get("land.organisation.notify_foreigners_brought_in")
    assert notice.lead_time == LeadTime(24, TimeUnit.HOURS,
                                        before="arrival of the foreigners in the land border area")
    assert "Decree 34/2014/NĐ-CP Art 6(2)(b)" in [c.label for c in notice.citations]


def test_rule__sea_zones_name_their_authorities(catalogue):
    restricted = catalogue.get("restricted_area_sea.all.restricted_activities")
    assert "line ministry" in restricted.text_en and "GEO-SEA-06" in restricted.rules_refs
    prohibited = catalogue.get("prohibited_zone_sea.all.zone_rules")
    assert "chairman of the coastal provincial People's Committee" in prohibited.text_en
    temporary = catalogue.get("territorial_sea.all.temporary_zone_decision")
    assert temporary.lead_time == LeadTime(15, TimeUnit.DAYS, before=temporary.lead_time.before)
    assert "Notice to Mariners" in temporary.lead_time.before


def test_rule__border_resident_definition_is_flagged(catalogue):
    rule = catalogue.get("land.border_resident.may_reside")
    assert rule.unconfirmed and "OQ-19" in rule.unconfirmed_reason
    assert "GL-03" in rule.rules_refs


def test_rule__maritime_administration_has_its_current_name(catalogue):
    drills = catalogue.get("sea.organisation.notify_drills")
    assert "Cục Hàng hải và Đường thủy Việt Nam" in drills.text_vi
    assert "Maritime and Inland Waterways Administration" in drills.text_en


@pytest.mark.parametrize("ref", ["DEC-30", "DEC-32", "DEC-60", "DEC-61", "DEC-62", "DEC-63",
                                 "DEC-64", "EP-03", "EP-04", "EP-06", "EP-10", "EP-11", "EP-12",
                                 "EP-13", "EP-14", "EP-15", "GEO-GATE-10", "GL-22", "GEO-SEA-06",
                                 "PER-26"])
def test_citation_ids__cover_the_rules_added_from_the_revised_rules_md(catalogue, ref):
    assert ref in catalogue.citation_ids()


def test_rule__seaport_e_border_declares_4_hours_before_arrival(catalogue):
    rules = catalogue.rules_for("sea_border_area", "organisation", NEW_YEAR_2026)
    [declare] = [r for r in rules if "EP-12" in r.rules_refs and r.kind is RuleKind.OBLIGATION]
    assert declare.lead_time == LeadTime(4, TimeUnit.HOURS,
                                         before="arrival of the vessel at the port")
    assert "2 hours before departure" in declare.text_en


def test_rules_md_ids__each_is_used_or_listed_not_applicable(catalogue, rules_md_ids):
    from geo.rules.browse import authority_ids

    rule_ids = {i for i in rules_md_ids if not i.startswith(("P-", "OQ-"))}
    covered = catalogue.citation_ids() | set(catalogue.not_applicable) | authority_ids()
    assert not sorted(rule_ids - covered)
    assert not set(catalogue.not_applicable) - rules_md_ids  # no stale IDs
    assert all(len(reason) > 40 for reason in catalogue.not_applicable.values())


def test_docs_rules_md__matches_the_catalogue():
    from geo.rules.browse import rules_markdown

    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), "regenerate: borderzone rules --markdown > docs/rules.md"


def test_rules_at__filters_and_orders(catalogue):
    from geo.rules.browse import rules_at

    listing = rules_at(NEW_YEAR_2026, "border_belt", "foreign_visitor")
    assert [r["id"] for r in listing["rules"]] == [
        r.id for r in catalogue.rules_for("border_belt", "foreign_visitor", NEW_YEAR_2026)]
    everything = rules_at(NEW_YEAR_2026)
    assert everything["count"] == len(catalogue.in_force(NEW_YEAR_2026))
    with pytest.raises(InvalidInput) as caught:
        rules_at(NEW_YEAR_2026, zone="air_border_area")
    assert caught.value.field == "zone_kind"


def test_check_depth__issuer_decides_beyond_100_to_1000_m():
    from geo.location.border import BeltIssuer, check_depth

    assert check_depth(1500.0, "Quyết định …/QĐ-TTg", "prime_minister") is BeltIssuer.PRIME_MINISTER
    assert check_depth(30.0, "Quyết định 679/QĐ-TTg", BeltIssuer.PRIME_MINISTER)
    assert check_depth(1000.0, "Nghị quyết …/NQ-HĐND", "provincial_peoples_council")
    for depth in (1500.0, 99.0):
        with pytest.raises(InvalidInput) as caught:
            check_depth(depth, "Quyết định …/QĐ-TTg", "provincial_peoples_committee")
        assert caught.value.field == "depth_m" and "Art 3(1)(b)" in caught.value.message
