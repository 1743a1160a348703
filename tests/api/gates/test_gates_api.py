"""Gates and crossings on the real gate list and the real rules (issue 14): documents per
gate type x border x holder, status at T with next_change, e-border procedures, attacks."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.routers import gates as gates_router
from api.routers.decisions import get_bind as decisions_bind
from api.schemas.gates import DOCUMENT_CODES
from geo.common.security import Principal, Role
from geo.common.timeutil import HANOI
from geo.rules.crossings import load_crossings
from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import OFFICER, add_test_gates, auth, decision_body

client = decision_support.client  # fixture

MONG_CAI, HUU_NGHI, CO_SAU = "VN-GATE-004", "VN-GATE-010", "VN-GATE-008"  # CHN border
MOC_BAI, HUNG_DIEN = "VN-GATE-065", "VN-GATE-075"  # KHM border: international, auxiliary
ARRIVAL = "2026-03-02T09:00:00+07:00"
DAY = datetime(2025, 9, 1, tzinfo=HANOI)  # the suspension day (in the past: recordable)


@pytest.fixture()
def api(client, conn):
    """The API inside the test's rolled-back transaction, with checkpoint areas for the
    Lạng Sơn test gates (a gate decision resolves its area from one)."""
    add_test_gates(conn)
    for dep in (gates_router.get_bind, decisions_bind):
        client.app.dependency_overrides[dep] = lambda: conn
    try:
        yield client
    finally:
        for dep in (gates_router.get_bind, decisions_bind):
            client.app.dependency_overrides.pop(dep, None)


def crossing(api, gate_id, nationality, category, documents, arrival=ARRIVAL, **extra):
    body = {"gate_id": gate_id, "direction": "entry", "nationality": nationality,
            "category": category, "documents": documents, "arrival": arrival, **extra}
    return api.post("/v1/crossings/check", json=body)


def answer(api, *args, **kwargs) -> dict:
    response = crossing(api, *args, **kwargs)
    assert response.status_code == 200, response.text
    data = response.json()
    for option in data["accepted_documents"]:  # every answer cites its article
        assert option["citation"]["article"] and option["citation"]["rules_ref"]
    return data


def labels(data: dict) -> set[str]:
    return {option["label"] for option in data["accepted_documents"]}


# --------------------------------------------------------------------------- documents
def test_crossing__mong_cai_accepts_a_vietnamese_passport(api):
    data = answer(api, MONG_CAI, "VNM", "vietnamese_citizen", ["passport"])
    assert data["gate"]["name"] == "Móng Cái" and data["gate"]["gate_type"] == "international"
    assert data["accepted"] is True and data["verdict"] == "accepted"
    [held] = data["held_accepted"]
    assert held["label"] == "passport"
    assert held["citation"]["label"] == "Circular 112/2025/TT-BQP Art 2(3)(a)"
    assert held["citation"]["rules_ref"] == "DOC-01"


def test_crossing__mong_cai_accepts_a_neighbour_citizens_border_pass(api):
    data = answer(api, MONG_CAI, "CHN", "border_resident", ["border_pass"])
    assert data["accepted"] is True and data["holder"] == "neighbour"
    assert [h["citation"]["rules_ref"] for h in data["held_accepted"]] == ["DOC-10"]
    assert data["e_procedure"]["code"] is None  # no visa procedure for a border-pass holder


def test_crossing__auxiliary_china_gate_lists_passes_not_passports(api):
    data = answer(api, CO_SAU, "VNM", "vietnamese_citizen", ["passport"])
    assert data["gate"]["name"] == "Co Sâu" and data["gate"]["gate_type"] == "auxiliary"
    assert data["accepted"] is False and data["verdict"] == "not_listed"
    assert labels(data) == {"border_pass", "entry_exit_pass", "border_area_entry_exit_pass",
                            "repatriation_pass", "pass"}
    assert {o["citation"]["rules_ref"] for o in data["accepted_documents"]} == {"DOC-02"}


def test_crossing__chinese_resident_with_border_area_pass_at_auxiliary_gate(api):
    data = answer(api, CO_SAU, "CHN", "border_resident", ["border_area_entry_exit_pass"])
    assert data["accepted"] is True
    [held] = data["held_accepted"]
    assert held["citation"]["label"] == "Circular 112/2025/TT-BQP Art 2(3)(d)"
    assert held["citation"]["rules_ref"] == "DOC-11" and held["only_on_borders"] == ["CHN"]
    assert labels(data) == {"border_pass", "border_area_entry_exit_pass"}


@pytest.mark.parametrize("gate_id", [MOC_BAI, HUNG_DIEN])
def test_crossing__cambodian_resident_id_card_on_the_cambodia_border(api, gate_id):
    data = answer(api, gate_id, "KHM", "border_resident", ["id_card"])
    assert data["accepted"] is True
    [held] = data["held_accepted"]
    assert held["border_residents_only"] is True and held["only_on_borders"] == ["KHM"]
    assert held["citation"]["rules_ref"] in ("DOC-10", "DOC-11")


def test_crossing__cambodian_id_card_is_not_listed_on_the_china_border(api):
    data = answer(api, MONG_CAI, "KHM", "third_country_national", ["id_card"])
    assert data["accepted"] is False and data["holder"] == "foreign"
    assert labels(data) == {"passport|travel_document + visa|visa_exemption"}
    chinese = answer(api, MONG_CAI, "CHN", "border_resident", ["id_card"])
    assert chinese["accepted"] is False and "id_card" not in labels(chinese)
    refused = crossing(api, MONG_CAI, "KHM", "border_resident", ["id_card"])
    assert refused.status_code == 422 and refused.json()["field"] == "nationality"


def test_crossing__third_country_national_not_at_auxiliary_gate(api):
    data = answer(api, CO_SAU, "USA", "third_country_national", ["passport", "visa"])
    assert data["verdict"] == "not_permitted_at_gate" and data["accepted"] is False
    assert data["gate_users"]["citation"]["rules_ref"] == "GL-22"


def test_crossing__before_the_2025_list_is_not_determined(api):
    data = answer(api, MONG_CAI, "VNM", "vietnamese_citizen", ["passport"],
                  arrival="2025-11-01T09:00")
    assert data["verdict"] == "not_determined" and data["accepted"] is False
    assert data["document_rule"]["effective_to"] == "2025-12-05"
    assert data["document_rule"]["unconfirmed"] is True


# --------------------------------------------------------------------------- e-procedures
def test_crossing__tour_group_at_international_gate_declares_six_hours_before(api):
    data = answer(api, HUU_NGHI, "VNM", "tourist_group", ["passport"])
    ep = data["e_procedure"]
    assert ep["code"] == "group_land_gate" and ep["nsw_item"] == 1
    assert ep["available"] is True and ep["optional"] is True
    assert ep["declare_by"] == "2026-03-02T03:00:00+07:00"
    assert ep["confirm_within"] == "PT3H" and ep["confirm_after"] == "a complete declaration"
    cited = {(c["label"], c["rules_ref"]) for c in ep["citations"]}
    assert ("Decision 15/2019/QĐ-TTg Art 10(1)", "EP-05") in cited
    assert [ch["name"] for ch in ep["channels"]] == ["border_guard_portal",
                                                     "national_single_window"]
    assert ep["login"]["unconfirmed"] is True  # VNeID (EP-06)


def test_crossing__e_procedure_not_available_at_auxiliary_gate(api):
    ep = answer(api, CO_SAU, "VNM", "tourist_group", ["border_pass"])["e_procedure"]
    assert ep["code"] == "group_land_gate" and ep["available"] is False
    assert "auxiliary" in ep["reason"]
    citizen = answer(api, CO_SAU, "VNM", "vietnamese_citizen", ["pass"])["e_procedure"]
    assert citizen["available"] is False and citizen["declare_before_hours"] == 3


def test_crossing__visa_at_gate_only_at_international_gates(api):
    ep = answer(api, MONG_CAI, "USA", "third_country_national", ["passport"])["e_procedure"]
    assert ep["code"] == "visa_at_gate" and ep["available"] is True
    assert ep["declare_by"] == "2026-03-01T21:00:00+07:00"


def test_crossing__arrival_without_offset_is_hanoi_time(api):
    data = answer(api, HUU_NGHI, "VNM", "tourist_group", ["passport"],
                  arrival="2026-03-02T09:00")
    assert data["arrival"] == ARRIVAL
    assert data["e_procedure"]["declare_by"] == "2026-03-02T03:00:00+07:00"


# --------------------------------------------------------------------------- status at T
def _suspend(api, hours: float = 12) -> str:
    body = decision_body("gate", "commander", hours, "auxiliary", start=DAY.replace(hour=8),
                         kind="suspend")
    response = api.post("/v1/decisions", json=body, headers=auth(api))
    assert response.status_code == 201, response.text
    return body["number"]


def _status(api, at: str, gate_id: str = CO_SAU) -> dict:
    response = api.get(f"/v1/gates/{gate_id}/status", params={"at": at})
    assert response.status_code == 200, response.text
    return response.json()


def test_status__suspended_from_8_to_20_closed_at_noon_open_at_20(api):
    number = _suspend(api)
    noon = _status(api, "2025-09-01T12:00")
    assert noon["state"] == "closed" and noon["open"] is False
    assert noon["reasons"][0]["number"] == number
    assert noon["reasons"][0]["citation"].startswith("Law 66/2020/QH14 Art 11(4)")
    assert noon["next_change"]["at"] == "2025-09-01T20:00:00+07:00"
    assert noon["next_change"]["state"] == "open"
    evening = _status(api, "2025-09-01T20:00")
    assert evening["state"] == "open" and evening["hours_known"] is False
    assert evening["reasons"][0]["kind"] == "hours_unknown" and evening["next_change"] is None
    assert _status(api, "2025-09-01T07:59:59")["next_change"]["at"] == \
        "2025-09-01T08:00:00+07:00"


def test_status__with_hours_set_next_change_follows_the_hours(api):
    _suspend(api)
    response = api.post(f"/v1/gates/{CO_SAU}/hours", headers=auth(api), json={
        "opens": "07:00", "closes": "22:00", "valid_from": "2025-01-01T00:00",
        "instrument": "Thông báo 12/TB-UBND tỉnh Lạng Sơn (test)"})
    assert response.status_code == 201, response.text
    noon = _status(api, "2025-09-01T12:00")
    assert noon["hours_known"] is True and noon["next_change"]["at"].startswith(
        "2025-09-01T20:00")
    evening = _status(api, "2025-09-01T20:00")
    assert evening["state"] == "open" and evening["reasons"][0]["instrument"].startswith(
        "Thông báo 12")
    assert evening["next_change"] == {**evening["next_change"],
                                      "at": "2025-09-01T22:00:00+07:00", "state": "closed"}
    night = _status(api, "2025-09-01T23:00")
    assert night["state"] == "closed" and night["next_change"]["at"] == \
        "2025-09-02T07:00:00+07:00"


def test_status__emergency_opening_opens_outside_hours(api, conn):
    api.post(f"/v1/gates/{CO_SAU}/hours", headers=auth(api), json={
        "opens": "07:00", "closes": "22:00", "valid_from": "2025-01-01T00:00",
        "instrument": "test"})
    response = api.post(f"/v1/gates/{CO_SAU}/emergency-openings", headers=auth(api), json={
        "number": "EO-1/TEST", "reason": "emergency_rescue", "reason_text": "cấp cứu",
        "agreed_with": "Trạm Biên phòng Ái Điểm", "ordered_by": "Ban CH BĐBP Lạng Sơn",
        "valid_from": "2025-09-01T23:00", "valid_to": "2025-09-02T01:00"})
    assert response.status_code == 201, response.text
    at = _status(api, "2025-09-01T23:30")
    assert at["state"] == "open" and at["reasons"][0]["kind"] == "emergency_opening"
    assert at["reasons"][0]["citations"][0]["rules_ref"] == "DEC-63"
    assert at["next_change"]["at"] == "2025-09-02T01:00:00+07:00"
    again = api.post(f"/v1/gates/{CO_SAU}/emergency-openings", headers=auth(api),
                     json={**response.json(), "reason": "fire"})
    assert again.status_code == 409 and again.json()["field"] == "number"
    audit = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity_id = :g AND "
                              "action LIKE 'gate.%'"), {"g": CO_SAU}).scalar_one()
    assert audit == 2


def test_status__as_known_at_before_the_decision_was_recorded(api):
    _suspend(api)
    headers = auth(api)
    earlier = api.get(f"/v1/gates/{CO_SAU}/status", headers=headers,
                      params={"at": "2025-09-01T12:00", "as_known_at": "2025-08-01T00:00"})
    assert earlier.status_code == 200 and earlier.json()["state"] == "open"
    anonymous = api.get(f"/v1/gates/{CO_SAU}/status",
                        params={"at": "2025-09-01T12:00", "as_known_at": "2025-08-01T00:00"})
    assert anonymous.status_code == 403 and anonymous.json()["field"] == "as_known_at"


def test_gate_detail__lists_hours_unknown_and_the_decision(api):
    number = _suspend(api, hours=12)
    data = api.get(f"/v1/gates/{CO_SAU}", headers=auth(api)).json()
    assert data["hours"]["known"] is False and "treaties" in data["hours"]["source"]
    assert data["location"] is None and data["checkpoint_areas"]
    assert number in [d["number"] for d in data["decisions"]]


# --------------------------------------------------------------------------- registry
@pytest.mark.parametrize("q", ["Móng Cái", "mong cai", "MONG", "móng"])
def test_list__text_search_with_and_without_diacritics(api, q):
    gates = api.get("/v1/gates", params={"q": q}).json()["gates"]
    assert [g["id"] for g in gates] == [MONG_CAI]


def test_list__filters_and_wildcards(api):
    aux = api.get("/v1/gates", params={"type": "auxiliary", "neighbour": "CHN"}).json()
    assert {g["name"] for g in aux["gates"]} == {"Co Sâu", "Pò Nhùng", "Bình Nghi", "Nà Nưa"}
    assert api.get("/v1/gates", params={"q": "%"}).json()["count"] == 0
    assert api.get("/v1/gates", params={"province": "80"}).json()["count"] == 11
    bad = api.get("/v1/gates", params={"type": "airport"})
    assert bad.status_code == 422 and bad.json()["field"] == "type"


def test_vocabulary__published_and_equal_to_the_schema(api):
    codes = [d["code"] for d in api.get("/v1/crossings/documents").json()["documents"]]
    assert tuple(codes) == DOCUMENT_CODES == tuple(load_crossings().vocabulary)


# --------------------------------------------------------------------------- attacks
@pytest.mark.parametrize(("field", "value"), [
    ("nationality", "XXX"), ("nationality", "VN"), ("category", "tourist"),
    ("documents", ["passport", "drivers_licence"]), ("arrival", "tomorrow"),
    ("direction", "in"), ("documents", "passport"), ("arrival", "9999-12-31T23:00"),
    ("gate_id", "VN-GATE\x00004"),
])
def test_crossing__bad_input_is_422_naming_the_field(api, field, value):
    body = {"gate_id": MONG_CAI, "direction": "entry", "nationality": "VNM",
            "category": "vietnamese_citizen", "documents": ["passport"], "arrival": ARRIVAL,
            field: value}
    response = api.post("/v1/crossings/check", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_status__absurd_instants_and_nul_are_4xx_not_500(api):
    far = api.get(f"/v1/gates/{CO_SAU}/status", params={"at": "0001-01-01T00:00"})
    assert far.status_code == 422 and far.json()["field"] == "at"
    assert api.get("/v1/gates", params={"q": "Mong\x00"}).status_code == 422
    assert api.get("/v1/gates", params={"province": "2\x000"}).json()["count"] == 0


def test_crossing__unknown_gate_is_404(api):
    assert crossing(api, "VN-GATE-999", "VNM", "vietnamese_citizen", []).status_code == 404
    assert api.get("/v1/gates/VN-GATE-999/status").status_code == 404
    assert api.get("/v1/gates/VN-GATE-999").status_code == 404


def test_hours__officer_of_another_province_is_403_anonymous_401(api):
    body = {"opens": "07:00", "closes": "22:00", "valid_from": "2025-01-01",
            "instrument": "test"}
    other = Principal(subject="officer-qn", roles=frozenset({Role.OFFICER}),
                      provinces=frozenset({"22"}))
    wrong = api.post(f"/v1/gates/{CO_SAU}/hours", json=body, headers=auth(api, other))
    assert wrong.status_code == 403 and wrong.json()["field"] == "province_code"
    assert api.post(f"/v1/gates/{CO_SAU}/hours", json=body).status_code == 401
    assert api.post(f"/v1/gates/{MONG_CAI}/hours", json=body,
                    headers=auth(api, other)).status_code == 201
    bad = api.post(f"/v1/gates/{CO_SAU}/hours", json={**body, "closes": "06:00"},
                   headers=auth(api, OFFICER))
    assert bad.status_code == 422 and bad.json()["field"] == "closes"


def test_hours__are_append_only(api, conn):
    api.post(f"/v1/gates/{CO_SAU}/hours", headers=auth(api), json={
        "opens": "07:00", "closes": "22:00", "valid_from": "2025-01-01", "instrument": "t"})
    with pytest.raises(DBAPIError) as err, conn.begin_nested():
        conn.execute(text("UPDATE gate_hours SET opens_min = 0 WHERE gate_id = :g"),
                     {"g": CO_SAU})
    assert err.value.orig.sqlstate == "BZ001"  # borderzone_append_only() of migration 0002


def test_emergency_opening__two_officers_same_number_one_wins(client):
    """Committed (legal records stay): far-future window on Pò Nhùng, unique number."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.api.decisions.decision_support import uid

    body = {"number": uid("EO"), "reason": "natural_disaster", "reason_text": "lũ quét",
            "agreed_with": "Trạm Biên phòng (test)", "ordered_by": "Ban CH BĐBP Lạng Sơn",
            "valid_from": "2199-06-01T22:00", "valid_to": "2199-06-01T23:00"}
    headers = auth(client)

    def post(_):
        return client.post("/v1/gates/VN-GATE-009/emergency-openings", json=body,
                           headers=headers).status_code

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(post, range(2))) == [201, 409]
