"""Consistency of the demo books: what alert rules and reports will rely on."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from backoffice.accounting.models import AccountSet, PeriodBalance, PeriodClose, Voucher, VoucherLine
from backoffice.accounting.periods import previous_period
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_every_voucher_balances_and_its_total_is_the_debit_sum():
    rows = Voucher.objects.annotate(d=Sum("lines__debit"), c=Sum("lines__credit"), n=Count("lines"))
    assert rows.exists()
    for voucher in rows:
        assert voucher.n >= 2 and voucher.d == voucher.c == voucher.total_amount, voucher


def test_voucher_lines_average_more_than_two_lines():
    assert 2.0 < VoucherLine.objects.count() / Voucher.objects.count() < 3.5


def test_period_balances_equal_the_sums_of_booked_lines():
    lines = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for account_id, period, debit, credit in VoucherLine.objects.filter(
        voucher__status__in=("posted", "void")
    ).values_list("account_id", "voucher__period", "debit", "credit"):
        lines[(account_id, period)][0] += debit
        lines[(account_id, period)][1] += credit
    balances = {(b.account_id, b.period): b for b in PeriodBalance.objects.all()}
    for key, (debit, credit) in lines.items():
        assert (balances[key].debit, balances[key].credit) == (debit, credit), key
    for key, row in balances.items():
        if key not in lines:
            assert row.debit == row.credit == 0
        assert row.closing == row.opening + row.debit - row.credit


def test_each_closing_is_the_next_opening():
    closing = {(b.account_id, b.period): b.closing for b in PeriodBalance.objects.all()}
    for (account_id, period), _ in closing.items():
        row = PeriodBalance.objects.filter(account_id=account_id, period=period).first()
        previous = closing.get((account_id, previous_period(period)), Decimal(0))
        assert row.opening == previous, (account_id, period)


def test_trial_balance_of_every_set_and_period_sums_to_zero():
    # summed in Python: SQLite sums decimals as floats
    sums = defaultdict(lambda: [Decimal(0)] * 4)
    for set_id, period, *values in PeriodBalance.objects.values_list(
        "account__account_set", "period", "opening", "closing", "debit", "credit"
    ):
        sums[(set_id, period)] = [a + b for a, b in zip(sums[(set_id, period)], values, strict=True)]
    assert sums
    for key, (opening, closing, debit, credit) in sums.items():
        assert opening == 0 and closing == 0 and debit == credit, key


def test_unposted_vouchers_only_in_unclosed_periods():
    closed = set(PeriodClose.objects.filter(is_closed=True).values_list("account_set_id", "period"))
    unposted = Voucher.objects.filter(status__in=("draft", "reviewed"))
    assert unposted.exists()
    assert not [v for v in unposted if (v.account_set_id, v.period) in closed]


def test_closes_are_consecutive_from_the_start_and_every_township_has_open_periods():
    for account_set in AccountSet.objects.all():
        periods = sorted(
            PeriodClose.objects.filter(account_set=account_set, is_closed=True).values_list(
                "period", flat=True
            )
        )
        if periods:
            assert periods[0] == account_set.start_period
            assert all(previous_period(b) == a for a, b in itertools.pairwise(periods))
    last = Voucher.objects.order_by("-period").values_list("period", flat=True).first()
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        sets = AccountSet.objects.filter(region_code__startswith=township)
        assert sets.exclude(closes__period=last, closes__is_closed=True).exists(), township


def test_reversed_vouchers_are_void_and_their_reversals_posted():
    for reversal in Voucher.objects.filter(reversal_of__isnull=False).select_related("reversal_of"):
        assert reversal.status == "posted"
        assert reversal.reversal_of.status == "void" and reversal.reversal_of.void_reason


def test_some_cash_balance_goes_negative_for_the_iou_alert():
    assert PeriodBalance.objects.filter(account__code="101", closing__lt=0).exists()


def test_year_end_closing_vouchers_exist_and_are_marked():
    closing = Voucher.objects.filter(entry_kind="closing")
    assert closing.exists() and set(closing.values_list("period", flat=True)) <= {
        "202412",
        "202512",
        "202612",
    }
    assert (
        Voucher.objects.filter(entry_kind="opening", source="migration").count() == AccountSet.objects.count()
    )


def test_contract_receipts_in_the_books_point_at_a_matching_voucher():
    try:
        from backoffice.contracts.models import ContractReceipt
    except ImportError:
        pytest.skip("承包合同模块尚无收款记录")
    first = min(AccountSet.objects.values_list("start_period", flat=True))
    booked = ContractReceipt.objects.filter(
        received_on__gte=f"{first[:4]}-{first[4:]}-01", voucher_ref__regex=r"^记-\d{6}-\d{4}$"
    )
    assert booked.exists()
    for receipt in booked:
        _, period, number = receipt.voucher_ref.split("-")
        voucher = Voucher.objects.get(org_id=receipt.org_id, period=period, number=int(number))
        assert voucher.total_amount == receipt.amount and voucher.voucher_date == receipt.received_on
        assert voucher.lines.filter(account__code="102001", debit=receipt.amount).exists()
