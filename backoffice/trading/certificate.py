"""交易鉴证书 (transaction attestation certificate, DOMAIN.md §6.7): the PDF and its verification code.

- The verification code is random and stored on the ``Certificate`` row (8 characters without 0/O/1/I/L),
  printed on the certificate and checked by the public verification page: a certificate number alone
  (it is public) does not verify. A stored random code survives a SECRET_KEY rotation, which a keyed hash
  of the number would not.
- ``render_certificate_pdf(facts)``: one A4 page in the reportlab built-in CJK font ``STSong-Light``
  (no font download), with a QR code pointing at the public verification page.
- ``certificate_facts(certificate)``: the printable facts of a stored certificate; personal identifiers
  of natural persons appear masked only.
- ``certificate_print(...)``: renders and logs one print (who, when, why, which copy).
"""

from __future__ import annotations

import hmac
import io
import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def normalise_code(code: str) -> str:
    """A verification code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def verification_code_matches(stored: str, typed: str) -> bool:
    """Whether the typed code is the certificate's stored code (constant-time comparison)."""
    if not stored or not typed:
        return False
    return hmac.compare_digest(normalise_code(stored), normalise_code(typed))


@dataclass(frozen=True)
class CertificateFacts:
    """What a 交易鉴证书 shows (DOMAIN.md §6.7). Identifiers of natural persons are already masked."""

    certificate_no: str
    project_no: str
    property_type: str
    title: str
    location: str = ""
    area_text: str = ""
    boundaries: str = ""
    transferor_name: str = ""
    transferor_id: str = ""
    transferee_name: str = ""
    transferee_id: str = ""
    transfer_mode: str = ""
    trading_method: str = ""
    listing_price: Decimal | None = None
    deal_price: Decimal | None = None
    term_start: date | None = None
    term_end: date | None = None
    contract_no: str = ""
    contract_signed_on: date | None = None
    announcement: str = ""
    publicity: str = ""
    institution: str = ""
    issued_on: date | None = None
    handler: str = ""
    verify_url: str = ""
    verification_code: str = ""
    revisions: tuple[str, ...] = field(default_factory=tuple)


def money_text(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f} 元"


