"""Vietnamese decision and notice forms (Circular 112/2025/TT-BQP, Appendix I 17-24 and
Appendix II 01-04) rendered from the records."""

from __future__ import annotations

import html
import re

import pytest

from geo.common.errors import InvalidInput
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
from geo.decisions.notices import FORM_IDS, FormContext, render
from tests.geo.decisions.decision_people import CHAIRMAN, COMMANDER, COMMITTEE, POST, T0, H

RECIPIENTS = Recipients(("Công an tỉnh Lạng Sơn",), "Trạm Biên phòng Ái Điểm (Trung Quốc)")


def land(scope: Scope = Scope.LAND_BORDER_AREA, issuer: Issuer = COMMANDER) -> Decision:
    return Decision(
        number="07/QĐ-BCH",
        kind="suspend",
        scope=scope,
        activities=(Activity.MARKET, Activity.FESTIVAL),
        area=AreaSpec.communes(["06001", "06004"])
        if scope is Scope.LAND_BORDER_AREA
        else AreaSpec.belt_within(["06001"]),
        issuer=issuer,
        province_code="20",
        reason_code="disaster_epidemic",
        reason_text="dịch bệnh lây lan qua biên giới",
        valid_from=T0,
        valid_to=T0 + 24 * H,
        signed_at=T0,
        recipients=RECIPIENTS,
    )


def gate(gate_type: GateType, issuer: Issuer) -> Decision:
    return Decision(
        number="03/QĐ-CK",
        kind="restrict",
        scope=Scope.GATE,
        activities=(Activity.GATE_CROSSING,),
        area=AreaSpec.gate("chi-ma"),
        issuer=issuer,
        province_code="20",
        reason_code="security",
        reason_text="truy bắt tội phạm có vũ trang",
        valid_from=T0,
        valid_to=T0 + 6 * H,
        signed_at=T0,
        gate_id="chi-ma",
        gate_type=gate_type,
        recipients=RECIPIENTS,
    )


def ext(dec: Decision, issuer: Issuer, hours: float) -> Extension:
    return Extension(
        "09/QĐ-GH",
        dec.number,
        dec.valid_to + hours * H,
        issuer,
        "dịch bệnh chưa được kiểm soát",
        signed_at=dec.valid_to - H,
    )


def ctx(dec: Decision, **changes: object) -> FormContext:
    fields: dict[str, object] = dict(
        area_text="các xã Mẫu Sơn, Công Sơn, tỉnh Lạng Sơn",
        province_name="Lạng Sơn",
        agreement="trên đất liền Việt Nam - Trung Quốc",
        notice_number="02/TB-BCH",
    )
    fields.update(changes)
    return FormContext(dec, **fields)  # type: ignore[arg-type]


LAND = land()
LAND_EXT = ext(LAND, COMMITTEE, 24)
REVOKE_DECISION = Revocation(
    "11/QĐ-BCH",
    LAND.number,
    COMMANDER,
    "tình hình dịch bệnh đã được kiểm soát",
    effective_at=T0 + 10 * H,
)
REVOKE_EXTENSION = Revocation(
    "12/QĐ-UBND",
    LAND_EXT.number,
    COMMITTEE,
    "tình hình dịch bệnh đã được kiểm soát",
    effective_at=T0 + 30 * H,
)
MAIN = gate(GateType.MAIN, CHAIRMAN)
OPENING = gate(GateType.BORDER_OPENING, POST)

