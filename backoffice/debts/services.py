"""Writes and read-side calculations of 债权债务: open an item, record a movement, age the balances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum

from .choices import DebtMovementType
from .models import Counterparty, DebtItem, DebtMovement, outstanding_after


@transaction.atomic
def debt_item_open(
    *,
    org,
    item_no: str,
    direction: str,
    ledger_account_code: str,
    counterparty: Counterparty,
    cause: str,
    origin_date: date,
    original_amount: Decimal,
    user=None,
    voucher_ref: str = "",
    **fields,
) -> DebtItem:
    """Register a new credit or debt and its ``new`` movement; outstanding starts at the original amount.

    ``fields`` are the optional ``DebtItem`` fields (purpose, flags, due_date, interest_terms, approval_ref,
    handler, plan_note, is_history, source_system, source_id).
    """
    item = DebtItem(
        org=org,
        item_no=item_no,
        direction=direction,
        ledger_account_code=ledger_account_code,
        counterparty=counterparty,
        cause=cause,
        origin_date=origin_date,
        original_amount=original_amount,
        outstanding=original_amount,
        created_by=user,
        updated_by=user,
        **fields,
    )
    item.full_clean()
    item.save()
    movement = DebtMovement(
        org=org,
        item=item,
        line_no=1,
        movement_date=origin_date,
        movement_type=DebtMovementType.NEW,
        amount=original_amount,
        voucher_ref=voucher_ref,
        note="新增",
        is_history=item.is_history,
        created_by=user,
        updated_by=user,
    )
    movement.full_clean()
    movement.save()
    return item


@transaction.atomic
def debt_movement_record(
    *,
    item: DebtItem,
    movement_type: str,
    amount: Decimal,
    movement_date: date,
    voucher_ref: str = "",
    note: str = "",
    user=None,
) -> DebtMovement:
    """Record an increase, repayment, write-off or offset and update the item's outstanding balance.

    Refuses (``ValidationError``) a movement that would take the balance below zero, a second ``new``
    movement, a non-positive amount or a date before the item's origin.
    """
    item = DebtItem.objects.select_for_update().get(pk=item.pk)
    if (
        movement_type == DebtMovementType.NEW
        and item.movements.filter(movement_type=DebtMovementType.NEW).exists()
    ):
        raise ValidationError("该债权债务已有“新增”变动；再次借入或追加请选择“增加”。")
    next_line = (item.movements.aggregate(n=Max("line_no"))["n"] or 0) + 1
    movement = DebtMovement(
        org_id=item.org_id,
        item=item,
        line_no=next_line,
        movement_date=movement_date,
        movement_type=movement_type,
        amount=amount,
        voucher_ref=voucher_ref,
        note=note,
        is_history=item.is_history,
        created_by=user,
        updated_by=user,
    )
    movement.full_clean()
    movement.save()
    debt_outstanding_refresh(item=item, user=user)
    return movement


def debt_outstanding_refresh(*, item: DebtItem, user=None) -> DebtItem:
    """Recompute ``outstanding`` from the item's movements (after an admin edit, an import or a fix)."""
    balance = outstanding_after(item=item, movement=None)
    if balance < 0:
        raise ValidationError(
            f"债权债务{item.item_no}的变动合计使余额为{balance}元（不能小于0），请核对变动记录。"
        )
    item.outstanding = balance
    item.updated_by = user or item.updated_by
    item.save(update_fields=["outstanding", "updated_by", "updated_at"])
    return item


@dataclass(frozen=True)
class AgeBucket:
    """Outstanding items of one age band: how many and how much."""

    code: str
    label: str
    count: int
    outstanding: Decimal


CENT = Decimal("0.01")
#: (code, label) of the age bands by origin date [P]: under 1 year, 1 to 3 years, over 3 years
AGE_BANDS = (("lt_1y", "1年以内"), ("1y_3y", "1至3年"), ("gt_3y", "3年以上"))


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def debt_ageing(*, queryset: QuerySet[DebtItem], as_of: date) -> dict[str, AgeBucket]:
    """Age items with a balance by origin date as of ``as_of``.

    An item exactly one year old falls in 1–3 years; exactly three years old still in 1–3 years; older
    than that in “over 3 years”. Items originating after ``as_of`` or fully settled are left out.
    """
    one, three = years_before(as_of, 1), years_before(as_of, 3)
    rows = queryset.filter(outstanding__gt=0, origin_date__lte=as_of)
    bands = {
        "lt_1y": Q(origin_date__gt=one),
        "1y_3y": Q(origin_date__lte=one, origin_date__gte=three),
        "gt_3y": Q(origin_date__lt=three),
    }
    aggregates = {}
    for code, condition in bands.items():
        aggregates[f"{code}_n"] = Count("pk", filter=condition)
        aggregates[f"{code}_sum"] = Sum("outstanding", filter=condition)
    totals = rows.aggregate(**aggregates)
    return {
        code: AgeBucket(
            code, label, totals[f"{code}_n"], (totals[f"{code}_sum"] or Decimal("0")).quantize(CENT)
        )
        for code, label in AGE_BANDS
    }
