"""The rule file format's vocabulary (DESIGN.md §4): severities, triggers, periods, param and variable
types, the operators and what they take, the top-level keys; the frozen ``RuleDefinition`` a valid file
becomes; param values coerced from JSON and back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[a-z0-9]+)*$")
SEVERITIES = ("info", "yellow", "red")
SEVERITY_LABELS = {"info": "提示", "yellow": "黄色预警", "red": "红色预警"}
TRIGGERS = ("scheduled", "on_save", "on_import")
PERIODS = ("once", "day", "month", "quarter")
PARAM_TYPES = ("number", "decimal", "integer", "date", "days", "boolean", "string")
NUMERIC_PARAM_TYPES = ("number", "decimal", "integer", "days")
VARIABLE_TYPES = ("number", "integer", "date", "boolean", "string")

#: operator → (variable types it applies to, kind of value it takes, Chinese label, complement)
OPERATORS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "equal_to": (("number", "integer", "string"), "same", "等于", "not_equal_to"),
    "not_equal_to": (("number", "integer", "string"), "same", "不等于", "equal_to"),
    "greater_than": (("number", "integer"), "same", "大于", "less_than_or_equal_to"),
    "greater_than_or_equal_to": (("number", "integer"), "same", "大于等于", "less_than"),
    "less_than": (("number", "integer"), "same", "小于", "greater_than_or_equal_to"),
    "less_than_or_equal_to": (("number", "integer"), "same", "小于等于", "greater_than"),
    "one_of": (("string",), "list", "属于其中之一", "not_one_of"),
    "not_one_of": (("string",), "list", "不属于其中任何一个", "one_of"),
    "is_true": (("boolean",), "none", "为是", "is_false"),
    "is_false": (("boolean",), "none", "为否", "is_true"),
    "before": (("date",), "date", "早于（日期）", "on_or_after"),
    "on_or_after": (("date",), "date", "不早于（日期）", "before"),
    "days_until_at_most": (("date",), "days", "距今后不超过N天（含已过）", "days_until_more_than"),
    "days_until_more_than": (("date",), "days", "距今后超过N天", "days_until_at_most"),
    "days_since_at_least": (("date",), "days", "已过去至少N天", "days_since_less_than"),
    "days_since_less_than": (("date",), "days", "已过去不足N天（含未到）", "days_since_at_least"),
    "working_days_since_at_least": (
        ("date",),
        "days",
        "已过去至少N个工作日（按法定节假日和调休）",
        "working_days_since_less_than",
    ),
    "working_days_since_less_than": (
        ("date",),
        "days",
        "已过去不足N个工作日",
        "working_days_since_at_least",
    ),
}

TOP_KEYS = {
    "code": (str, True),
    "name": (str, True),
    "description": (str, True),
    "subject": (str, True),
    "severity": (str, True),
    "schedule": (str, True),
    "triggers": (list, True),
    "params": (dict, True),
    "conditions": (dict, True),
    "actions": (list, True),
    "enabled": (bool, False),
    "period": (str, False),
    "window": (dict, False),
    "escalate_if": (dict, False),
    "distance": (dict, False),
    "basis": (str, False),
}
PARAM_KEYS = {"type", "default", "unit", "label", "min", "max"}


class RuleFileError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    label: str
    unit: str = ""
    min: Any = None
    max: Any = None


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    name: str
    description: str
    subject: str
    severity: str
    schedule: str
    triggers: tuple[str, ...]
    params: dict[str, Param]
    conditions: dict
    actions: tuple[dict, ...]
    enabled: bool = True
    period: str = "once"
    window: dict | None = None
    escalate_if: dict | None = None
    distance: dict | None = None
    basis: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def message(self) -> str:
        return next((a["message"] for a in self.actions if a.get("type") == "raise_alert"), self.name)

    def default_params(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.params.items()}


# ---- param values -----------------------------------------------------------------------------------
def coerce_param(ptype: str, value: Any) -> Any:
    """A JSON/form value as the param's Python type; raises ValueError with a Chinese message."""
    if ptype in ("number", "decimal"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise ValueError("应为数值")
        try:
            result = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是数值") from exc
        if not result.is_finite():
            raise ValueError("应为有限数值")
        if ptype == "decimal":  # money and other 2-place amounts
            result = result.quantize(Decimal("0.01"))
        return result
    if ptype in ("integer", "days"):
        if isinstance(value, bool):
            raise ValueError("应为整数")
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if not isinstance(value, int):
            raise ValueError("应为整数")
        if ptype == "days" and value < 0:
            raise ValueError("天数不能为负数")
        return value
    if ptype == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValueError(f"“{value}”不是日期（YYYY-MM-DD）") from exc
    if ptype == "boolean":
        if not isinstance(value, bool):
            raise ValueError("应为 true 或 false")
        return value
    if ptype == "string":
        if not isinstance(value, str):
            raise ValueError("应为文本")
        return value
    raise ValueError(f"未知参数类型 {ptype}")


def param_to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
