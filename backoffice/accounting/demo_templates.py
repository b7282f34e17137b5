"""Typical monthly entries of a village collective for the demo books, on a running balance in fen.

Each template returns ``(summary, [(account code, debit fen, credit fen), …])`` or None when the books
cannot carry it (e.g. not enough money in the bank); payments never overdraw cash or bank except the
deliberate ``cash_overdraw`` case.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

Entry = tuple[str, list[tuple[str, int, int]]]


class Book:
    """Running balances (debit-positive fen) of one account set, with this period's movements."""

    def __init__(self, *, rng: random.Random, scale: float) -> None:
        self.rng = rng
        self.scale = scale
        self.balance: dict[str, int] = defaultdict(int)
        self.opening: dict[str, int] = {}
        self.moves: dict[str, list[int]] = {}
        self.last_result = 0

    # ---- bookkeeping ---------------------------------------------------------------------------------
    def apply(self, lines: list[tuple[str, int, int]]) -> None:
        for code, debit, credit in lines:
            self.balance[code] += debit - credit
            move = self.moves.setdefault(code, [0, 0])
            move[0] += debit
            move[1] += credit

    def next_period(self) -> None:
        self.opening = {code: value for code, value in self.balance.items() if value}
        self.moves = {}

    def amt(self, low: float, high: float, *, scaled: bool = True) -> int:
        """An amount in fen between ``low`` and ``high`` yuan (times the organisation's scale)."""
        value = self.rng.uniform(low, high) * (self.scale if scaled else 1)
        cents = self.rng.choice((0, 0, 0, 0, 50, self.rng.randint(1, 99)))
        return max(100, int(value) * 100 + cents)

    def bank(self) -> int:
        return self.balance["102001"]

    # ---- special entries -----------------------------------------------------------------------------
    def opening_entry(self, *, township: bool) -> Entry:
        rng, size = self.rng, 3.0 if township else 1.0
        debit = {
            "101": self.amt(2000, 9000, scaled=False),
            "102001": self.amt(80000, 600000) * int(size),
            "102002": self.amt(20000, 150000) if rng.random() < 0.5 else 0,
            "112001": self.amt(20000, 150000),
            "112002": self.amt(3000, 40000),
            "113001": self.amt(2000, 20000),
            "121": self.amt(5000, 30000) if rng.random() < 0.4 else 0,
            "132": self.amt(10000, 80000) if rng.random() < 0.15 else 0,
            "141": self.amt(50000, 300000) if rng.random() < 0.2 else 0,
            "151": self.amt(300000, 2500000) * int(size),
            "153": self.amt(50000, 400000) if rng.random() < 0.3 else 0,
            "161": self.amt(20000, 200000) if rng.random() < 0.1 else 0,
        }
        credit = {
            "152": int(debit["151"] * rng.uniform(0.15, 0.4)),
            "113002": self.amt(2000, 15000),
            "211": self.amt(20000, 200000),
            "212": self.amt(2000, 20000) if rng.random() < 0.5 else 0,
            "201": self.amt(20000, 100000) if rng.random() < 0.1 else 0,
            "221": self.amt(50000, 300000) if rng.random() < 0.1 else 0,
            "231": self.amt(10000, 80000) if rng.random() < 0.3 else 0,
            "241": int(debit["102002"] * 0.9),
        }
        net = sum(debit.values()) - sum(credit.values())
        if net < 10_000_000:
            debit["151"] += 10_000_000 - net
            net = 10_000_000
        credit["301"] = net // 2
        credit["322001"] = int(net * rng.uniform(0.02, 0.15))
        credit["311"] = net - credit["301"] - credit["322001"]
        lines = [(c, v, 0) for c, v in debit.items() if v] + [(c, 0, v) for c, v in credit.items() if v]
        return "期初余额：原账2023年12月31日余额按新旧科目对照表结转（财会〔2023〕20号）", lines

    def receipt_entry(self, receipt: dict) -> Entry:
        amount = round(receipt["amount"] * 100)
        number = receipt.get("receipt_no") or ""
        if amount <= 0:
            amount = 100
        if self.balance["112001"] >= amount and self.rng.random() < 0.35:
            return f"收回应收承包费（收据{number}）", [("102001", amount, 0), ("112001", 0, amount)]
        return f"收取合同承包（租赁）费（收据{number}）", [("102001", amount, 0), ("501", 0, amount)]

    def cash_overdraw(self) -> Entry:
        amount = max(self.balance["101"], 0) + self.amt(500, 3000, scaled=False)
        return "报销招待费（库存现金不足，疑似白条抵库）", [("513", amount, 0), ("101", 0, amount)]

    def depreciation(self) -> Entry | None:
        cost, accumulated = self.balance["151"], -self.balance["152"]
        amount = int(cost * 0.003)
        if amount <= 0 or accumulated + amount > cost * 0.95:
            return None
        return "计提本月固定资产折旧", [("513", amount, 0), ("152", 0, amount)]

    def close_pnl(self) -> Entry | None:
        lines, net = [], 0
        for code in sorted(self.balance):
            value = self.balance[code]
            if code.startswith("5") and value:
                lines.append((code, -value, 0) if value < 0 else (code, 0, value))
                net += value
        if not lines:
            return None
        if net:
            lines.append(("321", 0, -net) if net < 0 else ("321", net, 0))
        return "结转本年损益", lines

    def transfer_result(self) -> Entry | None:
        result = -self.balance["321"]
        self.last_result = result
        if result > 0:
            return "结转本年收益至未分配收益", [("321", result, 0), ("322001", 0, result)]
        if result < 0:
            return "结转本年亏损至未分配收益", [("322001", -result, 0), ("321", 0, -result)]
        return None

    def appropriate_reserves(self) -> Entry | None:
        amount = int(self.last_result * 0.1)
        if amount <= 0:
            return None
        return "按本年收益10%提取公积公益金", [("32200201", amount, 0), ("311", 0, amount)]

    def distribute_to_members(self) -> Entry | None:
        amount = int(self.last_result * 0.2)
        if amount <= 0:
            return None
        return "按成员（代表）大会决议向成员分配收益", [("32200202", amount, 0), ("211", 0, amount)]


