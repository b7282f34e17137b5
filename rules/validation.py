"""Validation of a rule file (DESIGN.md §4), in two passes, both reporting the JSON path of each problem:

1. structure (a hand-written JSON-Schema-like pass: required keys, types, enums, no unknown keys);
2. meaning: the subject exists and has variables, every condition names a registered variable and an
   operator of that variable's type, every ``{"param": name}`` names a declared param of a fitting type,
   no empty ``all``/``any`` group, message placeholders name facts or params.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

from .rule_format import (
    CODE_RE,
    NUMERIC_PARAM_TYPES,
    OPERATORS,
    PARAM_KEYS,
    PARAM_TYPES,
    PERIODS,
    SEVERITIES,
    TOP_KEYS,
    TRIGGERS,
    coerce_param,
)


def _structure(data: Any, problems: list[tuple[str, str]]) -> None:
    if not isinstance(data, dict):
        problems.append(("$", "规则文件的顶层应为对象"))
        return
    for key in data:
        if key not in TOP_KEYS and not key.startswith("_"):
            problems.append((f"$.{key}", f"未知的键 “{key}”"))
    for key, (kind, required) in TOP_KEYS.items():
        if key not in data:
            if required:
                problems.append((f"$.{key}", "缺少必填项"))
            continue
        if not isinstance(data[key], kind) or (kind is int and isinstance(data[key], bool)):
            problems.append((f"$.{key}", f"类型应为 {kind.__name__}"))


def validate_rule_data(data: Any, *, filename: str | None = None) -> list[tuple[str, str]]:
    """All problems of one rule file as (JSON path, message); empty when it is valid."""
    from .variables import registry

    problems: list[tuple[str, str]] = []
    _structure(data, problems)
    if problems:
        return problems
    if not CODE_RE.match(data["code"]):
        problems.append(("$.code", "编号应形如 A1 或 A2-daily（大写字母开头，后缀小写）"))
    if filename and Path(filename).stem != data["code"]:
        problems.append(("$.code", f"编号 {data['code']} 与文件名 {Path(filename).name} 不一致"))
    for key in ("name", "description"):
        if not data[key].strip():
            problems.append((f"$.{key}", "不能为空"))
    if data["severity"] not in SEVERITIES:
        problems.append(("$.severity", f"应为 {'/'.join(SEVERITIES)} 之一"))
    if data.get("period", "once") not in PERIODS:
        problems.append(("$.period", f"应为 {'/'.join(PERIODS)} 之一"))
    if not _valid_cron(data["schedule"]):
        problems.append(("$.schedule", f"“{data['schedule']}”不是有效的 cron 表达式"))
    for i, trig in enumerate(data["triggers"]):
        if trig not in TRIGGERS:
            problems.append((f"$.triggers[{i}]", f"未知触发方式 “{trig}”，应为 {'/'.join(TRIGGERS)}"))
    variables = registry.for_subject(data["subject"])
    if variables is None:
        problems.append(("$.subject", f"没有为 “{data['subject']}” 登记变量（或记录类型不存在）"))
        return problems
    params: dict[str, str] = {}
    for name, spec in data["params"].items():
        path = f"$.params.{name}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            problems.append((path, "参数名应为小写字母、数字和下划线"))
        if not isinstance(spec, dict):
            problems.append((path, "参数应为对象 {type, default, unit, label}"))
            continue
        for key in spec:
            if key not in PARAM_KEYS:
                problems.append((f"{path}.{key}", f"未知的键 “{key}”"))
        ptype = spec.get("type")
        if not isinstance(ptype, str) or ptype not in PARAM_TYPES:
            problems.append((f"{path}.type", f"参数类型应为 {'/'.join(PARAM_TYPES)} 之一"))
            continue
        params[name] = ptype
        if "default" not in spec:
            problems.append((f"{path}.default", "缺少默认值"))
        else:
            try:
                coerce_param(ptype, spec["default"])
            except ValueError as exc:
                problems.append((f"{path}.default", f"默认值{exc}"))
        if not isinstance(spec.get("label"), str) or not spec.get("label"):
            problems.append((f"{path}.label", "缺少中文名称"))
        if ptype in NUMERIC_PARAM_TYPES and "unit" not in spec:
            problems.append((f"{path}.unit", "数值参数须注明单位（如 元、天）"))
    used_params: set[str] = set()
    _check_tree(data["conditions"], "$.conditions", variables, params, problems, used_params)
    if "escalate_if" in data:
        _check_tree(data["escalate_if"], "$.escalate_if", variables, params, problems, used_params)
    if "distance" in data:
        d = data["distance"]
        var = variables.get(d.get("name")) if isinstance(d, dict) and isinstance(d.get("name"), str) else None
        if var is None or var.type not in ("number", "integer"):
            problems.append(("$.distance.name", "应为数值型变量"))
        elif "value" in d:
            _check_value(d["value"], "$.distance.value", var, "same", params, problems, used_params)
    if "window" in data:
        w = data["window"] if isinstance(data["window"], dict) else {}
        name = w.get("date_variable")
        var = variables.get(name) if isinstance(name, str) else None
        if var is None or var.type != "date":
            problems.append(("$.window.date_variable", "应为日期型变量"))
        days = w.get("lookback_days")
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            problems.append(("$.window.lookback_days", "应为非负整数"))
    actions = data["actions"]
    if not actions:
        problems.append(("$.actions", "至少需要一个动作"))
    for i, action in enumerate(actions):
        path = f"$.actions[{i}]"
        if not isinstance(action, dict) or action.get("type") != "raise_alert":
            problems.append((f"{path}.type", "动作类型应为 raise_alert"))
            continue
        message = action.get("message")
        if not isinstance(message, str) or not message:
            problems.append((f"{path}.message", "缺少预警提示语"))
            continue
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(message) if f]
        except ValueError as exc:
            problems.append((f"{path}.message", f"提示语格式错误：{exc}"))
            continue
        for placeholder in names:
            base = placeholder.split(".")[0].split("[")[0].split("!")[0].split(":")[0]
            if base not in variables and base not in params and base not in ("as_of", "subject"):
                problems.append((f"{path}.message", f"占位符 {{{base}}} 既不是变量也不是参数"))
    # every variable a condition uses must have the params it depends on declared
    for name in _variable_names(data["conditions"]) | _variable_names(data.get("escalate_if") or {}):
        var = variables.get(name)
        for needed in getattr(var, "uses_params", ()):
            if needed not in params:
                problems.append(("$.params", f"变量 {name} 需要参数 {needed}，请在 params 中声明"))
    for name in params:
        if name not in used_params and not any(
            name in getattr(variables.get(v), "uses_params", ())
            for v in _variable_names(data["conditions"]) | _variable_names(data.get("escalate_if") or {})
        ):
            problems.append((f"$.params.{name}", f"参数 {name} 没有被任何条件或变量使用"))
    return problems


def _variable_names(node: Any) -> set[str]:
    if not isinstance(node, dict):
        return set()
    if "all" in node or "any" in node:
        kids = node.get("all", node.get("any"))
        return set().union(*(_variable_names(k) for k in kids)) if isinstance(kids, list) else set()
    if "not" in node:
        return _variable_names(node["not"])
    return {node["name"]} if isinstance(node.get("name"), str) else set()


def _check_tree(node, path, variables, params, problems, used) -> None:
    if not isinstance(node, dict):
        problems.append((path, "条件应为对象"))
        return
    groups = [k for k in ("all", "any", "not") if k in node]
    if groups:
        if len(node) != 1:
            problems.append((path, "all/any/not 节点只能有这一个键"))
            return
        key = groups[0]
        if key == "not":
            _check_tree(node["not"], f"{path}.not", variables, params, problems, used)
            return
        kids = node[key]
        if not isinstance(kids, list):
            problems.append((f"{path}.{key}", "应为条件列表"))
            return
        if not kids:
            problems.append((f"{path}.{key}", "条件组不能为空"))
        for i, kid in enumerate(kids):
            _check_tree(kid, f"{path}.{key}[{i}]", variables, params, problems, used)
        return
    unknown = set(node) - {"name", "operator", "value"}
    if unknown:
        problems.append((path, f"未知的键 {', '.join(sorted(unknown))}"))
    name = node.get("name")
    var = variables.get(name) if isinstance(name, str) else None
    if var is None:
        problems.append((f"{path}.name", f"未登记的变量 “{name}”"))
        return
    op = node.get("operator")
    if not isinstance(op, str) or op not in OPERATORS:
        problems.append((f"{path}.operator", f"未知的运算符 “{op}”"))
        return
    types, kind, _label, _ = OPERATORS[op]
    if var.type not in types:
        problems.append((f"{path}.operator", f"运算符 {op} 不适用于{var.type}型变量 {name}"))
        return
    if kind == "none":
        if "value" in node and node["value"] not in (None, True, ""):
            problems.append((f"{path}.value", f"运算符 {op} 不需要比较值"))
        return
    if "value" not in node:
        problems.append((f"{path}.value", "缺少比较值"))
        return
    _check_value(node["value"], f"{path}.value", var, kind, params, problems, used)


def _check_value(value, path, var, kind, params, problems, used) -> None:
    if isinstance(value, dict):
        if set(value) != {"param"} or not isinstance(value["param"], str):
            problems.append((path, '引用参数应写作 {"param": "参数名"}'))
            return
        pname = value["param"]
        if pname not in params:
            problems.append((path, f"未声明的参数 “{pname}”"))
            return
        used.add(pname)
        ptype = params[pname]
        fits = {
            "same": {"number": NUMERIC_PARAM_TYPES, "integer": ("integer", "days"), "string": ("string",)},
            "days": {"date": ("integer", "days")},
            "date": {"date": ("date",)},
            "list": {"string": ()},
        }[kind].get(var.type, ())
        if ptype not in fits:
            problems.append((path, f"参数 {pname} 的类型 {ptype} 与变量 {var.name}（{var.type}）不匹配"))
        return
    try:
        literal_value(var, kind, value)
    except ValueError as exc:
        problems.append((path, str(exc)))


def literal_value(var, kind: str, value: Any) -> Any:
    """A literal comparison value as the Python type the operator compares with."""
    if kind == "list":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise ValueError("应为非空的文本列表")
        for v in value:
            if var.choices and v not in var.choices:
                raise ValueError(f"“{v}”不是变量 {var.name} 的可选值（{'/'.join(var.choices)}）")
        return list(value)
    if kind == "days":
        return coerce_param("days", value)
    if kind == "date":
        return coerce_param("date", value)
    if var.type == "string":
        if not isinstance(value, str):
            raise ValueError(f"变量 {var.name} 是文本，比较值应为文本")
        if var.choices and value not in var.choices:
            raise ValueError(f"“{value}”不是变量 {var.name} 的可选值（{'/'.join(var.choices)}）")
        return value
    if var.type == "integer":
        return coerce_param("integer", value)
    try:
        return coerce_param("number", value)
    except ValueError as exc:
        raise ValueError(f"变量 {var.name} 是数值，比较值{exc}") from exc


def _valid_cron(expr: str) -> bool:
    try:
        from croniter import croniter
    except ImportError:  # pragma: no cover - croniter is pinned
        return len(expr.split()) == 5
    return croniter.is_valid(expr) and len(expr.split()) == 5
