"""Constraints and validators of 惠农政策落实."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from backoffice.subsidies.choices import FundingLevel, PaymentStatus, StandardUnit, SubsidyLedgerAccount
from backoffice.subsidies.models import CollectiveSubsidy, SubsidyProgram, SubsidyPublicity, SubsidyRoster
from backoffice.subsidies.services import collective_subsidy_use

pytestmark = pytest.mark.django_db
PERSON = "140121198001011233"


@pytest.fixture
def program(db):
    return SubsidyProgram.objects.create(
        name="测试补贴",
        year=2025,
        funding_level=FundingLevel.COUNTY,
        standard_amount=Decimal("62.50"),
        standard_unit=StandardUnit.PER_MU,
    )


def _line(org, program, **overrides) -> SubsidyRoster:
    values = dict(
        org=org,
        program=program,
        beneficiary_name="王建国",
        beneficiary_id=PERSON,
        basis_quantity=Decimal("3.33"),
        amount=Decimal("208.13"),
        one_card_account="6217000012345678901",
        status=PaymentStatus.PAID,
        paid_on=date(2025, 5, 20),
    )
    values.update(overrides)
    return SubsidyRoster(**values)


def test_program_name_and_year_are_unique_and_standard_positive(program):
    with transaction.atomic(), pytest.raises(IntegrityError):
        SubsidyProgram.objects.create(
            name="测试补贴",
            year=2025,
            funding_level=FundingLevel.CENTRAL,
            standard_amount=Decimal("1"),
            standard_unit=StandardUnit.PER_MU,
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        SubsidyProgram.objects.create(
            name="零标准",
            year=2025,
            funding_level=FundingLevel.CENTRAL,
            standard_amount=Decimal("0"),
            standard_unit=StandardUnit.PER_MU,
        )
    assert program.expected_amount(Decimal("3.33")) == Decimal("208.13")  # 208.125 rounds half up


def test_a_person_appears_once_per_programme_and_org(org_a, org_b, program):
    _line(org_a, program).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _line(org_a, program, beneficiary_id=PERSON.lower()).save()
    _line(org_b, program).save()  # another village: allowed by the schema, found by the A11 selector


def test_roster_id_number_is_checked_and_stored_encrypted(org_a, program):
    with pytest.raises(ValidationError) as caught:
        _line(org_a, program, beneficiary_id="140121198001011236").full_clean()
    assert "校验位" in caught.value.message_dict["beneficiary_id"][0]
    line = _line(org_a, program)
    line.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT beneficiary_id, one_card_account_hash FROM {SubsidyRoster._meta.db_table} WHERE id = %s",
            [line.pk],
        )
        stored, account_hash = cursor.fetchone()
    assert stored.startswith("v1:") and PERSON not in stored and account_hash


def test_paid_line_needs_a_date_and_failed_line_a_reason(org_a, program):
    with transaction.atomic(), pytest.raises(IntegrityError):
        _line(org_a, program, paid_on=None).save()
    with pytest.raises(ValidationError) as caught:
        _line(org_a, program, status=PaymentStatus.FAILED, paid_on=None).full_clean()
    assert "failure_reason" in caught.value.message_dict
    _line(org_a, program, status=PaymentStatus.FAILED, paid_on=None, failure_reason="账户已销户").full_clean()


def test_publicity_dates_and_ownership(org_a, org_b, program):
    bad = SubsidyPublicity(
        org=org_a, program=program, start_date=date(2025, 5, 10), end_date=date(2025, 5, 3)
    )
    with pytest.raises(ValidationError, match="不能早于开始日期"):
        bad.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        bad.save()
    same_day = SubsidyPublicity(
        org=org_b, program=program, start_date=date(2025, 5, 3), end_date=date(2025, 5, 3)
    )
    same_day.full_clean()
    same_day.save()
    with pytest.raises(ValidationError) as caught:
        _line(org_a, program, publicity=same_day).full_clean()
    assert "另一个集体经济组织" in caught.value.message_dict["publicity"][0]


def _fund(org, **overrides) -> CollectiveSubsidy:
    values = dict(
        org=org,
        source="县财政局 村级组织运转经费",
        purpose="办公",
        amount=Decimal("50000.00"),
        ledger_account=SubsidyLedgerAccount.SUBSIDY_INCOME,
        received_on=date(2025, 3, 1),
        used_amount=Decimal("50000.00"),
    )
    values.update(overrides)
    return CollectiveSubsidy(**values)


def test_used_amount_may_equal_but_never_exceed_the_amount(org_a):
    _fund(org_a).full_clean()
    over = _fund(org_a, used_amount=Decimal("50000.01"))
    with pytest.raises(ValidationError, match="超过到账金额"):
        over.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        over.save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _fund(org_a, used_amount=Decimal("-1")).save()


def test_spending_a_collective_subsidy_keeps_within_the_balance(org_a):
    fund = _fund(org_a, used_amount=Decimal("10000"))
    fund.save()
    collective_subsidy_use(subsidy=fund, amount=Decimal("30000"))
    assert fund.balance == Decimal("10000.00")
    with pytest.raises(ValidationError, match="超过该笔补助资金余额"):
        collective_subsidy_use(subsidy=fund, amount=Decimal("10000.01"))
    fund.refresh_from_db()
    assert fund.used_amount == Decimal("40000.00")