# ---- monthly templates -------------------------------------------------------------------------------
def _pay(book: Book, amount: int, summary: str, *debits: tuple[str, int]) -> Entry | None:
    if book.bank() < amount:
        return None
    return summary, [*((code, value, 0) for code, value in debits), ("102001", 0, amount)]


def income_operating(b: Book) -> Entry:
    a = b.amt(2000, 40000)
    summary = b.rng.choice(
        ("收取集体房屋租金", "收取农机作业服务费", "出售集体果园苹果", "收取集体鱼塘承包费")
    )
    return summary, [("102001", a, 0), ("501", 0, a)]


def subsidy(b: Book) -> Entry:
    a = b.amt(5000, 60000, scaled=False)
    summary = b.rng.choice(("收到村级组织运转经费补助", "收到村集体经济发展扶持资金", "收到上级转移支付补助"))
    return summary, [("102001", a, 0), ("503", 0, a)]


def withdraw(b: Book) -> Entry | None:
    a = b.amt(1000, 6000, scaled=False)
    return None if b.bank() < a else ("从基本户提取备用金", [("101", a, 0), ("102001", 0, a)])


def deposit(b: Book) -> Entry | None:
    cash = b.balance["101"]
    if cash < 300000:
        return None
    a = cash - b.amt(500, 2000, scaled=False)
    return None if a <= 0 else ("超限额现金送存银行", [("102001", a, 0), ("101", 0, a)])


def admin_cash(b: Book) -> Entry | None:
    a = b.amt(100, 1500, scaled=False)
    if b.balance["101"] < a:
        return None
    summary = b.rng.choice(("报销办公用品费", "报销差旅费", "购买村委会报刊"))
    return summary, [("513", a, 0), ("101", 0, a)]


def admin_bank(b: Book) -> Entry | None:
    a = b.amt(1000, 15000)
    summary = b.rng.choice(("支付村干部误工补贴", "支付村委会电费", "支付办公场所取暖费"))
    return _pay(b, a, summary, ("513", a))


def operating_expense(b: Book) -> Entry | None:
    a = b.amt(2000, 30000)
    summary = b.rng.choice(("支付集体果园管护费", "支付集体农机维修费", "购买集体农场种子化肥"))
    return _pay(b, a, summary, ("511", a))


def welfare(b: Book) -> Entry | None:
    a = b.amt(2000, 40000)
    summary = b.rng.choice(("村内道路维修", "人居环境整治费", "五保户、困难户慰问支出"))
    return _pay(b, a, summary, ("514", a))


def multi_expense(b: Book) -> Entry | None:
    a1, a2 = b.amt(500, 5000), b.amt(1000, 10000)
    return _pay(b, a1 + a2, "支付本月办公费及公共照明电费", ("513", a1), ("514", a2))


def multi_expense4(b: Book) -> Entry | None:
    a1, a2, a3 = b.amt(1000, 8000), b.amt(500, 4000), b.amt(1000, 6000)
    return _pay(b, a1 + a2 + a3, "支付本月经营、管理及公益各项费用", ("511", a1), ("513", a2), ("514", a3))


