"""Restriction decisions: model validation, authority rules (Law 66/2020 Art 11), timeline,
and the Form 19 notice (RULES.md §4)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from geo.common.errors import AuthorityExceeded, Conflict, InvalidInput
from geo.decisions.authority import Action, check_authority, load_rulebook
from geo.decisions.model import (
    Activity,
    AreaSpec,
    Decision,
    Extension,
    GateType,
    Issuer,
    Recipients,
    Revocation,
    Scope,
)
from geo.decisions.notices import FormContext, render
from geo.decisions.timeline import Status, effective_window, status_at
from tests.geo.decisions.decision_people import CHAIRMAN, COMMANDER, COMMITTEE, LAW, PM, POST, T0, H

SQUARE = {  # ~1 km square in Lộc Bình, Lạng Sơn; (lon, lat)
    "type": "Polygon",
    "coordinates": [
        [[106.90, 21.70], [106.91, 21.70], [106.91, 21.71], [106.90, 21.71], [106.90, 21.70]]
    ],
}


def decision(
    scope: Scope = Scope.BORDER_BELT,
    issuer: Issuer = POST,
    hours: float = 12,
    gate_type: GateType | None = None,
    **changes: object,
) -> Decision:
    gate = scope is Scope.GATE
    fields: dict[str, object] = dict(
        number="12/QĐ-ĐBP",
        kind="restrict",
        scope=scope,
        activities=(Activity.GATE_CROSSING,) if gate else (Activity.ENTER_LEAVE_ZONE,),
        area=AreaSpec.gate("chi-ma") if gate else AreaSpec.belt_within(["06001"]),
        issuer=issuer,
        province_code="20",
        reason_code="disaster_epidemic",
        reason_text="mưa lũ gây sạt lở đất",
        valid_from=T0,
        valid_to=T0 + hours * H,
        signed_at=T0 - H / 2,
        gate_id="chi-ma" if gate else None,
        gate_type=gate_type,
        recipients=Recipients(("Ủy ban nhân dân xã Mẫu Sơn",), "Đồn Công an Biên phòng Ái Điểm"),
    )
    fields.update(changes)
    return Decision(**fields)  # type: ignore[arg-type]


def extension(
    base: Decision,
    issuer: Issuer,
    new_valid_to: datetime,
    *,
    number: str = "15/QĐ-GH",
    signed_at: datetime | None = None,
) -> Extension:
    return Extension(
        number=number,
        extends=base.number,
        new_valid_to=new_valid_to,
        issuer=issuer,
        reason_text="mưa lũ tiếp diễn",
        signed_at=signed_at or base.valid_to - H,
    )


# --------------------------------------------------------------------------- authority
DECIDE_RULES = [  # rule, scope, gate type, issuer, max hours, citation
    ("DEC-10", Scope.BORDER_BELT, None, POST, 12, f"{LAW} Art 11(3)(a)"),
    ("DEC-11", Scope.LAND_BORDER_AREA, None, COMMANDER, 24, f"{LAW} Art 11(3)(b)"),
    ("DEC-14", Scope.GATE, GateType.AUXILIARY, POST, 6, f"{LAW} Art 11(4)(a)"),
    ("DEC-14", Scope.GATE, GateType.BORDER_OPENING, POST, 6, f"{LAW} Art 11(4)(a)"),
    ("DEC-15", Scope.GATE, GateType.AUXILIARY, COMMANDER, 12, f"{LAW} Art 11(4)(a) 2nd sentence"),
    (
        "DEC-15",
        Scope.GATE,
        GateType.BORDER_OPENING,
        COMMANDER,
        12,
        f"{LAW} Art 11(4)(a) 2nd sentence",
    ),
    ("DEC-16", Scope.GATE, GateType.MAIN, COMMANDER, 6, f"{LAW} Art 11(4)(b)"),
    ("DEC-17", Scope.GATE, GateType.MAIN, CHAIRMAN, 24, f"{LAW} Art 11(4)(c)"),
]
EXTEND_RULES = [  # rule, scope, gate type, decision issuer, extension issuer, max hours, citation
    (
        "DEC-12",
        Scope.LAND_BORDER_AREA,
        None,
        COMMANDER,
        COMMITTEE,
        24,
        f"{LAW} Art 11(3)(b) 2nd para",
    ),
    ("DEC-20", Scope.GATE, GateType.AUXILIARY, POST, POST, 6, f"{LAW} Art 11(5)(a)"),
    ("DEC-20", Scope.GATE, GateType.BORDER_OPENING, POST, POST, 6, f"{LAW} Art 11(5)(a)"),
    ("DEC-21", Scope.GATE, GateType.MAIN, COMMANDER, COMMANDER, 6, f"{LAW} Art 11(5)(b)"),
    ("DEC-22", Scope.GATE, GateType.AUXILIARY, COMMANDER, COMMANDER, 12, f"{LAW} Art 11(5)(b)"),
    ("DEC-23", Scope.GATE, GateType.MAIN, CHAIRMAN, CHAIRMAN, 24, f"{LAW} Art 11(5)(c)"),
]


@pytest.mark.parametrize(
    ("rule_id", "scope", "gate_type", "issuer", "max_h", "citation"), DECIDE_RULES
)
def test_check_authority__decision_at_limit_accepted_with_warning(
    rule_id, scope, gate_type, issuer, max_h, citation
):
    verdict = check_authority(decision(scope, issuer, max_h, gate_type))
    assert (verdict.rule_id, verdict.citation, verdict.duration_hours) == (rule_id, citation, max_h)
    assert any("UNCONFIRMED" in w and "Law 98/2025" in w for w in verdict.warnings)


@pytest.mark.parametrize(
    ("rule_id", "scope", "gate_type", "issuer", "max_h", "citation"), DECIDE_RULES
)
def test_check_authority__decision_beyond_limit_refused(
    rule_id, scope, gate_type, issuer, max_h, citation
):
    with pytest.raises(AuthorityExceeded) as err:
        check_authority(decision(scope, issuer, max_h + 1 / 60, gate_type))
    assert citation in str(err.value) and f"at most {max_h} h" in str(err.value)
    assert err.value.detail["citation"] == citation
    assert err.value.detail["rule_id"] == rule_id
    assert err.value.field == "valid_to"


@pytest.mark.parametrize(
    ("rule_id", "scope", "gate_type", "base_issuer", "issuer", "max_h", "citation"), EXTEND_RULES
)
def test_check_authority__extension_at_limit_accepted(
    rule_id, scope, gate_type, base_issuer, issuer, max_h, citation
):
    base = decision(scope, base_issuer, 6, gate_type)
    verdict = check_authority(extension(base, issuer, base.valid_to + max_h * H), decision=base)
    assert (verdict.rule_id, verdict.citation, verdict.duration_hours) == (rule_id, citation, max_h)


@pytest.mark.parametrize(
    ("rule_id", "scope", "gate_type", "base_issuer", "issuer", "max_h", "citation"), EXTEND_RULES
)
def test_check_authority__extension_beyond_limit_refused(
    rule_id, scope, gate_type, base_issuer, issuer, max_h, citation
):
    base = decision(scope, base_issuer, 6, gate_type)
    ext = extension(base, issuer, base.valid_to + max_h * H + timedelta(minutes=1))
    with pytest.raises(AuthorityExceeded) as err:
        check_authority(ext, decision=base)
    assert citation in str(err.value)
    assert (err.value.detail["citation"], err.value.detail["rule_id"]) == (citation, rule_id)


@pytest.mark.parametrize(
    ("scope", "gate_type", "issuer", "rule_id", "citation"),
    [
        (Scope.BORDER_BELT, None, COMMANDER, "DEC-10", f"{LAW} Art 11(3)(a)"),
        (Scope.BORDER_BELT, None, COMMITTEE, "DEC-10", f"{LAW} Art 11(3)(a)"),
        (Scope.LAND_BORDER_AREA, None, POST, "DEC-11", f"{LAW} Art 11(3)(b)"),
        (Scope.LAND_BORDER_AREA, None, PM, "DEC-11", f"{LAW} Art 11(3)(b)"),
        (Scope.GATE, GateType.MAIN, POST, "DEC-16, DEC-17", f"{LAW} Art 11(4)(c)"),
        (Scope.GATE, GateType.AUXILIARY, CHAIRMAN, "DEC-14, DEC-15", f"{LAW} Art 11(4)(a)"),
        (Scope.GATE, GateType.INTERNATIONAL, COMMANDER, "DEC-18", f"{LAW} Art 11(4)(d)"),
    ],
)
def test_check_authority__wrong_issuer_refused_with_citation(
    scope, gate_type, issuer, rule_id, citation
):
    with pytest.raises(AuthorityExceeded) as err:
        check_authority(decision(scope, issuer, 1, gate_type))
    assert citation in str(err.value) and citation in err.value.detail["citation"]
    assert err.value.detail["rule_id"] == rule_id
    assert err.value.field == "issuer"


@pytest.mark.parametrize(
    ("scope", "gate_type", "base_issuer", "issuer", "rule_id"),
    [
        (Scope.LAND_BORDER_AREA, None, COMMANDER, COMMANDER, "DEC-12"),
        (Scope.LAND_BORDER_AREA, None, COMMANDER, CHAIRMAN, "DEC-12"),
        (Scope.GATE, GateType.MAIN, COMMANDER, POST, "DEC-21, DEC-23"),
        (Scope.GATE, GateType.AUXILIARY, POST, CHAIRMAN, "DEC-20, DEC-22"),
    ],
)
def test_check_authority__extension_by_wrong_issuer_refused(
    scope, gate_type, base_issuer, issuer, rule_id
):
    base = decision(scope, base_issuer, 6, gate_type)
    with pytest.raises(AuthorityExceeded) as err:
        check_authority(extension(base, issuer, base.valid_to + H), decision=base)
    assert err.value.detail["rule_id"] == rule_id and LAW in str(err.value)


@pytest.mark.parametrize("issuer", [POST, COMMANDER, COMMITTEE])
def test_check_authority__belt_extension_refused(issuer):
    base = decision(Scope.BORDER_BELT, POST, 12)
    with pytest.raises(AuthorityExceeded) as err:
        check_authority(extension(base, issuer, base.valid_to + H), decision=base)
    assert f"{LAW} Art 11(3)" in str(err.value)
    assert err.value.detail == {
        **err.value.detail,
        "rule_id": "DEC-26",
        "citation": f"{LAW} Art 11(3)",
    }


def test_check_authority__pm_international_gate_accepted_with_warning():
    verdict = check_authority(decision(Scope.GATE, PM, 72, GateType.INTERNATIONAL))
    assert (verdict.rule_id, verdict.citation) == ("DEC-18", f"{LAW} Art 11(4)(d)")
    assert verdict.rule.max_hours is None and verdict.duration_hours == 72
    assert any("no maximum duration" in w for w in verdict.warnings)
    assert any("no form" in w for w in verdict.warnings)


def test_check_authority__pm_extension_accepted_with_warning():
    base = decision(Scope.GATE, PM, 72, GateType.INTERNATIONAL)
    verdict = check_authority(extension(base, PM, base.valid_to + 240 * H), decision=base)
    assert verdict.rule_id == "DEC-18-EXT"
    assert any("Art 11(5) states no extension" in w for w in verdict.warnings)


@pytest.mark.parametrize("late", [timedelta(0), timedelta(minutes=1)])
def test_check_authority__extension_after_expiry_refused(late):
    base = decision(Scope.LAND_BORDER_AREA, COMMANDER, 24)
    ext = extension(base, COMMITTEE, base.valid_to + 12 * H, signed_at=base.valid_to + late)
    with pytest.raises(AuthorityExceeded) as err:
        check_authority(ext, decision=base)
    assert f"{LAW} Art 11(5)" in str(err.value) and "before the current period" in str(err.value)
    assert err.value.detail["rule_id"] == "DEC-EXT-TIMING"
    assert err.value.field == "signed_at"


def test_check_authority__second_extension_measured_from_previous_end():
    base = decision(Scope.GATE, COMMANDER, 12, GateType.AUXILIARY)
    first = extension(base, COMMANDER, base.valid_to + 12 * H, number="E1")
    second = extension(
        base, COMMANDER, first.new_valid_to + 12 * H, number="E2", signed_at=first.new_valid_to - H
    )
    verdict = check_authority(second, decision=base, extensions=[first, second])
    assert verdict.duration_hours == 12 and any("DEC-25" in w for w in verdict.warnings)
    too_long = dataclasses.replace(second, new_valid_to=second.new_valid_to + H)
    with pytest.raises(AuthorityExceeded, match=r"Art 11\(5\)\(b\)"):
        check_authority(too_long, decision=base, extensions=[first])


def test_check_authority__extending_a_revoked_decision_conflicts():
    base = decision(Scope.LAND_BORDER_AREA, COMMANDER, 24)
    revocation = Revocation(
        "20/QĐ-BB", base.number, COMMANDER, "tình hình đã ổn định", effective_at=T0 + 2 * H
    )
    ext = extension(base, COMMITTEE, base.valid_to + 12 * H)
    with pytest.raises(Conflict):
        check_authority(ext, decision=base, revocation=revocation)


def test_check_authority__retroactive_start_warns():
    verdict = check_authority(decision(signed_at=T0 + H))
    assert any("signed_at" in w for w in verdict.warnings)


def test_rulebook__every_rule_flagged_unconfirmed_and_every_scope_covered():
    book = load_rulebook()
    assert all(r.unconfirmed and "OQ-01" in r.unconfirmed_reason for r in book.rules)
    for action in Action:
        for scope in (Scope.BORDER_BELT, Scope.LAND_BORDER_AREA):
            assert book.candidates(action, scope, None)
        for gate_type in GateType:
            assert book.candidates(action, Scope.GATE, gate_type)


# --------------------------------------------------------------------------- model
@pytest.mark.parametrize("valid_to", [T0, T0 - H])
def test_decision__window_must_end_after_start(valid_to):
    with pytest.raises(InvalidInput) as err:
        decision(valid_to=valid_to)
    assert err.value.field == "valid_to"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"activities": ()}, "activities"),
        ({"activities": (Activity.GATE_CROSSING,)}, "activities"),
        ({"activities": ("market", "market")}, "activities"),
        ({"activities": ("smuggling",)}, "activities"),
        ({"number": " "}, "number"),
        ({"reason_code": "weather"}, "reason_code"),
        ({"area": AreaSpec.communes(["06001"])}, "area"),  # belt needs belt area or polygon
        ({"gate_id": "chi-ma"}, "gate_id"),
        ({"signed_at": T0 + 12 * H}, "signed_at"),
    ],
)
def test_decision__invalid_fields_named(changes, field):
    with pytest.raises(InvalidInput) as err:
        decision(**changes)
    assert err.value.field == field


def test_decision__gate_needs_gate_type_and_matching_area():
    with pytest.raises(InvalidInput) as err:
        decision(Scope.GATE, COMMANDER, 6, None)
    assert err.value.field == "gate_type"
    with pytest.raises(InvalidInput) as err:
        decision(Scope.GATE, COMMANDER, 6, GateType.MAIN, area=AreaSpec.gate("tan-thanh"))
    assert err.value.field == "area"


def test_area__polygon_checked_in_lon_lat():
    assert decision(area=AreaSpec.polygon(SQUARE)).area.geojson == SQUARE
    swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in SQUARE["coordinates"][0]]]}
    with pytest.raises(InvalidInput, match=r"\(lon, lat\)"):
        AreaSpec.polygon(swapped)
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[106.9, 21.7], [106.91, 21.71], [106.91, 21.7], [106.9, 21.71], [106.9, 21.7]]
        ],
    }
    with pytest.raises(InvalidInput, match="Self-intersection"):
        AreaSpec.polygon(bow_tie)


def test_decision__naive_input_is_hanoi_time():
    dec = decision(
        valid_from="2026-01-05 08:00",
        valid_to=datetime(2026, 1, 5, 20, 0),
        signed_at="2026-01-05T07:30",
    )
    assert dec.valid_from == T0 and dec.valid_to == T0 + 12 * H
    assert dec.valid_from.utcoffset() == 7 * H
    assert status_at(dec, "2026-01-05 19:59:59") is Status.ACTIVE
    assert status_at(dec, "2026-01-05T13:00:00Z") is Status.EXPIRED  # 20:00 in Hanoi


def test_decision__is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision().number = "13/QĐ-ĐBP"  # type: ignore[misc]


# --------------------------------------------------------------------------- timeline
@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (T0 - timedelta(microseconds=1), Status.PENDING),
        (T0, Status.ACTIVE),  # from is inclusive
        (T0 + 12 * H - timedelta(microseconds=1), Status.ACTIVE),
        (T0 + 12 * H, Status.EXPIRED),  # to is exclusive
    ],
)
def test_status_at__window_edges(at, expected):
    assert status_at(decision(), at) is expected


def test_status_at__extension_then_revocation_timeline():
    base = decision(Scope.LAND_BORDER_AREA, COMMANDER, 12)  # 08:00 -> 20:00
    ext = extension(base, COMMITTEE, base.valid_to + 24 * H)  # -> 20:00 next day
    rev = Revocation(
        "21/QĐ-BB",
        base.number,
        COMMANDER,
        "tình hình đã trở lại bình thường",
        effective_at=T0 + 26 * H,
    )  # 10:00 next day
    assert effective_window(base, [ext]) == (T0, T0 + 36 * H)
    assert effective_window(base, [ext], rev) == (T0, T0 + 26 * H)
    timeline = [
        (T0 - H, Status.PENDING),
        (T0, Status.ACTIVE),
        (T0 + 12 * H, Status.ACTIVE),
        (T0 + 26 * H - timedelta(seconds=1), Status.ACTIVE),
        (T0 + 26 * H, Status.REVOKED),
        (T0 + 40 * H, Status.REVOKED),
    ]
    assert [status_at(base, at, [ext], rev) for at, _ in timeline] == [s for _, s in timeline]


def test_effective_window__revoking_an_extension_keeps_the_decision_period():
    base = decision(Scope.LAND_BORDER_AREA, COMMANDER, 12)
    ext = extension(base, COMMITTEE, base.valid_to + 24 * H, number="E1")
    early = Revocation("R1", "E1", COMMITTEE, "không cần gia hạn", effective_at=T0 + 11 * H)
    late = Revocation("R2", "E1", COMMITTEE, "tình hình ổn định", effective_at=T0 + 15 * H)
    assert effective_window(base, [ext], early) == (T0, T0 + 12 * H)
    assert effective_window(base, [ext], late) == (T0, T0 + 15 * H)
    assert status_at(base, T0 + 11.5 * H, [ext], early) is Status.ACTIVE
    assert status_at(base, T0 + 12 * H, [ext], early) is Status.REVOKED


def test_effective_window__revocation_before_start_and_after_end():
    base = decision()
    before = Revocation("R1", base.number, POST, "hủy", effective_at=T0 - 0.25 * H)
    assert effective_window(base, (), before) == (T0, T0)
    assert status_at(base, T0 - 0.5 * H, (), before) is Status.PENDING
    assert status_at(base, T0, (), before) is Status.REVOKED
    after = Revocation("R2", base.number, POST, "hủy", effective_at=T0 + 13 * H)
    assert status_at(base, T0 + 13 * H, (), after) is Status.EXPIRED


def test_effective_window__inconsistent_records_refused():
    base = decision(Scope.LAND_BORDER_AREA, COMMANDER, 12)
    with pytest.raises(InvalidInput) as err:
        effective_window(base, [extension(base, COMMITTEE, base.valid_to)])
    assert err.value.field == "new_valid_to"
    with pytest.raises(InvalidInput) as err:
        effective_window(base, (), Revocation("R", "99/QĐ", COMMANDER, "x", effective_at=T0))
    assert err.value.field == "revokes"


# --------------------------------------------------------------------------- Form 19
def form_context(
    dec: Decision, area_text: str = "vành đai biên giới thuộc xã Mẫu Sơn, tỉnh Lạng Sơn"
) -> FormContext:
    return FormContext(
        dec,
        area_text=area_text,
        province_name="Lạng Sơn",
        parent_body="Ban Chỉ huy Bộ đội Biên phòng tỉnh Lạng Sơn",
        agreement="trên đất liền Việt Nam - Trung Quốc",
    )


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_render__form_19_states_decision_area_period_in_hanoi_time_and_issuer(fmt):
    dec = decision(valid_from="2026-01-05T01:00:00Z", valid_to="2026-01-05T13:00:00Z")
    text = render("19", form_context(dec), fmt=fmt)
    assert "Đã ra Quyết định số 12/QĐ-ĐBP ngày 05 tháng 01 năm 2026" in text
    assert "Ở khu vực: vành đai biên giới thuộc xã Mẫu Sơn, tỉnh Lạng Sơn." in text
    assert (
        "Từ 08 giờ 00 phút ngày 05/01/2026 đến 20 giờ 00 phút ngày 05/01/2026 (theo giờ Hà Nội)"
    ) in text
    assert "Đồn trưởng Đồn Biên phòng Chi Ma nước Cộng hòa xã hội chủ nghĩa Việt Nam" in text
    assert "Thiếu tá Nguyễn Văn An" in text
    assert "Kính gửi: Đồn Công an Biên phòng Ái Điểm" in text
    assert "Căn cứ Hiệp định về quy chế quản lý biên giới trên đất liền Việt Nam" in text


def test_render__html_escapes_user_text():
    evil = "<script>alert('x')</script>"
    dec = decision(reason_text=f"mưa lũ {evil}")
    html = render("17", form_context(dec, area_text=f"xã Mẫu Sơn {evil}"), fmt="html")
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 2
    assert evil in render("17", form_context(dec, area_text=evil), fmt="text")
