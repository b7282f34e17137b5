from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.funds.choices import Direction
from backoffice.funds.models import BankTransaction
from backoffice.funds.selectors import bank_transaction_chain_gaps
from backoffice.funds.services import bank_transaction_record

pytestmark = pytest.mark.django_db


def _record(account, serial, day, direction, amount, balance_after, at=None):
    return bank_transaction_record(
        account=account,
        bank_serial=serial,
        txn_date=day,
        txn_time=at,
        direction=direction,
        amount=Decimal(amount),
        balance_after=Decimal(balance_after),
    )


def test_same_serial_on_same_account_and_day_is_refused_by_the_database(make_account):
    account = make_account()
    fields = dict(
        org=account.org,
        account=account,
        bank_serial="S001",
        txn_date=date(2025, 3, 1),
        direction=Direction.CREDIT,
        amount=Decimal("100.00"),
        balance_after=Decimal("100.00"),
    )
    BankTransaction.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankTransaction.objects.create(**fields)
    BankTransaction.objects.create(**{**fields, "txn_date": date(2025, 3, 2)})  # another day is another item
    BankTransaction.objects.create(**{**fields, "account": make_account()})  # another account too


def test_amount_must_be_positive_in_the_database(make_account):
    account = make_account()
    with pytest.raises(IntegrityError), transaction.atomic():
        BankTransaction.objects.create(
            org=account.org,
            account=account,
            bank_serial="NEG",
            txn_date=date(2025, 3, 1),
            direction=Direction.DEBIT,
            amount=Decimal("-5.00"),
            balance_after=Decimal("0"),
        )


def test_continuous_chain_reports_no_gaps(make_account):
    account = make_account()
    assert _record(account, "A1", date(2025, 1, 2), Direction.CREDIT, "1000.00", "1000.00").gaps == []
    assert _record(account, "A2", date(2025, 1, 3), Direction.DEBIT, "200.00", "800.00").gaps == []
    assert bank_transaction_chain_gaps(account=account) == []


def test_continuity_gap_is_reported_with_the_exact_amounts_and_the_row_is_kept(make_account):
    account = make_account()
    _record(account, "A1", date(2025, 1, 2), Direction.CREDIT, "1000.00", "1000.00")
    _record(account, "A2", date(2025, 1, 3), Direction.DEBIT, "200.00", "800.00")
    result = _record(account, "A3", date(2025, 1, 5), Direction.CREDIT, "500.00", "1400.00")
    assert result.created and result.transaction.pk
    assert len(result.gaps) == 1
    gap = result.gaps[0]
    assert "A2" in gap and "A3" in gap
    assert "余额800.00元" in gap and "+ 本笔金额500.00元 = 1,300.00元" in gap
    assert "交易后余额为1,400.00元" in gap and "相差100.00元" in gap
    assert bank_transaction_chain_gaps(account=account) == result.gaps


def test_late_item_that_does_not_fit_reports_the_gap_with_the_following_transaction(make_account):
    account = make_account()
    _record(account, "B1", date(2025, 2, 1), Direction.CREDIT, "1000.00", "1000.00", time(9, 0))
    _record(account, "B3", date(2025, 2, 1), Direction.DEBIT, "300.00", "700.00", time(15, 0))
    # a fee at noon arrives late: it fits after B1 but B3 no longer follows from it
    result = _record(account, "B2", date(2025, 2, 1), Direction.DEBIT, "10.00", "990.00", time(12, 0))
    assert len(result.gaps) == 1
    assert "B3" in result.gaps[0] and "990.00元 − 本笔金额300.00元 = 690.00元" in result.gaps[0]


def test_feed_redelivery_is_not_stored_twice_but_a_conflicting_item_is_refused(make_account):
    account = make_account()
    first = _record(account, "C1", date(2025, 4, 1), Direction.CREDIT, "50.00", "50.00")
    again = _record(account, "C1", date(2025, 4, 1), Direction.CREDIT, "50.00", "50.00")
    assert again.created is False and again.transaction.pk == first.transaction.pk
    assert BankTransaction.objects.filter(account=account).count() == 1
    with pytest.raises(ValidationError, match="已存在"):
        _record(account, "C1", date(2025, 4, 1), Direction.CREDIT, "60.00", "60.00")


def test_transaction_before_the_data_scope_needs_the_history_flag(make_account):
    account = make_account()
    with pytest.raises(ValidationError, match="2022年1月1日"):
        _record(account, "OLD", date(2021, 12, 31), Direction.CREDIT, "1.00", "1.00")


def test_payment_request_may_only_be_linked_to_a_debit(make_account):
    from backoffice.funds.models import PaymentRequest

    account = make_account()
    request = PaymentRequest.objects.filter(org=account.org).first()
    with pytest.raises(ValidationError) as exc:
        bank_transaction_record(
            account=account,
            bank_serial="D1",
            txn_date=date(2025, 5, 1),
            direction=Direction.CREDIT,
            amount=Decimal("10.00"),
            balance_after=Decimal("10.00"),
            payment_request=request,
        )
    assert "payment_request" in exc.value.message_dict
