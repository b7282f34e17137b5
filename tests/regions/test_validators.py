"""Statutory code validators: 12-digit region codes and GB 32100 credit codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from backoffice.core.validators import resident_id_problem
from backoffice.regions.validators import (
    credit_code_check_char,
    credit_code_problem,
    region_code_problem,
    validate_credit_code,
)


def test_known_credit_codes_pass_the_check_character():
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91110000600037341L") is None


def test_generated_collective_org_code_is_valid():
    first17 = "N2140121MA0K9Y123"
    assert credit_code_problem(first17 + credit_code_check_char(first17)) is None


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("91350100M000100Y44", "校验位错误：第18位应为“3”"),
        ("91350100M000100Y4", "应为18位"),
        ("91350100M0001O0Y43", "不允许的字符"),  # letter O is not in the alphabet
        ("9135010AM000100Y43", "不允许的字符"),  # positions 3–8 must be digits
    ],
)
def test_bad_credit_codes_are_refused_with_a_clear_message(code, fragment):
    problem = credit_code_problem(code)
    assert problem and fragment in problem
    with pytest.raises(ValidationError):
        validate_credit_code(code)


@pytest.mark.parametrize(
    "code, level, fragment",
    [
        ("1401210000", None, "必须是12位数字"),
        ("14012100000A", None, "必须是12位数字"),
        ("000000000000", None, "不能为00"),
        ("140121102001", 4, "第10位以后应为0"),
        ("140100000000", 3, "第5–6位不能全为0"),
    ],
)
def test_bad_region_codes_name_the_problem(code, level, fragment):
    problem = region_code_problem(code, level)
    assert problem and fragment in problem


def test_good_region_codes_pass_at_their_level():
    assert region_code_problem("140000000000", 1) is None
    assert region_code_problem("140121102001", 5) is None
    assert region_code_problem("140121102000", 4) is None


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014"])
def test_valid_resident_ids(value):
    assert resident_id_problem(value) is None


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("110105194912310021", "校验位错误"),
        ("11010519491331002X", "不是有效日期"),
        ("1101051949123100", "应为18位"),
    ],
)
def test_invalid_resident_ids(value, fragment):
    assert fragment in resident_id_problem(value)
