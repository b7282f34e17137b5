"""Demo books: one 2023-chart account set per village and township organisation, an opening position,
then monthly vouchers (income, subsidies, expenses, cash withdrawals and deposits, receivables, payables,
wages, depreciation, year-end closing and distribution), trial balances and period closes.

Everything is computed in memory (balances in integer fen) and bulk-inserted; no per-voucher service
runs. Volumes: county ≈ 30k vouchers over 202401 … the month before ``as_of``; tiny 202407–202412 (six
months with a year-end); city the last twelve months. Deliberate cases for rules and reports: the last
one to three periods left unclosed in some sets (every township has some), draft/reviewed vouchers only
in unclosed periods, a few reversed (void) vouchers, a couple of negative cash balances (白条抵库 signal),
a few voucher-number gaps. Contract receipts (``contracts.ContractReceipt``, when that app has them)
each get a posted voucher and their ``voucher_ref``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.regions.demo import _person

from .bulkload import Inserter, db_datetime, next_id
from .choices import BookkeepingMode, ChartVersion, EntryKind, VoucherSource, VoucherStatus
from .demo_templates import MONTHLY_TEMPLATES, Book
from .models import (
    Account,
    AccountMapping,
    AccountSet,
    ChartAccount,
    PeriodBalance,
    PeriodClose,
    Voucher,
    VoucherLine,
)
from .periods import first_day, next_period, period_of, period_range, previous_period
from .reference import CHART_2023, load_chart_reference

DEMO_ORDER = 60
BATCH = 2000
VOUCHER_COLUMNS = (
    "id",
    "account_set",
    "voucher_word",
    "number",
    "voucher_date",
    "period",
    "summary",
    "attachments_count",
    "total_amount",
    "status",
    "source",
    "entry_kind",
    "reversal_of",
    "void_reason",
    "preparer_name",
    "reviewer_name",
    "poster_name",
    "posted_at",
)
#: sub-accounts every demo set has: (code, name, parent code)
SUB_ACCOUNTS = (
    ("102001", "基本存款账户", "102"),
    ("102002", "专用存款账户", "102"),
    ("112001", "单位", "112"),
    ("112002", "个人", "112"),
    ("113001", "第一村民小组", "113"),
    ("113002", "第二村民小组", "113"),
    ("322001", "未分配收益", "322"),
    ("322002", "各项分配", "322"),
    ("32200201", "提取公积公益金", "322002"),
    ("32200202", "向成员分配收益", "322002"),
)


def _fen(value: int) -> Decimal:
    return Decimal(value) / 100


def _periods(ctx: DemoContext) -> list[str]:
    last = previous_period(period_of(ctx.as_of))
    if ctx.scale == "tiny":
        return period_range("202407", min("202412", max(last, "202407")))
    if ctx.scale == "city":
        first = last
        for _ in range(11):
            first = previous_period(first)
        return period_range(max(first, "202401"), max(last, "202401"))
    return period_range("202401", max(last, "202401"))


def _receipts_by_org_period(org_ids: list[int], first: str, last: str) -> tuple[object, dict]:
    """Contract receipts of the covered months grouped by (org, period); the model when it exists."""
    try:
        from backoffice.contracts.models import ContractReceipt
    except ImportError:
        return None, {}
    grouped: dict[tuple[int, str], list[dict]] = defaultdict(list)
    rows = ContractReceipt.objects.filter(
        org_id__in=org_ids, received_on__gte=first_day(first), received_on__lt=first_day(next_period(last))
    ).values("pk", "org_id", "received_on", "amount", "receipt_no")
    for row in rows.order_by("received_on", "pk"):
        grouped[(row["org_id"], period_of(row["received_on"]))].append(row)
    return ContractReceipt, grouped


def seed(ctx: DemoContext) -> dict[str, int]:
    load_chart_reference(ChartAccount, AccountMapping)
    rng = ctx.rng_for("accounting")
    periods = _periods(ctx)
    last = periods[-1]
    orgs = [(org_id, code, True) for org_id, code in ctx.township_orgs] + [
        (org_id, code, False) for org_id, code in ctx.village_orgs
    ]
    receipt_model, receipts = _receipts_by_org_period([o[0] for o in orgs], periods[0], last)

    sets = []
    for org_id, code, township in orgs:
        sets.append(
            AccountSet(
                org_id=org_id,
                region_code=code,
                chart_version=ChartVersion.V2023,
                start_period=periods[0],
                name="新制度账套（2023）",
                bookkeeping_mode=BookkeepingMode.SELF
                if township or rng.random() < 0.2
                else BookkeepingMode.TOWNSHIP_AGENT,
                review_status=ReviewStatus.APPROVED,
                source_system=DEMO_SOURCE,
            )
        )
    AccountSet.objects.bulk_create(sets, batch_size=BATCH)
    accounts = _create_accounts(sets)

    # Which trailing periods stay open: every township set leaves one or two, villages mostly none.
    unclosed: dict[int, int] = {}
    for account_set, (_, _, township) in zip(sets, orgs, strict=True):
        draw = rng.random()
        unclosed[account_set.pk] = (
            rng.choice((1, 2)) if township else 0 if draw < 0.55 else 1 if draw < 0.9 else rng.choice((2, 3))
        )
    negative_cash = {s.pk for s in rng.sample([s for s, o in zip(sets, orgs, strict=True) if not o[2]], 2)}

    out = {
        "vouchers": Inserter(Voucher, VOUCHER_COLUMNS),
        "lines": Inserter(VoucherLine, ("voucher", "line_no", "account", "summary", "debit", "credit")),
        "receipts": [],
        "next_voucher_id": next_id(Voucher),
    }
    balances = Inserter(PeriodBalance, ("account", "period", "opening", "debit", "credit", "closing"))
    closes = []
    for account_set, (_, _, township) in zip(sets, orgs, strict=True):
        book = Book(rng=rng, scale=(rng.uniform(2.5, 4.0) if township else rng.lognormvariate(0, 0.45)))
        open_from = len(periods) - unclosed[account_set.pk]
        clerk, reviewer = _person(rng), _person(rng)
        for index, period in enumerate(periods):
            is_open = index >= open_from
            specs = _month_specs(
                book=book,
                period=period,
                first=(index == 0),
                township=township,
                is_open=is_open,
                receipts=receipts.get((account_set.org_id, period), ()),
                negative_cash=(account_set.pk in negative_cash and index == len(periods) // 2),
            )
            _materialise(
                account_set=account_set,
                accounts=accounts[account_set.pk],
                specs=specs,
                period=period,
                is_open=is_open,
                clerk=clerk,
                reviewer=reviewer,
                gap=(rng.random() < 0.01),
                rng=rng,
                out=out,
            )
            _balance_rows(account_set, accounts[account_set.pk], period, book, balances)
            book.next_period()
            if not is_open:
                closes.append(
                    PeriodClose(
                        account_set=account_set,
                        org_id=account_set.org_id,
                        region_code=account_set.region_code,
                        period=period,
                        is_closed=True,
                        closed_by=clerk,
                        review_status=ReviewStatus.APPROVED,
                        closed_at=datetime.combine(first_day(next_period(period)), time(9), tzinfo=UTC),
                        source_system=DEMO_SOURCE,
                    )
                )
        if unclosed[account_set.pk] and rng.random() < 0.15:
            period = periods[open_from]
            closes.append(
                PeriodClose(
                    account_set=account_set,
                    org_id=account_set.org_id,
                    region_code=account_set.region_code,
                    period=period,
                    is_closed=False,
                    closed_by=clerk,
                    review_status=ReviewStatus.SUBMITTED,
                    closed_at=datetime.combine(first_day(next_period(period)), time(9), tzinfo=UTC),
                    reopened_at=datetime.combine(first_day(next_period(period)), time(15), tzinfo=UTC),
                    reopen_reason="发现漏记银行收款凭证，经乡镇农经站同意反结账补记",
                    source_system=DEMO_SOURCE,
                )
            )

    counts = {
        "account_sets": len(sets),
        "accounts": sum(len(a) for a in accounts.values()),
        "vouchers": out["vouchers"].flush(explicit_ids=True),
        "voucher_lines": out["lines"].flush(),
        "period_balances": balances.flush(),
        "period_closes": len(PeriodClose.objects.bulk_create(closes, batch_size=BATCH)),
        "receipt_vouchers": len(out["receipts"]),
    }
    if receipt_model is not None and out["receipts"]:
        updated = []
        for pk, reference in out["receipts"]:
            receipt = receipt_model(pk=pk)
            receipt.voucher_ref = reference
            updated.append(receipt)
        receipt_model.objects.bulk_update(updated, ["voucher_ref"], batch_size=BATCH)
    return counts


def _create_accounts(sets: list[AccountSet]) -> dict[int, dict[str, Account]]:
    """All 42 first-level accounts plus the demo sub-accounts, level by level (parents first)."""
    by_set: dict[int, dict[str, Account]] = {}
    levels: list[list[Account]] = [[], [], []]
    for account_set in sets:
        mine: dict[str, Account] = {}
        for code, name, cls, balance, *_ in CHART_2023:
            mine[code] = Account(
                account_set=account_set,
                org_id=account_set.org_id,
                region_code=account_set.region_code,
                code=code,
                name=name,
                level=1,
                account_class=str(cls),
                normal_balance=str(balance),
                review_status=ReviewStatus.APPROVED,
                source_system=DEMO_SOURCE,
            )
            levels[0].append(mine[code])
        for code, name, parent_code in SUB_ACCOUNTS:
            parent = mine[parent_code]
            mine[code] = Account(
                account_set=account_set,
                org_id=account_set.org_id,
                region_code=account_set.region_code,
                code=code,
                name=name,
                level=parent.level + 1,
                parent=parent,
                account_class=parent.account_class,
                normal_balance=parent.normal_balance,
                review_status=ReviewStatus.APPROVED,
                source_system=DEMO_SOURCE,
            )
            levels[parent.level].append(mine[code])
        by_set[account_set.pk] = mine
    for level in levels:
        Account.objects.bulk_create(level, batch_size=BATCH)
    return by_set


def _month_specs(
    *, book: Book, period: str, first: bool, township: bool, is_open: bool, receipts, negative_cash: bool
) -> list[dict]:
    """The vouchers of one month as dicts (day, lines [(code, debit_fen, credit_fen)], summary, …),
    applied to the book's running balances when booked."""
    rng = book.rng
    days = (
        date(int(period[:4]) + int(period[4:]) // 12, int(period[4:]) % 12 + 1, 1) - first_day(period)
    ).days
    specs: list[dict] = []

    def add(day: int, entry: tuple[str, list[tuple[str, int, int]]] | None, **extra) -> dict | None:
        if entry is None:
            return None
        summary, entry_lines = entry
        booked = not (
            is_open
            and extra.get("kind", EntryKind.NORMAL) == EntryKind.NORMAL
            and "receipt" not in extra
            and rng.random() < 0.15
        )
        spec = {"day": min(day, days), "summary": summary, "lines": entry_lines, "booked": booked, **extra}
        if booked:
            book.apply(entry_lines)
        specs.append(spec)
        return spec

    if first:
        add(1, book.opening_entry(township=township), kind=EntryKind.OPENING, source=VoucherSource.MIGRATION)
    count = max(
        1, round(rng.gauss(9 if township else 3.3, 1.5) * (1.0 if township else min(book.scale, 1.6)))
    )
    for _ in range(count):
        template = rng.choices(MONTHLY_TEMPLATES, weights=[t[0] for t in MONTHLY_TEMPLATES])[0][1]
        spec = add(rng.randint(1, days), template(book), source=VoucherSource.MANUAL)
        if spec and spec["booked"] and not is_open and len(spec["lines"]) == 2 and rng.random() < 0.01:
            swapped = [(code, credit, debit) for code, debit, credit in spec["lines"]]
            spec["void_reason"] = "金额录入错误，红字冲销后重新编制"
            add(
                min(spec["day"] + 3, days),
                (f"冲销：{spec['summary']}", swapped),
                reverses=spec,
                source=VoucherSource.MANUAL,
            )
    for receipt in receipts:
        add(
            receipt["received_on"].day,
            book.receipt_entry(receipt),
            receipt=receipt["pk"],
            source=VoucherSource.BANK_FEED,
        )
    if negative_cash:
        add(days, book.cash_overdraw(), source=VoucherSource.MANUAL)
    add(days, book.depreciation(), source=VoucherSource.MANUAL)
    if period.endswith("12"):
        add(days, book.close_pnl(), kind=EntryKind.CLOSING, source=VoucherSource.MANUAL)
        add(days, book.transfer_result(), kind=EntryKind.CLOSING, source=VoucherSource.MANUAL)
        add(days, book.appropriate_reserves(), source=VoucherSource.MANUAL)
        if rng.random() < 0.3:
            add(days, book.distribute_to_members(), source=VoucherSource.MANUAL)
    return specs


def _materialise(*, account_set, accounts, specs, period, is_open, clerk, reviewer, gap, rng, out) -> None:
    """Number the month's vouchers by date and add their rows to the inserters in ``out``."""
    order = sorted(range(len(specs)), key=lambda i: (specs[i]["day"], i))
    number = 0
    org_id, region_code = account_set.org_id, account_set.region_code
    for position, i in enumerate(order):
        spec = specs[i]
        number += 2 if gap and position == len(order) // 2 else 1
        day = date(int(period[:4]), int(period[4:]), spec["day"])
        if spec["booked"]:
            status = VoucherStatus.VOID if "void_reason" in spec else VoucherStatus.POSTED
            review = ReviewStatus.SUBMITTED if is_open else ReviewStatus.APPROVED
        else:
            status = rng.choice((VoucherStatus.DRAFT, VoucherStatus.DRAFT, VoucherStatus.REVIEWED))
            review = rng.choice((ReviewStatus.DRAFT, ReviewStatus.DRAFT, ReviewStatus.RETURNED))
        voucher_id = out["next_voucher_id"]
        out["next_voucher_id"] += 1
        spec["voucher_id"] = voucher_id
        kind = spec.get("kind", EntryKind.NORMAL)
        out["vouchers"].add(
            (
                voucher_id,
                account_set.pk,
                "记",
                number,
                day,
                period,
                spec["summary"][:200],
                rng.randint(0, 4) if kind == EntryKind.NORMAL else 0,
                _fen(sum(d for _, d, _ in spec["lines"])),
                str(status),
                str(spec.get("source", VoucherSource.MANUAL)),
                str(kind),
                spec["reverses"]["voucher_id"] if "reverses" in spec else None,
                spec.get("void_reason", ""),
                clerk,
                reviewer if status != VoucherStatus.DRAFT else "",
                clerk if spec["booked"] else "",
                db_datetime(datetime.combine(day, time(17), tzinfo=UTC)) if spec["booked"] else None,
            ),
            org_id=org_id,
            region_code=region_code,
            review_status=str(review),
        )
        if "receipt" in spec:
            out["receipts"].append((spec["receipt"], f"记-{period}-{number:04d}"))
        for line_no, (code, debit, credit) in enumerate(spec["lines"], start=1):
            out["lines"].add(
                (voucher_id, line_no, accounts[code].pk, spec["summary"][:200], _fen(debit), _fen(credit)),
                org_id=org_id,
                region_code=region_code,
                review_status=str(review),
            )


def _balance_rows(account_set, accounts, period, book: Book, inserter: Inserter) -> None:
    for code in sorted(set(book.opening) | set(book.moves)):
        opening = book.opening.get(code, 0)
        debit, credit = book.moves.get(code, (0, 0))
        if opening == 0 and debit == 0 and credit == 0:
            continue
        inserter.add(
            (
                accounts[code].pk,
                period,
                _fen(opening),
                _fen(debit),
                _fen(credit),
                _fen(opening + debit - credit),
            ),
            org_id=account_set.org_id,
            region_code=account_set.region_code,
            review_status=ReviewStatus.APPROVED,
        )
