"""Vocabulary of restriction / suspension decisions (RULES.md §4), with Vietnamese labels.

Each enum value is the stable identifier used in storage and the API; the ``*_VI`` tables
give the wording the forms of Circular 112/2025/TT-BQP use.
"""

from __future__ import annotations

from enum import StrEnum


class DecisionKind(StrEnum):
    """Restrict (hạn chế) or suspend (tạm dừng) the listed activities."""

    RESTRICT = "restrict"
    SUSPEND = "suspend"


class Scope(StrEnum):
    """Where the decision applies (Law 66/2020 Art 11(2)(a)-(c))."""

    BORDER_BELT = "border_belt"  # vành đai biên giới, Art 11(2)(a)
    LAND_BORDER_AREA = "land_border_area"  # khu vực biên giới đất liền, Art 11(2)(b)
    GATE = "gate"  # one gate or border opening (cửa khẩu, lối mở), Art 11(2)(c)


class IssuerRole(StrEnum):
    """Who signs (RULES.md §1.5)."""

    BORDER_POST_COMMANDER = "border_post_commander"  # Đồn trưởng Đồn Biên phòng
    PROVINCIAL_BDBP_COMMANDER = "provincial_bdbp_commander"  # Chỉ huy trưởng Ban CH BĐBP
    PROVINCIAL_PEOPLES_COMMITTEE = "provincial_peoples_committee"  # collective, Forms 20/22
    PROVINCIAL_PEOPLES_COMMITTEE_CHAIRMAN = "provincial_peoples_committee_chairman"  # 01/02
    PRIME_MINISTER = "prime_minister"


class ReasonCode(StrEnum):
    """Grounds for a decision (DEC-01, Law 66/2020 Art 11(1)(a)-(d))."""

    SOVEREIGNTY = "sovereignty"  # (a) dispute, armed conflict, intrusion
    SECURITY = "security"  # (b) riot, terrorism, hostage-taking, armed criminals
    DISASTER_EPIDEMIC = "disaster_epidemic"  # (c) disaster, fire, flood, epidemic
    NEIGHBOUR_REQUEST = "neighbour_request"  # (d) request/notice of the neighbouring country


class Activity(StrEnum):
    """Activities that may be restricted or suspended (DEC-02, Art 11(2))."""

    ENTER_LEAVE_ZONE = "enter_leave_zone"  # ra, vào vành đai / khu vực biên giới
    ENTER_HAZARD_AREA = "enter_hazard_area"  # ra, vào khu vực có dịch bệnh, hỏa hoạn...
    MARKET = "market"  # họp chợ
    FESTIVAL = "festival"  # tổ chức lễ hội
    PRODUCTION = "production"  # sản xuất
    BUSINESS = "business"  # kinh doanh
    CONSTRUCTION = "construction"  # xây dựng công trình
    RESOURCE_EXPLORATION = "resource_exploration"  # thăm dò tài nguyên
    RESOURCE_EXPLOITATION = "resource_exploitation"  # khai thác tài nguyên
    GATE_CROSSING = "gate_crossing"  # qua lại biên giới tại cửa khẩu, lối mở, Art 11(2)(c)


#: Activities allowed per scope: Art 11(2)(a)-(b) list for belt / area, (c) for gates.
ACTIVITIES_BY_SCOPE: dict[Scope, frozenset[Activity]] = {
    Scope.BORDER_BELT: frozenset(Activity) - {Activity.GATE_CROSSING},
    Scope.LAND_BORDER_AREA: frozenset(Activity) - {Activity.GATE_CROSSING},
    Scope.GATE: frozenset({Activity.GATE_CROSSING}),
}

KIND_VI = {DecisionKind.RESTRICT: "hạn chế", DecisionKind.SUSPEND: "tạm dừng"}

#: Zone wording of note (4) of Forms 17-19, 21, 23, 24.
SCOPE_VI = {
    Scope.BORDER_BELT: "vành đai biên giới",
    Scope.LAND_BORDER_AREA: "khu vực biên giới đất liền",
    Scope.GATE: "cửa khẩu",
}

#: Title of the head as it opens the authority line (completed with the unit name).
ROLE_TITLE_VI = {
    IssuerRole.BORDER_POST_COMMANDER: "Đồn trưởng",
    IssuerRole.PROVINCIAL_BDBP_COMMANDER: "Chỉ huy trưởng",
    IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE: "Chủ tịch",
    IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE_CHAIRMAN: "Chủ tịch",
    IssuerRole.PRIME_MINISTER: "Thủ tướng",
}

REASON_VI = {
    ReasonCode.SOVEREIGNTY: "tranh chấp, xung đột vũ trang, xâm nhập, đe dọa chủ quyền, biên giới",
    ReasonCode.SECURITY: "bạo loạn, khủng bố, bắt cóc con tin, truy bắt tội phạm có vũ trang",
    ReasonCode.DISASTER_EPIDEMIC: "phòng, chống thiên tai, hỏa hoạn, lũ lụt, dịch bệnh lây lan",
    ReasonCode.NEIGHBOUR_REQUEST: (
        "đề nghị hoặc thông báo của nước có chung đường biên giới về việc hạn chế "
        "hoặc tạm dừng qua lại biên giới"
    ),
}

#: Activity wording after Law 66/2020 Art 11(2); ``{zone}`` is filled with SCOPE_VI.
ACTIVITY_VI = {
    Activity.ENTER_LEAVE_ZONE: "ra, vào {zone}",
    Activity.ENTER_HAZARD_AREA: (
        "ra, vào khu vực có dịch bệnh, hỏa hoạn, lũ lụt, nguy cơ thiên tai xảy ra"
    ),
    Activity.MARKET: "họp chợ",
    Activity.FESTIVAL: "tổ chức lễ hội",
    Activity.PRODUCTION: "sản xuất",
    Activity.BUSINESS: "kinh doanh",
    Activity.CONSTRUCTION: "xây dựng công trình",
    Activity.RESOURCE_EXPLORATION: "thăm dò tài nguyên",
    Activity.RESOURCE_EXPLOITATION: "khai thác tài nguyên",
    Activity.GATE_CROSSING: "qua lại biên giới",
}


def activities_vi(activities: tuple[Activity, ...], scope: Scope) -> str:
    """The activities as the forms list them, e.g. ``"họp chợ; tổ chức lễ hội"``."""
    zone = SCOPE_VI[scope]
    return "; ".join(ACTIVITY_VI[a].format(zone=zone) for a in activities)
