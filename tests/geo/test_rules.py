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

from geo.errors import DataError, InvalidInput, NotFound
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
from geo.zones import PersonCategory, ZoneKind

REPO = Path(__file__).resolve().parents[2]
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
    assert citation.amends == "Circular 43/2015/TT-BQP Art 6(2)"
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
