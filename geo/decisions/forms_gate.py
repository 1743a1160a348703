"""Appendix II of Circular 112/2025/TT-BQP: decisions on crossings at gates and openings.

II-01 / II-02: the Chairman of the provincial People's Committee restricts (suspends) or
extends at a main (bilateral) gate, on the provincial BĐBP commander's proposal.
II-03 / II-04: the provincial BĐBP commander or a Border Post commander restricts (suspends)
or extends at a gate or border opening; reported to the provincial (commander) or commune
(Border Post) People's Committee, note (11). No form exists for the Prime Minister (DEC-55).
"""

from __future__ import annotations

from datetime import datetime

from geo.common.zones import GateType
from geo.decisions import document as d
from geo.decisions.document import Document, FormContext, Paragraph
from geo.decisions.forms import (
    CHAIRMAN,
    COMMANDERS,
    Builder,
    need_extension,
    need_issuer,
    need_scope,
)
from geo.decisions.model import Issuer, Recipients, Scope
from geo.decisions.vocab import IssuerRole

COMMANDER_GATES = (GateType.MAIN, GateType.AUXILIARY, GateType.BORDER_OPENING)


def _report_to(ctx: FormContext, issuer: Issuer) -> tuple[str, ...]:
    """Note (11) of Forms II-03/04: whom the decision is reported to."""
    if ctx.report_to:
        target = ctx.report_to
    elif issuer.role is IssuerRole.PROVINCIAL_BDBP_COMMANDER:
        target = f"Ủy ban nhân dân tỉnh {ctx.province_name}"
    else:
        target = "Ủy ban nhân dân xã, phường sở tại"
    return (f"{target} (để báo cáo)",)


def _act(
    form_id: str, ctx: FormContext, *, extends: bool, chairman: bool
) -> tuple[str, Issuer, datetime, datetime, datetime, Recipients, tuple[str, ...], str]:
    """Number, issuer, signing, period, recipients, extra legal bases and reason of the act."""
    roles = CHAIRMAN if chairman else COMMANDERS
    gate_types = (GateType.MAIN,) if chairman else COMMANDER_GATES
    need_scope(form_id, ctx, (Scope.GATE,), gate_types)
    dec = ctx.decision
    if not extends:
        issuer = need_issuer(form_id, dec.issuer, roles)
        return (
            dec.number,
            issuer,
            dec.signed_at,
            dec.valid_from,
            dec.valid_to,
            dec.recipients,
            dec.legal_basis,
            dec.reason_text,
        )
    ext, start, end = need_extension(form_id, ctx)
    issuer = need_issuer(form_id, ext.issuer, roles)
    return (
        ext.number,
        issuer,
        ext.signed_at,
        start,
        end,
        ext.recipients,
        ext.legal_basis,
        ext.reason_text,
    )


def _basis(
    ctx: FormContext, extra: tuple[str, ...], reason: str, *, chairman: bool
) -> tuple[str, ...]:
    """Legal bases, then the proposal (II-01/02) or the situation (II-03/04)."""
    if chairman:
        proposer = ctx.proposer_unit or f"tỉnh {ctx.province_name}"
        return (
            *d.basis_lines(
                d.LAW_LOCAL_GOVERNMENT, d.LAW_BORDER_GUARD, d.LAW_AMENDING_11, extra=extra
            ),
            f"Xét đề nghị của Chỉ huy trưởng Ban Chỉ huy Bộ đội Biên phòng {proposer},",
        )
    return (
        *d.basis_lines(d.LAW_BORDER_GUARD, d.LAW_AMENDING_11, extra=extra),
        d.reason_clause("Căn cứ tình hình", reason, ","),
    )


def gate_form(form_id: str, ctx: FormContext, *, extends: bool, chairman: bool) -> Document:
    """Forms II-01 (``chairman``), II-02 (``chairman``, ``extends``), II-03, II-04 (``extends``)."""
    number, issuer, signed, start, end, listed, extra, reason = _act(
        form_id, ctx, extends=extends, chairman=chairman
    )
    dec = ctx.decision
    kind = d.kind_vi(dec.kind)
    gate = d.gate_vi(dec, ctx.area_text)
    lead = "Gia hạn " + kind if extends else d.kind_vi(dec.kind, capital=True)
    extended = "gia hạn " if extends else ""
    return Document(
        issuer_lines=d.issuer_lines(ctx, issuer, number),
        place_date=d.place_date(ctx.place, signed),
        title="QUYẾT ĐỊNH",
        subject=(
            f"Về việc {'gia hạn thời gian ' if extends else ''}{kind} các hoạt động "
            "qua lại biên giới",
            f"tại {gate}",
        ),
        authority=(issuer.full_title.upper(),),
        basis=_basis(ctx, extra, reason, chairman=chairman),
        decides=True,
        body=(
            Paragraph(f"{lead} các hoạt động qua lại tại {gate}.", "Điều 1."),
            Paragraph(f"Thời gian: {d.format_period(start, end)}."),
            Paragraph(
                f"Hết thời gian {extended}{kind} quy định tại Điều 1 Quyết định này, "
                f"các hoạt động qua lại tại {gate} trở lại bình thường.",
                "Điều 2.",
            ),
            Paragraph(
                f"Các cơ quan, tổ chức, cá nhân có liên quan đến hoạt động qua lại tại "
                f"{gate} chịu trách nhiệm chấp hành Quyết định này.",
                "Điều 3.",
            ),
            Paragraph(d.EFFECTIVE_ON_SIGNING, "Điều 4."),
        ),
        recipients=d.recipients(ctx, listed, first=() if chairman else _report_to(ctx, issuer)),
        signature=d.signature(issuer),
    )


GATE_FORMS: dict[str, Builder] = {
    "II-01": lambda ctx: gate_form("II-01", ctx, extends=False, chairman=True),
    "II-02": lambda ctx: gate_form("II-02", ctx, extends=True, chairman=True),
    "II-03": lambda ctx: gate_form("II-03", ctx, extends=False, chairman=False),
    "II-04": lambda ctx: gate_form("II-04", ctx, extends=True, chairman=False),
}