def date_text(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _rows(facts: CertificateFacts) -> list[tuple[str, str]]:
    term = "—"
    if facts.term_start and facts.term_end:
        term = f"{date_text(facts.term_start)} 至 {date_text(facts.term_end)}"
    return [
        ("项目编号", facts.project_no),
        ("交易品种", facts.property_type),
        ("标的名称", facts.title),
        ("标的坐落", facts.location or "—"),
        ("面积/数量", facts.area_text or "—"),
        ("四至", facts.boundaries or "—"),
        ("出让方", _party(facts.transferor_name, facts.transferor_id)),
        ("受让方", _party(facts.transferee_name, facts.transferee_id)),
        ("流转方式", facts.transfer_mode or "—"),
        ("交易方式", facts.trading_method or "—"),
        ("挂牌价格", money_text(facts.listing_price)),
        ("成交金额", money_text(facts.deal_price)),
        ("流转期限", term),
        ("合同编号", facts.contract_no or "—"),
        ("合同签订日期", date_text(facts.contract_signed_on)),
        ("挂牌公告期", facts.announcement or "—"),
        ("结果公示期", facts.publicity or "—"),
    ]


def _party(name: str, identifier: str) -> str:
    return f"{name}（{identifier}）" if identifier else (name or "—")


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points (CJK text breaks between any characters)."""
    lines, current = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(current + ch, FONT, size) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    return [*lines, current] if current or not lines else lines


def _draw_qr(pdf: canvas.Canvas, text: str, x: float, y: float, side: float) -> None:
    """A QR code as filled runs of dark modules, straight on the canvas (the reportlab widget builds one
    shape per run twice over and took ~0.4 s per certificate)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    border = 2
    box = side / (count + 2 * border)
    pdf.setFillColor(colors.black)
    for r, row in enumerate(code.modules):
        c = 0
        for dark, run in itertools.groupby(bool(v) for v in row):
            length = len(list(run))
            if dark:
                pdf.rect(
                    x + (c + border) * box,
                    y + side - (r + border + 1) * box,
                    length * box,
                    box,
                    stroke=0,
                    fill=1,
                )
            c += length


def render_certificate_pdf(facts: CertificateFacts, *, copy_no: int | None = None) -> bytes:
    """The certificate as a one-page A4 PDF (bytes). ``copy_no`` prints "第N次打印" in the footer."""
    _register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0, invariant=1)
    pdf.setTitle(f"交易鉴证书 {facts.certificate_no}")
    pdf.setSubject(f"certificate {facts.certificate_no} project {facts.project_no}")
    pdf.setAuthor(facts.institution or "农村产权流转交易平台")
    width, height = A4
    left, right = 22 * mm, width - 22 * mm

    pdf.setStrokeColor(colors.HexColor("#8B1A1A"))
    pdf.setLineWidth(2)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.5)
    pdf.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)

    pdf.setFillColor(colors.HexColor("#8B1A1A"))
    pdf.setFont(FONT, 26)
    pdf.drawCentredString(width / 2, height - 38 * mm, "农村产权流转交易鉴证书")
    pdf.setFillColor(colors.black)
    pdf.setFont(FONT, 11)
    pdf.drawString(left, height - 50 * mm, f"鉴证书编号：{facts.certificate_no}")
    pdf.drawRightString(right, height - 50 * mm, f"验证码：{facts.verification_code}")

    y = height - 60 * mm
    label_width, size, leading = 32 * mm, 10.5, 6.2 * mm
    pdf.setLineWidth(0.4)
    pdf.setStrokeColor(colors.grey)
    for label, value in _rows(facts):
        lines = _wrap(str(value), right - left - label_width - 4 * mm, size)
        row_height = leading * len(lines)
        pdf.line(left, y + 4.2 * mm, right, y + 4.2 * mm)
        pdf.setFont(FONT, size)
        pdf.drawString(left + 2 * mm, y, label)
        for index, line in enumerate(lines):
            pdf.drawString(left + label_width, y - index * leading, line)
        y -= row_height
    pdf.line(left, y + 4.2 * mm, right, y + 4.2 * mm)

    y -= 6 * mm
    statement = (
        "经审核，上述农村产权流转交易项目已按规定程序完成信息发布、交易组织、结果公示、合同签订和价款结算，"
        "交易行为符合《山西省农村产权流转交易管理办法（试行）》规定，特此鉴证。"
    )
    for line in _wrap(statement, right - left, 11):
        pdf.setFont(FONT, 11)
        pdf.drawString(left, y, line)
        y -= 6.5 * mm
    for revision in facts.revisions:
        for line in _wrap(f"变更记录：{revision}", right - left, 9):
            pdf.setFont(FONT, 9)
            pdf.drawString(left, y, line)
            y -= 5 * mm

    # Issuer block bottom right, QR code bottom left.
    pdf.setFont(FONT, 11)
    pdf.drawRightString(right, 52 * mm, f"鉴证机构（盖章）：{facts.institution or '—'}")
    pdf.drawRightString(right, 44 * mm, f"经办人：{facts.handler or '—'}")
    pdf.drawRightString(right, 36 * mm, f"出具日期：{date_text(facts.issued_on)}")
    if facts.verify_url:
        _draw_qr(pdf, facts.verify_url, left, 28 * mm, 30 * mm)
        pdf.setFont(FONT, 8)
        pdf.drawString(left, 24 * mm, "扫码或登录交易平台“鉴证书验证”页面核验")
    pdf.setFont(FONT, 8)
    footer = "本鉴证书按全省统一格式出具"
    if copy_no:
        footer += f" · 第{copy_no}次打印"
    pdf.drawCentredString(width / 2, 17 * mm, footer)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_facts(certificate, *, verify_url: str = "") -> CertificateFacts:
    """The printable facts of a stored ``Certificate``: ID numbers of persons masked, the credit code of an
    organisation shown (it is public)."""
    from backoffice.core.pii import SensitiveKind, mask

    from .choices import BidderKind, TransferorKind

    deal = certificate.deal
    listing = certificate.listing
    winner = deal.registration
    transferor_id = listing.transferor_id
    if listing.transferor_kind == TransferorKind.FARMER:
        transferor_id = mask(transferor_id, SensitiveKind.ID_OR_CREDIT_CODE)
    transferee_id = winner.id_no
    if winner.kind == BidderKind.PERSON:
        transferee_id = mask(transferee_id, SensitiveKind.ID_OR_CREDIT_CODE)
    return CertificateFacts(
        certificate_no=certificate.number,
        project_no=listing.listing_no,
        property_type=listing.get_property_type_display(),
        title=listing.title,
        location=listing.location,
        area_text=area_text(listing),
        boundaries=boundaries_text(listing),
        transferor_name=listing.transferor_name,
        transferor_id=transferor_id,
        transferee_name=winner.name,
        transferee_id=transferee_id,
        transfer_mode=listing.get_transfer_mode_display(),
        trading_method=deal.get_method_display(),
        listing_price=listing.listing_price,
        deal_price=deal.price,
        term_start=deal.term_start or listing.term_start,
        term_end=deal.term_end or listing.term_end,
        contract_no=deal.contract_no,
        contract_signed_on=deal.contract_signed_on,
        announcement=period_text(listing.announcement_start, listing.announcement_end),
        publicity=period_text(listing.publicity_start, listing.publicity_end),
        institution=certificate.institution or listing.get_trading_institution_display(),
        issued_on=certificate.issued_at.date() if certificate.issued_at else None,
        handler=_user_name(certificate.issued_by),
        verify_url=verify_url,
        verification_code=certificate.verification_code,
        revisions=(certificate.remarks,) if certificate.remarks else (),
    )


def area_text(listing) -> str:
    parts = []
    if listing.area:
        parts.append(f"{listing.area} 亩")
    if listing.quantity and not (listing.area and listing.unit == "mu"):
        parts.append(f"{listing.quantity} {listing.get_unit_display()}")
    return "，".join(parts)


def boundaries_text(listing) -> str:
    sides = (
        ("东", listing.boundary_east),
        ("西", listing.boundary_west),
        ("南", listing.boundary_south),
        ("北", listing.boundary_north),
    )
    return "；".join(f"{side}至{value}" for side, value in sides if value)


def period_text(start: date | None, end: date | None) -> str:
    if not start or not end:
        return ""
    return f"{date_text(start)} 至 {date_text(end)}"


def _user_name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def certificate_print(*, certificate, user, reason: str = "", verify_url: str = ""):
    """Render ``certificate`` as a PDF and log the print; returns ``(pdf_bytes, CertificatePrint)``.

    The copy number is taken under a lock on the certificate row, so two clerks printing at once get
    copies N and N+1, never the same number twice.
    """
    from django.db import transaction
    from django.db.models import Max

    from .models import Certificate, CertificatePrint

    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        last = locked.prints.aggregate(last=Max("copy_no"))["last"] or 0
        entry = CertificatePrint.objects.create(
            listing_id=locked.listing_id,
            region_code=locked.region_code,
            certificate=locked,
            copy_no=last + 1,
            printed_by=user,
            reason=reason[:200],
        )
        # Rendered inside the transaction: a print that failed to render is not logged as printed.
        pdf = render_certificate_pdf(certificate_facts(locked, verify_url=verify_url), copy_no=entry.copy_no)
    return pdf, entry
