"""Rule versions and params: the file loaded as version 1, region overrides (village ← township ← county ←
city ← province) as new versions, enabling/disabling, and maker-checker approval of params changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from backoffice.core.scope import SIGNIFICANT_DIGITS, code_in_scope, level_of_code

from ..engine import json_value
from ..models import RuleVersion
from ..schema import RuleDefinition, build_definition, coerce_param, param_to_json, shipped_rules
from .errors import AlertError


def latest_version(code: str) -> RuleVersion | None:
    return RuleVersion.objects.filter(code=code).order_by("-number").first()


def _new_version(
    *, code, definition, overrides, enabled, source, user=None, reason="", diff=None
) -> RuleVersion:
    previous = latest_version(code)
    return RuleVersion.objects.create(
        code=code,
        number=(previous.number + 1) if previous else 1,
        definition=definition,
        overrides=overrides,
        enabled=enabled,
        source=source,
        created_by=user,
        reason=reason,
        diff=diff or {},
    )


def ensure_version(code: str) -> RuleVersion:
    """The rule's current version, loading the file as version 1 when the database has none."""
    version = latest_version(code)
    if version is not None:
        return version
    rule = shipped_rules().get(code)
    if rule is None:
        raise AlertError(f"没有编号为 {code} 的规则")
    with transaction.atomic():
        return _new_version(code=code, definition=rule.raw, overrides={}, enabled=rule.enabled, source="file")


def sync_rules() -> list[tuple[str, str]]:
    """Load new or changed rule files as new versions, keeping staff overrides and the enabled flag."""
    results = []
    for code, rule in sorted(shipped_rules().items()):
        version = latest_version(code)
        if version is None:
            ensure_version(code)
            results.append((code, "created"))
        elif version.definition != rule.raw:
            _new_version(
                code=code,
                definition=rule.raw,
                overrides=version.overrides,
                enabled=version.enabled,
                source="file",
                reason="规则文件更新",
                diff={"definition": "changed"},
            )
            results.append((code, "updated"))
        else:
            results.append((code, "unchanged"))
    return results


def rule_of(version: RuleVersion) -> RuleDefinition:
    return build_definition(version.definition)


def ancestors(region_code: str) -> list[str]:
    """The 12-digit codes from the province down to ``region_code`` itself."""
    level = level_of_code(region_code)
    return [region_code[: SIGNIFICANT_DIGITS[lv]].ljust(12, "0") for lv in range(1, level + 1)]


def effective_params(rule: RuleDefinition, overrides: dict[str, dict], region_code: str | None):
    """(params, source of each param) for a region: the file default, then the overrides of the province,
    city, county, township and village containing it, the most specific winning."""
    params = rule.default_params()
    sources = {name: "" for name in params}
    for code in ancestors(region_code) if region_code else []:
        for name, value in (overrides.get(code) or {}).items():
            if name in rule.params:
                params[name] = coerce_param(rule.params[name].type, value)
                sources[name] = code
    return params, sources


def set_override(*, code: str, region_code: str, params: dict[str, Any], user, reason: str) -> RuleVersion:
    """Set (or with an empty ``params`` remove) the override of a rule for a region: a new version."""
    from backoffice.regions.models import Region

    from ..models import ParamOverride

    version = ensure_version(code)
    rule = rule_of(version)
    if not reason.strip():
        raise AlertError("请填写修改原因")
    if user is not None and not user.is_superuser and not code_in_scope(user, region_code):
        raise PermissionDenied("只能为本辖区设置参数")
    clean: dict[str, Any] = {}
    for name, value in params.items():
        if name not in rule.params:
            raise AlertError(f"规则 {code} 没有参数 {name}")
        try:
            clean[name] = param_to_json(coerce_param(rule.params[name].type, value))
        except ValueError as exc:
            raise AlertError(f"参数 {rule.params[name].label}：{exc}") from exc
    region = Region.objects.get(pk=region_code)
    overrides = dict(version.overrides)
    before = overrides.get(region_code, {})
    if clean:
        overrides[region_code] = clean
    else:
        overrides.pop(region_code, None)
    with transaction.atomic():
        if clean:
            ParamOverride.objects.update_or_create(
                code=code, region=region, defaults={"params": clean, "reason": reason, "updated_by": user}
            )
        else:
            ParamOverride.objects.filter(code=code, region=region).delete()
        return _new_version(
            code=code,
            definition=version.definition,
            overrides=overrides,
            enabled=version.enabled,
            source="admin",
            user=user,
            reason=reason,
            diff={"region": region_code, "before": before, "after": clean},
        )


def set_enabled(*, code: str, enabled: bool, user, reason: str) -> RuleVersion:
    version = ensure_version(code)
    if version.enabled == enabled:
        return version
    return _new_version(
        code=code,
        definition=version.definition,
        overrides=version.overrides,
        enabled=enabled,
        source="admin",
        user=user,
        reason=reason,
        diff={"enabled": [version.enabled, enabled]},
    )


def effective_value_rows(code: str, region_code: str | None) -> list[dict]:
    """For the admin: each param with its effective value at a region and where it comes from."""
    version = ensure_version(code)
    rule = rule_of(version)
    params, sources = effective_params(rule, version.overrides, region_code)
    return [
        {
            "name": name,
            "label": p.label,
            "unit": p.unit,
            "type": p.type,
            "default": json_value(p.default),
            "value": json_value(params[name]),
            "source": sources[name],
        }
        for name, p in rule.params.items()
    ]


def needs_approval(rule: RuleDefinition) -> bool:
    """Whether a params change of this rule needs a second person (setting RULES_MAKER_CHECKER_SEVERITIES,
    default: red rules)."""
    from django.conf import settings

    return rule.severity in getattr(settings, "RULES_MAKER_CHECKER_SEVERITIES", ("red",))


def request_override(*, code: str, region_code: str, params: dict, user, reason: str):
    """Propose a params change for approval; validated now, applied when approved."""
    from ..models import ParamChangeRequest

    version = ensure_version(code)
    rule = rule_of(version)
    if not reason.strip():
        raise AlertError("请填写修改原因")
    if not user.is_superuser and not code_in_scope(user, region_code):
        raise PermissionDenied("只能为本辖区设置参数")
    clean = {}
    for name, value in params.items():
        if name not in rule.params:
            raise AlertError(f"规则 {code} 没有参数 {name}")
        try:
            clean[name] = param_to_json(coerce_param(rule.params[name].type, value))
        except ValueError as exc:
            raise AlertError(f"参数 {rule.params[name].label}：{exc}") from exc
    return ParamChangeRequest.objects.create(
        code=code, region_id=region_code, params=clean, reason=reason, requested_by=user
    )


def decide_override(*, request, user, approve: bool):
    """Approve (apply as a new version) or reject a pending change; the author cannot decide their own."""
    from ..models import ParamChangeRequest

    if request.status != ParamChangeRequest.Status.PENDING:
        raise AlertError("该申请已处理")
    if request.requested_by_id == user.pk:
        raise PermissionDenied("不能审批自己提出的修改")
    if not user.has_perm("rules.change_rule") or not code_in_scope(user, request.region_id):
        raise PermissionDenied("您不能审批该区划的参数修改")
    with transaction.atomic():
        if approve:
            request.version = set_override(
                code=request.code,
                region_code=request.region_id,
                params=request.params,
                user=user,
                reason=f"{request.reason}（{request.requested_by}提出，{user}批准）",
            )
        request.status = ParamChangeRequest.Status.APPROVED if approve else ParamChangeRequest.Status.REJECTED
        request.decided_by, request.decided_at = user, timezone.now()
        request.save()
    return request
