"""Demo data of 资金监测: bank accounts, a continuous bank-transaction chain per account from 2024-01 to
``ctx.as_of``, the cash journal and cash limits, daily balances, reconciliations and payment requests.

One simulation per organisation walks the days in order, so every figure agrees with every other: the
cash journal's running balance is the daily cash balance, cash deposited or withdrawn appears on the
basic account the same day, a statement balance is the chain's ``balance_after``, and a paid payment
request is linked to the debit that paid it. Planted findings (for alerts A1/A2/A7 and the reports):

- cash over the limit in a few villages in the last 90 days, in two of them several days running;
  one village with a negative cash balance for two days;
- large flows: project inflows ≥ 50,000 元, engineering payments ≥ 50,000 元, compensation paid to
  individuals ≥ 10,000 元 several on one day (day total ≥ 100,000 元), and batches of three payments
  just under 50,000 元 on one day; about 70 % of debits ≥ 10,000 元 carry an approved payment request;
- month-end ledger ≠ statement without reconciling items in a few organisations (unbalanced
  reconciliations), and a few balanced reconciliations with bank-recorded-not-booked items.

County scale: 2024-01 to ``as_of`` (~35 months) × 165 organisations ≈ 60k bank transactions. Tiny: the last
6 months. City: from 2025-01 at 2.2× the monthly rate (≈ 480 bank transactions per organisation,
≥ 1,000,000 in all, the volume the rules benchmark needs).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.regions.models import CollectiveOrg

from .choices import AccountNature, ApprovalStep, Decision, Direction, PayeeKind, PaymentStatus
from .constants import DEFAULT_CASH_LIMIT
from .demo_sim import OrgSimulation, month_starts
from .models import (
    BankAccount,
    BankReconciliation,
    BankTransaction,
    CashJournal,
    CashLimit,
    DailyBalance,
    PaymentApproval,
    PaymentRequest,
)

DEMO_ORDER = 30
START = date(2024, 1, 1)
BATCH = 2000
FLUSH_EVERY = 20000  # bank transactions buffered before a flush
BANKS = (
    ("山西清徐农村商业银行", "314"),
    ("中国农业银行", "103"),
    ("中国邮政储蓄银行", "403"),
    ("中国建设银行", "105"),
)


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("funds")
    org_ids = [pk for pk, _ in ctx.village_orgs] + [pk for pk, _ in ctx.township_orgs]
    orgs = CollectiveOrg.objects.in_bulk(org_ids)
    villages = [orgs[pk] for pk, _ in ctx.village_orgs]
    townships = [orgs[pk] for pk, _ in ctx.township_orgs]
    # tiny: the last 6 months; city: from 2025 (fewer simulated days keep ~2,400 organisations in minutes)
    # at 2.2x the rate, so the city preset has >= 1,000,000 bank transactions for benchmarks/bench_rules.py
    first = {"tiny": month_starts(START, ctx.as_of)[-6], "city": date(2025, 1, 1)}.get(ctx.scale, START)
    months = month_starts(first, ctx.as_of)
    rate = {"tiny": 1.0, "county": 1.0, "city": 2.2}[ctx.scale]

    # Planted findings, chosen by position so that tiny has each of them too.
    shuffled = rng.sample(villages, len(villages))
    hoarders = shuffled[: max(2, round(len(villages) * 0.06))]
    negative = shuffled[len(hoarders)]
    without_limit = {
        o.pk for o in shuffled[len(hoarders) + 1 : len(hoarders) + 1 + max(1, round(len(villages) * 0.1))]
    }
    everyone = villages + townships
    picked = rng.sample(everyone, max(1, round(len(everyone) * 0.03)) + max(1, round(len(everyone) * 0.04)))
    mismatched = {o.pk for o in picked[: max(1, round(len(everyone) * 0.03))]}
    timing = {o.pk for o in picked[len(mismatched) :]}

    recon_periods = [m for m in months if _month_end(m) < ctx.as_of][-(3 if ctx.scale == "tiny" else 6) :]
    daily_from = ctx.as_of - timedelta(days=90)
    snapshot_days = sorted(
        {d for d in (_month_end(m) for m in months) if d < daily_from}
        | {daily_from + timedelta(days=i) for i in range(90)}
    )

    out: dict[str, list] = {
        k: [] for k in ("accounts", "limits", "journal", "txns", "daily", "recons", "requests", "approvals")
    }
    counts: dict[str, int] = {}
    used_numbers: set[str] = set()
    towns = {o.region_code[:9]: o.name.split("股份")[0] for o in townships}
    for index, org in enumerate(villages + townships):
        accounts = _accounts(org, index, rng, ctx, used_numbers, towns.get(org.region_code[:9], "城关"))
        limits = [] if org.pk in without_limit else _cash_limits(org, accounts[0], rng, first)
        sim = OrgSimulation(
            org=org,
            accounts=accounts,
            limits=limits,
            default_limit=DEFAULT_CASH_LIMIT,
            rng=rng,
            rate=rate,
            months=months,
            as_of=ctx.as_of,
            snapshot_days=snapshot_days,
            tiny=ctx.scale == "tiny",
        )
        if org in hoarders:
            running = hoarders.index(org) < 2
            sim.plant_hoard(
                day=ctx.as_of - timedelta(days=rng.randint(12, 80)),
                hold_days=rng.randint(4, 6) if running else 1,
            )
        if org is negative:
            sim.plant_negative(day=ctx.as_of - timedelta(days=rng.randint(10, 60)))
        sim.run()
        out["accounts"] += accounts
        out["limits"] += limits
        out["journal"] += sim.journal
        out["txns"] += sim.transactions
        out["requests"] += sim.requests
        out["approvals"] += sim.approvals
        recons, differences = _reconciliations(
            org,
            accounts,
            sim,
            recon_periods,
            mismatched=org.pk in mismatched,
            timing=org.pk in timing,
            rng=rng,
        )
        out["recons"] += recons
        out["daily"] += _daily_balances(org, sim, differences)
        extra_requests, extra_approvals = _open_requests(org, accounts, rng, ctx.as_of, sim)
        out["requests"] += extra_requests
        out["approvals"] += extra_approvals

        if len(out["txns"]) >= FLUSH_EVERY:
            _flush(out, counts, rng)
    _flush(out, counts, rng)
    labels = {
        "accounts": "funds_bank_accounts",
        "txns": "funds_bank_transactions",
        "limits": "funds_cash_limits",
        "journal": "funds_cash_journal",
        "daily": "funds_daily_balances",
        "recons": "funds_reconciliations",
        "requests": "funds_payment_requests",
        "approvals": "funds_payment_approvals",
    }
    return {labels[key]: counts[key] for key in labels}


def _flush(out: dict[str, list], counts: dict[str, int], rng) -> None:
    """Insert what the simulations produced so far, parents first, and empty the buffers (keeps the city
    preset's memory bounded)."""
    for key, rows in out.items():
        for row in rows:
            _stamp(row, rng)
        counts[key] = counts.get(key, 0) + len(rows)
    for key, model in (
        ("accounts", BankAccount),
        ("limits", CashLimit),
        ("requests", PaymentRequest),
        ("approvals", PaymentApproval),
        ("txns", BankTransaction),
        ("journal", CashJournal),
        ("daily", DailyBalance),
        ("recons", BankReconciliation),
    ):
        model.objects.bulk_create(out[key], batch_size=BATCH)
        out[key] = []


def _month_end(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)


def _stamp(row, rng) -> None:
    """Owner scope, demo source and a realistic review status (mostly approved)."""
    row.region_code = row.org.region_code
    row.source_system = DEMO_SOURCE
    roll = rng.random()
    if roll < 0.86:
        row.review_status = ReviewStatus.APPROVED
    elif roll < 0.95:
        row.review_status = ReviewStatus.SUBMITTED
    elif roll < 0.98:
        row.review_status = ReviewStatus.RETURNED
        row.review_reason = "附件不全，请补充银行回单或原始凭证后重新提交"
    else:
        row.review_status = ReviewStatus.DRAFT


def _digits(rng, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def _accounts(org, index: int, rng, ctx: DemoContext, used: set[str], town: str) -> list[BankAccount]:
    """A basic account, often one or two special-purpose ones, rarely a general one; ~60 % direct-link."""
    natures = [AccountNature.BASIC]
    extra = rng.choices((0, 1, 2), weights=(35, 50, 15))[0]
    if ctx.scale == "tiny" or org.org_level == "N3":
        extra = max(extra, 1)
    natures += [AccountNature.SPECIAL] * extra
    if rng.random() < 0.08 and len(natures) < 3:
        natures.append(AccountNature.GENERAL)
    bank, bank_code = rng.choice(BANKS)
    accounts = []
    for i, nature in enumerate(natures):
        while True:
            number = f"{bank_code[1:]}{rng.choice('1245')}{index:05d}{i}{_digits(rng, 8)}"
            if number not in used:
                used.add(number)
                break
        opened = date(rng.randint(2008, 2021), rng.randint(1, 12), rng.randint(1, 28))
        accounts.append(
            BankAccount(
                org=org,
                account_no=number,
                account_name=org.name,
                bank_name=f"{bank}清徐{town}支行",
                bank_branch_code=f"{bank_code}1610{_digits(rng, 5)}",
                account_nature=nature,
                opened_on=opened,
                is_direct_link=rng.random() < 0.6,
                ledger_account_code=f"102{i + 1:03d}",
            )
        )
    return accounts


def _cash_limits(org, basic: BankAccount, rng, first: date) -> list[CashLimit]:
    """One or two approved periods; remote villages get up to 15 days of petty spending."""
    remote = rng.random() < 0.1
    days = rng.randint(10, 15) if remote else rng.randint(3, 5)
    daily = Decimal(rng.randint(8, 30) * 100)
    start = date(first.year - 1, 1, 1) if first.year > 2022 else first
    common = dict(org=org, basis_days=days, approved_by=basic.bank_name)
    if rng.random() < 0.3:
        switch = date(first.year + 1, 1, 1)
        return [
            CashLimit(
                limit_amount=daily * days,
                valid_from=start,
                valid_to=switch - timedelta(days=1),
                approval_ref=f"现限核〔{start.year}〕{rng.randint(1, 90)}号",
                **common,
            ),
            CashLimit(
                limit_amount=(daily + 200) * days,
                valid_from=switch,
                approval_ref=f"现限核〔{switch.year}〕{rng.randint(1, 90)}号",
                **common,
            ),
        ]
    return [
        CashLimit(
            limit_amount=daily * days,
            valid_from=start,
            approval_ref=f"现限核〔{start.year}〕{rng.randint(1, 90)}号",
            **common,
        )
    ]


def _reconciliations(
    org, accounts, sim: OrgSimulation, periods: list[date], *, mismatched: bool, timing: bool, rng
):
    """Month-end reconciliations; returns them and the ledger − statement difference per month-end.

    ``mismatched``: the basic account's last two months differ without reconciling items (A7).
    ``timing``: the basic account's last month has a bank-recorded-not-booked item and balances.
    """
    recons, differences = [], {}
    for first in periods:
        end = _month_end(first)
        period = f"{first:%Y%m}"
        for n, account in enumerate(accounts):
            statement = sim.balance_on(account, end)
            items = {"in": Decimal(0), "out": Decimal(0)}
            unexplained = Decimal(0)
            if mismatched and n == 0 and first in periods[-2:]:
                unexplained = Decimal(rng.randint(5, 300) * 100)
            elif timing and n == 0 and first == periods[-1]:
                last = sim.last_transaction_of_month(account, first)
                if last is not None and last.payment_request is None:
                    items["in" if last.direction == Direction.CREDIT else "out"] = last.amount
                    last.matched_voucher_ref = ""  # not yet booked at month-end
            ledger = statement - items["in"] + items["out"] + unexplained
            recon = BankReconciliation(
                org=org,
                account=account,
                period=period,
                ledger_balance=ledger,
                statement_balance=statement,
                bank_recorded_not_booked_in=items["in"],
                bank_recorded_not_booked_out=items["out"],
                preparer=org.legal_rep_name or "报账员",
                reviewer="" if rng.random() < 0.2 else "乡镇农经站",
            )
            recon.compute_adjusted()
            recons.append(recon)
            differences[end] = differences.get(end, Decimal(0)) + (ledger - statement)
    return recons, differences


def _daily_balances(org, sim: OrgSimulation, differences: dict[date, Decimal]) -> list[DailyBalance]:
    return [
        DailyBalance(
            org=org,
            balance_date=day,
            cash_balance=cash,
            bank_balance_statement=bank,
            bank_balance_ledger=bank + differences.get(day, Decimal(0)),
        )
        for day, cash, bank in sim.snapshots
    ]


def _open_requests(org, accounts, rng, as_of: date, sim: OrgSimulation):
    """Recent requests in every state that is not 'paid': draft, pending, rejected, approved (unpaid)."""
    requests, approvals = [], []
    plan = [
        (PaymentStatus.DRAFT, 0),
        (PaymentStatus.PENDING, rng.randint(0, 2)),
        (PaymentStatus.REJECTED, None),
        (PaymentStatus.APPROVED, 3),
    ]
    if rng.random() < 0.5:
        plan.append((PaymentStatus.PENDING, rng.randint(0, 2)))
    for status, done in plan:
        day = as_of - timedelta(days=rng.randint(5, 40))
        large = rng.random() < 0.25
        amount = Decimal(rng.randint(500, 1200) * 100) if large else Decimal(rng.randint(20, 480) * 100)
        individual = not large and rng.random() < 0.4
        payee, payee_account = sim.counterparty(individual)
        request = PaymentRequest(
            org=org,
            request_no=sim.next_request_no(day),
            request_date=day,
            requester=org.legal_rep_name or "报账员",
            purpose=rng.choice(
                ("村内道路维修", "购置办公设备", "支付保洁员劳务费", "农田灌溉设施维修", "村委会取暖费")
            ),
            amount=amount,
            payee_name=payee,
            payee_account=payee_account,
            payee_kind=PayeeKind.INDIVIDUAL if individual else PayeeKind.ORGANISATION,
            budget_line=rng.choice(("管理费用", "公益事业支出", "经营支出")),
            pay_account=accounts[0],
            status=status,
            meeting_ref="" if status == PaymentStatus.DRAFT else sim.meeting_ref(day, amount),
        )
        requests.append(request)
        steps = ApprovalStep.ordered()
        if status == PaymentStatus.REJECTED:
            reject_at = rng.randint(1, 2)
            decisions = [Decision.APPROVE] * reject_at + [Decision.REJECT]
        else:
            decisions = [Decision.APPROVE] * done
        for n, decision in enumerate(decisions):
            approvals.append(
                PaymentApproval(
                    org=org,
                    request=request,
                    step=steps[n],
                    step_order=n + 1,
                    decision=decision,
                    approver=sim.approver(steps[n]),
                    decided_at=timezone.make_aware(
                        datetime.combine(day + timedelta(days=n + 1), time(10, 30))
                    ),
                    note="预算不足，暂缓支出" if decision == Decision.REJECT else "",
                )
            )
    return requests, approvals
