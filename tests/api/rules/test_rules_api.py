"""GET /v1/rules: the rule set in force at an instant, as anyone may read it."""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from geo.rules import load_catalogue


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(Settings(), url=db_url)) as c:
        yield c


def _ids(client, at: str, **params) -> set[str]:
    response = client.get("/v1/rules", params={"at": at, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["rules"])
    return {rule["id"] for rule in body["rules"]}


def test_rules__mid_2025_and_new_year_2026_differ_where_a_date_falls_between(client):
    before, after = date(2025, 6, 1), date(2026, 1, 1)
    catalogue = load_catalogue()  # the expected difference, computed from the dates alone
    starts = {r.id for r in catalogue if before < r.effective_from <= after
              and (r.effective_to is None or r.effective_to > after)}
    ends = {r.id for r in catalogue if r.effective_to is not None
            and before < r.effective_to <= after and r.effective_from <= before}
    old, new = _ids(client, "2025-06-01"), _ids(client, "2026-01-01")
    assert new - old == starts and old - new == ends
    assert "land.foreign_visitor.permit" in new - old  # Circular 112/2025, 2025-12-05
    assert "land.foreign_visitor.permit.until_2025_12_05" in old - new
    assert "belt.organisation.ministry_opinions" in new - old  # Decree 299/2025, 2025-11-17
    assert "land.foreigner.fine_without_papers" in old & new  # Decree 96/2020, both dates


def test_rules__filters_by_zone_and_person_with_citations_and_flags(client):
    body = client.get("/v1/rules", params={"at": "2026-01-01T09:00", "zone": "border_belt",
                                           "person": "foreign_visitor"}).json()
    assert (body["on"], body["zone_kind"], body["person"]) == (
        "2026-01-01", "border_belt", "foreign_visitor")
    first = body["rules"][0]
    assert first["id"] == "land.foreign_visitor.permit"
    assert first["unconfirmed"] and "PER-27" in first["unconfirmed_reason"]
    assert first["citations"][0]["label"] == "Circular 112/2025/TT-BQP Art 1(4)(b)"
    assert "PER-20" in first["rules_refs"]
    assert all(r["citations"] and r["rules_refs"] for r in body["rules"])


@pytest.mark.parametrize("params, field", [
    ({"zone": "air_border_area"}, "zone_kind"), ({"person": "smuggler"}, "person"),
    ({"at": "yesterday"}, "at")])
def test_rules__bad_query_is_422_naming_the_field(client, params, field):
    response = client.get("/v1/rules", params=params)
    assert response.status_code == 422
    assert field in response.text
