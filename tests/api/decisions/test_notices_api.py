"""Forms 18, 22, 23 and Appendix II-01…04 over HTTP, filled from acts recorded through the API
(in the test's rolled-back transaction): the act's number, the area (communes, or the gate
and its province, from the real data), the period in Hanoi time and the issuer.

Instants are sent in UTC, so a period read as "08 giờ 00 phút" proves the Hanoi conversion
(T0 is 08:00 Hanoi = 01:00 UTC). Wording of refusals is not asserted here, only fields."""

from __future__ import annotations

from datetime import UTC

import pytest

from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import (
    T0,
    H,
    add_test_gates,
    auth,
    decision_body,
    extension_body,
    path,
    revocation_body,
)

client = decision_support.client  # fixture
tx_client = decision_support.tx_client  # fixture

START = T0.astimezone(UTC)  # 2025-09-01 01:00 UTC = 08:00 Hanoi
LUNG_CU_AREA = "xã Lũng Cú, tỉnh Tuyên Quang"
TUYEN_QUANG_COMMANDER = "Chỉ huy trưởng Ban Chỉ huy Bộ đội Biên phòng tỉnh Tuyên Quang"


@pytest.fixture()
def api(tx_client, conn):
    add_test_gates(conn)
    return tx_client


def _post(api, url: str, body: dict) -> dict:
    response = api.post(url, json=body, headers=auth(api))
    assert response.status_code == 201, response.text
    return response.json()


def _issue(api, *args, **kwargs) -> str:
    body = decision_body(*args, start=START, **kwargs)
    return _post(api, "/v1/decisions", body)["act_number"]


