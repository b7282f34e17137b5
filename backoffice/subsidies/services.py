"""Writes of 惠农政策落实 with more than one step (STYLE.md §5)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import CollectiveSubsidy, SubsidyPublicity, SubsidyRoster


def collective_subsidy_use(*, subsidy: CollectiveSubsidy, amount: Decimal, user=None) -> CollectiveSubsidy:
    """Record spending ``amount`` 元 of a collective subsidy; refuses to overspend the balance."""
    if amount <= 0:
        raise ValidationError("使用金额必须大于0")
    if amount > subsidy.balance:
        raise ValidationError(f"使用金额{amount}元超过该笔补助资金余额{subsidy.balance}元")
    subsidy.used_amount += amount
    if user is not None:
        subsidy.updated_by = user
    try:
        subsidy.full_clean()
    except ValidationError:
        subsidy.refresh_from_db()
        raise
    subsidy.save()
    return subsidy


@transaction.atomic
def roster_attach_publicity(*, publicity: SubsidyPublicity, lines: list[SubsidyRoster], user=None) -> int:
    """Link roster lines to the publicity batch that showed them; every line must be of the same
    programme and organisation. Returns the number of lines linked."""
    for line in lines:
        line.publicity = publicity
        if user is not None:
            line.updated_by = user
        line.full_clean()
        line.save(update_fields=["publicity", "updated_by", "updated_at"])
    return len(lines)
