"""Payable computation of 集体用工 from timesheets × rate, and recording a payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.labour.models import LabourEngagement, Timesheet
from backoffice.labour.services import labour_payment_compute, labour_payment_record, period_bounds

pytestmark = pytest.mark.django_db


def _work(worker, engagement, *days: tuple[date, str]) -> None:
    for when, amount in days:
        Timesheet.objects.create(
            org=worker.org, worker=worker, engagement=engagement, work_date=when, labour_days=Decimal(amount)
        )


def test_payable_per_day_is_labour_days_of_the_month_times_rate(worker, engagement):
    _work(
        worker,
        engagement,
        (date(2024, 3, 1), "1"),
        (date(2024, 3, 15), "1.5"),
        (date(2024, 3, 31), "0.5"),
        (date(2024, 4, 1), "1"),
    )
    assert labour_payment_compute(worker=worker, engagement=engagement, period="202403") == Decimal("450.00")
    assert labour_payment_compute(worker=worker, engagement=engagement, period="202404") == Decimal("150.00")
    assert labour_payment_compute(worker=worker, engagement=engagement, period="202405") == Decimal("0.00")


def test_payable_counts_only_the_engagement_asked_for(worker, engagement, org):
    other = LabourEngagement.objects.create(
        org=org,
        engagement_no="T-YG-002",
        name="另一个项目",
        work_type="普工",
        engagement_type="project",
        start_date=date(2024, 3, 1),
        rate=Decimal("200"),
        rate_unit="per_day",
    )
    _work(worker, engagement, (date(2024, 3, 4), "1"))
    _work(worker, other, (date(2024, 3, 5), "1"))
    assert labour_payment_compute(worker=worker, engagement=other, period="202403") == Decimal("200.00")


def test_payable_per_month_is_the_monthly_rate_when_the_worker_worked(worker, org):
    monthly = LabourEngagement.objects.create(
        org=org,
        engagement_no="T-LT-001",
        name="保洁",
        work_type="保洁员",
        engagement_type="long_term",
        start_date=date(2023, 1, 1),
        rate=Decimal("2200.00"),
        rate_unit="per_month",
    )
    _work(worker, monthly, (date(2024, 5, 2), "1"), (date(2024, 5, 3), "1"))
    assert labour_payment_compute(worker=worker, engagement=monthly, period="202405") == Decimal("2200.00")
    assert labour_payment_compute(worker=worker, engagement=monthly, period="202406") == Decimal("0.00")


def test_period_bounds_cover_the_whole_month_and_refuse_bad_periods():
    assert period_bounds("202402") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("202412") == (date(2024, 12, 1), date(2024, 12, 31))
    with pytest.raises(ValidationError):
        period_bounds("2024-02")


def test_recording_a_payment_stores_the_computed_payable_and_refuses_overpayment(worker, engagement):
    _work(worker, engagement, (date(2024, 3, 1), "1"), (date(2024, 3, 2), "1"))
    payment = labour_payment_record(
        worker=worker,
        engagement=engagement,
        period="202403",
        paid=Decimal("300"),
        paid_on=date(2024, 4, 5),
        pay_method="cash",
    )
    assert (payment.payable, payment.paid, payment.region_code) == (
        Decimal("300.00"),
        Decimal("300"),
        worker.org.region_code,
    )
    with pytest.raises(ValidationError):
        labour_payment_record(
            worker=worker,
            engagement=engagement,
            period="202403",
            paid=Decimal("300.01"),
            paid_on=date(2024, 4, 5),
        )
