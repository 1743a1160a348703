"""A scripted timeline, committed for real (transaction time is the database's clock):
issue A, extend A, revoke A, re-issue B — then ``active_at`` / ``as_known_at`` at the edges,
the point check at T, and the notices rendered from the records.

A: land border area of Lũng Cú, T0 → T0+24 h; extended to T0+48 h; revoked from T0+30 h.
B: same area, T0+36 h → T0+48 h. Each run has a database of its own (tests/database.py), so
a fixed start is free of earlier runs' decisions and a failure reproduces exactly; it is
offset from T0 so the other decision tests of this run (which start at T0) do not overlap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from geo.common.security import Principal, Role
from geo.common.timeutil import to_hanoi
from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import (
    LUNG_CU,
    T0,
    H,
    auth,
    db_clock,
    decision_body,
    extension_body,
    path,
    revocation_body,
)

client = decision_support.client  # fixture

START = T0 + timedelta(days=61, minutes=17)
US = timedelta(microseconds=1)
PLANNER = Principal(subject="planner-test", roles=frozenset({Role.PLANNER}))


@dataclass(frozen=True)
class Timeline:
    a: str
    b: str
    extension: str
    revocation: str
    known_before: datetime  # before A was recorded
    known_issued: datetime  # after A was recorded
    known_extended: datetime  # after the extension
    known_revoked: datetime  # after the revocation
    known_reissued: datetime  # after B


def _post(client, url: str, body: dict) -> dict:
    response = client.post(url, json=body, headers=auth(client))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def timeline(client, engine) -> Timeline:
    before = db_clock(engine)
    a = _post(client, "/v1/decisions",
              decision_body("land_border_area", "commander", 24, start=START))["act_number"]
    issued = db_clock(engine)
    ext = extension_body(START + 48 * H, "committee", START + 23 * H)
    _post(client, path(a, "/extensions"), ext)
    extended = db_clock(engine)
    rev = revocation_body(START + 30 * H, "commander")
    _post(client, path(a, "/revocation"), rev)
    revoked = db_clock(engine)
    b = _post(client, "/v1/decisions", decision_body(
        "land_border_area", "commander", 12, start=START + 36 * H))["act_number"]
    return Timeline(a, b, ext["number"], rev["number"], before, issued, extended, revoked,
                    db_clock(engine))


def _active(client, at: datetime, known: datetime | None = None, **params) -> set[str]:
    query = {"active_at": at.isoformat(), "province": "08", **params}
    if known is not None:
        query["as_known_at"] = known.isoformat()
    response = client.get("/v1/decisions", params=query, headers=auth(client, PLANNER))
    assert response.status_code == 200, response.text
    return {d["number"] for d in response.json()["decisions"]}


def test_list__active_at_edges_from_inclusive_to_exclusive(client, timeline):
    a, b = timeline.a, timeline.b
    assert a not in _active(client, START - US)
    assert a in _active(client, START)  # from is inclusive
    assert a in _active(client, START + 30 * H - US)
    assert a not in _active(client, START + 30 * H)  # revoked from here
    assert b not in _active(client, START + 36 * H - US)
    assert b in _active(client, START + 36 * H)
    assert b in _active(client, START + 48 * H - US)
    assert b not in _active(client, START + 48 * H)  # to is exclusive


def test_list__as_known_at_ignores_acts_recorded_later(client, timeline):
    t = timeline
    at_24h, at_40h = START + 24 * H, START + 40 * H
    assert t.a not in _active(client, at_24h, t.known_issued)  # extension not yet known
    assert t.a in _active(client, at_24h - US, t.known_issued)
    assert t.a in _active(client, at_24h, t.known_extended)
    assert t.a in _active(client, at_40h, t.known_extended)  # revocation not yet known
    assert t.a not in _active(client, at_40h, t.known_revoked)
    assert t.b not in _active(client, at_40h, t.known_revoked)  # B not yet recorded
    assert t.b in _active(client, at_40h, t.known_reissued)
    assert t.a not in _active(client, START, t.known_before)  # A not yet recorded


def test_list__status_at_the_evaluation_instant(client, timeline):
    t = timeline
    assert t.a in _active(client, START + 31 * H, status="revoked")
    assert t.a in _active(client, START + 31 * H, t.known_extended, status="active")
    assert t.b in _active(client, START + 35 * H, status="pending")
    assert t.b in _active(client, START + 49 * H, status="expired")
    assert t.b not in _active(client, START + 49 * H, status="active")


def test_list__bbox_and_scope_filters(client, timeline):
    lung_cu = "105.2,23.2,105.5,23.45"
    far = "106.5,21.5,106.9,21.9"
    assert timeline.a in _active(client, START, bbox=lung_cu, scope="land_border_area")
    assert timeline.a not in _active(client, START, bbox=far)
    assert timeline.a not in _active(client, START, scope="border_belt")


def test_get__as_known_at_reconstructs_the_record(client, timeline):
    headers = auth(client, PLANNER)
    then = client.get(path(timeline.a), params={"as_known_at": timeline.known_issued.isoformat()},
                      headers=headers).json()
    assert then["effective_to"] == to_hanoi(START + 24 * H).isoformat()
    assert then["extensions"] == [] and then["revocation"] is None
    assert [e["kind"] for e in then["history"]] == ["issued"]
    now = client.get(path(timeline.a), headers=headers).json()
    assert now["effective_to"] == to_hanoi(START + 30 * H).isoformat()
    assert [e["kind"] for e in now["history"]] == ["issued", "extended", "revoked"]
    assert now["extensions"][0]["period_from"] == to_hanoi(START + 24 * H).isoformat()
    assert now["revocation"]["number"] == timeline.revocation
    assert now["geometry"]["type"] == "MultiPolygon"


def _inside_lung_cu(engine) -> tuple[float, float]:
    with engine.connect() as conn:
        x, y = conn.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) "
                                 "p FROM commune WHERE code = :c AND valid_to IS NULL) s"),
                            {"c": LUNG_CU}).one()
    return x, y


def test_check_point__lists_the_decisions_active_there_at_t(client, engine, timeline):
    client.app.state.live.refresh()
    lon, lat = _inside_lung_cu(engine)

    def listed(at: datetime) -> dict[str, dict]:
        response = client.get("/v1/check/point", params={"lon": lon, "lat": lat,
                                                          "at": at.isoformat()})
        assert response.status_code == 200, response.text
        return {d["number"]: d for d in response.json()["decisions"]}

    first = listed(START + H)
    assert timeline.a in first and timeline.b not in first
    hit = first[timeline.a]
    assert hit["valid_to"] == to_hanoi(START + 30 * H).isoformat()  # after the revocation
    assert hit["issuer"]["role"] == "provincial_bdbp_commander"
    assert hit["activities"] == ["enter_leave_zone", "market"]
    later = listed(START + 37 * H)
    assert timeline.b in later and timeline.a not in later
    assert timeline.a not in listed(START + 30 * H) and timeline.b not in listed(START + 48 * H)


def _period(start: datetime, end: datetime) -> str:
    s, e = to_hanoi(start), to_hanoi(end)
    return (f"Từ {s:%H} giờ {s:%M} phút ngày {s:%d/%m/%Y} đến {e:%H} giờ {e:%M} phút ngày "
            f"{e:%d/%m/%Y} (theo giờ Hà Nội)")


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_notice__form_19_has_number_area_period_in_hanoi_time_and_issuer(client, timeline,
                                                                           fmt):
    response = client.get(path(timeline.a, "/notices/19"), params={"format": fmt},
                          headers=auth(client))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(f"text/{'plain' if fmt == 'text' else fmt}")
    body = response.text
    assert f"Quyết định số {timeline.a}" in body
    assert "Ở khu vực: xã Lũng Cú, tỉnh Tuyên Quang." in body
    assert _period(START, START + 24 * H) in body
    assert ("Chỉ huy trưởng Ban Chỉ huy Bộ đội Biên phòng tỉnh Tuyên Quang nước Cộng hòa xã hội "
            "chủ nghĩa Việt Nam") in body
    assert "Đại tá Nguyễn Văn An" in body
    assert "Hiệp định về quy chế quản lý biên giới trên đất liền Việt Nam - Trung Quốc" in body
    assert "Kính gửi: Trạm Biên phòng Long Phú (Trung Quốc)" in body


@pytest.mark.parametrize(("form", "expected"), [
    ("17", "Ở khu vực: xã Lũng Cú, tỉnh Tuyên Quang."),
    ("20", "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG"),
    ("21", "Bãi bỏ Quyết định số"),
    ("24", "để phối hợp thực hiện"),
])
def test_notice__other_forms_filled_from_the_acts(client, timeline, form, expected):
    response = client.get(path(timeline.a, f"/notices/{form}"), params={"format": "text"},
                          headers=auth(client))
    assert response.status_code == 200, response.text
    assert expected in response.text
