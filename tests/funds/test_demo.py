"""Facts the seeded (tiny) demo must contain for alerts A1/A2/A7 and the reports to find."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db.models import F, Sum

from backoffice.funds.choices import CounterpartyKind, Direction, PaymentStatus
from backoffice.funds.constants import LARGE_DAILY, LARGE_SINGLE, LARGE_TO_INDIVIDUAL, MEETING_REQUIRED_FROM
from backoffice.funds.models import (
    BankAccount,
    BankReconciliation,
    BankTransaction,
    CashJournal,
    DailyBalance,
    PaymentApproval,
    PaymentRequest,
)
from backoffice.funds.selectors import bank_transaction_chain_gaps, cash_limit_for, statement_balance_on

pytestmark = pytest.mark.django_db


def _over_limit_days() -> dict[int, list]:
    over = defaultdict(list)
    for row in DailyBalance.objects.order_by("org_id", "balance_date"):
        if row.cash_balance > cash_limit_for(org_id=row.org_id, on=row.balance_date):
            over[row.org_id].append(row.balance_date)
    return over


def test_some_villages_hold_cash_over_their_limit_one_of_them_several_days_running():
    over = _over_limit_days()
    assert len(over) >= 2
    longest = 0
    for days in over.values():
        run = 1
        for previous, current in pairwise(days):
            run = run + 1 if current - previous == timedelta(days=1) else 1
            longest = max(longest, run)
    assert longest >= 3


def test_one_village_has_a_negative_cash_balance():
    assert DailyBalance.objects.filter(cash_balance__lt=0).values("org").distinct().count() == 1


def test_daily_cash_balance_is_the_cash_journal_running_balance():
    for row in DailyBalance.objects.order_by("?")[:80]:
        line = CashJournal.objects.filter(org=row.org, entry_date__lte=row.balance_date).order_by(
            "-entry_date", "-seq"
        )
        assert line.first().balance == row.cash_balance


def test_every_demo_bank_chain_is_continuous_and_never_negative():
    for account in BankAccount.objects.all():
        assert bank_transaction_chain_gaps(account=account) == [], account
    assert not BankTransaction.objects.filter(balance_after__lt=0).exists()


def test_statement_balance_is_the_sum_of_the_accounts_chains():
    for row in DailyBalance.objects.order_by("?")[:30]:
        total = sum(
            (statement_balance_on(account=a, on=row.balance_date) or Decimal(0))
            if a.transactions.filter(txn_date__lte=row.balance_date).exists()
            else _opening(a)
            for a in BankAccount.objects.filter(org=row.org)
        )
        assert total == row.bank_balance_statement


def _opening(account) -> Decimal:
    first = account.transactions.order_by("txn_date", "txn_time", "id").first()
    return first.balance_after - (first.amount if first.direction == Direction.CREDIT else -first.amount)


def test_large_bank_flows_of_every_kind_exist_with_and_without_approval():
    assert BankTransaction.objects.filter(amount__gte=LARGE_SINGLE, direction=Direction.CREDIT).exists()
    assert BankTransaction.objects.filter(amount__gte=LARGE_SINGLE, direction=Direction.DEBIT).exists()
    assert BankTransaction.objects.filter(
        direction=Direction.DEBIT,
        counterparty_kind=CounterpartyKind.INDIVIDUAL,
        amount__gte=LARGE_TO_INDIVIDUAL,
    ).exists()
    daily = (
        BankTransaction.objects.filter(direction=Direction.DEBIT, amount__lt=LARGE_SINGLE)
        .values("account", "txn_date")
        .annotate(total=Sum("amount"))
        .filter(total__gte=LARGE_DAILY)
    )
    assert daily.exists()
    large = BankTransaction.objects.filter(
        direction=Direction.DEBIT, amount__gte=LARGE_TO_INDIVIDUAL
    ).exclude(counterparty_kind=CounterpartyKind.UNKNOWN)
    assert (
        large.filter(payment_request__isnull=False).exists()
        and large.filter(payment_request__isnull=True).exists()
    )


def test_linked_payment_requests_were_fully_approved_before_the_payment():
    linked = BankTransaction.objects.filter(payment_request__isnull=False).select_related("payment_request")
    assert linked.exists()
    assert not linked.exclude(amount=F("payment_request__amount")).exists()
    for txn in linked[:50]:
        request = txn.payment_request
        assert request.status == PaymentStatus.PAID and request.paid_on == txn.txn_date
        steps = list(request.approvals.order_by("step_order").values_list("step_order", "decided_at"))
        assert [s for s, _ in steps] == [1, 2, 3]
        assert all(at.date() < txn.txn_date for _, at in steps)


def test_payment_requests_exist_in_every_state_and_large_ones_carry_a_meeting_reference():
    assert set(PaymentRequest.objects.values_list("status", flat=True)) == set(PaymentStatus.values)
    assert (
        not PaymentRequest.objects.filter(amount__gte=MEETING_REQUIRED_FROM, meeting_ref="")
        .exclude(status=PaymentStatus.DRAFT)
        .exists()
    )
    assert PaymentApproval.objects.filter(decision="reject").exists()
    assert not PaymentApproval.objects.exclude(org=F("request__org")).exists()


def test_month_end_ledger_differs_from_the_statement_in_a_few_organisations():
    unbalanced = BankReconciliation.objects.filter(is_balanced=False)
    assert unbalanced.exists()
    for recon in unbalanced:
        year, month = int(recon.period[:4]), int(recon.period[4:])
        month_rows = DailyBalance.objects.filter(
            org=recon.org, balance_date__year=year, balance_date__month=month
        )
        last = month_rows.order_by("-balance_date").first()
        assert last.bank_balance_ledger != last.bank_balance_statement
    orgs = (
        DailyBalance.objects.exclude(bank_balance_ledger=F("bank_balance_statement")).values("org").distinct()
    )
    assert 0 < orgs.count() < DailyBalance.objects.values("org").distinct().count()


def test_reconciliation_statement_balance_is_the_chain_balance_at_month_end():
    for recon in BankReconciliation.objects.select_related("account")[:40]:
        year, month = int(recon.period[:4]), int(recon.period[4:])
        end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        expected = statement_balance_on(account=recon.account, on=end)
        if expected is not None:
            assert recon.statement_balance == expected


def test_personal_data_of_the_demo_is_hashed_for_lookup():
    assert not BankAccount.objects.filter(account_no_hash="").exists()
    assert (
        not BankTransaction.objects.exclude(counterparty_account="")
        .filter(counterparty_account_hash="")
        .exists()
    )
    assert (
        BankAccount.objects.filter(is_direct_link=True).exists()
        and BankAccount.objects.filter(is_direct_link=False).exists()
    )


def test_a_timing_difference_is_explained_by_bank_recorded_not_booked_items():
    explained = BankReconciliation.objects.filter(is_balanced=True).exclude(
        bank_recorded_not_booked_in=0, bank_recorded_not_booked_out=0
    )
    assert explained.exists()
    for recon in explained:
        assert recon.ledger_balance != recon.statement_balance
        assert recon.adjusted_ledger_balance == recon.statement_balance
