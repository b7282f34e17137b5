from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.funds.constants import DEFAULT_CASH_LIMIT
from backoffice.funds.models import CashJournal, CashLimit
from backoffice.funds.selectors import cash_limit_for
from backoffice.funds.services import cash_limit_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_org(org):
    """``org`` without its demo cash limits, so periods can be chosen freely."""
    CashLimit.objects.filter(org=org).delete()
    return org


def _limit(org, **fields):
    values = dict(
        org=org,
        limit_amount=Decimal("6000"),
        basis_days=4,
        approved_by="清徐农商行",
        valid_from=date(2025, 1, 1),
    )
    values.update(fields)
    return CashLimit(**values)


@pytest.mark.parametrize("days", [3, 5, 15])
def test_basis_days_from_3_to_15_are_accepted(bare_org, days):
    _limit(bare_org, basis_days=days).save()


@pytest.mark.parametrize("days", [2, 16, 0])
def test_basis_days_outside_3_to_15_are_refused_by_the_database_and_clean(bare_org, days):
    limit = _limit(bare_org, basis_days=days)
    with pytest.raises(ValidationError) as exc:
        limit.full_clean()
    assert "核定天数" in exc.value.message_dict["basis_days"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        limit.save()


def test_limit_must_be_positive_and_end_after_it_starts(bare_org):
    with pytest.raises(IntegrityError), transaction.atomic():
        _limit(bare_org, limit_amount=Decimal("0")).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _limit(bare_org, valid_to=date(2024, 12, 31)).save()
    _limit(bare_org, valid_to=date(2025, 1, 1)).save()  # one-day validity is fine


def test_overlapping_validity_periods_are_refused_by_clean(bare_org):
    _limit(bare_org, valid_from=date(2025, 1, 1), valid_to=date(2025, 6, 30)).save()
    overlapping = _limit(bare_org, valid_from=date(2025, 6, 30), valid_to=date(2025, 12, 31))
    with pytest.raises(ValidationError) as exc:
        overlapping.full_clean()
    assert "重叠" in exc.value.message_dict["valid_from"][0]
    _limit(bare_org, valid_from=date(2025, 7, 1)).full_clean()  # adjacent is fine


def test_cash_limit_set_supersedes_an_open_ended_limit(bare_org):
    old = cash_limit_set(
        org=bare_org,
        limit_amount=Decimal("5000"),
        basis_days=3,
        approved_by="农行",
        valid_from=date(2024, 1, 1),
    )
    new = cash_limit_set(
        org=bare_org,
        limit_amount=Decimal("8000"),
        basis_days=5,
        approved_by="农行",
        valid_from=date(2025, 3, 1),
    )
    old.refresh_from_db()
    assert old.valid_to == date(2025, 2, 28) and new.valid_to is None
    assert cash_limit_for(org_id=bare_org.pk, on=date(2025, 2, 28)) == Decimal("5000")
    assert cash_limit_for(org_id=bare_org.pk, on=date(2025, 3, 1)) == Decimal("8000")


def test_cash_limit_set_refuses_a_limit_inside_an_existing_closed_period(bare_org):
    cash_limit_set(
        org=bare_org,
        limit_amount=Decimal("5000"),
        basis_days=3,
        approved_by="农行",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    with pytest.raises(ValidationError, match="重叠"):
        cash_limit_set(
            org=bare_org,
            limit_amount=Decimal("6000"),
            basis_days=3,
            approved_by="农行",
            valid_from=date(2024, 6, 1),
        )
    assert CashLimit.objects.filter(org=bare_org).count() == 1


def test_without_an_approved_limit_the_default_applies(bare_org):
    assert cash_limit_for(org_id=bare_org.pk, on=date(2025, 1, 1)) == DEFAULT_CASH_LIMIT == Decimal("5000")


def test_cash_journal_line_cannot_be_both_receipt_and_payment(org):
    line = CashJournal(
        org=org,
        entry_date=date(2025, 1, 9),
        seq=99,
        summary="错行",
        receipt=Decimal("10"),
        payment=Decimal("5"),
        balance=Decimal("5"),
    )
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert "payment" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()
    CashJournal(
        org=org,
        entry_date=date(2025, 1, 9),
        seq=99,
        summary="收入",
        receipt=Decimal("10"),
        balance=Decimal("10"),
    ).save()
