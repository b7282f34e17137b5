"""Ingest a bank statement file: parse (adapter) → resolve accounts → store each new transaction through
``funds.services.bank_transaction_record`` (idempotent on account + bank serial + date, continuity check) →
one coalesced evaluation of the real-time rules for the new rows after the commit.

Nothing is refused for a gap: the transaction is stored and the gap reported by row (a gap usually means a
missing item, which a later file fills). Rows of unregistered accounts, unreadable rows and conflicting
re-deliveries (same serial, different amount) are reported and skipped; the other rows are stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from backoffice.core.pii import SensitiveKind, mask, pii_hash
from backoffice.funds.choices import Channel, CounterpartyKind, TransactionSource
from backoffice.funds.models import BankAccount, BankTransaction
from backoffice.funds.services import bank_transaction_record

from ..hooks import notify_rules
from ..reading import ReadError
from .adapters import Parsed, RowProblem, StatementRow, adapter_for
from .fastpath import appends, bulk_append, split_known
from .models import BankFeedJob

logger = logging.getLogger(__name__)
BANK = SensitiveKind.BANK_ACCOUNT
ORG_WORDS = re.compile(
    r"公司|合作社|委员会|经济|联合社|银行|信用社|局|站|中心|厂|店|学校|医院|集团|政府|所|部|队|院|馆|协会"
)


@dataclass
class FeedResult:
    filename: str
    adapter: str = ""
    rows: int = 0
    created: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created_pks: list[int] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p.kind == kind)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        return {
            "file": self.filename,
            "format": self.adapter,
            "rows": self.rows,
            "created": self.created,
            "skipped": self.skipped,
            "gaps": self.count("gap"),
            "unknown_accounts": self.count("unknown_account"),
            "invalid": self.count("invalid") + self.count("conflict"),
            "ok": self.ok,
        }

    def problem_dicts(self) -> list[dict]:
        return [p.as_dict(self.filename) for p in sorted(self.problems, key=lambda p: (p.row, p.kind))]


def counterparty_kind(name: str) -> str:
    """[D] a unit name carries an institutional word; a 2–4 character Chinese name is a person."""
    if not name:
        return CounterpartyKind.UNKNOWN
    if ORG_WORDS.search(name):
        return CounterpartyKind.ORGANISATION
    if re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", name):
        return CounterpartyKind.INDIVIDUAL
    return CounterpartyKind.UNKNOWN


def _chain_order(rows: list[StatementRow]) -> list[StatementRow]:
    """Oldest first. Statements listed newest first are reversed before a stable sort, so that same-day
    rows without a time keep the bank's order."""

    def key(r):
        return (r.txn_date, r.txn_time or dt.time.min)

    if len(rows) > 1 and key(rows[0]) > key(rows[-1]):
        rows = rows[::-1]
    return sorted(rows, key=key)


def _fields(row: StatementRow, batch: str, source: str = TransactionSource.FILE) -> dict:
    return {
        "bank_serial": row.bank_serial,
        "txn_date": row.txn_date,
        "txn_time": row.txn_time,
        "value_date": row.value_date,
        "direction": row.direction,
        "amount": row.amount,
        "balance_after": row.balance_after,
        "currency": row.currency,
        "counterparty_account": row.counterparty_account,
        "counterparty_name": row.counterparty_name,
        "counterparty_bank": row.counterparty_bank,
        "counterparty_kind": counterparty_kind(row.counterparty_name),
        "summary": row.summary,
        "purpose": row.purpose,
        "receipt_no": row.receipt_no,
        "channel": Channel.DIRECT_LINK,
        "source": source,
        "import_batch": batch[:40],
    }


def ingest(data: bytes, filename: str, *, user, format: str | None = None, batch: str = "") -> FeedResult:
    """Store the new transactions of one statement file; raises ``ReadError`` for an unreadable file."""
    adapter = adapter_for(format, data, filename)
    return ingest_parsed(adapter.parse(data, filename), filename, user=user, batch=batch)


