"""Constraints and validators of 集体用工 record types, each with a valid and an invalid sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.labour.models import LabourEngagement, LabourPayment, Timesheet, Worker

from .conftest import FEMALE_ID, MALE_ID

pytestmark = pytest.mark.django_db


def _errors(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


# ---- LabourEngagement -----------------------------------------------------------------------------------
def test_engagement_end_may_not_precede_start(org, engagement):
    engagement.end_date = date(2024, 2, 29)
    assert "end_date" in _errors(engagement)
    with pytest.raises(IntegrityError), transaction.atomic():
        engagement.save()


def test_engagement_without_end_date_is_valid_for_long_term_work(org):
    LabourEngagement(
        org=org,
        engagement_no="LT-1",
        name="保洁",
        work_type="保洁员",
        engagement_type="long_term",
        start_date=date(2023, 1, 1),
        rate=Decimal("2000"),
        rate_unit="per_month",
    ).full_clean()


@pytest.mark.parametrize("rate", ["0", "-10"])
def test_engagement_rate_must_be_positive(engagement, rate):
    engagement.rate = Decimal(rate)
    assert "rate" in _errors(engagement)
    with pytest.raises(IntegrityError), transaction.atomic():
        engagement.save()


def test_engagement_number_is_unique_within_the_organisation(org, engagement):
    copy = LabourEngagement(
        org=org,
        engagement_no=engagement.engagement_no,
        name="x",
        work_type="x",
        engagement_type="temporary",
        start_date=date(2024, 1, 1),
        rate=Decimal("1"),
    )
    assert "__all__" in _errors(copy)


# ---- Worker ---------------------------------------------------------------------------------------------
def test_worker_with_valid_id_and_matching_gender_is_valid(org):
    Worker(
        org=org, name="女工", id_no=FEMALE_ID, gender="female", bank_card="6217 0000 1234 5678"
    ).full_clean()


def test_worker_refuses_an_invalid_resident_id(org):
    assert "id_no" in _errors(Worker(org=org, name="甲", id_no="110105194912310012", gender="female"))


def test_worker_gender_must_match_the_id_number(org):
    errors = _errors(Worker(org=org, name="甲", id_no=MALE_ID, gender="female"))
    assert "性别与身份证号不符" in errors["gender"][0]


@pytest.mark.parametrize("card", ["12345", "62170000123456789012", "6217abcd12345678"])
def test_worker_refuses_a_malformed_bank_card(org, card):
    assert "bank_card" in _errors(Worker(org=org, name="甲", id_no=MALE_ID, gender="male", bank_card=card))


def test_a_person_is_registered_once_per_organisation(org, other_org, worker):
    assert "__all__" in _errors(Worker(org=org, name="另一个名字", id_no=MALE_ID.lower(), gender="male"))
    Worker(org=other_org, name="测试工人", id_no=MALE_ID, gender="male").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.create(org=org, name="重复", id_no=MALE_ID, gender="male")


# ---- Timesheet ------------------------------------------------------------------------------------------
def _sheet(worker, engagement, days="1", when=date(2024, 3, 4)) -> Timesheet:
    return Timesheet(
        org=worker.org, worker=worker, engagement=engagement, work_date=when, labour_days=Decimal(days)
    )


@pytest.mark.parametrize("days", ["0.5", "1", "1.5"])
def test_timesheet_accepts_up_to_one_and_a_half_days(worker, engagement, days):
    _sheet(worker, engagement, days).full_clean()


@pytest.mark.parametrize("days", ["0", "1.51", "-1"])
def test_timesheet_refuses_days_outside_zero_to_one_and_a_half(worker, engagement, days):
    assert "labour_days" in _errors(_sheet(worker, engagement, days))
    with pytest.raises(IntegrityError), transaction.atomic():
        _sheet(worker, engagement, days).save()


def test_one_timesheet_per_worker_engagement_and_date(worker, engagement):
    _sheet(worker, engagement).save()
    assert "__all__" in _errors(_sheet(worker, engagement, "0.5"))
    _sheet(worker, engagement, when=date(2024, 3, 5)).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        _sheet(worker, engagement, "0.5").save()


def test_timesheet_date_must_lie_within_the_engagement(worker, engagement):
    assert "work_date" in _errors(_sheet(worker, engagement, when=date(2024, 7, 1)))
    assert "work_date" in _errors(_sheet(worker, engagement, when=date(2024, 2, 29)))
    _sheet(worker, engagement, when=date(2024, 6, 30)).full_clean()


def test_timesheet_refuses_a_worker_of_another_organisation(other_org, engagement):
    stranger = Worker.objects.create(org=other_org, name="外村", id_no=FEMALE_ID, gender="female")
    sheet = _sheet(stranger, engagement)
    sheet.org = engagement.org
    assert "worker" in _errors(sheet)


# ---- LabourPayment --------------------------------------------------------------------------------------
def _payment(worker, engagement, **overrides) -> LabourPayment:
    values = dict(
        org=worker.org,
        worker=worker,
        engagement=engagement,
        period="202403",
        payable=Decimal("3000"),
        paid=Decimal("3000"),
        paid_on=date(2024, 4, 10),
        pay_method="bank",
        ledger_account_code="213",
    )
    values.update(overrides)
    return LabourPayment(**values)


def test_payment_paid_within_payable_is_valid(worker, engagement):
    _payment(worker, engagement).full_clean()
    _payment(worker, engagement, paid=Decimal("0"), paid_on=None).full_clean()


def test_payment_paid_above_payable_is_refused(worker, engagement):
    assert "paid" in _errors(_payment(worker, engagement, paid=Decimal("3000.01")))
    with pytest.raises(IntegrityError), transaction.atomic():
        _payment(worker, engagement, paid=Decimal("3000.01")).save()


@pytest.mark.parametrize("period", ["2024-03", "202413", "202400", "24033"])
def test_payment_period_must_be_yyyymm(worker, engagement, period):
    assert "period" in _errors(_payment(worker, engagement, period=period))


def test_payment_period_before_2022_needs_the_history_flag(worker, engagement):
    assert "period" in _errors(_payment(worker, engagement, period="202112", paid_on=None, paid=Decimal(0)))
    _payment(worker, engagement, period="202112", paid_on=None, paid=Decimal(0), is_history=True).full_clean()


def test_payment_ledger_account_is_212_or_213(worker, engagement):
    assert "ledger_account_code" in _errors(_payment(worker, engagement, ledger_account_code="211"))
    with pytest.raises(IntegrityError), transaction.atomic():
        _payment(worker, engagement, ledger_account_code="211").save()


def test_one_payment_per_worker_engagement_and_period(worker, engagement):
    _payment(worker, engagement).save()
    assert "__all__" in _errors(_payment(worker, engagement))
    _payment(worker, engagement, period="202404").full_clean()


def test_paid_amount_needs_a_payment_date(worker, engagement):
    assert "paid_on" in _errors(_payment(worker, engagement, paid_on=None))
