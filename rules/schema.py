"""The rule file format (``rules/definitions/<code>.json``), its validation and loading (DESIGN.md §4).

The vocabulary and ``RuleDefinition`` live in rule_format.py, the two validation passes in
validation.py; this module loads files into frozen ``RuleDefinition`` objects (``load_rule_files()``
returns them with the errors, ``shipped_rules()`` the valid ones) and is where callers import all of it
from.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .rule_format import (
    DEFINITIONS_DIR,
    OPERATORS,
    PARAM_TYPES,
    SEVERITIES,
    SEVERITY_LABELS,
    TRIGGERS,
    Param,
    RuleDefinition,
    RuleFileError,
    coerce_param,
    param_to_json,
)
from .validation import literal_value, validate_rule_data

__all__ = [  # what callers import from here: the format, its validation and the loaded rules
    "DEFINITIONS_DIR",
    "OPERATORS",
    "PARAM_TYPES",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "TRIGGERS",
    "Param",
    "RuleDefinition",
    "RuleFileError",
    "build_definition",
    "coerce_param",
    "literal_value",
    "load_rule_files",
    "param_to_json",
    "parse_rule",
    "read_rule_file",
    "shipped_rules",
    "validate_rule_data",
]


def build_definition(data: dict) -> RuleDefinition:
    params = {
        name: Param(
            name=name,
            type=spec["type"],
            default=coerce_param(spec["type"], spec["default"]),
            label=spec["label"],
            unit=spec.get("unit", ""),
            min=spec.get("min"),
            max=spec.get("max"),
        )
        for name, spec in data["params"].items()
    }
    return RuleDefinition(
        code=data["code"],
        name=data["name"],
        description=data["description"],
        subject=data["subject"],
        severity=data["severity"],
        schedule=data["schedule"],
        triggers=tuple(data["triggers"]),
        params=params,
        conditions=data["conditions"],
        actions=tuple(data["actions"]),
        enabled=data.get("enabled", True),
        period=data.get("period", "once"),
        window=data.get("window"),
        escalate_if=data.get("escalate_if"),
        distance=data.get("distance"),
        basis=data.get("basis", ""),
        raw=data,
    )


def parse_rule(data: Any, *, filename: str | None = None) -> RuleDefinition:
    problems = validate_rule_data(data, filename=filename)
    if problems:
        raise RuleFileError(problems)
    return build_definition(data)


def read_rule_file(path: Path) -> RuleDefinition:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RuleFileError([("$", f"不是有效的 JSON：{exc}")]) from exc
    return parse_rule(data, filename=path.name)


def load_rule_files(
    directory: Path | None = None,
) -> tuple[dict[str, RuleDefinition], dict[str, RuleFileError]]:
    """(definitions by code, errors by file name) of every ``*.json`` in the definitions directory."""
    found: dict[str, RuleDefinition] = {}
    errors: dict[str, RuleFileError] = {}
    for path in sorted((directory or DEFINITIONS_DIR).glob("*.json")):
        try:
            rule = read_rule_file(path)
        except RuleFileError as exc:
            errors[path.name] = exc
            continue
        found[rule.code] = rule
    return found, errors


@cache
def shipped_rules() -> dict[str, RuleDefinition]:
    """The valid rule files shipped in ``rules/definitions`` (cached; invalid files are left out and
    reported by the system check)."""
    return load_rule_files()[0]