CASES = {  # form id -> context, phrases the text must contain
    "17": (
        ctx(LAND),
        [
            "QUYẾT ĐỊNH",
            "Về việc tạm dừng các hoạt động",
            "trong khu vực biên giới đất liền",
            "CHỈ HUY TRƯỞNG BAN CHỈ HUY",
            "Điều 1. Tạm dừng các hoạt động sau: họp chợ; tổ chức lễ hội.",
            "Ở khu vực: các xã Mẫu Sơn, Công Sơn, tỉnh Lạng Sơn.",
            "Thời gian: Từ 08 giờ 00 phút ngày 05/01/2026 đến 08 giờ 00 phút ngày 06/01/2026.",
            "có hiệu lực thi hành kể từ ngày ký",
            "Đại tá Trần Văn Bình",
        ],
    ),
    "18": (
        ctx(LAND),
        [
            "THÔNG BÁO",
            "Kính gửi: Công an tỉnh Lạng Sơn",
            "Đã ra Quyết định số 07/QĐ-BCH",
            "Số: 02/TB-BCH",
        ],
    ),
    "20": (
        ctx(LAND, extension=LAND_EXT),
        [
            "Về việc gia hạn tạm dừng các hoạt động",
            "Căn cứ Luật Tổ chức chính quyền địa phương",
            "Xét tình hình dịch bệnh chưa được kiểm soát;",
            "Điều 1. Gia hạn tạm dừng các hoạt động sau: họp chợ; tổ chức lễ hội.",
            "Từ 08 giờ 00 phút ngày 06/01/2026 đến 08 giờ 00 phút ngày 07/01/2026",
            "TM. ỦY BAN NHÂN DÂN",
            "Số: 09/QĐ-GH",
        ],
    ),
    "21": (
        ctx(LAND, revocation=REVOKE_DECISION),
        [
            "Bãi bỏ Quyết định tạm dừng các hoạt động",
            "Căn cứ tình hình dịch bệnh",
            "Điều 1. Bãi bỏ Quyết định số 07/QĐ-BCH ngày 05 tháng 01 năm 2026",
        ],
    ),
    "22": (
        ctx(LAND, extension=LAND_EXT, revocation=REVOKE_EXTENSION),
        [
            "Bãi bỏ Quyết định gia hạn tạm dừng",
            "Điều 1. Bãi bỏ Quyết định số 09/QĐ-GH ngày 06 tháng 01 năm 2026 về việc gia hạn",
        ],
    ),
    "23": (
        ctx(LAND, revocation=REVOKE_DECISION),
        [
            "Ngày 05 tháng 01 năm 2026, Chỉ huy trưởng Ban Chỉ huy Bộ đội Biên phòng tỉnh "
            "Lạng Sơn đã ra Quyết định số 07/QĐ-BCH",
            "Nay tình hình đã trở lại bình thường",
            "bãi bỏ Quyết định số 07/QĐ-BCH",
        ],
    ),
    "24": (
        ctx(LAND, revocation=REVOKE_DECISION),
        [
            "Kính gửi: Trạm Biên phòng Ái Điểm (Trung Quốc)",
            "Nay thông báo đến Trạm Biên phòng Ái Điểm (Trung Quốc) để phối hợp thực hiện./.",
        ],
    ),
    "II-01": (
        ctx(MAIN, area_text="Chi Ma"),
        [
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN",
            "Xét đề nghị của Chỉ huy trưởng Ban Chỉ huy Bộ đội Biên phòng tỉnh Lạng Sơn,",
            "Điều 1. Hạn chế các hoạt động qua lại tại cửa khẩu Chi Ma.",
            "Điều 2. Hết thời gian hạn chế quy định tại Điều 1 Quyết định này, các hoạt động "
            "qua lại tại cửa khẩu Chi Ma trở lại bình thường.",
            "Điều 4.",
        ],
    ),
    "II-02": (
        ctx(MAIN, area_text="Chi Ma", extension=ext(MAIN, CHAIRMAN, 24)),
        [
            "Về việc gia hạn thời gian hạn chế các hoạt động qua lại biên giới",
            "Điều 1. Gia hạn hạn chế các hoạt động qua lại tại cửa khẩu Chi Ma.",
            "Từ 14 giờ 00 phút ngày 05/01/2026 đến 14 giờ 00 phút ngày 06/01/2026",
            "Hết thời gian gia hạn hạn chế",
        ],
    ),
    "II-03": (
        ctx(OPENING, area_text="Bản Chắt", place_name="Mẫu Sơn"),
        [
            "ĐỒN TRƯỞNG ĐỒN BIÊN PHÒNG CHI MA",
            "tại lối mở Bản Chắt",
            "Căn cứ tình hình truy bắt tội phạm có vũ trang,",
            "Mẫu Sơn, ngày 05 tháng 01",
            "Ủy ban nhân dân xã, phường sở tại (để báo cáo)",
        ],
    ),
    "II-04": (
        ctx(
            gate(GateType.AUXILIARY, COMMANDER),
            area_text="Bình Nghi",
            extension=ext(gate(GateType.AUXILIARY, COMMANDER), COMMANDER, 12),
        ),
        [
            "Gia hạn hạn chế các hoạt động qua lại tại cửa khẩu Bình Nghi",
            "Ủy ban nhân dân tỉnh Lạng Sơn (để báo cáo)",
        ],
    ),
}


def test_cases__cover_every_form_but_19():  # Form 19 is tested in test_decisions.py
    assert set(CASES) == set(FORM_IDS) - {"19"}


@pytest.mark.parametrize("form_id", sorted(CASES))
@pytest.mark.parametrize("fmt", ["text", "html"])
def test_render__form_filled_from_records(form_id, fmt):
    context, phrases = CASES[form_id]
    text = render(form_id, context, fmt=fmt)
    plain = html.unescape(re.sub(r"<[^>]+>", "", text)) if fmt == "html" else text
    missing = [p for p in phrases if p not in plain]
    assert not missing
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    if fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and f'data-form="{form_id}"' in text


