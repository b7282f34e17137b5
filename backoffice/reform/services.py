"""Writes of 产权制度改革成果 with more than one step (STYLE.md §5)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from .choices import MemberStatus, ShareChangeType
from .models import Dividend, DividendPayment, Member, ShareChange, ShareHolding

CENT = Decimal("0.01")


@transaction.atomic
def member_mark_inactive(*, member: Member, status: str, loss_date: date, reason: str, user=None) -> Member:
    """Record that a member lost membership, died, moved out or is suspended, and close the member's open
    share holdings on that date (a deceased member's shares then pass on by ``share_change_record``)."""
    if status == MemberStatus.ACTIVE:
        raise ValidationError("请选择丧失身份、死亡、迁出或暂停等非正常状态")
    member.status, member.loss_date, member.loss_reason = status, loss_date, reason
    if user is not None:
        member.updated_by = user
    try:
        member.full_clean()
    except ValidationError:
        member.refresh_from_db()
        raise
    member.save()
    if status != MemberStatus.SUSPENDED:
        ShareHolding.objects.filter(member=member, effective_to__isnull=True).update(effective_to=loss_date)
    return member


@transaction.atomic
def share_change_record(
    *,
    holding: ShareHolding,
    change_type: str,
    change_date: date,
    units: Decimal,
    to_member: Member | None = None,
    approval_ref: str = "",
    user=None,
) -> ShareChange:
    """Record a share change: close (or reduce) the source holding on ``change_date`` and, unless it is a
    withdrawal, open a holding of the same type for the receiving member from that date."""
    change = ShareChange(
        org_id=holding.org_id,
        holding=holding,
        change_type=change_type,
        change_date=change_date,
        units=units,
        to_member=to_member,
        approval_ref=approval_ref,
        created_by=user,
        updated_by=user,
    )
    change.full_clean()
    if holding.effective_to and holding.effective_to < change_date - timedelta(days=366):
        raise ValidationError("原股权已终止一年以上，请核对变更日期")
    change.save()
    remaining = holding.units - units
    holding.effective_to = holding.effective_to or change_date
    holding.save(update_fields=["effective_to", "updated_at"])
    if remaining > 0:
        rest = ShareHolding(
            org_id=holding.org_id,
            member=holding.member,
            household=holding.household,
            share_type=holding.share_type,
            units=remaining,
            certificate_no=holding.certificate_no,
            voting_weight=holding.voting_weight,
            effective_from=change_date + timedelta(days=1),
        )
        rest.full_clean()
        rest.save()
    if change_type != ShareChangeType.WITHDRAWAL:
        received = ShareHolding(
            org_id=holding.org_id,
            member=to_member,
            share_type=holding.share_type,
            units=units,
            certificate_no=holding.certificate_no,
            voting_weight=Decimal(0),
            effective_from=change_date,
        )
        received.full_clean()
        received.save()
    return change


def active_units_by_member(*, org_id: int, on: date) -> dict[int, Decimal]:
    """Units each active member holds on ``on``; household-held units (e.g. labour-years shares) are paid
    to the household head."""
    current = ShareHolding.objects.filter(org_id=org_id, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )
    units: dict[int, Decimal] = {}
    own = current.filter(member__status=MemberStatus.ACTIVE).values("member_id").annotate(units=Sum("units"))
    for row in own:
        units[row["member_id"]] = row["units"]
    heads = dict(
        Member.objects.filter(org_id=org_id, relation_to_head="head", status=MemberStatus.ACTIVE).values_list(
            "household_id", "pk"
        )
    )
    for row in current.filter(household__isnull=False).values("household_id").annotate(units=Sum("units")):
        head = heads.get(row["household_id"])
        if head is not None:
            units[head] = units.get(head, Decimal(0)) + row["units"]
    return units


@transaction.atomic
def dividend_generate_payments(*, dividend: Dividend, paid_on: date | None = None, user=None) -> int:
    """Create one payment per member holding shares at the end of the dividend year (per-share amount ×
    units); refuses when payments exist or when they would exceed the dividend total."""
    if dividend.payments.exists():
        raise ValidationError(f"{dividend}已生成发放明细，请勿重复生成")
    units = active_units_by_member(org_id=dividend.org_id, on=date(dividend.year, 12, 31))
    payments = [
        DividendPayment(
            org_id=dividend.org_id,
            region_code=dividend.region_code,
            dividend=dividend,
            member_id=member_id,
            amount=(dividend.per_share_amount * held).quantize(CENT, rounding=ROUND_HALF_UP),
            paid_on=paid_on,
            created_by=user,
            updated_by=user,
        )
        for member_id, held in sorted(units.items())
    ]
    total = sum((p.amount for p in payments), Decimal(0))
    if total > dividend.total_amount:
        raise ValidationError(
            f"按每股{dividend.per_share_amount}元计算的发放合计{total}元超过分红总额{dividend.total_amount}元"
        )
    for payment in payments:
        payment.full_clean(exclude=["account"])
    DividendPayment.objects.bulk_create(payments)
    return len(payments)
