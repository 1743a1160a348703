"""The bitemporal view of a decision (no database): transaction time, list filters, recording
rules, the area's wording and the JSON shapes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from geo.common.errors import Conflict, InvalidInput, NotPermitted
from geo.common.timeutil import HANOI
from geo.decisions.area import (
    check_near_vietnam,
    communes_text,
    coordinates_text,
    province_label,
)
from geo.decisions.codec import decision_from_dict, decision_to_dict, file_to_dict
from geo.decisions.history import (
    DecisionFile,
    RecordedExtension,
    RecordedRevocation,
    ResolvedArea,
    check_extension_fits,
    check_recordable,
    revocation_warnings,
)
from geo.decisions.model import Extension, Issuer, IssuerRole, Revocation
from geo.decisions.query import BBox, DecisionQuery
from geo.decisions.timeline import Status

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=HANOI)
H = timedelta(hours=1)
R0 = datetime(2026, 1, 5, 7, 40, tzinfo=HANOI)  # when the decision was recorded
COMMANDER = Issuer(IssuerRole.PROVINCIAL_BDBP_COMMANDER, "Ban Chỉ huy BĐBP tỉnh Lạng Sơn", "B")
COMMITTEE = Issuer(IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE, "Ủy ban nhân dân tỉnh Lạng Sơn", "C")
SQUARE = {"type": "Polygon", "coordinates": [[[106.90, 21.70], [106.91, 21.70],
                                               [106.91, 21.71], [106.90, 21.70]]]}
BODY = {
    "number": "07/QĐ-BCH", "kind": "suspend", "scope": "land_border_area",
    "activities": ["market"], "area": {"kind": "communes", "commune_codes": ["06001"]},
    "issuer": {"role": "provincial_bdbp_commander", "unit_name": "Ban Chỉ huy BĐBP tỉnh Lạng Sơn",
               "signer_name": "B"},
    "province_code": "20", "reason_code": "disaster_epidemic", "reason_text": "dịch bệnh",
    "valid_from": "2026-01-05 08:00", "valid_to": "2026-01-06T08:00:00+07:00",
    "signed_at": "2026-01-05T00:30:00Z",
}


def _file(extended: bool = True, revoked: bool = True) -> DecisionFile:
    dec = decision_from_dict(BODY)
    ext = RecordedExtension(Extension("E1", dec.number, T0 + 48 * H, COMMITTEE, "x", T0 + 23 * H),
                            R0 + 23 * H, "officer")
    rev = RecordedRevocation(Revocation("R1", dec.number, COMMANDER, "y", T0 + 30 * H),
                             R0 + 30 * H, "officer")
    return DecisionFile(dec, ResolvedArea(SQUARE, "xã A, tỉnh Lạng Sơn", 1e6), R0, "officer",
                        extensions=(ext,) if extended else (),
                        revocation=rev if revoked else None)


@pytest.mark.parametrize(("known", "window", "status_at_40h"), [
    (R0 - H, None, None),  # not yet recorded
    (R0, (T0, T0 + 24 * H), Status.EXPIRED),  # recorded_at is inclusive
    (R0 + 23 * H, (T0, T0 + 48 * H), Status.ACTIVE),  # extension known
    (R0 + 30 * H, (T0, T0 + 30 * H), Status.REVOKED),  # revocation known
    (None, (T0, T0 + 30 * H), Status.REVOKED),  # as now
])
def test_known_at__drops_acts_recorded_later(known, window, status_at_40h):
    seen = _file().known_at(known)
    if window is None:
        assert seen is None
        return
    assert seen.window == window
    assert seen.status_at(T0 + 40 * H) is status_at_40h


def test_query__active_at_means_status_active_at_that_instant():
    files = [_file()]
    at_40h = DecisionQuery.parse(active_at=(T0 + 40 * H).isoformat())
    assert at_40h.wanted_status is Status.ACTIVE
    assert at_40h.select(files, T0) == []
    then = DecisionQuery.parse(active_at=(T0 + 40 * H).isoformat(),
                               as_known_at=(R0 + 29 * H).isoformat())
    assert [f.decision.number for f in then.select(files, T0)] == ["07/QĐ-BCH"]
    revoked = DecisionQuery.parse(active_at=(T0 + 40 * H).isoformat(), status="revoked")
    assert len(revoked.select(files, T0)) == 1


def test_query__evaluation_instant_and_public_limits():
    query = DecisionQuery.parse(as_known_at="2026-01-05 10:00")
    assert query.instant(T0 + 99 * H) == T0 + 2 * H  # naive = Hanoi
    with pytest.raises(NotPermitted):
        query.public(T0)
    with pytest.raises(NotPermitted):
        DecisionQuery.parse(status="expired").public(T0)
    assert DecisionQuery.parse().public(T0).active_at == T0


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "105,23,104,24", "105,23,106,95",
                                  "nan,1,2,3"])
def test_bbox__refused_with_field(text):
    with pytest.raises(InvalidInput) as err:
        BBox.parse(text)
    assert err.value.field == "bbox"


def test_bbox__west_south_east_north_degrees():
    assert BBox.parse("105.2, 23.2, 105.5, 23.45") == BBox(105.2, 23.2, 105.5, 23.45)


def test_check_recordable__refuses_signing_in_the_future():
    check_recordable(T0 + timedelta(minutes=4), T0)
    with pytest.raises(InvalidInput) as err:
        check_recordable(T0 + H, T0)
    assert err.value.field == "signed_at"


def test_check_extension_fits__overtaken_or_revoked_is_conflict():
    with pytest.raises(Conflict, match="revoked by R1"):
        check_extension_fits(_file(), Extension("E2", "07/QĐ-BCH", T0 + 60 * H, COMMITTEE, "z",
                                                T0 + 40 * H))
    same = Extension("E2", "07/QĐ-BCH", T0 + 48 * H, COMMITTEE, "z", T0 + 23 * H)
    with pytest.raises(Conflict, match="already extended to 2026-01-07T08:00:00\\+07:00 by E1"):
        check_extension_fits(_file(revoked=False), same)
    later = Extension("E2", "07/QĐ-BCH", T0 + 60 * H, COMMITTEE, "z", T0 + 47 * H)
    check_extension_fits(_file(revoked=False), later)


def test_revocation_warnings__other_issuer_and_no_effect_flagged():
    rev = Revocation("R2", "07/QĐ-BCH", COMMITTEE, "y", T0 + 60 * H)
    warnings = revocation_warnings(_file(revoked=False), rev)
    assert any("Art 11(6)" in w for w in warnings)
    assert any("changes nothing" in w for w in warnings)
    with pytest.raises(InvalidInput):
        revocation_warnings(_file(revoked=False), Revocation("R3", "X9", COMMANDER, "y", T0))
    with pytest.raises(Conflict):
        revocation_warnings(_file(), Revocation("R3", "07/QĐ-BCH", COMMANDER, "y", T0))


def test_area_text__coordinates_in_degrees_minutes_seconds_lat_first():
    text = coordinates_text(SQUARE)
    assert text.startswith("khu vực giới hạn bởi các điểm có tọa độ (hệ WGS 84): ")
    assert "1) 21°42′00″B, 106°54′00″Đ; 2) 21°42′00″B, 106°54′36″Đ" in text


def test_area_text__communes_and_cities():
    assert communes_text(["Xã Lũng Cú", "Xã Đồng Văn"], "Tuyên Quang", belt=True) == (
        "vành đai biên giới thuộc xã Lũng Cú, xã Đồng Văn, tỉnh Tuyên Quang")
    assert province_label("Huế") == "thành phố Huế"


def test_check_near_vietnam__far_polygon_refused():
    far = {"type": "Polygon", "coordinates": [[[2.0, 48.0], [2.1, 48.0], [2.1, 48.1],
                                               [2.0, 48.0]]]}
    with pytest.raises(InvalidInput, match="not in or near Vietnam"):
        check_near_vietnam(far)


def test_codec__round_trip_and_hanoi_time():
    dec = decision_from_dict(BODY)
    assert decision_from_dict(decision_to_dict(dec)) == dec
    out = file_to_dict(_file(), T0 + 40 * H)
    assert out["valid_from"] == "2026-01-05T08:00:00+07:00"
    assert out["signed_at"] == "2026-01-05T07:30:00+07:00"
    assert (out["status"], out["effective_to"]) == ("revoked", "2026-01-06T14:00:00+07:00")
    assert out["extensions"][0]["period_from"] == "2026-01-06T08:00:00+07:00"
    public = file_to_dict(_file(), T0, internal=False)
    assert "history" not in public and "recorded_by" not in public