def test_render__only_form_19_says_hanoi_time():
    assert "(theo giờ Hà Nội)" not in render("18", ctx(LAND), fmt="text")
    assert "(theo giờ Hà Nội)" in render("19", ctx(LAND), fmt="text")


def test_render__belt_decision_by_post_is_reported_to_the_commander():
    text = render("17", ctx(land(Scope.BORDER_BELT, POST)), fmt="text")
    assert "trong vành đai biên giới" in text and "ra, vào" not in text
    assert "- Chỉ huy trưởng Ban Chỉ huy Bộ đội Biên phòng (để b/c);" in text


@pytest.mark.parametrize(
    ("form_id", "context", "field"),
    [
        ("20", ctx(land(Scope.BORDER_BELT, POST)), "form_id"),  # no belt extension form
        ("20", ctx(LAND), "form_id"),  # needs the extension
        ("21", ctx(LAND, revocation=REVOKE_EXTENSION), "form_id"),  # revokes the decision only
        ("II-01", ctx(OPENING, area_text="Bản Chắt"), "form_id"),  # main gates only
        ("II-03", ctx(MAIN, area_text="Chi Ma"), "form_id"),  # not signed by the chairman
        ("17", ctx(MAIN, area_text="Chi Ma"), "form_id"),
        ("19", ctx(LAND, agreement=""), "agreement"),
        ("99", ctx(LAND), "form_id"),
    ],
)
def test_render__records_that_do_not_fit_the_form_refused(form_id, context, field):
    with pytest.raises(InvalidInput) as err:
        render(form_id, context)
    assert err.value.field == field


def test_render__unknown_format_refused():
    with pytest.raises(InvalidInput) as err:
        render("17", ctx(LAND), fmt="pdf")
    assert err.value.field == "fmt"


def test_form_context__area_text_required():
    with pytest.raises(InvalidInput) as err:
        ctx(LAND, area_text=" ")
    assert err.value.field == "area_text"


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (ctx(LAND), "Form 22 needs a revoked extension of 07/QĐ-BCH, and 07/QĐ-BCH has no "
                    "extension"),
        (ctx(LAND, extensions=(LAND_EXT,)),
         f"Form 22 needs a revoked extension of 07/QĐ-BCH, and none of its extensions "
         f"({LAND_EXT.number}) is revoked"),
        (ctx(LAND, extension=LAND_EXT, extensions=(LAND_EXT,)),
         f"Form 22 needs a recorded revocation of extension {LAND_EXT.number}, and none is "
         "recorded"),
    ],
)
def test_render__form_22_names_what_is_missing(context, message):
    with pytest.raises(InvalidInput) as err:
        render("22", context)
    assert err.value.field == "form_id"
    assert message in err.value.message


def test_render__form_20_without_extension_says_none_is_recorded():
    with pytest.raises(InvalidInput) as err:
        render("20", ctx(LAND))
    assert "Form 20 needs an extension of 07/QĐ-BCH, and none is recorded" in err.value.message


@pytest.mark.parametrize(
    ("reason_text", "line"),
    [
        ("Tình hình an ninh phức tạp.", "Xét tình hình an ninh phức tạp;"),
        ("Xét tình hình mưa lũ;", "Xét tình hình mưa lũ;"),
        ("Mưa lũ gây sạt lở đất", "Xét tình hình mưa lũ gây sạt lở đất;"),
        ("UBND xã đề nghị", "Xét tình hình UBND xã đề nghị;"),
    ],
)
def test_render__reason_text_reads_naturally_after_the_fixed_words(reason_text, line):
    dec = land()
    dec = Decision(**{**{f: getattr(dec, f) for f in dec.__dataclass_fields__},
                      "reason_text": reason_text})
    text = render("17", ctx(dec), fmt="text")
    assert line in text
    assert "tình hình Tình hình" not in text and "tình hình tình hình" not in text


def test_render__revocation_reason_not_repeating_can_cu():
    rev = Revocation(REVOKE_DECISION.number, LAND.number, COMMANDER,
                     "Căn cứ tình hình đã trở lại bình thường.", REVOKE_DECISION.effective_at,
                     REVOKE_DECISION.signed)
    text = render("21", ctx(LAND, revocation=rev), fmt="text")
    assert "Căn cứ tình hình đã trở lại bình thường;" in text
    assert "Căn cứ Căn cứ" not in text
