"""The decision API's contract: roles, province scope, errors, the real gates' refusal."""

from __future__ import annotations

import pytest

from geo.common.security import ANONYMOUS, Principal, Role
from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import OFFICER, T0, auth, decision_body, path

client = decision_support.client  # fixture
tx_client = decision_support.tx_client  # fixture


def _as(role: Role, provinces=()) -> Principal:
    return Principal(subject=f"{role.value}-test", roles=frozenset({role}),
                     provinces=frozenset(provinces))


def _headers(api, who: Principal) -> dict:
    return {} if who is ANONYMOUS else auth(api, who)


@pytest.fixture()
def recorded(tx_client) -> str:
    body = decision_body()
    response = tx_client.post("/v1/decisions", json=body, headers=auth(tx_client))
    assert response.status_code == 201, response.text
    return body["number"]


@pytest.mark.parametrize(("who", "status"), [
    (ANONYMOUS, 401), (_as(Role.PUBLIC), 403), (_as(Role.APP), 403),
    (_as(Role.PLANNER), 403), (_as(Role.APPROVER, ["08"]), 403),
    (_as(Role.OFFICER, ["20"]), 403),  # another province
    (_as(Role.OFFICER, ["08"]), 201), (_as(Role.ADMIN), 201),
])
def test_issue__only_officers_of_the_province_write(tx_client, who, status):
    response = tx_client.post("/v1/decisions", json=decision_body(),
                              headers=_headers(tx_client, who))
    assert response.status_code == status, response.text


@pytest.mark.parametrize(("who", "status"), [
    (ANONYMOUS, 401), (_as(Role.PUBLIC), 403), (_as(Role.APP), 403),
    (_as(Role.PLANNER), 200), (_as(Role.OFFICER, ["20"]), 200), (_as(Role.APPROVER, ["20"]), 200),
])
def test_get__cleared_roles_read(tx_client, recorded, who, status):
    response = tx_client.get(path(recorded), headers=_headers(tx_client, who))
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["history"][0]["recorded_by"] == OFFICER.subject


def test_list__apps_see_decisions_in_force_without_who_recorded_them(tx_client, recorded):
    app = _as(Role.APP)
    response = tx_client.get("/v1/decisions", params={"active_at": T0.isoformat(),
                                                      "province": "08"},
                             headers=auth(tx_client, app))
    assert response.status_code == 200, response.text
    found = {d["number"]: d for d in response.json()["decisions"]}
    assert recorded in found
    assert found[recorded]["recorded_by"] is None and found[recorded]["history"] is None
    for params in ({"as_known_at": T0.isoformat()}, {"status": "expired"}):
        refused = tx_client.get("/v1/decisions", params=params, headers=auth(tx_client, app))
        assert refused.status_code == 403, params
    anonymous = tx_client.get("/v1/decisions")
    assert anonymous.status_code == 401


def test_notice__officers_render_others_do_not(tx_client, recorded):
    ok = tx_client.get(path(recorded, "/notices/17"), headers=auth(tx_client))
    assert ok.status_code == 200 and "QUYẾT ĐỊNH" in ok.text
    app = tx_client.get(path(recorded, "/notices/17"), headers=auth(tx_client, _as(Role.APP)))
    assert app.status_code == 403


@pytest.mark.parametrize(("form", "field"), [("99", "form_id"), ("II-01", "form_id")])
def test_notice__form_not_fitting_the_decision_422(tx_client, recorded, form, field):
    response = tx_client.get(path(recorded, f"/notices/{form}"), headers=auth(tx_client))
    assert response.status_code == 422 and response.json()["field"] == field


def test_get__unknown_decision_404(tx_client):
    response = tx_client.get(path("0/QĐ-NONE"), headers=auth(tx_client))
    assert response.status_code == 404


def test_issue__real_gate_has_no_area_422_says_why(tx_client):
    body = decision_body("gate", "commander", 6, "main")
    response = tx_client.post("/v1/decisions", json=body, headers=auth(tx_client))
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == "invalid_input" and error["field"] == "area"
    assert "Chi Ma" in error["message"] and "no coordinates" in error["message"]


@pytest.mark.parametrize(("params", "field"), [
    ({"bbox": "105,23,104,24"}, "bbox"), ({"bbox": "1,2,3"}, "bbox"),
    ({"active_at": "yesterday"}, "active_at"), ({"status": "paused"}, "status"),
    ({"scope": "sea"}, "scope"),
])
def test_list__bad_filters_422(tx_client, params, field):
    response = tx_client.get("/v1/decisions", params=params, headers=auth(tx_client))
    assert response.status_code == 422 and response.json()["field"] == field


def test_issue__signed_in_the_future_422(tx_client):
    body = decision_body(start=T0.replace(year=2099))
    response = tx_client.post("/v1/decisions", json=body, headers=auth(tx_client))
    assert response.status_code == 422 and response.json()["field"] == "signed_at"


def test_issue__response_carries_geometry_obligations_and_form(tx_client):
    response = tx_client.post("/v1/decisions", json=decision_body(), headers=auth(tx_client))
    body = response.json()
    assert body["form_id"] == "17"
    assert any("Form 19" in o for o in body["obligations"])
    assert body["decision"]["geometry"]["type"] == "MultiPolygon"
    assert body["decision"]["area_text"] == "vành đai biên giới thuộc xã Lũng Cú, tỉnh Tuyên Quang"