def accrue_receivable(b: Book) -> Entry:
    a = b.amt(5000, 60000)
    return "确认应收土地承包费", [("112001", a, 0), ("501", 0, a)]


def collect_receivable(b: Book) -> Entry | None:
    code = b.rng.choice(("112001", "112002"))
    balance = b.balance[code]
    if balance < 100000:
        return None
    a = int(balance * b.rng.uniform(0.2, 0.8)) // 100 * 100
    return ("收回应收款", [("102001", a, 0), (code, 0, a)]) if a > 0 else None


def accrue_payable(b: Book) -> Entry:
    a = b.amt(5000, 50000)
    if b.rng.random() < 0.5:
        return "村内排水工程进度款挂账", [("153", a, 0), ("211", 0, a)]
    return "赊购集体农场物资", [("121", a, 0), ("211", 0, a)]


def pay_payable(b: Book) -> Entry | None:
    owed = -b.balance["211"]
    if owed < 100000:
        return None
    a = int(min(owed, b.bank()) * b.rng.uniform(0.2, 0.6)) // 100 * 100
    return _pay(b, a, "支付前欠工程款及货款", ("211", a)) if a > 0 else None


def wages(b: Book) -> Entry:
    a = b.amt(3000, 12000)
    return "计提本月管理人员工资", [("513", a, 0), ("212", 0, a)]


def pay_wages(b: Book) -> Entry | None:
    owed = -b.balance["212"]
    return _pay(b, owed, "发放管理人员工资", ("212", owed)) if owed > 0 else None


def internal_lend(b: Book) -> Entry | None:
    a = b.amt(1000, 10000)
    return _pay(b, a, "借给第一村民小组生产周转金", ("113001", a))


def internal_receive(b: Book) -> Entry:
    a = b.amt(1000, 8000)
    return "收到第二村民小组代管资金", [("102001", a, 0), ("113002", 0, a)]


def other_income(b: Book) -> Entry:
    a = b.amt(100, 2000, scaled=False)
    return "收取场地占用费（现金）", [("101", a, 0), ("504", 0, a)]


def investment_income(b: Book) -> Entry | None:
    if b.balance["141"] <= 0:
        return None
    a = b.amt(2000, 20000)
    return "收到合作社投资分红", [("102001", a, 0), ("502", 0, a)]


def taxes(b: Book) -> Entry:
    a = b.amt(200, 3000)
    return "计提房产税及附加", [("512", a, 0), ("214", 0, a)]


def pay_taxes(b: Book) -> Entry | None:
    owed = -b.balance["214"]
    return _pay(b, owed, "缴纳税费", ("214", owed)) if owed > 0 else None


def ysyy_grant(b: Book) -> Entry:
    a = b.amt(20000, 100000, scaled=False)
    return "收到一事一议财政奖补资金（专户）", [("102002", a, 0), ("231", 0, a)]


def ysyy_spend(b: Book) -> Entry | None:
    balance = b.balance["102002"]
    if balance < 1000000:
        return None
    a = int(balance * b.rng.uniform(0.3, 0.7)) // 100 * 100
    return "支付一事一议道路硬化工程款", [("153", a, 0), ("102002", 0, a)]


def special_receive(b: Book) -> Entry:
    a = b.amt(50000, 300000, scaled=False)
    return "收到土地征收补偿款（专户）", [("102002", a, 0), ("241", 0, a)]


def buy_fixed(b: Book) -> Entry | None:
    a = b.amt(5000, 80000)
    return _pay(b, a, "购置办公设备", ("151", a))


def other_expense(b: Book) -> Entry | None:
    a = b.amt(200, 3000)
    return _pay(b, a, "支付逾期缴费滞纳金", ("515", a))


#: (weight, template)
MONTHLY_TEMPLATES: list[tuple[float, Callable[[Book], Entry | None]]] = [
    (14, income_operating),
    (5, subsidy),
    (8, withdraw),
    (4, deposit),
    (10, admin_cash),
    (10, admin_bank),
    (8, operating_expense),
    (6, welfare),
    (10, multi_expense),
    (4, multi_expense4),
    (4, accrue_receivable),
    (5, collect_receivable),
    (3, accrue_payable),
    (3, pay_payable),
    (4, wages),
    (4, pay_wages),
    (1.5, internal_lend),
    (1.5, internal_receive),
    (2, other_income),
    (1, investment_income),
    (1, taxes),
    (1, pay_taxes),
    (0.7, ysyy_grant),
    (1, ysyy_spend),
    (0.3, special_receive),
    (1, buy_fixed),
    (1, other_expense),
]
