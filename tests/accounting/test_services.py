"""Voucher, balance and period-close services (DOMAIN.md §2.2)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.accounting.models import PeriodBalance, PeriodClose, Voucher
from backoffice.accounting.services import (
    period_balances_rebuild,
    period_close,
    period_reopen,
    voucher_create,
    voucher_delete,
    voucher_post,
    voucher_reverse,
    voucher_review,
    voucher_update,
)
from tests.accounting.conftest import APRIL, MARCH, entry

pytestmark = pytest.mark.django_db


def _posted(book, user, debit, credit, amount, day=MARCH):
    voucher = voucher_create(
        account_set=book, voucher_date=day, lines=entry(debit, credit, amount), user=user
    )
    return voucher_post(voucher=voucher, user=user)


def _close_through(book, user, *periods):
    for period in periods:
        period_close(account_set=book, period=period, user=user)


def test_balanced_voucher_is_created_as_draft_with_the_next_number(book, clerk):
    first = voucher_create(
        account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "1200.50"), user=clerk
    )
    second = voucher_create(
        account_set=book, voucher_date=MARCH, lines=entry("101", "102001", "300"), user=clerk
    )
    assert (first.status, first.period, first.number, second.number) == ("draft", "202203", 1, 2)
    assert first.total_amount == Decimal("1200.50")
    assert first.org_id == book.org_id and first.region_code == book.org.region_code
    assert [(line.account.code, line.debit, line.credit) for line in first.lines.order_by("line_no")] == [
        ("102001", Decimal("1200.50"), Decimal("0")),
        ("501", Decimal("0"), Decimal("1200.50")),
    ]
    assert all(line.region_code == book.org.region_code for line in first.lines.all())
    assert first.preparer_name == "村级报账员"
    assert str(first) == "记-202203-0001"


def test_unbalanced_voucher_is_refused_with_both_totals(book, clerk):
    lines = [{"account": "102001", "debit": "1000"}, {"account": "501", "credit": "900"}]
    with pytest.raises(
        ValidationError, match=re.escape("借方合计 1,000.00 元，贷方合计 900.00 元，相差 100.00 元")
    ):
        voucher_create(account_set=book, voucher_date=MARCH, lines=lines, user=clerk)
    assert not Voucher.objects.filter(account_set=book).exists()


def test_voucher_with_zero_totals_or_one_line_is_refused(book, clerk):
    with pytest.raises(ValidationError, match="至少需要两行"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=[{"account": "101", "debit": "1"}])
    lines = [{"account": "102001", "debit": "0"}, {"account": "501", "credit": "0"}]
    with pytest.raises(ValidationError, match="第1行"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=lines)


def test_line_with_both_debit_and_credit_is_refused_naming_the_line(book, clerk):
    lines = [{"account": "102001", "debit": "50"}, {"account": "501", "debit": "50", "credit": "100"}]
    with pytest.raises(ValidationError, match="第2行（501 经营收入）：借方、贷方只能填写一方"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=lines, user=clerk)


def test_accounts_must_be_active_leaf_accounts_of_the_set(book, clerk):
    with pytest.raises(ValidationError, match="第1行：科目“999”不在本账套中"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=entry("999", "501", "1"))
    with pytest.raises(ValidationError, match="有下级明细科目，请选用末级科目"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=entry("102", "501", "1"))
    book.accounts_by_code["541"].active = False
    book.accounts_by_code["541"].save()
    with pytest.raises(ValidationError, match="第1行：科目“541 管理费用”已停用"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=entry("541", "101", "1"))


def test_account_of_another_set_is_refused(book):
    from backoffice.accounting.models import Account

    foreign = Account.objects.exclude(account_set=book).filter(code="101").first()
    lines = [{"account": foreign, "debit": "1"}, {"account": "501", "credit": "1"}]
    with pytest.raises(ValidationError, match="不属于账套"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=lines)


def test_voucher_before_the_set_start_is_refused(book):
    from datetime import date

    with pytest.raises(ValidationError, match="早于账套启用期间202201"):
        voucher_create(account_set=book, voucher_date=date(2021, 12, 31), lines=entry("101", "501", "1"))


def test_draft_voucher_can_be_updated_and_deleted(book, clerk):
    voucher = voucher_create(
        account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "10"), user=clerk
    )
    voucher = voucher_update(
        voucher=voucher, user=clerk, lines=entry("101", "501", "25"), attachments_count=2
    )
    assert voucher.total_amount == Decimal("25.00") and voucher.attachments_count == 2
    assert list(voucher.lines.values_list("account__code", flat=True)) == ["101", "501"]
    with pytest.raises(ValidationError, match="借贷不平衡"):
        voucher_update(
            voucher=voucher, lines=[{"account": "101", "debit": "1"}, {"account": "501", "credit": "2"}]
        )
    voucher_delete(voucher=voucher, user=clerk)
    assert not Voucher.objects.filter(pk=voucher.pk).exists()


def test_posted_voucher_is_immutable(book, clerk, reviewer):
    voucher = _posted(book, reviewer, "102001", "501", "80")
    assert voucher.status == "posted" and voucher.posted_at and voucher.poster_name == "乡镇农经专岗"
    with pytest.raises(ValidationError, match="已记账，不能修改"):
        voucher_update(voucher=voucher, user=clerk, summary="改")
    with pytest.raises(ValidationError, match="已记账，不能删除"):
        voucher_delete(voucher=voucher, user=clerk)
    with pytest.raises(ValidationError, match="不能再次记账"):
        voucher_post(voucher=voucher, user=clerk)
    assert Voucher.objects.get(pk=voucher.pk).summary == "测试"


def test_review_by_the_preparer_is_refused(book, clerk, reviewer):
    voucher = voucher_create(
        account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "5"), user=clerk
    )
    with pytest.raises(ValidationError, match="制单人与审核人不能为同一人"):
        voucher_review(voucher=voucher, user=clerk)
    assert voucher_review(voucher=voucher, user=reviewer).status == "reviewed"


def test_reversal_posts_swapped_lines_and_voids_the_original(book, clerk, reviewer):
    original = _posted(book, reviewer, "102001", "501", "1000")
    reversal = voucher_reverse(voucher=original, user=reviewer, reason="金额录错", on=APRIL)
    original.refresh_from_db()
    assert (original.status, original.void_reason) == ("void", "金额录错")
    assert (reversal.status, reversal.period, reversal.reversal_of_id) == ("posted", "202204", original.pk)
    assert [(line.account.code, line.debit, line.credit) for line in reversal.lines.order_by("line_no")] == [
        ("102001", Decimal("0"), Decimal("1000.00")),
        ("501", Decimal("1000.00"), Decimal("0")),
    ]
    with pytest.raises(ValidationError, match="只有已记账的凭证可以冲销"):
        voucher_reverse(voucher=original, user=reviewer, reason="再冲", on=APRIL)
    with pytest.raises(ValidationError, match="已记账，不能删除"):
        voucher_delete(voucher=original)
    # both stay in the books: the net effect over the two periods is nil
    period_balances_rebuild(account_set=book, period="202203")
    rows = period_balances_rebuild(account_set=book, period="202204")
    assert {r.account.code: r.closing for r in rows} == {"102001": Decimal("0"), "501": Decimal("0")}


def test_reversal_needs_a_reason_and_a_posted_voucher(book, clerk):
    draft = voucher_create(
        account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "5"), user=clerk
    )
    with pytest.raises(ValidationError, match="必须填写原因"):
        voucher_reverse(voucher=draft, user=clerk, reason=" ")
    with pytest.raises(ValidationError, match="只有已记账的凭证可以冲销"):
        voucher_reverse(voucher=draft, user=clerk, reason="错", on=APRIL)


def test_rebuilt_balances_equal_the_sums_of_posted_lines_and_carry_forward(book, clerk, reviewer):
    _posted(book, reviewer, "102001", "301", "10000")
    _posted(book, reviewer, "101", "102001", "800")
    _posted(book, reviewer, "541", "101", "120.35")
    voucher_create(
        account_set=book, voucher_date=MARCH, lines=entry("541", "101", "9999"), user=clerk
    )  # draft
    march = {r.account.code: r for r in period_balances_rebuild(account_set=book, period="202203")}
    assert {c: (r.opening, r.debit, r.credit, r.closing) for c, r in march.items()} == {
        "101": (0, Decimal("800"), Decimal("120.35"), Decimal("679.65")),
        "102001": (0, Decimal("10000"), Decimal("800"), Decimal("9200")),
        "301": (0, 0, Decimal("10000"), Decimal("-10000")),
        "541": (0, Decimal("120.35"), 0, Decimal("120.35")),
    }
    _posted(book, reviewer, "102001", "501", "50", day=APRIL)
    april = {r.account.code: r for r in period_balances_rebuild(account_set=book, period="202204")}
    assert april["101"].opening == april["101"].closing == Decimal("679.65")
    assert (april["102001"].opening, april["102001"].closing) == (Decimal("9200"), Decimal("9250"))
    assert april["541"].opening == Decimal("120.35")  # P&L carries until the year-end closing entry
    assert sum(r.closing for r in april.values()) == 0
    # rebuilding again replaces, never duplicates
    period_balances_rebuild(account_set=book, period="202204")
    assert PeriodBalance.objects.filter(account__account_set=book, period="202204").count() == len(april)


def test_closed_period_refuses_new_vouchers_posting_and_rebuild(book, clerk, reviewer):
    _posted(book, reviewer, "102001", "301", "500")
    _close_through(book, reviewer, "202201", "202202", "202203")
    assert PeriodClose.objects.get(account_set=book, period="202203").is_closed
    with pytest.raises(ValidationError, match="会计期间202203已结账，不能新增凭证"):
        voucher_create(account_set=book, voucher_date=MARCH, lines=entry("101", "102001", "1"), user=clerk)
    with pytest.raises(ValidationError, match="已结账，不能重算余额"):
        period_balances_rebuild(account_set=book, period="202203")
    voucher_create(account_set=book, voucher_date=APRIL, lines=entry("101", "102001", "1"), user=clerk)


def test_close_refuses_a_period_with_unposted_vouchers(book, clerk):
    _close_through(book, clerk, "202201", "202202")
    voucher_create(account_set=book, voucher_date=MARCH, lines=entry("101", "102001", "1"), user=clerk)
    with pytest.raises(ValidationError, match="还有1张未记账凭证（记-202203-0001）"):
        period_close(account_set=book, period="202203", user=clerk)


def test_close_goes_in_order_and_refuses_a_second_close(book, clerk):
    with pytest.raises(ValidationError, match="上一期间202202尚未结账"):
        period_close(account_set=book, period="202203", user=clerk)
    period_close(account_set=book, period="202201", user=clerk)
    with pytest.raises(ValidationError, match="已结账"):
        period_close(account_set=book, period="202201", user=clerk)


def test_close_refuses_an_unbalanced_trial_balance(book, clerk, reviewer):
    voucher = _posted(book, reviewer, "102001", "301", "500", day=MARCH.replace(month=1))
    # the services never write an unbalanced voucher; simulate a bad import
    voucher.lines.filter(line_no=2).update(credit=Decimal("400"))
    with pytest.raises(ValidationError, match="试算不平衡"):
        period_close(account_set=book, period="202201", user=clerk)


def test_reopen_needs_a_reason_and_opens_the_period_again(book, clerk, reviewer):
    _close_through(book, reviewer, "202201", "202202", "202203")
    with pytest.raises(ValidationError, match="必须填写原因"):
        period_reopen(account_set=book, period="202203", user=reviewer, reason="")
    with pytest.raises(ValidationError, match="逐期反结账"):
        period_reopen(account_set=book, period="202202", user=reviewer, reason="补记")
    close = period_reopen(account_set=book, period="202203", user=reviewer, reason="漏记银行收款")
    assert (close.is_closed, close.reopen_reason) == (False, "漏记银行收款") and close.reopened_at
    late = voucher_create(account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "1"), user=clerk)
    voucher_post(voucher=late, user=reviewer)
    assert period_close(account_set=book, period="202203", user=reviewer).is_closed
    assert (
        PeriodBalance.objects.get(account__account_set=book, period="202203", account__code="501").closing
        == -1
    )


def test_rebuild_refuses_to_skip_a_period_with_earlier_postings(book, reviewer):
    _posted(book, reviewer, "102001", "301", "100")
    with pytest.raises(ValidationError, match="请按期间顺序先重算202203"):
        period_balances_rebuild(account_set=book, period="202204")
    period_balances_rebuild(account_set=book, period="202203")
    assert period_balances_rebuild(account_set=book, period="202204")
