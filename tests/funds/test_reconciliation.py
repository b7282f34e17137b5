from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.funds.choices import Direction
from backoffice.funds.services import bank_transaction_record, reconciliation_prepare

pytestmark = pytest.mark.django_db
D = Decimal


def test_reconciliation_adds_and_subtracts_each_reconciling_item_on_its_side(make_account):
    recon = reconciliation_prepare(
        account=make_account(),
        period="202503",
        ledger_balance=D("10000.00"),
        statement_balance=D("12000.00"),
        bank_recorded_not_booked_in=D("500.00"),
        bank_recorded_not_booked_out=D("300.00"),
        booked_not_by_bank_in=D("0.00"),
        booked_not_by_bank_out=D("1800.00"),
    )
    assert recon.adjusted_ledger_balance == D("10200.00")  # 10000 + 500 − 300
    assert recon.adjusted_statement_balance == D("10200.00")  # 12000 + 0 − 1800
    assert recon.is_balanced is True


def test_reconciliation_with_an_unexplained_difference_is_not_balanced(make_account):
    recon = reconciliation_prepare(
        account=make_account(),
        period="202503",
        ledger_balance=D("10000.00"),
        statement_balance=D("10050.00"),
        booked_not_by_bank_in=D("20.00"),
    )
    assert (recon.adjusted_ledger_balance, recon.adjusted_statement_balance) == (D("10000.00"), D("10070.00"))
    assert recon.is_balanced is False


def test_statement_balance_defaults_to_the_chain_at_period_end_and_update_keeps_one_row(make_account):
    account = make_account()
    bank_transaction_record(
        account=account,
        bank_serial="R1",
        txn_date=date(2025, 3, 10),
        direction=Direction.CREDIT,
        amount=D("700.00"),
        balance_after=D("700.00"),
    )
    bank_transaction_record(
        account=account,
        bank_serial="R2",
        txn_date=date(2025, 4, 1),
        direction=Direction.DEBIT,
        amount=D("100.00"),
        balance_after=D("600.00"),
    )
    recon = reconciliation_prepare(account=account, period="202503", ledger_balance=D("650.00"))
    assert recon.statement_balance == D("700.00") and not recon.is_balanced
    again = reconciliation_prepare(account=account, period="202503", bank_recorded_not_booked_in=D("50.00"))
    assert again.pk == recon.pk and again.ledger_balance == D("650.00") and again.is_balanced


@pytest.mark.parametrize("period", ["2025-03", "202513", "25031"])
def test_period_must_be_yyyymm(make_account, period):
    with pytest.raises(ValidationError):
        reconciliation_prepare(
            account=make_account(), period=period, ledger_balance=D("1"), statement_balance=D("1")
        )


def test_reconciling_items_cannot_be_negative(make_account):
    with pytest.raises(ValidationError) as exc:
        reconciliation_prepare(
            account=make_account(),
            period="202501",
            ledger_balance=D("1"),
            statement_balance=D("1"),
            bank_recorded_not_booked_out=D("-1"),
        )
    assert "bank_recorded_not_booked_out" in exc.value.message_dict
