"""Database constraints and ``clean()`` of the accounting record types."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.accounting.models import Account, AccountSet, PeriodBalance, PeriodClose, Voucher, VoucherLine
from backoffice.accounting.services import voucher_create, voucher_post
from tests.accounting.conftest import MARCH, entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(book, clerk):
    return voucher_create(
        account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "100"), user=clerk
    )


def _line(voucher, **amounts) -> VoucherLine:
    return VoucherLine(
        voucher=voucher, line_no=9, account=voucher.lines.first().account, org=voucher.org, **amounts
    )


@pytest.mark.parametrize(
    "amounts",
    [
        {"debit": Decimal("10"), "credit": Decimal("10")},
        {"debit": Decimal("0"), "credit": Decimal("0")},
        {"debit": Decimal("-5"), "credit": Decimal("0")},
        {"debit": Decimal("0"), "credit": Decimal("-5")},
    ],
    ids=["both-sides", "both-zero", "negative-debit", "negative-credit"],
)
def test_database_refuses_a_line_without_exactly_one_positive_side(draft, amounts):
    with pytest.raises(IntegrityError), transaction.atomic():
        _line(draft, **amounts).save()


def test_database_accepts_a_line_with_one_positive_side(draft):
    _line(draft, debit=Decimal("3.50")).save()
    assert draft.lines.get(line_no=9).debit == Decimal("3.50")


def test_line_clean_names_the_line_with_both_sides(draft):
    line = _line(draft, debit=Decimal("1"), credit=Decimal("1"))
    with pytest.raises(ValidationError, match="第9行借方、贷方只能填写一方"):
        line.full_clean()


def test_line_of_a_posted_voucher_fails_validation(draft, reviewer):
    voucher_post(voucher=draft, user=reviewer)
    line = VoucherLine.objects.filter(voucher=draft).first()
    line.summary = "改摘要"
    with pytest.raises(ValidationError, match="已记账"):
        line.full_clean()


def test_voucher_period_must_match_its_date(draft):
    draft.period = "202204"
    with pytest.raises(ValidationError, match="应为202203"):
        draft.full_clean()


def test_voucher_number_is_unique_in_set_period_and_word(draft):
    copy = Voucher.objects.get(pk=draft.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_one_account_set_per_org_and_chart(book):
    again = AccountSet(org=book.org, chart_version="2004", start_period="202201")
    with pytest.raises(ValidationError):
        again.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


@pytest.mark.parametrize(
    ("chart", "start", "message"),
    [("2023", "202312", "不能早于202401"), ("2004", "202401", "应早于202401"), ("2023", "2024-1", "6位年月")],
)
def test_account_set_start_period_fits_its_chart(org, chart, start, message):
    with pytest.raises(ValidationError, match=message):
        AccountSet(org=org, chart_version=chart, start_period=start).full_clean()


def test_account_code_must_start_with_a_first_level_code_of_the_chart(book):
    account = Account(
        account_set=book,
        org=book.org,
        code="999",
        name="乱码",
        level=1,
        account_class="asset",
        normal_balance="D",
    )
    with pytest.raises(ValidationError, match="不是2004版会计制度的一级科目"):
        account.full_clean()


def test_sub_account_code_extends_its_parent(book):
    parent = book.accounts_by_code["112"]
    wrong = Account(
        account_set=book,
        org=book.org,
        code="113001",
        name="错位",
        level=2,
        parent=parent,
        account_class="asset",
        normal_balance="D",
    )
    with pytest.raises(ValidationError, match="应以上级科目编码112开头"):
        wrong.full_clean()
    right = Account(
        account_set=book,
        org=book.org,
        code="112002",
        name="个人",
        level=2,
        parent=parent,
        account_class="asset",
        normal_balance="D",
    )
    right.full_clean()


def test_account_code_is_unique_in_its_set(book):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            account_set=book,
            org=book.org,
            code="101",
            name="重复",
            level=1,
            account_class="asset",
            normal_balance="D",
        )


def test_period_balance_must_roll_forward(book):
    account = book.accounts_by_code["101"]
    row = PeriodBalance(
        account=account,
        org=book.org,
        period="202203",
        opening=Decimal("10"),
        debit=Decimal("5"),
        credit=Decimal("2"),
        closing=Decimal("14"),
    )
    with pytest.raises(ValidationError, match="期末余额应为"):
        row.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    row.closing = Decimal("13")
    row.full_clean()
    row.save()


def test_reopened_close_needs_a_reason(book):
    from django.utils import timezone

    close = PeriodClose(
        account_set=book,
        org=book.org,
        period="202203",
        closed_at=timezone.now(),
        is_closed=False,
        reopened_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        close.save()


def test_voucher_dates_before_2022_need_the_history_flag(book):
    voucher = Voucher(
        account_set=book, org=book.org, number=1, voucher_date=date(2021, 12, 31), period="202112"
    )
    with pytest.raises(ValidationError, match="早于2022年1月1日"):
        voucher.full_clean()
