"""What a form is filled from (``FormContext``), its neutral layout (``Document``) and the
Vietnamese wording shared by the forms of Circular 112/2025/TT-BQP.

Times are written in Hanoi time as the forms do: "08 giờ 00 phút ngày 05/01/2026". Minutes
are always written, also on Forms 17 and 20 whose blanks only show hours, because a window
may start at a non-whole hour. Window ends are exclusive instants, written as such
("đến 20 giờ 00 phút": the restriction is over at 20:00).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from geo.common.errors import InvalidInput
from geo.common.timeutil import to_hanoi
from geo.common.zones import GateType
from geo.decisions.model import Decision, Extension, Issuer, Recipients, Revocation
from geo.decisions.vocab import KIND_VI, SCOPE_VI, DecisionKind, IssuerRole, Scope

LAW_BORDER_GUARD = "Căn cứ Luật Biên phòng Việt Nam;"
LAW_AMENDING_11 = "Căn cứ Luật sửa đổi, bổ sung một số điều của 11 Luật về quân sự, quốc phòng;"
LAW_LOCAL_GOVERNMENT = "Căn cứ Luật Tổ chức chính quyền địa phương;"
AGREEMENT = "Hiệp định về quy chế quản lý biên giới"
AS_ADDRESSED = "Như trên"  # "Nơi nhận" of a notice: the addressee
EFFECTIVE_ON_SIGNING = "Quyết định này có hiệu lực thi hành kể từ ngày ký./."
COMPLY_LAND = (
    "Các cơ quan, tổ chức, cá nhân có liên quan đến hoạt động trong khu vực biên giới "
    "đất liền chịu trách nhiệm chấp hành Quyết định này."
)


@dataclass(frozen=True)
class FormContext:
    """The records and the paperwork a form is filled from.

    ``area_text`` is the area as it must read — administrative names or coordinates — resolved
    by the caller; for gate forms it is the gate's or opening's name without the words
    "cửa khẩu" / "lối mở". ``province_name`` e.g. "Lạng Sơn". ``place_name`` is the place of the
    date line (the province for commanders, the commune or ward for Border Posts); it defaults
    to ``province_name``. ``reason_text`` of a decision is written after "Xét tình hình" (Form
    17) or "Căn cứ tình hình" (Form 03); that of a revocation after "Căn cứ".
    ``legal_basis`` items are written after "Căn cứ". ``agreement`` (Forms 19, 24) is what
    follows "Hiệp định về quy chế quản lý biên giới", e.g. "trên đất liền Việt Nam - Trung Quốc".
    """

    decision: Decision
    area_text: str
    province_name: str
    place_name: str = ""
    parent_body: str = ""  # TÊN CƠ QUAN CHỦ QUẢN
    extension: Extension | None = None  # Forms 20, 22, II-02, II-04
    extensions: tuple[Extension, ...] = ()  # every extension of the decision (for periods)
    revocation: Revocation | None = None  # Forms 21-24
    notice_number: str = ""  # Forms 18, 19, 23, 24
    notice_date: datetime | None = None  # default: signing of the act notified
    addressee: str = ""  # Kính gửi; default: the recipients of the act
    purpose: str = ""  # "thông báo để ..."
    other_requests: str = ""  # Form 19 (10)
    agreement: str = ""  # Forms 19, 24
    proposer_unit: str = ""  # Forms II-01/02, default "tỉnh <province_name>"
    report_to: str = ""  # Forms II-03/04 (11)
    executors: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("area_text", "province_name"):
            if not str(getattr(self, name) or "").strip():
                raise InvalidInput(f"{name}: a non-empty text is required", field=name)
        if not isinstance(self.decision, Decision):
            raise InvalidInput("decision: a Decision is required", field="decision")

    @property
    def place(self) -> str:
        return self.place_name or self.province_name


@dataclass(frozen=True)
class Paragraph:
    """A paragraph with an optional bold lead ("Điều 1.")."""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class Document:
    """Neutral layout of an administrative document (decision or notice)."""

    issuer_lines: tuple[str, ...]  # left header: parent body, unit, "Số: ..."
    place_date: str
    title: str  # QUYẾT ĐỊNH / THÔNG BÁO
    subject: tuple[str, ...]
    authority: tuple[str, ...] = ()  # THẨM QUYỀN BAN HÀNH
    addressee: str = ""
    basis: tuple[str, ...] = ()
    decides: bool = False  # print "QUYẾT ĐỊNH:" between basis and body
    body: tuple[Paragraph, ...] = ()
    recipients: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()


# --------------------------------------------------------------------------- wording
def format_instant(moment: datetime) -> str:
    """``"08 giờ 00 phút ngày 05/01/2026"`` in Hanoi time."""
    local = to_hanoi(moment)
    return f"{local:%H} giờ {local:%M} phút ngày {local:%d/%m/%Y}"


def format_period(start: datetime, end: datetime) -> str:
    """``"Từ 08 giờ 00 phút ngày 05/01/2026 đến 20 giờ 00 phút ngày 05/01/2026"``."""
    return f"Từ {format_instant(start)} đến {format_instant(end)}"


def format_date(moment: datetime) -> str:
    """``"ngày 05 tháng 01 năm 2026"`` (Hanoi date)."""
    local = to_hanoi(moment)
    return f"ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def place_date(place: str, moment: datetime) -> str:
    return f"{place}, {format_date(moment)}"


def kind_vi(kind: DecisionKind, *, capital: bool = False) -> str:
    word = KIND_VI[kind]
    return word[:1].upper() + word[1:] if capital else word


def zone_vi(decision: Decision) -> str:
    return SCOPE_VI[decision.scope]


def gate_vi(decision: Decision, name: str) -> str:
    """``"cửa khẩu Chi Ma"`` or ``"lối mở Bản Chắt"``."""
    word = "lối mở" if decision.gate_type is GateType.BORDER_OPENING else "cửa khẩu"
    return f"{word} {name}"


#: Openings an officer may type that the forms' fixed words already say, longest first.
REASON_OPENINGS = ("căn cứ vào tình hình", "căn cứ tình hình", "xét tình hình", "căn cứ vào",
                   "căn cứ", "tình hình")


def reason_clause(lead: str, reason_text: str, end: str = ";") -> str:
    """``lead`` ("Xét tình hình", "Căn cứ tình hình", "Căn cứ") then ``reason_text``, read as
    one clause whatever the officer typed: an opening the lead already says is not repeated
    ("Xét tình hình" + "Tình hình an ninh phức tạp." -> "Xét tình hình an ninh phức tạp;"),
    nor is the closing punctuation; after "tình hình" a capital that only opens the sentence
    ("Mưa lũ") is lowered, an acronym ("UBND") kept."""
    text = " ".join(str(reason_text).split()).rstrip(" ;,.")
    situation = lead.casefold().endswith("tình hình")
    ending = "tình hình" if situation else "căn cứ"
    for opening in REASON_OPENINGS:
        if not opening.endswith(ending) and not (situation and opening == "xét tình hình"):
            continue
        head = text[:len(opening)].casefold()
        if head == opening and (len(text) == len(opening) or not text[len(opening)].isalnum()):
            text = text[len(opening):].lstrip(" ,:")
            break
    if situation and len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return f"{lead} {text}{end}" if text else f"{lead}{end}"


def basis_lines(*fixed: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    return (*fixed, *(f"Căn cứ {item.rstrip(';.')};" for item in extra))


def issuer_lines(ctx: FormContext, issuer: Issuer, number: str) -> tuple[str, ...]:
    lines = [ctx.parent_body.upper()] if ctx.parent_body else []
    lines.append(issuer.unit_name.upper())
    if number:
        lines.append(f"Số: {number}")
    return tuple(lines)


def signature(issuer: Issuer) -> tuple[str, ...]:
    """Signature block: "TM." line for a collective body, the title, then rank and name."""
    head = ("TM. ỦY BAN NHÂN DÂN",) if issuer.collective else ()
    name = f"{issuer.signer_rank} {issuer.signer_name}".strip()
    return (*head, issuer.signer_title.upper(), name)


def recipients(
    ctx: FormContext, listed: Recipients, *, first: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """ "Nơi nhận" lines: fixed first lines, the act's domestic recipients, executors, archive."""
    names = dict.fromkeys((*first, *listed.domestic, *ctx.executors))
    return (*(f"- {name};" for name in names), "- Lưu: VT.")


def report_superior(decision: Decision) -> tuple[str, ...]:
    """Forms 17/21: a Border Post's decision is reported to the provincial commander."""
    if decision.issuer.role is IssuerRole.BORDER_POST_COMMANDER:
        return ("Chỉ huy trưởng Ban Chỉ huy Bộ đội Biên phòng (để b/c)",)
    return ()


def is_land(decision: Decision) -> bool:
    return decision.scope in (Scope.BORDER_BELT, Scope.LAND_BORDER_AREA)
