"""Statement file layouts (adapters) → one ``StatementRow`` per transaction.

An adapter is a small class: a name, a Chinese label, its header labels mapped to row fields, and the
required ones. ``@register`` adds it to ``ADAPTERS``; ``detect`` picks the adapter whose required headers
all appear in the file (a bank layout before the generic one). Reading (title rows, merged headers, csv in
UTF-8/GBK, xls/xlsx, full-width digits, thousands separators) is the shared ``imports.reading``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from backoffice.funds.choices import Direction

from ..reading import (
    ReadError,
    column_letter,
    is_blank,
    normalise_header,
    normalise_text,
    parse_date,
    parse_decimal,
    parse_time,
    read_table,
    to_halfwidth,
)

CENT = Decimal("0.01")


@dataclass
class StatementRow:
    """One transaction as the file states it (the account still to be resolved)."""

    row: int
    account_no: str
    txn_date: dt.date
    direction: str
    amount: Decimal
    balance_after: Decimal
    bank_serial: str
    txn_time: dt.time | None = None
    value_date: dt.date | None = None
    currency: str = "CNY"
    counterparty_account: str = ""
    counterparty_name: str = ""
    counterparty_bank: str = ""
    summary: str = ""
    purpose: str = ""
    receipt_no: str = ""
    account_name: str = ""


@dataclass
class RowProblem:
    row: int
    column: str  # "C列“交易日期”" or "" for the whole row
    message: str
    kind: str = "invalid"  # invalid | unknown_account | gap | conflict

    def as_dict(self, filename: str) -> dict:
        return {
            "file": filename,
            "row": self.row,
            "column": self.column,
            "kind": self.kind,
            "message": self.message,
        }


@dataclass
class Parsed:
    adapter: str
    header_row: int
    rows: list[StatementRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: row field → its column as the user sees it (C列“交易日期”), for messages
    letters: dict[str, str] = field(default_factory=dict)


ADAPTERS: dict[str, type[Adapter]] = {}


def register(cls):
    ADAPTERS[cls.name] = cls
    return cls


class Adapter:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    #: normalised header label → StatementRow field (or a pseudo field: "debit", "credit", "flag")
    headers: ClassVar[dict[str, str]] = {}
    #: fields that must have a column; a tuple means "one of"
    required: ClassVar[tuple] = ()
    #: higher wins when several adapters fit a file
    priority: ClassVar[int] = 0

    # ---- detection ------------------------------------------------------------------------------------
    @classmethod
    def fits(cls, labels: set[str]) -> bool:
        present = {cls.headers[label] for label in labels if label in cls.headers}
        return all(
            (set(need) & present) if isinstance(need, tuple) else need in present for need in cls.required
        )

    # ---- parsing --------------------------------------------------------------------------------------
    def parse(self, data: bytes, filename: str) -> Parsed:
        table = read_table(data, filename, dict.fromkeys(self.headers))
        by_field: dict[str, int] = {}
        letters: dict[str, str] = {}
        for index, (label, _scale) in table.columns.items():
            by_field[self.headers[label]] = index
            letters[self.headers[label]] = f"{column_letter(index)}列“{label}”"
        missing = [
            "或".join(self._label_of(n) for n in need) if isinstance(need, tuple) else self._label_of(need)
            for need in self.required
            if not ((set(need) & set(by_field)) if isinstance(need, tuple) else need in by_field)
        ]
        if missing:
            raise ReadError(
                f"文件“{filename}”第 {table.header_row} 行的表头缺少{self.label}必需的列："
                f"{'、'.join(missing)}；请核对文件格式，或用 --format 指定格式。"
            )
        parsed = Parsed(self.name, table.header_row, warnings=list(table.warnings), letters=letters)
        if table.unknown_headers:
            parsed.warnings.append(
                f"以下列不属于{self.label}，已忽略：{'、'.join(table.unknown_headers[:10])}"
            )
        for number, cells in table.rows:
            raw = {name: (cells[i] if i < len(cells) else None) for name, i in by_field.items()}
            if self.is_footer(raw):
                continue
            errors: dict[str, str] = {}
            row = self.convert(number, raw, errors)
            if errors:
                for name, message in errors.items():
                    parsed.problems.append(RowProblem(number, letters.get(name, ""), message))
            elif row is not None:
                parsed.rows.append(row)
        return parsed

    def _label_of(self, name: str) -> str:
        return next((label for label, f in self.headers.items() if f == name), name)

    def is_footer(self, raw: dict) -> bool:
        """Summary lines under the data (合计/本页小计) carry no serial and no date."""
        text = "".join(str(v) for v in raw.values() if v is not None)
        return any(word in text for word in ("合计", "小计", "总计")) and is_blank(raw.get("bank_serial"))

    def convert(self, number: int, raw: dict, errors: dict) -> StatementRow | None:
        values: dict = {}

        def take(name, parse, required=False):
            value = raw.get(name)
            if is_blank(value):
                if required:
                    errors[name] = "必填，不能为空"
                return None
            try:
                return parse(value)
            except (ValueError, ArithmeticError) as exc:
                errors[name] = str(exc)
                return None

        values["account_no"] = take("account_no", _digits, required=True)
        values["txn_date"] = take("txn_date", parse_date, required=True)
        values["txn_time"] = take("txn_time", _time)
        values["value_date"] = take("value_date", parse_date)
        values["bank_serial"] = take("bank_serial", _code, required=True)
        values["balance_after"] = take("balance_after", _money, required=True)
        for name in ("counterparty_name", "counterparty_bank", "summary", "purpose", "account_name"):
            values[name] = take(name, _text) or ""
        values["counterparty_account"] = take("counterparty_account", _digits) or ""
        values["receipt_no"] = take("receipt_no", _code) or ""
        values["currency"] = take("currency", _currency) or "CNY"
        direction, amount = self.direction_amount(raw, errors, take)
        if errors:
            return None
        return StatementRow(row=number, direction=direction, amount=amount, **values)

    def direction_amount(self, raw: dict, errors: dict, take) -> tuple[str | None, Decimal | None]:
        """借方发生额 (money out) / 贷方发生额 (money in) columns, or 借贷标志 + 金额."""
        if "debit" in raw or "credit" in raw:
            debit = take("debit", _money) or Decimal(0)
            credit = take("credit", _money) or Decimal(0)
            if errors:
                return None, None
            if debit and credit:
                errors["debit"] = "同一行借方发生额和贷方发生额不能都有金额"
                return None, None
            if not debit and not credit:
                errors["debit"] = "借方发生额和贷方发生额都为空或为0，没有交易金额"
                return None, None
            # a negative amount in one column is the other direction (some banks print reversals so)
            if debit:
                return (Direction.DEBIT, debit) if debit > 0 else (Direction.CREDIT, -debit)
            return (Direction.CREDIT, credit) if credit > 0 else (Direction.DEBIT, -credit)
        flag = take("flag", _flag, required=True)
        amount = take("amount", _money, required=True)
        if errors:
            return None, None
        if amount == 0:
            errors["amount"] = "金额为0，没有交易金额"
            return None, None
        if amount < 0:  # a signed amount column: the sign wins over an inconsistent flag
            return Direction.DEBIT, -amount
        return flag, amount


# ---- cell parsers -----------------------------------------------------------------------------------
def _text(value) -> str:
    return normalise_text(str(value))


def _code(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = to_halfwidth(str(value)).replace(" ", "")
    if not text:
        raise ValueError("不能为空")
    return text


def _digits(value) -> str:
    """An account number: Excel may have stored it as a float (6.2e18) — refuse, digits would be lost."""
    if isinstance(value, float):
        if value >= 1e15:
            raise ValueError(
                f"账号“{value:.0f}”被 Excel 存成了数字，后几位已丢失；请把账号列设为文本后重新导出"
            )
        value = int(value)
    text = re.sub(r"[\s\-]", "", to_halfwidth(str(value))).lstrip("'")
    if not re.fullmatch(r"\d{6,32}", text):
        raise ValueError(f"“{value}”不是有效的银行账号（应为6–32位数字）")
    return text


def _money(value) -> Decimal:
    if isinstance(value, str) and to_halfwidth(value).strip() in ("-", "--", "—"):
        return Decimal(0)
    return parse_decimal(value).quantize(CENT)


def _time(value) -> dt.time:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1:
        value = f"{int(value):06d}"
    text = to_halfwidth(str(value)).strip()
    match = re.fullmatch(r"(\d{2})(\d{2})(\d{2})", text)  # 093015
    if match:
        return dt.time(*(int(g) for g in match.groups()))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T].*", text):  # a full timestamp in the time column
        text = text[11:]
    return parse_time(text if isinstance(value, str) else value)


def _currency(value) -> str:
    text = to_halfwidth(str(value)).strip().upper()
    return {"人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "01": "CNY", "1": "CNY"}.get(text, text)


FLAGS = {
    "借": Direction.DEBIT,
    "支": Direction.DEBIT,
    "支出": Direction.DEBIT,
    "付": Direction.DEBIT,
    "D": Direction.DEBIT,
    "DEBIT": Direction.DEBIT,
    "-": Direction.DEBIT,
    "贷": Direction.CREDIT,
    "收": Direction.CREDIT,
    "收入": Direction.CREDIT,
    "C": Direction.CREDIT,
    "CREDIT": Direction.CREDIT,
    "+": Direction.CREDIT,
}


def _flag(value) -> str:
    text = to_halfwidth(str(value)).strip().upper()
    text = re.sub(r"[()（）]", "", text)
    for key in (text, text[:1]):
        if key in FLAGS:
            return FLAGS[key]
    raise ValueError(f"“{value}”不是有效的借贷标志（填 借/贷、支出/收入 或 D/C）")


# ---- the layouts ------------------------------------------------------------------------------------
COMMON = {
    "账号": "account_no",
    "本方账号": "account_no",
    "户名": "account_name",
    "本方户名": "account_name",
    "交易日期": "txn_date",
    "交易时间": "txn_time",
    "起息日": "value_date",
    "币种": "currency",
    "对方账号": "counterparty_account",
    "对方户名": "counterparty_name",
    "摘要": "summary",
    "余额": "balance_after",
    "交易后余额": "balance_after",
    "账户余额": "balance_after",
}


@register
class GenericAdapter(Adapter):
    """通用格式 — the platform's own template (CSV or xlsx); documented in README.md and the user guide."""

    name = "generic"
    label = "通用流水格式"
    headers = {
        **COMMON,
        "流水号": "bank_serial",
        "银行流水号": "bank_serial",
        "借贷标志": "flag",
        "收支方向": "flag",
        "金额": "amount",
        "交易金额": "amount",
        "支出金额": "debit",
        "收入金额": "credit",
        "借方发生额": "debit",
        "贷方发生额": "credit",
        "对方开户行": "counterparty_bank",
        "用途": "purpose",
        "电子回单号": "receipt_no",
    }
    required = ("account_no", "txn_date", "bank_serial", "balance_after", ("amount", "debit", "credit"))


