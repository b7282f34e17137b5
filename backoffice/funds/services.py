"""Writes of 资金监测: record a bank transaction with the continuity check, set a cash limit, prepare a
bank reconciliation, and move a payment request through its approval chain. Used alike by the admin,
imports, the bank feed, jobs and tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .choices import ApprovalStep, Decision, Direction, PaymentStatus
from .models import (
    BankAccount,
    BankReconciliation,
    BankTransaction,
    CashLimit,
    PaymentApproval,
    PaymentRequest,
)
from .selectors import continuity_gap, statement_balance_on
from .validators import PERIOD_RE

ZERO = Decimal("0.00")


class RecordedTransaction(NamedTuple):
    transaction: BankTransaction
    #: continuity gaps with the neighbouring transactions, in Chinese; empty when the chain is continuous
    gaps: list[str]
    #: False when the same item had already been received (feed re-delivery): nothing was written
    created: bool


def _user_name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def _chain_key(txn: BankTransaction) -> tuple:
    return (txn.txn_date, txn.txn_time or datetime.min.time(), txn.pk or 0)


def _neighbours(txn: BankTransaction) -> tuple[BankTransaction | None, BankTransaction | None]:
    """The transactions just before and just after ``txn`` in its account's chain."""
    base = BankTransaction.objects.filter(account_id=txn.account_id)
    same_day = list(base.filter(txn_date=txn.txn_date))
    before = base.filter(txn_date__lt=txn.txn_date).order_by("-txn_date", "-txn_time", "-id").first()
    after = base.filter(txn_date__gt=txn.txn_date).order_by("txn_date", "txn_time", "id").first()
    chain = sorted([t for t in (before, after) if t is not None] + same_day, key=_chain_key)
    index = next(i for i, t in enumerate(chain) if t.pk == txn.pk)
    previous = chain[index - 1] if index > 0 else None
    following = chain[index + 1] if index + 1 < len(chain) else None
    return previous, following


@transaction.atomic
def bank_transaction_record(*, account: BankAccount, user=None, **fields: Any) -> RecordedTransaction:
    """Store one bank transaction of ``account`` (feed item, statement row or manual entry).

    The same (account, bank_serial, txn_date) received again with the same direction and amount is a
    re-delivery and is not stored twice; with different content it is refused. The continuity check
    (previous balance_after ± amount = balance_after, and the same for the next transaction when a
    late item is inserted) never refuses: gaps are returned as Chinese messages for the A7 alert.
    """
    existing = BankTransaction.objects.filter(
        account=account,
        bank_serial=fields.get("bank_serial"),
        txn_date=fields.get("txn_date"),
    ).first()
    if existing is not None:
        if existing.direction == fields.get("direction") and existing.amount == Decimal(
            str(fields.get("amount"))
        ):
            return RecordedTransaction(existing, [], False)
        raise ValidationError(
            f"流水号{existing.bank_serial}（{existing.txn_date}）已存在，金额或方向与本次不同；"
            "同一笔流水不能重复登记，请向银行核实"
        )
    txn = BankTransaction(account=account, org_id=account.org_id, region_code=account.region_code, **fields)
    if user is not None:
        txn.created_by = txn.updated_by = user
    txn.full_clean()
    txn.save()
    previous, following = _neighbours(txn)
    gaps = []
    if previous is not None and (gap := continuity_gap(previous, txn)):
        gaps.append(gap)
    if following is not None and (gap := continuity_gap(txn, following)):
        gaps.append(gap)
    return RecordedTransaction(txn, gaps, True)


@transaction.atomic
def cash_limit_set(
    *,
    org,
    limit_amount: Decimal,
    basis_days: int,
    approved_by: str,
    valid_from: date,
    valid_to: date | None = None,
    approval_ref: str = "",
    user=None,
) -> CashLimit:
    """Approve a new cash limit. An open-ended earlier limit is closed the day before ``valid_from``
    (superseded); any other overlap is refused with a message naming the clashing period."""
    current = (
        CashLimit.objects.select_for_update()
        .filter(org=org, valid_to__isnull=True, valid_from__lt=valid_from)
        .first()
    )
    if current is not None:
        current.valid_to = valid_from - timedelta(days=1)
        current.updated_by = user
        current.full_clean()
        current.save(update_fields=["valid_to", "updated_by", "updated_at"])
    limit = CashLimit(
        org=org,
        region_code=org.region_code,
        limit_amount=limit_amount,
        basis_days=basis_days,
        approved_by=approved_by,
        approval_ref=approval_ref,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=user,
        updated_by=user,
    )
    limit.full_clean()
    limit.save()
    return limit


def _period_end(period: str) -> date:
    match = PERIOD_RE.match(period or "")
    if not match:
        raise ValidationError(f"期间“{period}”应为6位年月，如202503")
    year, month = int(match.group(1)), int(match.group(2))
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


