"""Voucher services: create, update, delete, review, post and reverse (红字冲销)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from backoffice.core.choices import ReviewStatus

from ..choices import EntryKind, VoucherSource, VoucherStatus
from ..models import Account, AccountSet, Voucher, VoucherLine
from ..periods import period_of
from .common import (
    ZERO,
    check_open,
    fen_sum,
    parse_money,
    user_name,
    user_or_none,
)


def _resolve_lines(
    *, account_set: AccountSet, lines: list[dict]
) -> list[tuple[Account, str, Decimal, Decimal]]:
    """Validate the entry lines: known active leaf accounts of the set, one side each, balanced."""
    if len(lines) < 2:
        raise ValidationError("一张凭证至少需要两行分录（有借必有贷）")
    codes = [line["account"] for line in lines if isinstance(line.get("account"), str)]
    by_code = {a.code: a for a in Account.objects.filter(account_set=account_set, code__in=codes)}
    parents = set(
        Account.objects.filter(account_set=account_set, parent__isnull=False, active=True).values_list(
            "parent_id", flat=True
        )
    )
    resolved = []
    total_debit = total_credit = ZERO
    for index, line in enumerate(lines, start=1):
        account = line.get("account")
        if isinstance(account, str):
            account = by_code.get(account)
            if account is None:
                raise ValidationError(
                    f"第{index}行：科目“{line['account']}”不在本账套中，请先在账套中设置该科目"
                )
        if not isinstance(account, Account) or account.account_set_id != account_set.pk:
            raise ValidationError(f"第{index}行：科目“{account}”不属于账套“{account_set}”")
        if not account.active:
            raise ValidationError(f"第{index}行：科目“{account}”已停用，请改用启用中的科目")
        if account.pk in parents:
            raise ValidationError(f"第{index}行：科目“{account}”有下级明细科目，请选用末级科目记账")
        debit = parse_money(line.get("debit"), label=f"第{index}行借方")
        credit = parse_money(line.get("credit"), label=f"第{index}行贷方")
        if debit < 0 or credit < 0:
            raise ValidationError(f"第{index}行（{account}）：金额不能为负数；冲销请用反方向金额")
        if (debit == 0) == (credit == 0):
            raise ValidationError(
                f"第{index}行（{account}）：借方、贷方只能填写一方且金额不能为0（借方{debit}，贷方{credit}）"
            )
        total_debit += debit
        total_credit += credit
        resolved.append((account, str(line.get("summary", "")).strip(), debit, credit))
    if total_debit != total_credit:
        raise ValidationError(
            f"借贷不平衡：借方合计 {total_debit:,.2f} 元，贷方合计 {total_credit:,.2f} 元，"
            f"相差 {abs(total_debit - total_credit):,.2f} 元，请核对各行金额"
        )
    return resolved


def _save_lines(*, voucher: Voucher, resolved, user) -> None:
    for index, (account, summary, debit, credit) in enumerate(resolved, start=1):
        line = VoucherLine(
            voucher=voucher,
            line_no=index,
            account=account,
            summary=summary or voucher.summary,
            debit=debit,
            credit=credit,
            org_id=voucher.org_id,
            region_code=voucher.region_code,
            review_status=voucher.review_status,
            created_by=user_or_none(user),
            updated_by=user_or_none(user),
        )
        line.full_clean()
        line.save()


@transaction.atomic
def voucher_create(
    *,
    account_set: AccountSet,
    voucher_date: date,
    lines: list[dict],
    user=None,
    word: str = "记",
    source: str = VoucherSource.MANUAL,
    entry_kind: str = EntryKind.NORMAL,
    summary: str = "",
    attachments_count: int = 0,
) -> Voucher:
    """Create a draft voucher with the next number of its period.

    ``lines``: dicts with ``account`` (an ``Account`` of the set or its code), ``summary``, ``debit``,
    ``credit``. Debits must equal credits and be > 0; every account must be an active leaf account of
    the set; the period must not be closed.
    """
    period = period_of(voucher_date)
    if period < account_set.start_period:
        raise ValidationError(f"凭证日期{voucher_date:%Y-%m-%d}早于账套启用期间{account_set.start_period}")
    check_open(account_set=account_set, period=period, action="新增凭证")
    resolved = _resolve_lines(account_set=account_set, lines=lines)
    last = (
        Voucher.objects.filter(account_set=account_set, period=period, voucher_word=word).aggregate(
            n=Max("number")
        )["n"]
        or 0
    )
    voucher = Voucher(
        account_set=account_set,
        org_id=account_set.org_id,
        region_code=account_set.region_code,
        voucher_word=word,
        number=last + 1,
        voucher_date=voucher_date,
        period=period,
        summary=(summary or resolved[0][1])[:200],
        attachments_count=attachments_count,
        total_amount=sum((r[2] for r in resolved), ZERO),
        status=VoucherStatus.DRAFT,
        source=source,
        entry_kind=entry_kind,
        preparer_name=user_name(user),
        created_by=user_or_none(user),
        updated_by=user_or_none(user),
    )
    voucher.full_clean()
    voucher.save()
    _save_lines(voucher=voucher, resolved=resolved, user=user)
    return voucher


def _check_mutable(voucher: Voucher, action: str) -> None:
    if voucher.is_posted:
        raise ValidationError(f"凭证{voucher}已记账，不能{action}；如需更正请编制冲销凭证（红字冲销）")


@transaction.atomic
def voucher_update(
    *,
    voucher: Voucher,
    user=None,
    voucher_date: date | None = None,
    lines: list[dict] | None = None,
    summary: str | None = None,
    attachments_count: int | None = None,
) -> Voucher:
    """Change an unposted voucher (date, summary, attachments, lines); posted vouchers are immutable."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    _check_mutable(voucher, "修改")
    check_open(account_set=voucher.account_set, period=voucher.period, action="修改凭证")
    if voucher_date is not None and period_of(voucher_date) != voucher.period:
        raise ValidationError("凭证日期只能在原会计期间内调整；跨期请删除后在新期间重新编制")
    if voucher_date is not None:
        voucher.voucher_date = voucher_date
    if summary is not None:
        voucher.summary = summary[:200]
    if attachments_count is not None:
        voucher.attachments_count = attachments_count
    if lines is not None:
        resolved = _resolve_lines(account_set=voucher.account_set, lines=lines)
        voucher.lines.all().delete()
        voucher.total_amount = sum((r[2] for r in resolved), ZERO)
    voucher.status = VoucherStatus.DRAFT  # any change needs a new review
    voucher.reviewer_name = ""
    voucher.updated_by = user_or_none(user)
    voucher.full_clean()
    voucher.save()
    if lines is not None:
        _save_lines(voucher=voucher, resolved=resolved, user=user)
    return voucher


