"""The forms of Circular 112/2025/TT-BQP as ``Document`` layouts, filled from the records.

Appendix I: Form 17 (decision), 18/19 (notices, domestic / neighbour's border force), 20
(extension by the provincial People's Committee), 21 (revocation of a Form 17 decision), 22
(revocation of a Form 20 extension), 23/24 (notices of revocation). Appendix II: II-01/II-02
(main gate, Chairman of the provincial People's Committee: decision / extension), II-03/II-04
(gate or opening, provincial BĐBP commander or Border Post commander: decision / extension).

Wording follows the forms (S004 lines 365-709); "hạn chế (hoặc tạm dừng)" becomes the kind of
the decision. Each builder checks that the records fit the form (scope, issuer, linked acts).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from geo.common.errors import InvalidInput
from geo.common.zones import GateType
from geo.decisions import document as d
from geo.decisions.document import Document, FormContext, Paragraph
from geo.decisions.model import Extension, Issuer, Recipients, Revocation, Scope
from geo.decisions.timeline import extension_periods
from geo.decisions.vocab import IssuerRole, activities_vi

COMMANDERS = (IssuerRole.BORDER_POST_COMMANDER, IssuerRole.PROVINCIAL_BDBP_COMMANDER)
COMMITTEE = (IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE,)
CHAIRMAN = (IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE_CHAIRMAN,)


# --------------------------------------------------------------------------- requirements
def _refuse(form_id: str, why: str) -> InvalidInput:
    return InvalidInput(f"form_id: Form {form_id} {why}", field="form_id")


def need_scope(
    form_id: str, ctx: FormContext, scopes: tuple[Scope, ...], gate_types: tuple[GateType, ...] = ()
) -> None:
    dec = ctx.decision
    if dec.scope not in scopes:
        raise _refuse(form_id, f"does not apply to scope {dec.scope.value}")
    if gate_types and dec.gate_type not in gate_types:
        raise _refuse(form_id, f"does not apply to a {dec.gate_type} gate")


def need_issuer(form_id: str, issuer: Issuer, roles: tuple[IssuerRole, ...]) -> Issuer:
    if issuer.role not in roles:
        raise _refuse(form_id, f"is not signed by a {issuer.role.value}")
    return issuer


def need_extension(form_id: str, ctx: FormContext) -> tuple[Extension, datetime, datetime]:
    """The extension of the form and its period ``(start, end)``."""
    ext = ctx.extension
    if ext is None:
        raise _refuse(form_id, f"needs an extension of {ctx.decision.number}, and none is "
                               "recorded")
    chain = {e.number: e for e in (*ctx.extensions, ext)}
    for period in extension_periods(ctx.decision, chain.values()):
        if period.extension.number == ext.number:
            return ext, period.start, period.end
    raise _refuse(form_id, "needs an extension of its decision")  # pragma: no cover


def _revocation(form_id: str, ctx: FormContext, target: str) -> Revocation:
    rev = ctx.revocation
    if rev is None or rev.revokes != target:
        what = "decision" if target == ctx.decision.number else "extension"
        raise _refuse(form_id, f"needs a recorded revocation of {what} {target}, and none "
                               "is recorded")
    return rev


def _revoked_extension(form_id: str, ctx: FormContext) -> None:
    """Form 22 revokes an extension: say which is missing, the extension or its revocation."""
    if ctx.extension is not None:
        return
    number = ctx.decision.number
    if not ctx.extensions:
        raise _refuse(form_id, f"needs a revoked extension of {number}, and {number} has "
                               "no extension")
    listed = ", ".join(e.number for e in ctx.extensions)
    raise _refuse(form_id, f"needs a revoked extension of {number}, and none of its "
                           f"extensions ({listed}) is revoked")


def _addressee(ctx: FormContext, fallback: tuple[str, ...]) -> str:
    addressee = ctx.addressee or "; ".join(fallback)
    if not addressee:
        raise InvalidInput("addressee: a notice needs an addressee", field="addressee")
    return addressee


def _purpose(ctx: FormContext, addressee: str) -> str:
    """Note (9) "ghi như kính gửi": by default the addressee, to know and coordinate."""
    return ctx.purpose or f"{addressee} biết và phối hợp thực hiện"


def _agreement(ctx: FormContext) -> str:
    if not ctx.agreement.strip():
        raise InvalidInput(
            "agreement: the bilateral border-management agreement is required", field="agreement"
        )
    return f"Căn cứ {d.AGREEMENT} {ctx.agreement.strip()};"


# --------------------------------------------------------------------------- Appendix I
def form_17(ctx: FormContext) -> Document:
    need_scope("17", ctx, (Scope.BORDER_BELT, Scope.LAND_BORDER_AREA))
    dec = ctx.decision
    issuer = need_issuer("17", dec.issuer, COMMANDERS)
    kind = d.kind_vi(dec.kind)
    return Document(
        issuer_lines=d.issuer_lines(ctx, issuer, dec.number),
        place_date=d.place_date(ctx.place, dec.signed_at),
        title="QUYẾT ĐỊNH",
        subject=(f"Về việc {kind} các hoạt động", f"trong {d.zone_vi(dec)}"),
        authority=(issuer.full_title.upper(),),
        basis=(
            *d.basis_lines(d.LAW_BORDER_GUARD, d.LAW_AMENDING_11, extra=dec.legal_basis),
            d.reason_clause("Xét tình hình", dec.reason_text),
        ),
        decides=True,
        body=(
            Paragraph(
                f"{d.kind_vi(dec.kind, capital=True)} các hoạt động sau: "
                f"{activities_vi(dec.activities, dec.scope)}.",
                "Điều 1.",
            ),
            Paragraph(f"Ở khu vực: {ctx.area_text}."),
            Paragraph(f"Thời gian: {d.format_period(dec.valid_from, dec.valid_to)}."),
            Paragraph(d.COMPLY_LAND, "Điều 2."),
            Paragraph(d.EFFECTIVE_ON_SIGNING, "Điều 3."),
        ),
        recipients=d.recipients(ctx, dec.recipients, first=d.report_superior(dec)),
        signature=d.signature(issuer),
    )


def _notice(form_id: str, ctx: FormContext, *, foreign: bool) -> Document:
    """Forms 18 (domestic bodies) and 19 (neighbour's border force)."""
    need_scope(form_id, ctx, (Scope.BORDER_BELT, Scope.LAND_BORDER_AREA))
    dec = ctx.decision
    issuer = need_issuer(form_id, dec.issuer, COMMANDERS)
    kind, zone = d.kind_vi(dec.kind), d.zone_vi(dec)
    fallback = (dec.recipients.neighbour_force,) if foreign else dec.recipients.domestic
    addressee = _addressee(ctx, tuple(x for x in fallback if x))
    fixed = (_agreement(ctx),) if foreign else (d.LAW_BORDER_GUARD, d.LAW_AMENDING_11)
    period = d.format_period(dec.valid_from, dec.valid_to)
    who = f"{issuer.full_title}{' nước Cộng hòa xã hội chủ nghĩa Việt Nam' if foreign else ''}"
    body = [
        Paragraph(
            f"Tôi: {issuer.signer_name}. Cấp bậc: {issuer.signer_rank or '-'}. "
            f"Chức vụ: {issuer.signer_title}."
        ),
        Paragraph(f"Đơn vị: {issuer.unit_name}."),
        Paragraph(
            f"Đã ra Quyết định số {dec.number} {d.format_date(dec.signed_at)} "
            f"về việc {kind} các hoạt động trong {zone}."
        ),
        Paragraph(f"Ở khu vực: {ctx.area_text}."),
        Paragraph(f"Trong thời gian: {period}{' (theo giờ Hà Nội)' if foreign else ''}."),
        Paragraph(f"{who} thông báo để {_purpose(ctx, addressee)}."),
    ]
    if foreign and ctx.other_requests:
        body.append(Paragraph(f"Và {ctx.other_requests}."))
    return Document(
        issuer_lines=d.issuer_lines(ctx, issuer, ctx.notice_number),
        place_date=d.place_date(ctx.place, ctx.notice_date or dec.signed_at),
        title="THÔNG BÁO",
        subject=(f"Về việc {kind} các hoạt động", f"trong {zone}"),
        addressee=addressee,
        basis=d.basis_lines(*fixed, extra=dec.legal_basis),
        body=tuple(body),
        recipients=d.recipients(ctx, Recipients(), first=(d.AS_ADDRESSED,)),
        signature=d.signature(issuer),
    )


def form_20(ctx: FormContext) -> Document:
    need_scope("20", ctx, (Scope.LAND_BORDER_AREA,))
    dec = ctx.decision
    ext, start, end = need_extension("20", ctx)
    issuer = need_issuer("20", ext.issuer, COMMITTEE)
    kind = d.kind_vi(dec.kind)
    return Document(
        issuer_lines=d.issuer_lines(ctx, issuer, ext.number),
        place_date=d.place_date(ctx.place, ext.signed_at),
        title="QUYẾT ĐỊNH",
        subject=(f"Về việc gia hạn {kind} các hoạt động", "trong khu vực biên giới đất liền"),
        authority=(issuer.full_title.upper(),),
        basis=(
            *d.basis_lines(
                d.LAW_LOCAL_GOVERNMENT, d.LAW_BORDER_GUARD, d.LAW_AMENDING_11, extra=ext.legal_basis
            ),
            d.reason_clause("Xét tình hình", ext.reason_text),
        ),
        decides=True,
        body=(
            Paragraph(
                f"Gia hạn {kind} các hoạt động sau: {activities_vi(dec.activities, dec.scope)}.",
                "Điều 1.",
            ),
            Paragraph(f"Ở khu vực: {ctx.area_text}."),
            Paragraph(f"Thời gian: {d.format_period(start, end)}."),
            Paragraph(d.COMPLY_LAND, "Điều 2."),
            Paragraph(d.EFFECTIVE_ON_SIGNING, "Điều 3."),
        ),
        recipients=d.recipients(ctx, ext.recipients),
        signature=d.signature(issuer),
    )


def _revoked_act(
    form_id: str, ctx: FormContext, *, of_extension: bool
) -> tuple[str, str, tuple[str, str], tuple[str, ...]]:
    """Number revoked, its description, the subject lines and the fixed legal bases."""
    dec = ctx.decision
    kind = d.kind_vi(dec.kind)
    if of_extension:
        need_scope(form_id, ctx, (Scope.LAND_BORDER_AREA,))
        _revoked_extension(form_id, ctx)
        ext = need_extension(form_id, ctx)[0]
        act = (
            f"Quyết định số {ext.number} {d.format_date(ext.signed_at)} về việc gia hạn "
            f"{kind} các hoạt động trong khu vực biên giới đất liền"
        )
        subject = (
            f"Bãi bỏ Quyết định gia hạn {kind}",
            "các hoạt động trong khu vực biên giới đất liền",
        )
        fixed = (d.LAW_LOCAL_GOVERNMENT, d.LAW_BORDER_GUARD, d.LAW_AMENDING_11)
        return ext.number, act, subject, fixed
    need_scope(form_id, ctx, (Scope.BORDER_BELT, Scope.LAND_BORDER_AREA))
    act = (
        f"Quyết định số {dec.number} {d.format_date(dec.signed_at)} về việc {kind} "
        f"các hoạt động trong {d.zone_vi(dec)}"
    )
    subject = (f"Bãi bỏ Quyết định {kind} các hoạt động", f"trong {d.zone_vi(dec)}")
    return dec.number, act, subject, (d.LAW_BORDER_GUARD, d.LAW_AMENDING_11)


def _revoking(form_id: str, ctx: FormContext, *, of_extension: bool) -> Document:
    """Forms 21 (revokes a Form 17 decision) and 22 (revokes a Form 20 extension)."""
    target, act, subject, fixed = _revoked_act(form_id, ctx, of_extension=of_extension)
    rev = _revocation(form_id, ctx, target)
    issuer = need_issuer(form_id, rev.issuer, COMMITTEE if of_extension else COMMANDERS)
    first = () if of_extension else d.report_superior(ctx.decision)
    return Document(
        issuer_lines=d.issuer_lines(ctx, issuer, rev.number),
        place_date=d.place_date(ctx.place, rev.signed),
        title="QUYẾT ĐỊNH",
        subject=subject,
        authority=(issuer.full_title.upper(),),
        basis=(*d.basis_lines(*fixed, extra=rev.legal_basis),
               d.reason_clause("Căn cứ", rev.reason_text)),
        decides=True,
        body=(
            Paragraph(f"Bãi bỏ {act}.", "Điều 1."),
            Paragraph(d.COMPLY_LAND, "Điều 2."),
            Paragraph(d.EFFECTIVE_ON_SIGNING, "Điều 3."),
        ),
        recipients=d.recipients(ctx, rev.recipients, first=first),
        signature=d.signature(issuer),
    )


def _revocation_body(ctx: FormContext, rev: Revocation, closing: str) -> tuple[Paragraph, ...]:
    dec = ctx.decision
    kind, zone = d.kind_vi(dec.kind), d.zone_vi(dec)
    issued = d.format_date(dec.signed_at)
    return (
        Paragraph(
            f"{issued[:1].upper()}{issued[1:]}, {dec.issuer.full_title} đã ra Quyết định "
            f"số {dec.number} về việc {kind} các hoạt động trong {zone}."
        ),
        Paragraph(
            f"Nay tình hình đã trở lại bình thường; {d.format_date(rev.signed)} "
            f"{rev.issuer.full_title} đã ban hành Quyết định số {rev.number} bãi bỏ "
            f"Quyết định số {dec.number} {issued} về việc {kind} các hoạt động "
            f"trong {zone}."
        ),
        Paragraph(closing),
    )


def _revocation_notice(form_id: str, ctx: FormContext, *, foreign: bool) -> Document:
    """Forms 23 (domestic bodies) and 24 (neighbour's border force)."""
    need_scope(form_id, ctx, (Scope.BORDER_BELT, Scope.LAND_BORDER_AREA))
    dec = ctx.decision
    rev = _revocation(form_id, ctx, dec.number)
    issuer = need_issuer(form_id, rev.issuer, COMMANDERS)
    listed = (
        rev.recipients
        if rev.recipients.domestic or rev.recipients.neighbour_force
        else dec.recipients
    )
    fallback = (listed.neighbour_force,) if foreign else listed.domestic
    addressee = _addressee(ctx, tuple(x for x in fallback if x))
    fixed = (_agreement(ctx),) if foreign else (d.LAW_BORDER_GUARD, d.LAW_AMENDING_11)
    closing = (
        f"Nay thông báo đến {addressee} để phối hợp thực hiện./."
        if foreign
        else f"Nay thông báo để {_purpose(ctx, addressee)}."
    )
    kind = d.kind_vi(dec.kind)
    return Document(
        issuer_lines=d.issuer_lines(ctx, issuer, ctx.notice_number),
        place_date=d.place_date(ctx.place, ctx.notice_date or rev.signed),
        title="THÔNG BÁO",
        subject=(f"Bãi bỏ Quyết định {kind} các hoạt động", f"trong {d.zone_vi(dec)}"),
        addressee=addressee,
        basis=d.basis_lines(*fixed, extra=rev.legal_basis),
        body=_revocation_body(ctx, rev, closing),
        recipients=d.recipients(ctx, Recipients(), first=(d.AS_ADDRESSED,)),
        signature=d.signature(issuer),
    )


# --------------------------------------------------------------------------- registry
Builder = Callable[[FormContext], Document]

LAND_FORMS: dict[str, Builder] = {
    "17": form_17,
    "18": lambda ctx: _notice("18", ctx, foreign=False),
    "19": lambda ctx: _notice("19", ctx, foreign=True),
    "20": form_20,
    "21": lambda ctx: _revoking("21", ctx, of_extension=False),
    "22": lambda ctx: _revoking("22", ctx, of_extension=True),
    "23": lambda ctx: _revocation_notice("23", ctx, foreign=False),
    "24": lambda ctx: _revocation_notice("24", ctx, foreign=True),
}
