"""Day-by-day money simulation of one organisation for the demo (see ``demo.py``): bank chains, cash
journal, the cash-management routine (deposit excess cash, withdraw petty cash) and paid payment requests.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from backoffice.regions.demo import GIVEN, SURNAMES

from .choices import (
    AccountNature,
    ApprovalStep,
    Channel,
    CounterpartyKind,
    Decision,
    Direction,
    PayeeKind,
    PaymentStatus,
    TransactionSource,
)
from .constants import MEETING_REQUIRED_FROM
from .models import BankAccount, BankTransaction, CashJournal, CashLimit, PaymentApproval, PaymentRequest

CENT = Decimal("0.01")
FLOOR = Decimal("500")  # never drain an account below this: banks keep a minimum and villages keep a float
COMPANIES = (
    "山西晋建路桥工程有限公司",
    "清徐县宏达建筑安装有限公司",
    "太原市汾河水利工程有限公司",
    "清徐县绿源农业开发有限公司",
    "山西龙城电力安装有限公司",
    "清徐县惠民农机专业合作社",
    "太原市新农村规划设计院",
    "清徐县永盛建材经销部",
)
UTILITIES = ("国网山西省电力公司清徐县供电公司", "清徐县自来水公司", "中国电信清徐分公司", "清徐县新华书店")
TENANTS = (
    "清徐县老陈醋酿造有限公司",
    "山西美锦农业科技有限公司",
    "清徐县葡萄种植专业合作社",
    "太原市丰泽养殖有限公司",
)


def month_starts(first: date, until: date) -> list[date]:
    """First days of the months from ``first``'s month up to and including ``until``'s month."""
    out, current = [], date(first.year, first.month, 1)
    while current <= until:
        out.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def _days_in(first: date) -> int:
    return (date(first.year + first.month // 12, first.month % 12 + 1, 1) - first).days


class OrgSimulation:
    """Walks the days of ``months`` for one organisation and collects unsaved model instances."""

    def __init__(
        self,
        *,
        org,
        accounts: list[BankAccount],
        limits: list[CashLimit],
        default_limit: Decimal,
        rng,
        rate: float,
        months: list[date],
        as_of: date,
        snapshot_days: list[date],
        tiny: bool,
    ) -> None:
        self.org, self.accounts, self.limits, self.rng = org, accounts, limits, rng
        self.default_limit, self.rate, self.months, self.as_of, self.tiny = (
            default_limit,
            rate,
            months,
            as_of,
            tiny,
        )
        self.snapshot_set = set(snapshot_days)
        township = org.org_level == "N3"
        scale = 3 if township else 1
        self.balance = [
            Decimal(rng.randint(300, 3000) * 100 * scale)
            if a.account_nature == AccountNature.BASIC
            else Decimal(rng.randint(0, 2000) * 100 * scale)
            for a in accounts
        ]
        self.opening = list(self.balance)
        self.chains: list[list[BankTransaction]] = [[] for _ in accounts]
        self.chain_dates: list[list[date]] = [[] for _ in accounts]
        self.cash = Decimal(rng.randint(5, 30) * 100)
        self.journal: list[CashJournal] = []
        self.transactions: list[BankTransaction] = []
        self.requests: list[PaymentRequest] = []
        self.approvals: list[PaymentApproval] = []
        self.snapshots: list[tuple[date, Decimal, Decimal]] = []
        self.planned: dict[date, list[tuple]] = defaultdict(list)
        self.hold_deposit_until: date | None = None
        self.hold_withdraw_until: date | None = None
        self._seq: dict[date, int] = defaultdict(int)
        self._voucher: dict[str, int] = defaultdict(int)
        self._serial = [0 for _ in accounts]
        self._last_time: dict[tuple[int, date], time] = {}
        self._request_no: dict[int, int] = defaultdict(int)
        self._meeting_no: dict[int, int] = defaultdict(int)

    # ---- planted findings -------------------------------------------------------------------------
    def plant_hoard(self, *, day: date, hold_days: int) -> None:
        """A large cash receipt kept in the till for ``hold_days`` day-ends before it is deposited (A1)."""
        self.planned[day].append((time(9, 5), "hoard", hold_days))
        self.planned[day + timedelta(days=hold_days)].append((time(15, 40), "deposit_all", None))

    def plant_negative(self, *, day: date) -> None:
        """A cash payment larger than the till (白条抵库), put right by a withdrawal two days later (A1)."""
        self.planned[day].append((time(10, 15), "overdraw", None))
        self.planned[day + timedelta(days=2)].append((time(9, 0), "withdraw_fix", None))

    # ---- helpers used by demo.py ------------------------------------------------------------------
    def balance_on(self, account: BankAccount, day: date) -> Decimal:
        i = self.accounts.index(account)
        pos = bisect_right(self.chain_dates[i], day)
        return self.chains[i][pos - 1].balance_after if pos else self.opening[i]

    def last_transaction_of_month(self, account: BankAccount, first: date) -> BankTransaction | None:
        i = self.accounts.index(account)
        end = first + timedelta(days=_days_in(first) - 1)
        pos = bisect_right(self.chain_dates[i], end)
        if pos and self.chains[i][pos - 1].txn_date >= first:
            return self.chains[i][pos - 1]
        return None

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
        )

    def counterparty(self, individual: bool) -> tuple[str, str]:
        if individual:
            return self.person(), f"62{self.rng.randrange(10**17):017d}"
        return self.rng.choice(COMPANIES), f"1{self.rng.randrange(10**15):015d}"

    def next_request_no(self, day: date) -> str:
        self._request_no[day.year] += 1
        return f"ZC{day.year}{self._request_no[day.year]:04d}"

    def meeting_ref(self, day: date, amount: Decimal) -> str:
        if amount < MEETING_REQUIRED_FROM:
            return ""
        self._meeting_no[day.year] += 1
        return f"成员代表会议决议〔{day.year}〕{self._meeting_no[day.year]}号"

    def approver(self, step: str) -> str:
        if step == ApprovalStep.VILLAGE_COMMITTEES:
            return self.org.legal_rep_name or self.person()
        return self.person()

    # ---- the walk ---------------------------------------------------------------------------------
    def run(self) -> None:
        first = self.months[0]
        self._journal(first, "上年结转" if first.month == 1 else "承前页", Decimal(0), Decimal(0))
        snapshots_by_month: dict[date, list[date]] = defaultdict(list)
        for day in self.snapshot_set:
            snapshots_by_month[date(day.year, day.month, 1)].append(day)
        for month in self.months:
            by_day = defaultdict(list)
            for day, events in self._month_events(month).items():
                # events planned for later months (payments after an inflow) wait for their month
                (by_day if (day.year, day.month) == (month.year, month.month) else self.planned)[day].extend(
                    events
                )
            for day in list(self.planned):
                if (day.year, day.month) == (month.year, month.month):
                    by_day[day].extend(self.planned.pop(day))
            days = sorted({d for d in by_day if d < self.as_of} | set(snapshots_by_month.get(month, ())))
            for day in days:
                self._day(day, sorted(by_day.get(day, []), key=lambda e: e[0]))

    def _limit(self, day: date) -> Decimal:
        for limit in self.limits:
            if limit.valid_from <= day and (limit.valid_to is None or day <= limit.valid_to):
                return limit.limit_amount
        return self.default_limit

    def _count(self, low: int, high: int) -> int:
        return max(0, round(self.rng.randint(low, high) * self.rate))

    def _when(self, month: date) -> tuple[date, time]:
        day = month + timedelta(days=self.rng.randrange(_days_in(month)))
        return day, time(self.rng.randint(8, 17), self.rng.randint(0, 59), self.rng.randint(0, 59))

    def _money(self, low: float, high: float, step: int = 1) -> Decimal:
        return Decimal(self.rng.randint(int(low / step), int(high / step)) * step)

    def _month_events(self, month: date) -> dict[date, list[tuple]]:
        rng, events = self.rng, defaultdict(list)
        limit = self._limit(month)
        for i, account in enumerate(self.accounts):
            if account.account_nature == AccountNature.BASIC:
                for _ in range(self._count(5, 10)):
                    day, at = self._when(month)
                    events[day].append((at, "bank", (i, *self._ordinary(), None)))
                if rng.random() < (0.25 if self.tiny else 0.035):
                    day, _ = self._when(month)
                    company = rng.choice(COMPANIES)
                    events[day].append(
                        (
                            time(9, 0),
                            "bank",
                            (
                                i,
                                Direction.CREDIT,
                                self._money(150000, 250000, 100),
                                "清徐县财政局",
                                False,
                                "财政奖补资金",
                                "村级公益事业建设财政奖补",
                                None,
                            ),
                        )
                    )
                    for k in range(3):
                        events[day].append(
                            (
                                time(14, 10 * k),
                                "bank",
                                (
                                    i,
                                    Direction.DEBIT,
                                    self._money(35000, 49900, 100),
                                    company,
                                    False,
                                    "工程款（分批支付）",
                                    "村内道路硬化工程进度款",
                                    None,
                                ),
                            )
                        )
            elif account.account_nature == AccountNature.SPECIAL:
                if month == self.months[0] or rng.random() < 0.12:
                    self._plan_special(i, month, events)
                for _ in range(self._count(0, 2)):
                    day, at = self._when(month)
                    events[day].append(
                        (
                            at,
                            "bank",
                            (i, Direction.DEBIT, self._money(5, 60), "", None, "手续费", "账户管理费", False),
                        )
                    )
            else:
                for _ in range(self._count(1, 3)):
                    day, at = self._when(month)
                    events[day].append((at, "bank", (i, *self._ordinary(small=True), None)))
            if month.month in (3, 6, 9, 12):
                events[month + timedelta(days=20)].append((time(8, 1), "interest", i))
        for _ in range(self._count(1, 3)):
            day, at = self._when(month)
            amount = self._money(50, max(60, float(limit) * 0.3), 10)
            events[day].append(
                (at, "cash_in", (amount, self.rng.choice(("收取场地使用费", "收取水费", "收取卫生费"))))
            )
        for _ in range(self._count(1, 3)):
            day, at = self._when(month)
            amount = self._money(50, max(60, float(limit) * 0.25), 10)
            events[day].append(
                (
                    at,
                    "cash_out",
                    (amount, self.rng.choice(("购买办公用品", "支付误工补贴", "支付零星维修费"))),
                )
            )
        return events

    def _ordinary(self, small: bool = False) -> tuple:
        """(direction, amount, counterparty name, is_individual, summary, purpose) of an everyday item."""
        rng = self.rng
        kinds = [
            (15, Direction.CREDIT, (2000, 30000, 100), True, "承包费", "收取土地承包费"),
            (8, Direction.CREDIT, (5000, 80000, 100), False, "租金", "收取厂房租金"),
            (5, Direction.CREDIT, (20000, 120000, 100), False, "转移支付", "村级组织运转经费"),
            (5, Direction.CREDIT, (200, 3000, 10), True, "其他收入", "收取管理费"),
            (20, Direction.DEBIT, (200, 5000, 1), False, "费用", "支付电费水费"),
            (15, Direction.DEBIT, (500, 8000, 10), True, "劳务费", "支付误工补贴"),
            (1, Direction.DEBIT, (10000, 25000, 100), True, "工资", "支付工程用工工资"),
            (2, Direction.DEBIT, (10000, 150000, 100), False, "工程款", "支付村内基础设施工程款"),
            (8, Direction.DEBIT, (5, 80, 1), None, "手续费", "银行手续费"),
        ]
        if small:
            kinds = [k for k in kinds if k[2][1] <= 30000]
        _, direction, (low, high, step), individual, summary, purpose = rng.choices(
            kinds, weights=[k[0] for k in kinds]
        )[0]
        if individual is None:
            name = ""
        elif individual:
            name = self.person()
        elif summary == "转移支付":
            name = "清徐县财政局"
        elif summary == "租金":
            name = rng.choice(TENANTS)
        else:
            name = rng.choice(UTILITIES if summary == "费用" else COMPANIES)
        return direction, self._money(low, high, step), name, individual, summary, purpose

    def _plan_special(self, i: int, month: date, events) -> None:
        """A project or compensation inflow and the payments that follow it in the next months."""
        rng = self.rng
        day, _ = self._when(month)
        amount = self._money(80000, 1200000, 1000)
        compensation = rng.random() < 0.4
        source, purpose = (
            ("清徐县自然资源局", "土地征收补偿款") if compensation else ("清徐县财政局", "项目资金拨付")
        )
        events[day].append(
            (time(9, 30), "bank", (i, Direction.CREDIT, amount, source, False, purpose, purpose, None))
        )
        later = [m for m in self.months if m > month][:4] or [month]
        if compensation:
            target = rng.choice(later[:2])
            pay_day = target + timedelta(days=rng.randrange(_days_in(target)))
            if target == month and pay_day <= day:
                pay_day = day
            for k in range(rng.randint(3, 8)):
                events[pay_day].append(
                    (
                        time(10, k * 5),
                        "bank",
                        (
                            i,
                            Direction.DEBIT,
                            self._money(10000, 60000, 100),
                            self.person(),
                            True,
                            "补偿款分配",
                            "土地征收补偿款分配到户",
                            None,
                        ),
                    )
                )
        else:
            company = rng.choice(COMPANIES)
            for share in (0.3, 0.4, 0.2)[: rng.randint(2, 3)]:
                target = rng.choice(later)
                pay_day = target + timedelta(days=rng.randrange(_days_in(target)))
                value = (amount * Decimal(str(share))).quantize(Decimal(100), rounding=ROUND_DOWN)
                events[pay_day].append(
                    (
                        time(11, rng.randint(0, 59)),
                        "bank",
                        (i, Direction.DEBIT, value, company, False, "工程款", "项目工程进度款", None),
                    )
                )

    def _day(self, day: date, events: list[tuple]) -> None:
        for at, kind, data in events:
            if kind == "bank":
                self._bank(day, at, *data)
            elif kind == "interest":
                rate = Decimal("0.0035") / 4
                interest = (self.balance[data] * rate).quantize(CENT)
                if interest > 0:
                    self._bank(
                        day,
                        time(8, 1),
                        data,
                        Direction.CREDIT,
                        interest,
                        self.accounts[data].bank_name,
                        False,
                        "结息",
                        "存款利息",
                        False,
                    )
            elif kind == "cash_in":
                self._journal(day, data[1], data[0], Decimal(0))
            elif kind == "cash_out":
                amount, summary = data
                if self.hold_withdraw_until and day < self.hold_withdraw_until:
                    continue
                if self.cash < amount and not self._withdraw(day, at, amount + self._limit(day) / 2):
                    continue
                self._journal(day, summary, Decimal(0), amount)
            elif kind == "hoard":
                amount = (self._limit(day) * Decimal(str(1.5 + data * 0.1))).quantize(Decimal(1))
                self._journal(day, "收取承包费（现金）", amount, Decimal(0))
                self.hold_deposit_until = day + timedelta(days=data)
            elif kind == "deposit_all":
                self.hold_deposit_until = None
            elif kind == "overdraw":
                self._journal(day, "支付临时用工工资", Decimal(0), self.cash + self._money(300, 1500, 10))
                self.hold_withdraw_until = day + timedelta(days=2)
            elif kind == "withdraw_fix":
                self.hold_withdraw_until = None
        self._cash_routine(day)
        if day in self.snapshot_set:
            self.snapshots.append((day, self.cash, sum(self.balance, Decimal(0))))

    def _cash_routine(self, day: date) -> None:
        """Deposit cash above 80 % of the limit the same day; top the till up when it runs low."""
        limit = self._limit(day)
        holding = self.hold_deposit_until and day < self.hold_deposit_until
        if not holding and self.cash > limit * Decimal("0.8"):
            amount = (self.cash - limit * Decimal("0.4")).quantize(Decimal(100), rounding=ROUND_DOWN)
            if amount > 0:
                voucher = self._voucher_ref(day)
                self._journal(day, "现金送存银行", Decimal(0), amount, voucher=voucher)
                self._bank(
                    day,
                    time(16, 30),
                    0,
                    Direction.CREDIT,
                    amount,
                    "",
                    None,
                    "现金存入",
                    "现金送存",
                    False,
                    channel=Channel.COUNTER,
                    voucher=voucher,
                )
        if not (self.hold_withdraw_until and day < self.hold_withdraw_until) and self.cash < limit * Decimal(
            "0.15"
        ):
            self._withdraw(
                day, time(8, 40), (limit / 2 - self.cash).quantize(Decimal(100), rounding=ROUND_DOWN)
            )

    def _withdraw(self, day: date, at: time, amount: Decimal) -> bool:
        amount = amount.quantize(Decimal(100), rounding=ROUND_DOWN)
        if amount <= 0 or self.balance[0] - amount < FLOOR:
            return False
        voucher = self._voucher_ref(day)
        self._bank(
            day,
            at,
            0,
            Direction.DEBIT,
            amount,
            "",
            None,
            "提取现金",
            "提取备用金",
            False,
            channel=Channel.COUNTER,
            voucher=voucher,
        )
        self._journal(day, "从银行提取现金", amount, Decimal(0), voucher=voucher)
        return True

    def _journal(
        self, day: date, summary: str, receipt: Decimal, payment: Decimal, voucher: str = ""
    ) -> None:
        self.cash += receipt - payment
        self._seq[day] += 1
        self.journal.append(
            CashJournal(
                org=self.org,
                entry_date=day,
                seq=self._seq[day],
                summary=summary,
                receipt=receipt,
                payment=payment,
                balance=self.cash,
                voucher_ref=voucher or (self._voucher_ref(day) if receipt or payment else ""),
            )
        )

    def _voucher_ref(self, day: date) -> str:
        key = f"{day:%Y%m}"
        self._voucher[key] += 1
        return f"记-{key}-{self._voucher[key]:03d}"

    def _bank(
        self,
        day: date,
        at: time,
        i: int,
        direction: str,
        amount: Decimal,
        name: str,
        individual: bool | None,
        summary: str,
        purpose: str,
        request: bool | None,
        channel: str | None = None,
        voucher: str = "",
    ) -> None:
        account, rng = self.accounts[i], self.rng
        if direction == Direction.DEBIT and amount > self.balance[i] - FLOOR:
            if request is True or amount >= 10000:
                amount = ((self.balance[i] - FLOOR) * Decimal("0.9")).quantize(
                    Decimal(100), rounding=ROUND_DOWN
                )
            else:
                return
            if amount < 100:
                return
        amount = amount.quantize(CENT)
        # the chain is ordered by (date, time): keep times increasing in the order items are processed
        last = self._last_time.get((i, day))
        if last is not None and at <= last:
            at = (datetime.combine(day, last) + timedelta(seconds=1)).time()
        self._last_time[(i, day)] = at
        self.balance[i] += amount if direction == Direction.CREDIT else -amount
        self._serial[i] += 1
        serial = f"{account.bank_branch_code[:3]}{day:%Y%m%d}{i}{self._serial[i]:07d}"
        if individual is None:
            kind, cp_account, cp_bank = CounterpartyKind.UNKNOWN, "", ""
        else:
            kind = CounterpartyKind.INDIVIDUAL if individual else CounterpartyKind.ORGANISATION
            _, cp_account = self.counterparty(individual)
            cp_bank = rng.choice(("山西清徐农村商业银行", "中国农业银行", "中国邮政储蓄银行", "中国工商银行"))
        if channel is None:
            channel = (
                Channel.DIRECT_LINK
                if account.is_direct_link and rng.random() < 0.85
                else (Channel.ONLINE if rng.random() < 0.6 else Channel.COUNTER)
            )
        source = (
            TransactionSource.FEED
            if account.is_direct_link
            else (TransactionSource.FILE if rng.random() < 0.9 else TransactionSource.MANUAL)
        )
        recent = (self.as_of - day).days <= 7
        txn = BankTransaction(
            org=self.org,
            account=account,
            bank_serial=serial,
            txn_date=day,
            txn_time=at,
            value_date=day,
            direction=direction,
            amount=amount,
            balance_after=self.balance[i],
            counterparty_account=cp_account,
            counterparty_name=name,
            counterparty_bank=cp_bank,
            counterparty_kind=kind,
            summary=summary,
            purpose=purpose,
            channel=channel,
            receipt_no=f"HD{serial[3:]}",
            source=source,
            import_batch=f"DZD-{day:%Y%m}-{i}" if source == TransactionSource.FILE else "",
            matched_voucher_ref=voucher or ("" if recent and rng.random() < 0.5 else self._voucher_ref(day)),
        )
        if direction == Direction.DEBIT and individual is not None:
            wanted = (
                request
                if request is not None
                else (rng.random() < 0.7 if amount >= 10000 else amount >= 5000 and rng.random() < 0.1)
            )
            if wanted:
                txn.payment_request = self._paid_request(txn, cp_account)
        self.transactions.append(txn)
        self.chains[i].append(txn)
        self.chain_dates[i].append(day)

    def _paid_request(self, txn: BankTransaction, payee_account: str) -> PaymentRequest:
        """An approved-and-paid request behind a debit, with its three approvals before the payment day."""
        requested = txn.txn_date - timedelta(days=self.rng.randint(4, 12))
        request = PaymentRequest(
            org=self.org,
            request_no=self.next_request_no(requested),
            request_date=requested,
            requester=self.org.legal_rep_name or self.person(),
            purpose=txn.purpose,
            amount=txn.amount,
            payee_name=txn.counterparty_name,
            payee_account=payee_account,
            payee_kind=PayeeKind.INDIVIDUAL
            if txn.counterparty_kind == CounterpartyKind.INDIVIDUAL
            else PayeeKind.ORGANISATION,
            budget_line="公益事业支出" if txn.amount >= 10000 else "管理费用",
            meeting_ref=self.meeting_ref(requested, txn.amount),
            pay_account=txn.account,
            status=PaymentStatus.PAID,
            paid_on=txn.txn_date,
        )
        self.requests.append(request)
        for n, step in enumerate(ApprovalStep.ordered()):
            decided = datetime.combine(requested + timedelta(days=n + 1), time(self.rng.randint(9, 17), 0))
            self.approvals.append(
                PaymentApproval(
                    org=self.org,
                    request=request,
                    step=step,
                    step_order=n + 1,
                    decision=Decision.APPROVE,
                    approver=self.approver(step),
                    decided_at=timezone.make_aware(decided),
                )
            )
        return request
