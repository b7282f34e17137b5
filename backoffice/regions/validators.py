"""Validators for statutory codes: 12-digit region codes and GB 32100 unified social credit codes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from backoffice.core.scope import SIGNIFICANT_DIGITS, level_of_code

REGION_CODE_RE = re.compile(r"^\d{12}$")

# GB 32100-2015: 31-character alphabet without I, O, Z, S, V; weights 3^i mod 31 for positions 1–17.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def region_code_problem(code: str, level: int | None = None) -> str | None:
    """Why ``code`` is not a valid 12-digit region code (at ``level`` if given), or None."""
    if not isinstance(code, str) or not REGION_CODE_RE.match(code):
        return f"区划代码“{code}”必须是12位数字（省2位、市2位、县2位、乡3位、村3位）"
    if code[:2] == "00":
        return f"区划代码“{code}”的省级代码不能为00"
    inferred = level_of_code(code)
    if level is not None and level != inferred:
        digits = SIGNIFICANT_DIGITS[level]
        if inferred > level:
            return f"区划代码“{code}”第{digits + 1}位以后应为0（{level}级区划只用前{digits}位）"
        return f"区划代码“{code}”的第{SIGNIFICANT_DIGITS[inferred] + 1}–{digits}位不能全为0（{level}级区划）"
    return None


def validate_region_code(code: str) -> None:
    problem = region_code_problem(code)
    if problem:
        raise ValidationError(problem, code="invalid_region_code")


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or None."""
    if not isinstance(code, str) or len(code) != 18:
        return f"统一社会信用代码“{code}”应为18位"
    if not CREDIT_CODE_RE.match(code):
        return (
            f"统一社会信用代码“{code}”含有不允许的字符"
            "（只允许数字和除I、O、Z、S、V以外的大写字母，第3–8位为数字）"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码“{code}”校验位错误：第18位应为“{expected}”，请核对证照"
    return None


def validate_credit_code(code: str) -> None:
    problem = credit_code_problem(code)
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")