@transaction.atomic
def voucher_delete(*, voucher: Voucher, user=None) -> None:
    """Delete an unposted voucher and its lines; posted vouchers are immutable."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    _check_mutable(voucher, "删除")
    check_open(account_set=voucher.account_set, period=voucher.period, action="删除凭证")
    voucher.delete()


def _check_balanced(voucher: Voucher) -> None:
    totals = voucher.lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    debit, credit = fen_sum(totals["d"]), fen_sum(totals["c"])
    if debit != credit or debit <= 0:
        raise ValidationError(
            f"凭证{voucher}借贷不平衡：借方合计 {debit:,.2f} 元，贷方合计 {credit:,.2f} 元，不能审核或记账"
        )


@transaction.atomic
def voucher_review(*, voucher: Voucher, user) -> Voucher:
    """Draft → reviewed (审核). The reviewer must not be the preparer (制单与审核不得为同一人)."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.status != VoucherStatus.DRAFT:
        raise ValidationError(f"凭证{voucher}当前为“{voucher.get_status_display()}”，只有草稿可以审核")
    if voucher.preparer_name and voucher.preparer_name == user_name(user):
        raise ValidationError(f"凭证{voucher}的制单人与审核人不能为同一人，请由其他人员审核")
    _check_balanced(voucher)
    voucher.status = VoucherStatus.REVIEWED
    voucher.reviewer_name = user_name(user)
    voucher.updated_by = user_or_none(user)
    voucher.full_clean()
    voucher.save()
    return voucher


@transaction.atomic
def voucher_post(*, voucher: Voucher, user) -> Voucher:
    """Draft or reviewed → posted (记账) in an open period; after this the voucher is immutable."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.status not in (VoucherStatus.DRAFT, VoucherStatus.REVIEWED):
        raise ValidationError(f"凭证{voucher}当前为“{voucher.get_status_display()}”，不能再次记账")
    check_open(account_set=voucher.account_set, period=voucher.period, action="记账")
    _check_balanced(voucher)
    voucher.status = VoucherStatus.POSTED
    voucher.poster_name = user_name(user)
    voucher.posted_at = timezone.now()
    if voucher.review_status == ReviewStatus.DRAFT:
        voucher.review_status = ReviewStatus.SUBMITTED
    voucher.updated_by = user_or_none(user)
    voucher.full_clean()
    voucher.save()
    return voucher


@transaction.atomic
def voucher_reverse(*, voucher: Voucher, user, reason: str, on: date | None = None) -> Voucher:
    """Cancel a posted voucher: a posted reversal voucher with debit and credit swapped (dated ``on``,
    default today, in an open period), and the original marked void with the reason. Both stay booked."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("冲销凭证必须填写原因")
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.status != VoucherStatus.POSTED:
        raise ValidationError(
            f"凭证{voucher}当前为“{voucher.get_status_display()}”，只有已记账的凭证可以冲销"
        )
    day = on or timezone.localdate()
    if day < voucher.voucher_date:
        raise ValidationError(f"冲销日期{day:%Y-%m-%d}不能早于原凭证日期{voucher.voucher_date:%Y-%m-%d}")
    swapped = [
        {
            "account": line.account,
            "summary": f"冲销{voucher}：{line.summary}"[:200],
            "debit": line.credit,
            "credit": line.debit,
        }
        for line in voucher.lines.select_related("account").order_by("line_no")
    ]
    reversal = voucher_create(
        account_set=voucher.account_set,
        voucher_date=day,
        lines=swapped,
        user=user,
        word=voucher.voucher_word,
        source=voucher.source,
        entry_kind=voucher.entry_kind,
        summary=f"冲销{voucher}：{reason}"[:200],
    )
    reversal.reversal_of = voucher
    reversal.save(update_fields=["reversal_of"])
    reversal = voucher_post(voucher=reversal, user=user)
    voucher.status = VoucherStatus.VOID
    voucher.void_reason = reason[:200]
    voucher.updated_by = user_or_none(user)
    voucher.full_clean()
    voucher.save(update_fields=["status", "void_reason", "updated_by", "updated_at"])
    return reversal