def _form(api, number: str, form: str, **params) -> str:
    response = api.get(path(number, f"/notices/{form}"), headers=auth(api),
                       params={"format": "text", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _period(start: str, end: str) -> str:
    """"HH:MM DD" of September 2025, Hanoi time, as the forms write a period."""
    def one(moment: str) -> str:
        hh_mm, day = moment.split()
        hours, minutes = hh_mm.split(":")
        return f"{hours} giờ {minutes} phút ngày {day}/09/2025"
    return f"Từ {one(start)} đến {one(end)}"


def test_notice__form_18_domestic_notice_of_a_land_border_area_decision(api):
    number = _issue(api, "land_border_area", "commander", 24)
    text = _form(api, number, "18")
    assert f"Đã ra Quyết định số {number} ngày 01 tháng 09 năm 2025" in text  # signed 07:30
    assert f"Ở khu vực: {LUNG_CU_AREA}." in text
    assert _period("08:00 01", "08:00 02") in text
    assert "(theo giờ Hà Nội)" not in text  # only the neighbour's notice (19) says so
    assert "Tôi: Nguyễn Văn An. Cấp bậc: Đại tá." in text
    assert "Đơn vị: Ban Chỉ huy Bộ đội Biên phòng tỉnh Tuyên Quang." in text
    assert "Kính gửi: Công an tỉnh Tuyên Quang" in text  # the decision's domestic recipient
    assert "Trạm Biên phòng Long Phú" not in text  # the neighbour's force is form 19's


def test_notice__form_18_takes_the_callers_paperwork(api):
    number = _issue(api, "border_belt", "post", 12)
    text = _form(api, number, "18", notice_number="07/TB-ĐBP", addressee="Ủy ban nhân dân xã "
                 "Lũng Cú", notice_date="2025-09-01T20:00:00Z")
    assert "Số: 07/TB-ĐBP" in text
    assert "Kính gửi: Ủy ban nhân dân xã Lũng Cú" in text
    assert "Tuyên Quang, ngày 02 tháng 09 năm 2025" in text  # 20:00 UTC is the 2nd in Hanoi
    assert _period("08:00 01", "20:00 01") in text
    assert "Đơn vị: Đồn Biên phòng Lũng Cú." in text and "Cấp bậc: Thiếu tá." in text


def test_notice__form_22_revokes_the_extension_and_the_period_follows(api):
    number = _issue(api, "land_border_area", "commander", 24)
    ext = extension_body(START + 48 * H, "committee", START + 23 * H)
    extended = _post(api, path(number, "/extensions"), ext)["decision"]
    assert extended["effective_to"] == "2025-09-03T08:00:00+07:00"
    rev = revocation_body(START + 30 * H, "committee", revokes=ext["number"])
    after = _post(api, path(number, "/revocation"), rev)["decision"]
    assert after["effective_to"] == "2025-09-02T14:00:00+07:00"  # the extension cut at +30 h
    assert after["revocation"]["number"] == rev["number"]
    assert after["revocation"]["revokes"] == ext["number"]
    text = _form(api, number, "22")
    assert f"Số: {rev['number']}" in text
    assert (f"Bãi bỏ Quyết định số {ext['number']} ngày 02 tháng 09 năm 2025 về việc gia hạn "
            in text)  # the extension, signed at +23 h = 07:00 on 2 Sept, Hanoi time
    assert "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "Nguyễn Văn An" in text
    assert "tình hình đã trở lại bình thường" in text  # the revocation's reason


def test_notice__form_22_refused_for_a_revocation_of_the_decision_itself(api):
    number = _issue(api, "land_border_area", "commander", 24)
    _post(api, path(number, "/extensions"),
          extension_body(START + 48 * H, "committee", START + 23 * H))
    _post(api, path(number, "/revocation"), revocation_body(START + 30 * H, "commander"))
    response = api.get(path(number, "/notices/22"), headers=auth(api))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "form_id"


def test_notice__form_23_domestic_notice_of_the_revocation(api):
    number = _issue(api, "land_border_area", "commander", 24)
    rev = revocation_body(START + 10 * H, "commander")
    _post(api, path(number, "/revocation"), rev)
    text = _form(api, number, "23")
    assert (f"Ngày 01 tháng 09 năm 2025, {TUYEN_QUANG_COMMANDER} đã ra Quyết định số {number}"
            in text)
    assert f"đã ban hành Quyết định số {rev['number']} bãi bỏ Quyết định số {number}" in text
    assert "Kính gửi: Công an tỉnh Tuyên Quang" in text
    assert "Đại tá Nguyễn Văn An" in text
    before = api.get(path(number, "/notices/23"), headers=auth(api),
                     params={"format": "html"})
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/html")
    assert number in before.text


def test_notice__form_23_needs_a_revocation(api):
    number = _issue(api, "land_border_area", "commander", 24)
    response = api.get(path(number, "/notices/23"), headers=auth(api))
    assert response.status_code == 422 and response.json()["field"] == "form_id"


def _gate_decision(api, who: str, gate: str, hours: float) -> str:
    return _issue(api, "gate", who, hours, gate)


def test_notice__form_ii_01_chairman_main_gate(api):
    number = _gate_decision(api, "chairman", "main", 24)
    text = _form(api, number, "II-01")
    assert f"Số: {number}" in text
    assert "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" in text
    assert "các hoạt động qua lại tại cửa khẩu Chi Ma" in text  # VN-GATE-007, real list
    assert f"Thời gian: {_period('08:00 01', '08:00 02')}." in text
    assert "Bộ đội Biên phòng tỉnh Lạng Sơn" in text  # the proposer: the province's commander
    assert "Nguyễn Văn An" in text


def test_notice__form_ii_02_chairman_extension_period_starts_at_the_old_end(api):
    number = _gate_decision(api, "chairman", "main", 24)
    ext = extension_body(START + 48 * H, "chairman", START + 23 * H)
    _post(api, path(number, "/extensions"), ext)
    text = _form(api, number, "II-02")
    assert f"Số: {ext['number']}" in text
    assert "cửa khẩu Chi Ma" in text and "gia hạn" in text
    assert f"Thời gian: {_period('08:00 02', '08:00 03')}." in text
    assert "ngày 02 tháng 09 năm 2025" in text  # signed at +23 h: 07:00 on 2 Sept, Hanoi


@pytest.mark.parametrize(("who", "gate", "unit"), [
    ("commander", "auxiliary", "BAN CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH TUYÊN QUANG"),
    ("post", "auxiliary", "ĐỒN BIÊN PHÒNG LŨNG CÚ"),
])
def test_notice__form_ii_03_commander_at_a_gate(api, who, gate, unit):
    number = _gate_decision(api, who, gate, 6)
    text = _form(api, number, "II-03")
    assert f"Số: {number}" in text and unit in text
    assert "cửa khẩu Co Sâu" in text  # VN-GATE-008, the real list's auxiliary gate
    assert f"Thời gian: {_period('08:00 01', '14:00 01')}." in text
    reported = ("Ủy ban nhân dân tỉnh Lạng Sơn (để báo cáo)" if who == "commander"
                else "Ủy ban nhân dân xã, phường sở tại (để báo cáo)")
    assert reported in text


def test_notice__form_ii_04_commander_extension_and_the_extension_option(api):
    number = _gate_decision(api, "commander", "auxiliary", 6)
    first = extension_body(START + 12 * H, "commander", START + 5 * H)
    _post(api, path(number, "/extensions"), first)
    second = extension_body(START + 20 * H, "commander", START + 11 * H)
    _post(api, path(number, "/extensions"), second)
    latest = _form(api, number, "II-04")
    assert f"Số: {second['number']}" in latest
    assert f"Thời gian: {_period('20:00 01', '04:00 02')}." in latest
    chosen = _form(api, number, "II-04", extension=first["number"])
    assert f"Số: {first['number']}" in chosen
    assert f"Thời gian: {_period('14:00 01', '20:00 01')}." in chosen
    unknown = api.get(path(number, "/notices/II-04"), headers=auth(api),
                      params={"extension": "nope/GH"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "extension"


@pytest.mark.parametrize(("scope", "who", "gate", "form"), [
    ("gate", "commander", "main", "II-01"),  # II-01 is the chairman's
    ("gate", "chairman", "main", "II-03"),  # II-03 is a commander's
    ("land_border_area", "commander", None, "II-01"),
    ("gate", "commander", "auxiliary", "18"),
])
def test_notice__form_not_fitting_the_act_422(api, scope, who, gate, form):
    number = _issue(api, scope, who, 6, gate)
    response = api.get(path(number, f"/notices/{form}"), headers=auth(api))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "form_id"

