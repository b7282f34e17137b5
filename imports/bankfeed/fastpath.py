"""The common case of a statement file — new items after the account's last stored transaction — stored
in bulk: existing keys looked up with one query, the continuity chain followed in memory, rows validated
with the model's own ``clean_fields``/``clean`` and written with one ``bulk_create``.

Anything else (an item dated before the account's latest stored one, i.e. a late item inside the chain)
goes row by row through ``funds.services.bank_transaction_record``, which also re-checks the following
transaction. Both paths give the same result; this one does a few queries per account instead of about
ten per row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from backoffice.funds.models import BankTransaction
from backoffice.funds.selectors import continuity_gap

from .adapters import RowProblem, StatementRow

#: FKs whose existence ``clean_fields`` would query; they come from resolved objects here
NO_QUERY = ["account", "org", "payment_request", "created_by", "updated_by", "reviewed_by"]


def chain_key(txn_date: dt.date, txn_time: dt.time | None) -> tuple:
    return (txn_date, txn_time or dt.time.min)


def split_known(account, rows: list[StatementRow], result) -> list[StatementRow]:
    """Drop re-delivered rows (counted skipped) and conflicting ones (reported); the new rows remain."""
    if not rows:
        return []
    existing = {
        (serial, day): (direction, amount)
        for serial, day, direction, amount in BankTransaction.objects.filter(
            account=account,
            txn_date__gte=min(r.txn_date for r in rows),
            txn_date__lte=max(r.txn_date for r in rows),
        ).values_list("bank_serial", "txn_date", "direction", "amount")
    }
    new = []
    for row in rows:
        key = (row.bank_serial, row.txn_date)
        known = existing.get(key)
        if known is None:
            existing[key] = (row.direction, row.amount)
            new.append(row)
        elif known == (row.direction, row.amount):
            result.skipped += 1
        else:
            result.problems.append(
                RowProblem(
                    row.row,
                    "",
                    f"流水号{row.bank_serial}（{row.txn_date}）已存在，金额或方向与本次不同；"
                    "同一笔流水不能重复登记，请向银行核实",
                    kind="conflict",
                )
            )
    return new


def appends(account, rows: list[StatementRow]) -> tuple[bool, BankTransaction | None]:
    """(True, last stored) when every new row comes after the account's last stored transaction."""
    last = BankTransaction.objects.filter(account=account).order_by("-txn_date", "-txn_time", "-id").first()
    if last is None or not rows:
        return True, last
    first = min(chain_key(r.txn_date, r.txn_time) for r in rows)
    return first >= chain_key(last.txn_date, last.txn_time), last


def bulk_append(
    account, rows, previous, *, user, fields, report_invalid, result, balance_column: str
) -> None:
    objs = []
    for row in rows:
        txn = BankTransaction(
            account=account,
            org_id=account.org_id,
            region_code=account.region_code,
            created_by=user,
            updated_by=user,
            **fields(row),
        )
        try:
            txn.clean_fields(exclude=NO_QUERY)
            txn.clean()
        except ValidationError as exc:
            report_invalid(result, row, exc)
            continue
        if previous is not None and (gap := continuity_gap(previous, txn)):
            result.problems.append(RowProblem(row.row, balance_column, gap, kind="gap"))
        objs.append(txn)
        previous = txn
    if not objs:
        return
    created = BankTransaction.objects.bulk_create(objs)
    result.created += len(created)
    result.created_pks.extend(t.pk for t in created)
