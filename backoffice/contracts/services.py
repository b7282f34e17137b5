"""Services and selectors of 承包（租赁）合同 (DOMAIN.md §2.7; alerts A3, A6; statistic 合同兑现).

Writes: ``contract_create``, ``contract_receivable_schedule``, ``contract_receipt_record``,
``contract_extend``, ``contract_terminate``, ``contracts_refresh_status`` (nightly).
Reads: ``contract_fulfilment``, ``contracts_expiring``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum

from backoffice.core.validators import DATA_SCOPE_START

from .choices import ACTIVE_STATUSES, EXPENDITURE_TYPES, ChangeType, ContractStatus
from .models import Contract, ContractChange, ContractReceipt, ContractReceivablePlan
from .terms import plan_amounts

ZERO = Decimal("0.00")


def _stamp(record, user) -> None:
    if user is not None:
        if record.pk is None:
            record.created_by = user
        record.updated_by = user


@transaction.atomic
def contract_create(*, user=None, generate_schedule: bool = True, **fields: Any) -> Contract:
    """Create a contract from its field values (``org``, ``contract_no``, ``contract_type``, …), validated
    in full; income contracts with a total amount also get their receivable plan."""
    contract = Contract(**fields)
    _stamp(contract, user)
    contract.full_clean()
    contract.save()
    if generate_schedule and contract.contract_type not in EXPENDITURE_TYPES and contract.total_amount > 0:
        contract_receivable_schedule(contract=contract, user=user)
    return contract


@transaction.atomic
def contract_receivable_schedule(
    *,
    contract: Contract,
    period_months: int | None = None,
    replace: bool = False,
    user=None,
) -> list[ContractReceivablePlan]:
    """Generate the receivable plan of ``contract`` from its payment mode, term and total amount.

    一次性 → one row on the term start; 按年/按产量 → one row per contract year; 分期 → one row per
    ``period_months`` (default 6). The rows always sum to the total. An existing plan is only replaced
    when ``replace`` is given.
    """
    if contract.contract_type in EXPENDITURE_TYPES:
        raise ValidationError(f"{contract.get_contract_type_display()}合同是集体支出合同，不生成应收计划")
    if contract.total_amount is None or contract.total_amount <= 0:
        raise ValidationError("合同总金额为0，无法生成应收计划；请先填写合同总金额")
    existing = contract.plans.all()
    if existing.exists():
        if not replace:
            raise ValidationError(
                f"合同{contract.contract_no}已有应收计划；如需按现有条款重新生成，请选择“替换”"
            )
        existing.delete()
    rows = []
    for due_date, amount in plan_amounts(
        payment_mode=contract.payment_mode,
        term_start=contract.term_start,
        term_end=contract.term_end,
        total=contract.total_amount,
        period_months=period_months,
    ):
        row = ContractReceivablePlan(
            contract=contract,
            org_id=contract.org_id,
            due_date=due_date,
            amount_due=amount,
            is_history=contract.is_history and due_date < DATA_SCOPE_START,
        )
        _stamp(row, user)
        row.full_clean()
        row.save()
        rows.append(row)
    return rows


@transaction.atomic
def contract_receipt_record(
    *,
    contract: Contract,
    received_on: date,
    amount: Decimal,
    receipt_no: str,
    voucher_ref: str = "",
    user=None,
) -> ContractReceipt:
    """Record money received under ``contract``; refuses receipts beyond the contract's planned total."""
    planned = contract.plans.aggregate(total=Sum("amount_due"))["total"] or ZERO
    received = contract.receipts.aggregate(total=Sum("amount"))["total"] or ZERO
    if planned and received + Decimal(amount) > planned:
        raise ValidationError(
            f"合同{contract.contract_no}应收合计{planned}元，已收{received}元，本次{amount}元将超收"
            f"{received + Decimal(amount) - planned}元；请核对金额或先变更合同"
        )
    receipt = ContractReceipt(
        contract=contract,
        org_id=contract.org_id,
        received_on=received_on,
        amount=amount,
        receipt_no=receipt_no,
        voucher_ref=voucher_ref,
    )
    _stamp(receipt, user)
    receipt.full_clean()
    receipt.save()
    return receipt


