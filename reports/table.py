"""The report table: the one data structure every rendering (admin page, xlsx, CSV, JSON) reads.

This module is the contract between the engine (``reports.engine.build_table``) and the UI
(``reports/admin.py``, views, templates): the names and fields below are fixed, see
``/work/briefs/reports-contract.md``.

Money is carried in full-precision 元 (``Decimal``) in ``TableRow.values``; only ``ReportTable.display``
converts to 万元 (county level and above) and rounds. Ratios are stored as fractions (0.853) already
recomputed from summed parts; ``display`` shows them as "85.3%".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

LEVELS: tuple[str, ...] = ("province", "city", "county", "township")
LEVEL_LABELS: dict[str, str] = {"province": "省级", "city": "市级", "county": "县级", "township": "乡级"}
#: region level number (backoffice.core.scope) per report level
LEVEL_NUMBERS: dict[str, int] = {"province": 1, "city": 2, "county": 3, "township": 4}
#: levels that show money in 万元 (DOMAIN.md §5.2: county and above)
WAN_LEVELS = frozenset({"province", "city", "county"})
PERIOD_KINDS: dict[str, str] = {"month": "月报", "quarter": "季报", "year": "年报"}

_TEN_THOUSAND = Decimal(10000)
_CENT = Decimal("0.01")


class ReportError(ValueError):
    """A bad report parameter or an out-of-scope request; the message is Chinese and says what to fix."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a month, a quarter or a year."""

    kind: str  # "month" | "quarter" | "year"
    year: int
    number: int = 1  # month 1–12, quarter 1–4, 1 for a year

    _PATTERNS = (
        (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
        (re.compile(r"^(\d{4})-?[Qq](\d)$"), "quarter"),
        (re.compile(r"^(\d{4})$"), "year"),
    )

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Parse "2025-03", "2025-Q1" or "2025"; ReportError with a Chinese message otherwise."""
        if isinstance(text, Period):
            return text
        raw = str(text or "").strip()
        for pattern, kind in cls._PATTERNS:
            match = pattern.match(raw)
            if not match:
                continue
            year = int(match.group(1))
            number = int(match.group(2)) if kind != "year" else 1
            if not 1900 <= year <= 2200:
                break
            if kind == "month" and not 1 <= number <= 12:
                raise ReportError(f"期间“{raw}”的月份应为 1–12。")
            if kind == "quarter" and not 1 <= number <= 4:
                raise ReportError(f"期间“{raw}”的季度应为 Q1–Q4。")
            return cls(kind, year, number)
        raise ReportError(
            f"期间“{raw}”格式不正确，应为 YYYY-MM（月）、YYYY-Qn（季）或 YYYY（年），"
            "如 2025-03、2025-Q1、2025。"
        )

    @property
    def start(self) -> date:
        if self.kind == "month":
            return date(self.year, self.number, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        last_month = {"month": self.number, "quarter": 3 * self.number, "year": 12}[self.kind]
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度"
        return f"{self.year}年"

    @property
    def code(self) -> str:
        """The canonical text form Period.parse accepts ("2025-03", "2025-Q1", "2025")."""
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    def previous_year(self) -> Period:
        """The same period one year earlier (R1 同期)."""
        return Period(self.kind, self.year - 1, self.number)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "month":
            return Period(
                "month", self.year - (self.number == 1), 12 if self.number == 1 else self.number - 1
            )
        if self.kind == "quarter":
            return Period(
                "quarter", self.year - (self.number == 1), 4 if self.number == 1 else self.number - 1
            )
        return Period("year", self.year - 1, 1)

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The period of ``kind`` that contains ``day``."""
        if kind == "month":
            return cls("month", day.year, day.month)
        if kind == "quarter":
            return cls("quarter", day.year, (day.month - 1) // 3 + 1)
        return cls("year", day.year, 1)

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Indicator:
    """One column of a report: what it measures and how it is shown."""

    code: str
    label: str
    unit: str  # "元" | "亩" | "个" | "人" | "%" | "天" | "份"
    kind: str  # "money" | "count" | "ratio" | "area" | "days"
    note: str = ""

    @property
    def is_money(self) -> bool:
        return self.kind == "money"


@dataclass
class TableRow:
    """One row: a child region, the parent's own org row, or the total."""

    key: str
    label: str
    kind: str  # "region" | "org" | "total"
    values: dict[str, Any] = field(default_factory=dict)
    drill_region: str | None = None
    units: int = 0


@dataclass(frozen=True)
class TieCheck:
    """One balance/tie check on a table; a failed check is shown, never hidden."""

    code: str
    label: str
    ok: bool
    detail: str = ""


@dataclass
class ReportTable:
    """A built report: rows × indicator columns plus total, checks and unit coverage."""

    report_code: str
    report_label: str
    level: str
    region_code: str
    region_name: str
    period: Period
    columns: list[Indicator]
    rows: list[TableRow]
    total: TableRow
    checks: list[TieCheck] = field(default_factory=list)
    units_included: list[tuple[str, str]] = field(default_factory=list)
    units_missing: list[tuple[str, str]] = field(default_factory=list)
    display_unit: str = "元"
    notes: list[str] = field(default_factory=list)
    snapshot: dict | None = None

    @property
    def all_rows(self) -> list[TableRow]:
        """The child rows followed by the total row."""
        return [*self.rows, self.total]

    @property
    def checks_ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def title(self) -> str:
        return f"{self.region_name}{self.report_label}（{self.period.label}）"

    def column_unit(self, indicator: Indicator) -> str:
        """The unit shown in a column header (money columns follow display_unit)."""
        return self.display_unit if indicator.is_money else indicator.unit

    def column(self, code: str) -> Indicator:
        for indicator in self.columns:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def display_number(self, row: TableRow, indicator: Indicator) -> Decimal | int | None:
        """The number shown for a cell (万元 for money at county+, rounded; ratios as percent)."""
        value = row.values.get(indicator.code)
        if value is None:
            return None
        if indicator.kind == "money":
            amount = Decimal(value)
            if self.display_unit == "万元":
                amount = amount / _TEN_THOUSAND
            return amount.quantize(_CENT, rounding=ROUND_HALF_UP)
        if indicator.kind == "ratio":
            return (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if indicator.kind in ("area", "days"):
            return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
        return int(value)

    def display(self, row: TableRow, indicator: Indicator) -> str:
        """A cell formatted for screen and xlsx: 万元 at county+ (2 decimals), ratios as "85.3%"."""
        number = self.display_number(row, indicator)
        if number is None:
            return ""
        if indicator.kind == "ratio":
            return f"{number}%"
        if isinstance(number, Decimal):
            return f"{number:,.2f}"
        return f"{number:,}"

    def to_frame(self) -> pandas.DataFrame:
        """One row per table row + total; columns are indicator labels; raw numbers (money in 元)."""
        import pandas

        records = []
        for row in self.all_rows:
            record: dict[str, Any] = {"代码": row.key, "单位": row.label}
            for indicator in self.columns:
                value = row.values.get(indicator.code)
                record[indicator.label] = float(value) if isinstance(value, Decimal) else value
            records.append(record)
        return pandas.DataFrame.from_records(
            records, columns=["代码", "单位", *[c.label for c in self.columns]]
        )
