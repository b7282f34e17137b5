"""Rule files: the shipped ones are valid; bad ones fail validation and the system check with a JSON path."""

from __future__ import annotations

import copy
import json

import pytest

from rules.checks import check_rule_files
from rules.schema import DEFINITIONS_DIR, load_rule_files, parse_rule, validate_rule_data

pytestmark = pytest.mark.django_db


def a1() -> dict:
    return json.loads((DEFINITIONS_DIR / "A1.json").read_text(encoding="utf-8"))


def problems(data, filename="A1.json"):
    return validate_rule_data(data, filename=filename)


def test_every_shipped_file_is_valid():
    rules, errors = load_rule_files()
    assert not errors
    assert {
        "A1",
        "A1-negative",
        "A1-running",
        "A2-single",
        "A2-daily",
        "A2-individual",
        "A3-90",
        "A3-60",
        "A3-30",
        "A3-7",
        "A3-unpaid",
        "A3-overdue",
        "A3-unlisted",
        "A4-new",
        "A4-borrowing",
    } <= set(rules)
    for rule in rules.values():
        assert rule.name and rule.description and rule.message


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (
            lambda d: d["conditions"]["all"][0].update(name="no_such_fact"),
            "$.conditions.all[0].name",
            "未登记的变量",
        ),
        (
            lambda d: d["conditions"]["all"][0].update(operator="shares_no_elements"),
            "$.conditions.all[0].operator",
            "未知的运算符",
        ),
        (
            lambda d: d["conditions"]["all"][0].update(operator="is_true"),
            "$.conditions.all[0].operator",
            "不适用",
        ),
        (
            lambda d: d["conditions"]["all"][0].update(value={"param": "nope"}),
            "$.conditions.all[0].value",
            "未声明的参数",
        ),
        (lambda d: d["conditions"]["all"][0].update(value="abc"), "$.conditions.all[0].value", "数值"),
        (lambda d: d.update(conditions={"all": []}), "$.conditions.all", "不能为空"),
        (lambda d: d.update(conditions={"any": [{"all": []}]}), "$.conditions.any[0].all", "不能为空"),
        (lambda d: d.update(severity="orange"), "$.severity", "info/yellow/red"),
        (lambda d: d.update(schedule="61 9 * * *"), "$.schedule", "cron"),
        (lambda d: d.update(triggers=["hourly"]), "$.triggers[0]", "未知触发方式"),
        (lambda d: d.update(subject="funds.Nope"), "$.subject", "没有为"),
        (
            lambda d: d["params"]["default_limit"].update(default="five"),
            "$.params.default_limit.default",
            "不是数值",
        ),
        (
            lambda d: d["params"]["default_limit"].update(type="money"),
            "$.params.default_limit.type",
            "参数类型",
        ),
        (lambda d: d["actions"][0].update(message="{nope} 超限"), "$.actions[0].message", "{nope}"),
        (lambda d: d.update(colour="red"), "$.colour", "未知的键"),
        (lambda d: d.pop("description"), "$.description", "缺少必填项"),
        (
            lambda d: d.update(
                conditions={"not": {"name": "cash_balance", "operator": "before", "value": "x"}}
            ),
            "$.conditions.not.operator",
            "不适用",
        ),
    ],
)
def test_bad_rule_is_rejected_with_its_json_path(mutate, path, fragment):
    data = copy.deepcopy(a1())
    mutate(data)
    found = problems(data)
    assert any(p == path and fragment in m for p, m in found), found


def test_param_type_must_fit_the_variable():
    data = a1()
    data["params"]["default_limit"] = {"type": "date", "default": "2026-01-01", "label": "x"}
    data["conditions"] = {
        "all": [{"name": "cash_excess", "operator": "greater_than", "value": {"param": "default_limit"}}]
    }
    assert any("不匹配" in m for p, m in problems(data) if p == "$.conditions.all[0].value")


def test_unused_param_and_missing_variable_param_are_reported():
    data = a1()
    data["params"]["spare"] = {"type": "integer", "default": 1, "unit": "天", "label": "x"}
    assert ("$.params.spare", "参数 spare 没有被任何条件或变量使用") in problems(data)
    del data["params"]["spare"]
    del data["params"]["default_limit"]
    assert any("default_limit" in m for p, m in problems(data) if p == "$.params")


def test_file_name_must_match_code():
    assert any(p == "$.code" for p, _ in problems(a1(), filename="A9.json"))


def test_parse_gives_typed_defaults():
    rule = parse_rule(a1(), filename="A1.json")
    assert str(rule.params["default_limit"].default) == "5000.00"


def test_system_check_fails_on_a_bad_file(tmp_path):
    data = a1()
    data["conditions"]["all"][0]["name"] = "ghost"
    (tmp_path / "A1.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "A2.json").write_text("{not json", encoding="utf-8")
    errors = check_rule_files(directory=tmp_path)
    ids = {e.id for e in errors}
    assert ids == {"rules.E001"}
    messages = " ".join(e.msg for e in errors)
    assert "A1.json: $.conditions.all[0].name" in messages and "A2.json: $:" in messages


def test_system_check_passes_on_the_shipped_files():
    assert check_rule_files() == []