def contract_fulfilment(*, contract: Contract, as_of: date) -> dict[str, Any]:
    """合同兑现 of one contract on ``as_of``.

    - ``receivable``: plan amounts due on or before ``as_of``; ``received``: receipts on or before it;
    - receipts are applied to instalments in due-date order; an instalment is overdue from the day after
      its due date (A6) while not fully covered: ``overdue_amount``, ``overdue_instalments``,
      ``max_overdue_days`` (of the oldest uncovered one);
    - ``fulfilment_rate`` = received / receivable (Decimal, 4 places), None when nothing is due yet.
    """
    plans = list(
        contract.plans.filter(due_date__lte=as_of).order_by("due_date").values_list("due_date", "amount_due")
    )
    received = (
        contract.receipts.filter(received_on__lte=as_of).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    plan_total = contract.plans.aggregate(total=Sum("amount_due"))["total"] or ZERO
    receivable = sum((amount for _, amount in plans), ZERO)
    available = received
    overdue_amount, overdue_count, max_days = ZERO, 0, 0
    for due_date, amount in plans:
        covered = min(available, amount)
        available -= covered
        if covered < amount and due_date < as_of:
            overdue_amount += amount - covered
            overdue_count += 1
            max_days = max(max_days, (as_of - due_date).days)
    rate = (received / receivable).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if receivable else None
    return {
        "as_of": as_of,
        "plan_total": plan_total,
        "receivable": receivable,
        "received": received,
        "outstanding": max(receivable - received, ZERO),
        "overdue_amount": overdue_amount,
        "overdue_instalments": overdue_count,
        "max_overdue_days": max_days,
        "fulfilment_rate": rate,
    }


def contracts_expiring(*, queryset: QuerySet[Contract], as_of: date, within_days: int) -> QuerySet[Contract]:
    """Contracts in force whose end date falls within ``within_days`` days from ``as_of`` (A3 window;
    the end day itself counts, a contract ending on ``as_of`` is included)."""
    return queryset.filter(
        status__in=ACTIVE_STATUSES,
        term_end__gte=as_of,
        term_end__lte=as_of + timedelta(days=within_days),
    )


@transaction.atomic
def contract_extend(
    *,
    contract: Contract,
    new_term_end: date,
    change_date: date,
    reason: str,
    approval_ref: str = "",
    additional_amount: Decimal = ZERO,
    user=None,
) -> ContractChange:
    """Extend ``contract`` to ``new_term_end`` (the lease limit is re-checked on the whole term) and record
    the change; ``additional_amount`` (the extension's price) is added to the total and planned."""
    if contract.status not in (*ACTIVE_STATUSES, ContractStatus.EXPIRED):
        raise ValidationError(f"合同状态为{contract.get_status_display()}，不能延期")
    old_end = contract.term_end
    if new_term_end <= old_end:
        raise ValidationError(f"新的终止日期应晚于原终止日期{old_end:%Y-%m-%d}")
    contract.term_end = new_term_end
    contract.total_amount = contract.total_amount + Decimal(additional_amount)
    if contract.status in (ContractStatus.EXPIRING, ContractStatus.EXPIRED):
        contract.status = ContractStatus.PERFORMING
    _stamp(contract, user)
    contract.full_clean()
    contract.save()
    if additional_amount and contract.contract_type not in EXPENDITURE_TYPES:
        for due_date, amount in plan_amounts(
            payment_mode=contract.payment_mode,
            term_start=old_end,
            term_end=new_term_end,
            total=additional_amount,
        ):
            row = ContractReceivablePlan(
                contract=contract, org_id=contract.org_id, due_date=due_date, amount_due=amount
            )
            _stamp(row, user)
            row.full_clean()
            row.save()
    return _record_change(
        contract=contract,
        change_type=ChangeType.EXTEND,
        change_date=change_date,
        reason=reason,
        approval_ref=approval_ref,
        new_term_end=new_term_end,
        user=user,
    )


@transaction.atomic
def contract_terminate(
    *,
    contract: Contract,
    change_date: date,
    reason: str,
    approval_ref: str = "",
    rescind: bool = False,
    user=None,
) -> ContractChange:
    """Terminate (or, with ``rescind``, rescind) ``contract`` on ``change_date``: instalments due after that
    day are no longer receivable and are removed from the plan; what is due and unpaid stays due."""
    if contract.status not in (*ACTIVE_STATUSES, ContractStatus.EXPIRED):
        raise ValidationError(f"合同状态为{contract.get_status_display()}，不能终止")
    if not reason.strip():
        raise ValidationError("终止合同请填写原因")
    contract.plans.filter(due_date__gt=change_date).delete()
    contract.status = ContractStatus.RESCINDED if rescind else ContractStatus.TERMINATED
    _stamp(contract, user)
    contract.full_clean()
    contract.save()
    return _record_change(
        contract=contract,
        change_type=ChangeType.TERMINATE,
        change_date=change_date,
        reason=reason,
        approval_ref=approval_ref,
        new_term_end=change_date,
        user=user,
    )


def _record_change(*, contract: Contract, user, **fields: Any) -> ContractChange:
    change = ContractChange(contract=contract, org_id=contract.org_id, **fields)
    _stamp(change, user)
    change.full_clean()
    change.save()
    return change


#: A3 reminder window: a contract in force ending within this many days is "expiring" [P/D]
EXPIRY_WINDOW_DAYS = 90


def contracts_refresh_status(
    *, queryset: QuerySet[Contract], as_of: date, window_days: int = EXPIRY_WINDOW_DAYS
) -> dict[str, int]:
    """Move contracts in force along their dates (nightly): started → 履行中, inside the window → 即将到期,
    past the end → 已结清 when everything planned is received, else 已到期. Returns counts by new status."""
    counts: dict[str, int] = {}
    live = queryset.filter(status__in=(*ACTIVE_STATUSES, ContractStatus.EXPIRED))
    for contract in live.annotate(received=Sum("receipts__amount")):
        if contract.term_end < as_of:
            planned = contract.plans.aggregate(total=Sum("amount_due"))["total"] or ZERO
            new = ContractStatus.SETTLED if (contract.received or ZERO) >= planned else ContractStatus.EXPIRED
        elif contract.term_start > as_of:
            new = ContractStatus.EFFECTIVE
        elif contract.term_end <= as_of + timedelta(days=window_days):
            new = ContractStatus.EXPIRING
        else:
            new = ContractStatus.PERFORMING
        if new != contract.status:
            Contract.objects.filter(pk=contract.pk).update(status=new)
            counts[new] = counts.get(new, 0) + 1
    return counts
