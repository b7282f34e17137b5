"""Validators of 资金监测: bank branch codes (联行号) and ledger account codes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

BRANCH_CODE_RE = re.compile(r"^\d{12}$")
LEDGER_CODE_RE = re.compile(r"^102\d{0,9}$")
PERIOD_RE = re.compile(r"^(20\d{2})(0[1-9]|1[0-2])$")


def bank_branch_code_problem(value: str) -> str | None:
    """Why ``value`` is not a 12-digit CNAPS bank branch code (联行号/支付系统行号), or None.

    Structure: 3-digit bank category + 4-digit city code + 4-digit branch + 1 check digit. The check-digit
    algorithm is not published in what we could verify [V], so only the shape is checked.
    """
    value = (value or "").strip()
    if not BRANCH_CODE_RE.match(value):
        return (
            f"联行号“{value}”应为12位数字（行别3位+城市代码4位+网点4位+校验位1位），请按开户行提供的行号填写"
        )
    if value[:3] == "000":
        return f"联行号“{value}”前三位行别代码不能为000，请核对开户行行号"
    return None


def validate_bank_branch_code(value: str) -> None:
    problem = bank_branch_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_bank_branch_code")


def validate_bank_ledger_code(value: str) -> None:
    """The linked ledger account must be 102 银行存款 or one of its sub-accounts (102001…)."""
    if not LEDGER_CODE_RE.match((value or "").strip()):
        raise ValidationError(
            f"会计科目“{value}”应为102（银行存款）或其明细科目，如102001", code="invalid_bank_ledger_code"
        )


def validate_period(value: str) -> None:
    """A period is YYYYMM (e.g. 202503)."""
    if not PERIOD_RE.match((value or "").strip()):
        raise ValidationError(f"期间“{value}”应为6位年月，如202503", code="invalid_period")