def ingest_parsed(
    parsed: Parsed, filename: str, *, user, batch: str = "", source: str = TransactionSource.FILE
) -> FeedResult:
    """Store already-parsed statement rows (a file's, or a bank push's): the same account resolution,
    idempotency, continuity check and one coalesced rules evaluation as a statement file."""
    result = FeedResult(filename, parsed.adapter, warnings=parsed.warnings)
    result.rows = len(parsed.rows) + len({p.row for p in parsed.problems})
    result.problems.extend(parsed.problems)
    hashes = {r.account_no: pii_hash(r.account_no, BANK) for r in parsed.rows}
    accounts = {
        a.account_no_hash: a
        for a in BankAccount.objects.visible_to(user).filter(account_no_hash__in=set(hashes.values()))
    }
    by_account: dict[int, list[StatementRow]] = defaultdict(list)
    account_of: dict[int, BankAccount] = {}
    for row in parsed.rows:
        account = accounts.get(hashes[row.account_no])
        if account is None:
            result.problems.append(
                RowProblem(
                    row.row,
                    parsed.letters.get("account_no", "账号"),
                    f"账号 {mask(row.account_no, BANK)} 未在平台登记，或不在您的管辖范围内；"
                    "请先在“银行账户”中登记该账户（并勾选银农直连），再重新导入本文件",
                    kind="unknown_account",
                )
            )
            continue
        by_account[account.pk].append(row)
        account_of[account.pk] = account
    labels = {name: parsed.letters.get(name, "") for name in parsed.letters}
    with transaction.atomic():
        for account_pk, rows in by_account.items():
            account = account_of[account_pk]
            new = split_known(account, _chain_order(rows), result)
            bulk, last = appends(account, new)
            if bulk:
                bulk_append(
                    account,
                    new,
                    last,
                    user=user,
                    fields=lambda row: _fields(row, batch, source),
                    report_invalid=lambda res, row, exc: _report_invalid(res, row, exc, labels),
                    result=result,
                    balance_column=labels.get("balance_after", ""),
                )
                continue
            for row in new:  # late items inside the stored chain: the service re-checks both neighbours
                try:
                    recorded = bank_transaction_record(
                        account=account, user=user, **_fields(row, batch, source)
                    )
                except ValidationError as exc:
                    _report_invalid(result, row, exc, labels)
                    continue
                if not recorded.created:  # stored meanwhile by a simultaneous delivery: a re-delivery
                    result.skipped += 1
                    continue
                result.created += 1
                result.created_pks.append(recorded.transaction.pk)
                for gap in recorded.gaps:
                    result.problems.append(
                        RowProblem(row.row, labels.get("balance_after", ""), gap, kind="gap")
                    )
        notify_rules(BankTransaction, result.created_pks)  # once, when this file's rows are committed
    return result


def _report_invalid(result: FeedResult, row: StatementRow, exc: ValidationError, labels: dict) -> None:
    mapping = getattr(exc, "message_dict", None) or {"__all__": exc.messages}
    conflict = "已存在" in " ".join(exc.messages)
    for name, messages in mapping.items():
        column = labels.get({"amount": "debit"}.get(name, name), "") or labels.get(name, "")
        if name == "amount" and not column:
            column = labels.get("amount", "") or labels.get("credit", "")
        result.problems.append(
            RowProblem(row.row, column, "；".join(messages), kind="conflict" if conflict else "invalid")
        )


# ---- the admin upload: a job run by django-q2 ---------------------------------------------------------
def enqueue(job_id: int) -> None:
    from django_q.tasks import async_task

    async_task("imports.bankfeed.ingest.run_job", job_id, group="imports", task_name=f"bankfeed-{job_id}")


def run_job(job_id: int) -> str:
    """Worker side of an uploaded statement: ingest it and store the report on the job."""
    S = BankFeedJob.Status
    if not BankFeedJob.objects.filter(pk=job_id, status=S.UPLOADED).update(
        status=S.RUNNING, started_at=timezone.now()
    ):
        return BankFeedJob.objects.get(pk=job_id).status  # delivered twice: nothing to do
    job = BankFeedJob.objects.select_related("user").get(pk=job_id)
    try:
        with default_storage.open(job.file.name, "rb") as stream:
            data = stream.read()
        result = ingest(
            data, job.original_name, user=job.user, format=job.format or None, batch=f"feed-{job.pk}"
        )
    except ReadError as exc:
        job.status, job.error_text = S.FAILED, str(exc)
    except Exception as exc:  # never leave a job "running" without a message
        logger.exception("bank feed job %s crashed", job_id)
        job.status = S.FAILED
        job.error_text = f"导入时发生系统错误（{type(exc).__name__}: {exc}）；请联系管理员，文件未导入。"
    else:
        summary = result.summary()
        job.status = S.DONE
        job.format = result.adapter
        job.rows, job.created_count, job.skipped_count = result.rows, result.created, result.skipped
        job.gap_count, job.unknown_account_count = summary["gaps"], summary["unknown_accounts"]
        job.invalid_count = summary["invalid"]
        job.report = {"summary": summary, "problems": result.problem_dicts(), "warnings": result.warnings}
    job.finished_at = timezone.now()
    job.save()
    return job.status


def create_job(*, user, name: str, content: bytes, format: str = "") -> BankFeedJob:
    from django.core.files.base import ContentFile

    from backoffice.core.scope import scope_prefix

    prefix = scope_prefix(user)
    job = BankFeedJob(
        original_name=name[-255:],
        user=user,
        format=format,
        scope_code=prefix if isinstance(prefix, str) else "",
    )
    job.file.save(name[-120:], ContentFile(content), save=False)
    job.save()
    enqueue(job.pk)
    return job
