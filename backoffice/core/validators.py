"""Validators shared by record types: resident ID numbers (GB 11643), the data-scope date
(DOMAIN.md: data from 2022-01-01), amounts and areas."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

DATA_SCOPE_START = date(2022, 1, 1)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")


def resident_id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-digit resident ID number (GB 11643, ISO 7064 MOD 11-2), or None."""
    value = (value or "").strip().upper()
    if not ID_RE.match(value):
        return f"身份证号“{value}”应为18位：前17位数字，最后一位数字或X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"身份证号“{value}”第7–14位的出生日期{value[6:14]}不是有效日期"
    expected = ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11]
    if value[17] != expected:
        return f"身份证号“{value}”校验位错误：第18位应为“{expected}”，请核对证件"
    return None


def resident_id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> None:
    problem = resident_id_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_resident_id")


def validate_positive_amount(value: Decimal) -> None:
    if value is not None and value < 0:
        raise ValidationError("金额不能为负数", code="negative_amount")


def data_scope_problem(value: date | None, *, is_history: bool, label: str) -> str | None:
    """Dates before 2022-01-01 are outside the data scope unless the record is flagged as history."""
    if value is None or is_history or value >= DATA_SCOPE_START:
        return None
    return f"{label}“{value:%Y-%m-%d}”早于2022年1月1日（统计口径起点）；如为历史数据请勾选“历史数据”"
