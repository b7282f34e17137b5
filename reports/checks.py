"""Tie checks run on every table, live or read back from a snapshot (DOMAIN.md §5.2).

- 合计核对: for every additive column, the child rows add up to the total row.
- 行次关系: every statement subtotal equals the signed sum of its lines, in every row (R1, R2).
- the report's equations, in every row (R2: 资产总计 = 负债和所有者权益总计, year start and period end).

A failed check names the row, the columns and the difference (in 元); it is listed, never hidden, and
blocks locking a snapshot.
"""

from __future__ import annotations

from decimal import Decimal

from .catalogue import ReportDefinition
from .indicators import CATALOGUE
from .table import ReportTable, TableRow, TieCheck

#: tolerance of a money comparison: sums of cents are exact, so anything beyond half a cent is real
TOLERANCE = Decimal("0.005")
MAX_DETAILS = 5


def _num(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _fmt(value: Decimal) -> str:
    return f"{value:,.2f}"


def _label(code: str) -> str:
    spec = CATALOGUE.get(code)
    return spec.indicator.label if spec else code


def _detail(problems: list[str]) -> str:
    more = len(problems) - MAX_DETAILS
    text = "；".join(problems[:MAX_DETAILS])
    return text + (f"；另有{more}处不符" if more > 0 else "")


def check_sums(table: ReportTable) -> TieCheck:
    problems = []
    for indicator in table.columns:
        spec = CATALOGUE.get(indicator.code)
        if spec is None or not spec.additive:
            continue
        rows_sum = sum((_num(row.values.get(indicator.code)) for row in table.rows), Decimal(0))
        total = _num(table.total.values.get(indicator.code))
        if abs(rows_sum - total) > TOLERANCE:
            problems.append(
                f"“{indicator.label}”各行合计 {_fmt(rows_sum)} ≠ 总计 {_fmt(total)}"
                f"（差额 {_fmt(rows_sum - total)}）"
            )
    if problems:
        return TieCheck("sum", "各行之和等于合计行", False, _detail(problems))
    return TieCheck("sum", "各行之和等于合计行", True, f"{len(table.rows)}行逐列核对一致")


def _row_formula_problems(row: TableRow, codes: list[str]) -> list[str]:
    problems = []
    for code in codes:
        spec = CATALOGUE[code]
        if code not in row.values or any(part not in row.values for part in spec.terms):
            continue
        expected = sum((_num(row.values[part]) * sign for part, sign in spec.terms.items()), Decimal(0))
        actual = _num(row.values[code])
        if abs(expected - actual) > TOLERANCE:
            problems.append(
                f"{row.label}：“{spec.indicator.label}” {_fmt(actual)} 元 ≠ 各行次计算值 {_fmt(expected)} 元"
                f"（差额 {_fmt(actual - expected)} 元）"
            )
    return problems


def check_formulas(table: ReportTable, definition: ReportDefinition) -> TieCheck | None:
    codes = [c for c in definition.needed_codes() if CATALOGUE[c].terms]
    if not codes:
        return None
    problems = [p for row in table.all_rows for p in _row_formula_problems(row, codes)]
    label = "报表行次关系（小计、合计等于各行次之和）"
    if problems:
        return TieCheck("lines", label, False, _detail(problems))
    return TieCheck("lines", label, True, f"{len(codes)}个计算行次在{len(table.all_rows)}行中均一致")


def check_equations(table: ReportTable, definition: ReportDefinition) -> list[TieCheck]:
    checks = []
    for index, (label, left, right) in enumerate(definition.equations, start=1):
        problems = []
        for row in table.all_rows:
            a, b = _num(row.values.get(left)), _num(row.values.get(right))
            if abs(a - b) > TOLERANCE:
                problems.append(
                    f"{row.label}：{_label(left)} {_fmt(a)} 元 ≠ {_label(right)} {_fmt(b)} 元"
                    f"（差额 {_fmt(a - b)} 元）"
                )
        detail = _detail(problems) if problems else f"{len(table.all_rows)}行均平衡"
        checks.append(TieCheck(f"equation{index}", label, not problems, detail))
    return checks


def run_checks(table: ReportTable, definition: ReportDefinition) -> list[TieCheck]:
    """Every check of a table, in a stable order."""
    checks = [check_sums(table)]
    formulas = check_formulas(table, definition)
    if formulas is not None:
        checks.append(formulas)
    checks.extend(check_equations(table, definition))
    return checks
