"""Alert A11 selectors: the same ID in two villages, amount ≠ standard × quantity, failed payments,
payment without publicity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backoffice.subsidies.choices import FundingLevel, PaymentStatus, StandardUnit
from backoffice.subsidies.models import SubsidyProgram, SubsidyPublicity, SubsidyRoster
from backoffice.subsidies.selectors import (
    roster_amount_mismatches,
    roster_duplicate_ids,
    roster_failed_payments,
    roster_paid_without_publicity,
)

pytestmark = pytest.mark.django_db
IDS = ("140121198001011233", "140121197505050020", "140121196612120034")


@pytest.fixture
def program(db):
    return SubsidyProgram.objects.create(
        name="选择器测试补贴",
        year=2025,
        funding_level=FundingLevel.CENTRAL,
        standard_amount=Decimal("12.10"),
        standard_unit=StandardUnit.PER_MU,
    )


def _line(org, program, id_no, quantity="10.00", amount=None, **extra) -> SubsidyRoster:
    quantity = Decimal(quantity)
    line = SubsidyRoster(
        org=org,
        program=program,
        beneficiary_name="测试",
        beneficiary_id=id_no,
        basis_quantity=quantity,
        amount=amount if amount is not None else program.expected_amount(quantity),
        one_card_account="6217000012345678901",
        status=PaymentStatus.PAID,
        paid_on=date(2025, 6, 1),
    )
    for key, value in extra.items():
        setattr(line, key, value)
    line.save()
    return line


def test_same_id_in_two_villages_of_a_programme_is_found(org_a, org_b, program):
    first = _line(org_a, program, IDS[0])
    second = _line(org_b, program, IDS[0])
    _line(org_a, program, IDS[1])
    assert set(roster_duplicate_ids(program=program)) == {first, second}


def test_same_id_in_two_programmes_is_not_a_duplicate(org_a, program):
    other = SubsidyProgram.objects.create(
        name="另一个补贴",
        year=2025,
        funding_level=FundingLevel.CENTRAL,
        standard_amount=Decimal("1"),
        standard_unit=StandardUnit.PER_MU,
    )
    _line(org_a, program, IDS[0])
    _line(org_a, other, IDS[0], amount=Decimal("10.00"))
    assert not roster_duplicate_ids(program=program).exists()


def test_duplicate_detection_ignores_formatting_of_the_id(org_a, org_b, program):
    _line(org_a, program, IDS[2])
    _line(org_b, program, " " + IDS[2].lower() + " ")
    assert roster_duplicate_ids(program=program).count() == 2


def test_amount_is_compared_with_standard_times_quantity_to_the_fen(org_a, program):
    exact = _line(org_a, program, IDS[0], quantity="3.33")  # 12.10 × 3.33 = 40.293 → 40.29
    one_fen_off = _line(org_a, program, IDS[1], quantity="3.33", amount=Decimal("40.30"))
    far_off = _line(org_a, program, IDS[2], quantity="10.00", amount=Decimal("221.00"))
    found = set(roster_amount_mismatches(program=program))
    assert exact.amount == Decimal("40.29")
    assert found == {one_fen_off, far_off}


def test_failed_and_returned_payments_are_listed(org_a, program):
    failed = _line(org_a, program, IDS[0], status=PaymentStatus.FAILED, paid_on=None, failure_reason="销户")
    returned = _line(org_a, program, IDS[1], status=PaymentStatus.RETURNED, failure_reason="冻结")
    _line(org_a, program, IDS[2])
    assert set(roster_failed_payments(program=program)) == {failed, returned}


def test_payment_without_or_before_the_end_of_publicity_is_listed(org_a, program):
    publicity = SubsidyPublicity.objects.create(
        org=org_a, program=program, start_date=date(2025, 5, 20), end_date=date(2025, 5, 27)
    )
    fine = _line(org_a, program, IDS[0], publicity=publicity, paid_on=date(2025, 6, 1))
    early = _line(org_a, program, IDS[1], publicity=publicity, paid_on=date(2025, 5, 27))
    none = _line(org_a, program, IDS[2])
    found = set(roster_paid_without_publicity(program=program))
    assert found == {early, none} and fine not in found