@transaction.atomic
def reconciliation_prepare(
    *,
    account: BankAccount,
    period: str,
    ledger_balance: Decimal | None = None,
    statement_balance: Decimal | None = None,
    bank_recorded_not_booked_in: Decimal = ZERO,
    bank_recorded_not_booked_out: Decimal = ZERO,
    booked_not_by_bank_in: Decimal = ZERO,
    booked_not_by_bank_out: Decimal = ZERO,
    preparer: str = "",
    reviewer: str = "",
    user=None,
) -> BankReconciliation:
    """Create or update the reconciliation of ``account`` for ``period`` (YYYYMM) and compute the
    adjusted balances and ``is_balanced``.

    ``statement_balance`` defaults to the bank's balance at period end from the transaction chain;
    ``ledger_balance`` (the 102 sub-account balance from the books) defaults to the stored value.
    """
    period_end = _period_end(period)
    recon = BankReconciliation.objects.filter(account=account, period=period).first()
    if recon is None:
        recon = BankReconciliation(
            account=account,
            period=period,
            org_id=account.org_id,
            region_code=account.region_code,
            created_by=user,
        )
        if ledger_balance is None:
            raise ValidationError(f"请填写{period}期末银行存款日记账（102科目）余额")
    if ledger_balance is not None:
        recon.ledger_balance = ledger_balance
    if statement_balance is None:
        statement_balance = statement_balance_on(account=account, on=period_end)
        if statement_balance is None:
            raise ValidationError(f"{account}在{period_end}之前没有银行流水，请填写银行对账单余额")
    recon.statement_balance = statement_balance
    recon.bank_recorded_not_booked_in = bank_recorded_not_booked_in
    recon.bank_recorded_not_booked_out = bank_recorded_not_booked_out
    recon.booked_not_by_bank_in = booked_not_by_bank_in
    recon.booked_not_by_bank_out = booked_not_by_bank_out
    recon.preparer = preparer or recon.preparer or _user_name(user)
    recon.reviewer = reviewer or recon.reviewer
    recon.updated_by = user
    recon.compute_adjusted()
    recon.full_clean()
    recon.save()
    return recon


# ---- payment approval chain ---------------------------------------------------------------------------


@transaction.atomic
def payment_request_submit(*, request: PaymentRequest, user=None, note: str = "") -> PaymentRequest:
    """Draft → pending (审批中). Large requests need their decision-meeting reference first."""
    if request.status != PaymentStatus.DRAFT:
        raise ValidationError(
            f"审批单{request.request_no}当前为“{request.get_status_display()}”，只有草稿可以提交审批"
        )
    problem = request.meeting_problem()
    if problem:
        raise ValidationError({"meeting_ref": problem})
    request.status = PaymentStatus.PENDING
    request.updated_by = user
    request.full_clean()
    request.save()
    return request


def _decide(
    *,
    request: PaymentRequest,
    step: str,
    user,
    note: str,
    decision: str,
    decided_at: datetime | None,
    approver: str,
) -> PaymentApproval:
    if request.status != PaymentStatus.PENDING:
        raise ValidationError(
            f"审批单{request.request_no}当前为“{request.get_status_display()}”，只有审批中的单据可以审批"
        )
    try:
        step = ApprovalStep(step)
    except ValueError:
        raise ValidationError(f"未知的审批环节“{step}”") from None
    problem = request.meeting_problem()
    if problem:
        raise ValidationError({"meeting_ref": problem})
    approval = PaymentApproval(
        request=request,
        org_id=request.org_id,
        region_code=request.region_code,
        step=step,
        step_order=step.order,
        decision=decision,
        approver=approver or _user_name(user) or "（未署名）",
        decided_at=decided_at or timezone.now(),
        note=note,
        created_by=user,
        updated_by=user,
    )
    approval.full_clean()
    approval.save()
    return approval


@transaction.atomic
def payment_request_approve(
    *,
    request: PaymentRequest,
    step: str,
    user=None,
    note: str = "",
    decided_at: datetime | None = None,
    approver: str = "",
) -> PaymentApproval:
    """Approve the next step of the chain; the last step (乡镇审核) approves the request."""
    approval = _decide(
        request=request,
        step=step,
        user=user,
        note=note,
        decision=Decision.APPROVE,
        decided_at=decided_at,
        approver=approver,
    )
    if ApprovalStep(step) == ApprovalStep.ordered()[-1]:
        request.status = PaymentStatus.APPROVED
        request.updated_by = user
        request.save(update_fields=["status", "updated_by", "updated_at"])
    return approval


@transaction.atomic
def payment_request_reject(
    *,
    request: PaymentRequest,
    step: str,
    user=None,
    note: str = "",
    decided_at: datetime | None = None,
    approver: str = "",
) -> PaymentApproval:
    """Reject at the next step of the chain, with a reason; the request becomes rejected (final)."""
    if not (note or "").strip():
        raise ValidationError("不同意时必须在备注中说明理由")
    approval = _decide(
        request=request,
        step=step,
        user=user,
        note=note,
        decision=Decision.REJECT,
        decided_at=decided_at,
        approver=approver,
    )
    request.status = PaymentStatus.REJECTED
    request.updated_by = user
    request.save(update_fields=["status", "updated_by", "updated_at"])
    return approval


@transaction.atomic
def payment_request_mark_paid(
    *, request: PaymentRequest, bank_transaction: BankTransaction, user=None
) -> PaymentRequest:
    """Approved → paid: link the outgoing bank transaction that executed the payment."""
    if request.status != PaymentStatus.APPROVED:
        raise ValidationError(
            f"审批单{request.request_no}尚未批准（当前为“{request.get_status_display()}”），不能登记支付"
        )
    if bank_transaction.direction != Direction.DEBIT or bank_transaction.org_id != request.org_id:
        raise ValidationError("只能关联本组织的支出（借方）银行流水")
    if bank_transaction.amount != request.amount:
        raise ValidationError(
            f"银行流水金额{bank_transaction.amount:,.2f}元与审批金额{request.amount:,.2f}元不一致，请核对"
        )
    bank_transaction.payment_request = request
    bank_transaction.save(update_fields=["payment_request", "updated_at"])
    request.status = PaymentStatus.PAID
    request.paid_on = bank_transaction.txn_date
    request.pay_account = bank_transaction.account
    request.updated_by = user
    request.full_clean()
    request.save()
    return request
