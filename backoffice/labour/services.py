"""Writes and calculations of 集体用工: what a worker is owed for a month, and recording the payment."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from .choices import LabourLedgerAccount, PayMethod, RateUnit
from .models import PERIOD_RE, LabourEngagement, LabourPayment, Timesheet, Worker

CENT = Decimal("0.01")


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a YYYYMM period."""
    if not PERIOD_RE.match(period or ""):
        raise ValidationError(f"期间“{period}”应为6位年月，如202403")
    year, month = int(period[:4]), int(period[4:])
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def labour_payment_compute(*, worker: Worker, engagement: LabourEngagement, period: str) -> Decimal:
    """Payable 元 for one worker, engagement and month, from the timesheets and the engagement's rate.

    元/工日: labour-days of the month × rate. 元/月: the monthly rate if the worker has any timesheet on
    the engagement in that month, else 0 [D] (no proration; part months are settled by hand).
    """
    first, last = period_bounds(period)
    days = Timesheet.objects.filter(
        worker=worker,
        engagement=engagement,
        work_date__gte=first,
        work_date__lte=last,
    ).aggregate(days=Sum("labour_days"))["days"] or Decimal("0")
    if engagement.rate_unit == RateUnit.PER_MONTH:
        return engagement.rate if days > 0 else Decimal("0.00")
    return (days * engagement.rate).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def labour_payment_record(
    *,
    worker: Worker,
    engagement: LabourEngagement,
    period: str,
    paid: Decimal,
    paid_on: date | None,
    pay_method: str = PayMethod.BANK,
    voucher_ref: str = "",
    ledger_account_code: str = LabourLedgerAccount.LABOUR_FEES,
    user=None,
) -> LabourPayment:
    """Create or update the month's payment with ``payable`` computed from the timesheets."""
    payment = LabourPayment.objects.filter(worker=worker, engagement=engagement, period=period).first()
    if payment is None:
        payment = LabourPayment(
            worker=worker, engagement=engagement, period=period, org_id=worker.org_id, created_by=user
        )
    payment.payable = labour_payment_compute(worker=worker, engagement=engagement, period=period)
    payment.paid, payment.paid_on, payment.pay_method = paid, paid_on, pay_method
    payment.voucher_ref, payment.ledger_account_code, payment.updated_by = (
        voucher_ref,
        ledger_account_code,
        user,
    )
    payment.full_clean()
    payment.save()
    return payment
