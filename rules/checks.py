"""System checks of the rule files: ``manage.py check`` fails on a bad file, naming the JSON path.

- rules.E001  a rule file is not valid JSON or breaks the rule format (unknown variable, operator or
              param, type mismatch, empty group, …)
- rules.E002  two rule files declare the same code
"""

from __future__ import annotations

import json

from django.core import checks

from .schema import DEFINITIONS_DIR, validate_rule_data


@checks.register("rules")
def check_rule_files(app_configs=None, directory=None, **kwargs):
    errors = []
    seen: dict[str, str] = {}
    for path in sorted((directory or DEFINITIONS_DIR).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors.append(checks.Error(f"{path.name}: $: 不是有效的 JSON（{exc}）", id="rules.E001"))
            continue
        for json_path, message in validate_rule_data(data, filename=path.name):
            errors.append(
                checks.Error(
                    f"{path.name}: {json_path}: {message}",
                    hint="规则文件格式见 docs/dev/rule-variables.md",
                    id="rules.E001",
                )
            )
        code = data.get("code") if isinstance(data, dict) else None
        if isinstance(code, str):
            if code in seen:
                errors.append(
                    checks.Error(f"{path.name}: $.code: 编号 {code} 与 {seen[code]} 重复", id="rules.E002")
                )
            seen[code] = path.name
    return errors
