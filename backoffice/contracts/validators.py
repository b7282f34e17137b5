"""Validators of party B's identity numbers and phone (DOMAIN.md §2.7, §8)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from backoffice.core.validators import ID_RE, resident_id_problem
from backoffice.regions.validators import credit_code_problem

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}\d{7,8})$")


def id_or_credit_code_problem(value: str) -> str | None:
    """Why ``value`` is neither an 18-digit resident ID (GB 11643) nor a credit code (GB 32100), or None."""
    value = (value or "").strip().replace(" ", "").upper()
    if not value:
        return None
    id_problem = resident_id_problem(value)
    code_problem = credit_code_problem(value)
    if id_problem is None or code_problem is None:
        return None
    if ID_RE.match(value):
        # 17 digits + digit/X: most likely a person's ID; name both readings so the user can fix either
        return f"{id_problem}（如为单位，请填写统一社会信用代码：{code_problem}）"
    return f"{code_problem}（个人请填写18位身份证号）"


def validate_id_or_credit_code(value: str) -> None:
    problem = id_or_credit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_id_or_credit_code")


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not an 11-digit mobile number or a landline with area code, or None."""
    normalised = re.sub(r"[\s-]", "", value or "")
    if not normalised or PHONE_RE.match(normalised):
        return None
    return f"联系电话“{value}”应为11位手机号或带区号的固定电话（如0351-5712345）"


def validate_phone(value: str) -> None:
    problem = phone_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_phone")