@register
class RuralCreditAdapter(Adapter):
    """山西农信（农商银行）银农直连 账户交易明细 export: title rows above the header, 借方发生额 = 支出,
    贷方发生额 = 收入, dates as 20240301, times as 093015, a 合计 line at the bottom. Documented in
    README.md; the layout follows the common bank-statement export practice [D], not a published spec."""

    name = "sxnx"
    label = "山西农信银农直连交易明细"
    headers = {
        **COMMON,
        "对方行名": "counterparty_bank",
        "借方发生额": "debit",
        "贷方发生额": "credit",
        "流水号": "bank_serial",
        "核心流水号": "bank_serial",
        "附言": "purpose",
        "回单编号": "receipt_no",
        "凭证号": "voucher_no",
    }
    required = ("account_no", "txn_date", "txn_time", "bank_serial", "debit", "credit", "balance_after")
    priority = 10


def detect(data: bytes, filename: str) -> type[Adapter]:
    """The adapter whose required columns the file's header has (the most specific first)."""
    labels: set[str] = set()
    for cls in ADAPTERS.values():
        try:
            table = read_table(data, filename, dict.fromkeys(cls.headers))
        except ReadError:
            continue
        labels |= {normalise_header(h)[0] for h in table.raw_headers if h}
    for cls in sorted(ADAPTERS.values(), key=lambda c: -c.priority):
        if cls.fits(labels):
            return cls
    names = "、".join(f"{c.name}（{c.label}）" for c in ADAPTERS.values())
    raise ReadError(
        f"无法识别文件“{filename}”的流水格式；支持的格式：{names}。请用 --format 指定，或改用通用格式模板。"
    )


def adapter_for(name: str | None, data: bytes, filename: str) -> Adapter:
    if name:
        if name not in ADAPTERS:
            raise ReadError(f"没有名为“{name}”的流水格式；可选：{'、'.join(ADAPTERS)}")
        return ADAPTERS[name]()
    return detect(data, filename)()
