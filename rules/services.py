"""Rule versions and params, evaluation runs and the alert lifecycle (DESIGN.md §4).

Service functions are keyword-only and used alike by the admin, the commands, the tasks and the tests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backoffice.core.scope import SIGNIFICANT_DIGITS, code_in_scope, level_of_code, prefix_of_code

from .engine import evaluate_queryset, evaluate_record, fetch_facts, json_value
from .models import ACTIVE_STATES, Alert, AlertEvent, AlertState, Disposition, EvaluationRun, RuleVersion
from .schema import RuleDefinition, build_definition, coerce_param, param_to_json, shipped_rules
from .variables import EvalContext, registry
from .workdays import add_working_days, is_workday  # noqa: F401  (re-exported)


class AlertError(ValidationError):
    pass


#: working days to acknowledge an alert before it escalates, and to close it once escalated
ACK_SLA = {"red": 3, "yellow": 3, "info": 10}
CLOSE_SLA = 10
#: who handles an alert at each region level
ROLE_BY_LEVEL = {
    5: "township_reviewer",
    4: "township_reviewer",
    3: "county_admin",
    2: "city_analyst",
    1: "province_policy",
}


# ---- versions and params ---------------------------------------------------------------------------------
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

    from .models import ParamOverride

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


# ---- evaluation --------------------------------------------------------------------------------------------
def period_key(rule: RuleDefinition, as_of: date) -> str:
    if rule.period == "day":
        return as_of.isoformat()
    if rule.period == "month":
        return f"{as_of:%Y%m}"
    if rule.period == "quarter":
        return f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
    return ""


@dataclass
class RunSummary:
    code: str
    version: int
    as_of: str
    scope: str
    dry_run: bool
    rows_scanned: int = 0
    matches: int = 0
    unevaluable: int = 0
    opened: int = 0
    reopened: int = 0
    closed: int = 0
    duration_ms: int = 0
    error: str = ""
    matched_ids: list = field(default_factory=list)
    by_region: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        data.pop("matched_ids")
        return data


def _buckets(queryset, overrides: dict[str, dict]):
    """(queryset part, region code whose params apply) — the region tree cut at every override."""
    prefixes = sorted({prefix_of_code(code): code for code in overrides}.items(), key=lambda p: -len(p[0]))
    for prefix, code in prefixes:
        part = queryset.filter(region_code__startswith=prefix)
        for deeper, _ in prefixes:
            if len(deeper) > len(prefix) and deeper.startswith(prefix):
                part = part.exclude(region_code__startswith=deeper)
        yield part, code
    rest = queryset
    for prefix, _ in prefixes:
        rest = rest.exclude(region_code__startswith=prefix)
    yield rest, None


def evaluate(
    *,
    rule: RuleDefinition,
    overrides: dict[str, dict],
    as_of: date,
    region: str | None = None,
    with_facts: bool = False,
) -> tuple[dict, dict, set, int]:
    """Set-based evaluation of a rule over its subject: (matched pk → (params, sources, escalated, facts)),
    {bucket region: matches}, scanned pks that did not match (cleared), rows scanned. ``with_facts``
    also reads the matched rows' facts in the same set-based way (a few queries instead of one
    per-record evaluation with its own queries per alert); otherwise facts are None."""
    model = registry.model(rule.subject)
    queryset = model._base_manager.all()
    if region:
        queryset = queryset.filter(region_code__startswith=prefix_of_code(region))
    matched: dict = {}
    cleared: set = set()
    scanned = 0
    unevaluable = 0
    for part, code in _buckets(queryset, overrides):
        params, sources = effective_params(rule, overrides, code)
        ctx = EvalContext(as_of=as_of, params=params)
        result = evaluate_queryset(rule, part, ctx)
        scanned += result.scanned
        unevaluable += len(result.unevaluable)
        cleared |= result.unmatched
        facts = fetch_facts(rule, part, result.matched, ctx) if with_facts and result.matched else {}
        for pk in result.matched:
            matched[pk] = (params, sources, pk in result.escalated, facts.get(pk))
    return matched, {"unevaluable": unevaluable}, cleared, scanned


def run_rule(
    *,
    code: str,
    as_of: date,
    region: str | None = None,
    dry_run: bool = False,
    trigger: str = "scheduled",
    version: RuleVersion | None = None,
    user=None,
) -> RunSummary:
    """Evaluate one rule as of a business date; open, refresh, re-open and auto-resolve alerts.

    Idempotent: running it again for the same date leaves the same alerts. Always writes a ledger row
    unless ``dry_run``."""
    started = time.perf_counter()
    version = version or ensure_version(code)
    rule = rule_of(version)
    summary = RunSummary(
        code=code, version=version.number, as_of=as_of.isoformat(), scope=region or "", dry_run=dry_run
    )
    try:
        if not version.enabled:
            summary.error = "规则已停用"
        else:
            _run(rule, version, as_of, region, dry_run, summary, user)
    except Exception as exc:  # the ledger must show a failed run; the task still fails loudly
        summary.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        summary.duration_ms = int((time.perf_counter() - started) * 1000)
        if not dry_run:
            EvaluationRun.objects.create(
                code=code,
                rule_version=version,
                scope=region or "",
                as_of=as_of,
                trigger=trigger,
                rows_scanned=summary.rows_scanned,
                matches=summary.matches,
                unevaluable=summary.unevaluable,
                opened=summary.opened,
                reopened=summary.reopened,
                closed=summary.closed,
                duration_ms=summary.duration_ms,
                error=summary.error,
            )
    return summary


def _run(rule, version, as_of, region, dry_run, summary, user) -> None:
    model = registry.model(rule.subject)
    matched, extra, cleared, scanned = evaluate(
        rule=rule, overrides=version.overrides, as_of=as_of, region=region, with_facts=not dry_run
    )
    summary.rows_scanned, summary.matches, summary.unevaluable = scanned, len(matched), extra["unevaluable"]
    summary.matched_ids = sorted(matched)
    ct = ContentType.objects.get_for_model(model)
    key = period_key(rule, as_of)
    active = Alert.objects.filter(code=rule.code, content_type=ct, period_key=key, state__in=ACTIVE_STATES)
    if region:
        active = active.filter(region_code__startswith=prefix_of_code(region))
    active_by_id = {a.object_id: a for a in active}
    records = model._base_manager.in_bulk(list(matched))
    news: list = []
    for pk, (params, sources, escalated, facts) in matched.items():
        record = records[pk]
        summary.by_region[record.region_code[:9]] = summary.by_region.get(record.region_code[:9], 0) + 1
        existing = active_by_id.get(str(pk))
        if existing is not None:
            if not dry_run:
                _refresh(existing, rule, record, params, as_of, escalated, facts)
            continue
        if dry_run:
            summary.opened += 1
            continue
        if _open_or_reopen(
            rule, version, ct, record, key, params, sources, as_of, escalated, news, facts=facts
        ):
            summary.reopened += 1
        else:
            summary.opened += 1
    _notify_news(news)
    for object_id, alert in active_by_id.items():
        pk = model._meta.pk.to_python(object_id)
        if pk in cleared:
            summary.closed += 1
            if not dry_run:
                _transition(
                    alert,
                    AlertState.RESOLVED,
                    kind="auto_resolved",
                    note="条件已消除，自动解除",
                    disposition=Disposition.AUTO_CLEARED,
                )


def _notify_news(news: list) -> None:
    from .notifications import notify

    for kind in ("opened", "reopened"):
        notify((alert for alert, k in news if k == kind), kind)


def _explain(rule, record, params, as_of, facts=None):
    return evaluate_record(rule, record, EvalContext(as_of=as_of, params=params), prefetched=facts)


def _message(rule: RuleDefinition, facts: dict, params: dict, as_of: date, record) -> str:
    values = {k: ("是" if v is True else "否" if v is False else v) for k, v in facts.items()}
    values.update({k: param_to_json(v) for k, v in params.items()})
    values.update(as_of=as_of.isoformat(), subject=str(record))

    class Missing(dict):
        def __missing__(self, key):
            return "—"

    try:
        return rule.message.format_map(Missing(values))[:500]
    except (ValueError, KeyError, IndexError):
        return rule.name


def _severity(rule: RuleDefinition, escalated: bool) -> str:
    return "red" if escalated else rule.severity


def _open_or_reopen(
    rule, version, ct, record, key, params, sources, as_of, escalated, news=None, facts=None
) -> bool:
    """Open a new alert, or re-open the last one when it had been auto-resolved. True when re-opened.
    ``news`` collects (alert, notification kind) for one batch of notifications after the run; ``facts``
    are the record's facts when the set-based run already read them."""
    result = _explain(rule, record, params, as_of, facts)
    payload = {
        "rule_version": version,
        "severity": _severity(rule, escalated),
        "message": _message(rule, result.facts, params, as_of, record),
        "facts": result.facts,
        "why": result.why,
        "params": {k: param_to_json(v) for k, v in params.items()},
        "params_source": sources,
        "distance": result.distance,
        "as_of": as_of,
    }
    last = (
        Alert.objects.filter(code=rule.code, content_type=ct, object_id=str(record.pk), period_key=key)
        .order_by("-opened_at", "-pk")
        .first()
    )
    with transaction.atomic():
        if (
            last is not None
            and last.state == AlertState.RESOLVED
            and last.disposition == Disposition.AUTO_CLEARED
        ):
            for name, value in payload.items():
                setattr(last, name, value)
            last.occurrences += 1
            last.last_seen_at = timezone.now()
            last.sla_due = add_working_days(as_of, ACK_SLA[last.severity])
            _transition(last, AlertState.OPEN, kind="reopened", note="再次触发，重新打开")
            if news is not None:
                news.append((last, "reopened"))
            return True
        region_code = record.region_code
        level = min(level_of_code(region_code), 4)
        alert = Alert(
            code=rule.code,
            content_type=ct,
            object_id=str(record.pk),
            org_id=getattr(record, "org_id", None),
            region_code=region_code,
            period_key=key,
            assigned_role=ROLE_BY_LEVEL[level],
            assigned_level=level,
            sla_due=add_working_days(as_of, ACK_SLA[payload["severity"]]),
            **payload,
        )
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:  # a concurrent run opened it first: idempotent
            return False
        AlertEvent.objects.create(
            alert=alert, kind="opened", to_state=AlertState.OPEN, data={"as_of": str(as_of)}
        )
        if news is not None:
            news.append((alert, "opened"))
    return False


def _refresh(alert: Alert, rule, record, params, as_of, escalated, facts=None) -> None:
    """A still-breaching alert: keep the newest facts; un-snooze when it got worse."""
    if as_of < alert.as_of:
        return
    result = _explain(rule, record, params, as_of, facts)
    worse = (
        alert.distance is not None and result.distance is not None and result.distance > alert.distance
    ) or (escalated and alert.severity != "red")
    changed = as_of > alert.as_of or result.facts != alert.facts
    if not changed and not worse:
        return
    if as_of > alert.as_of:
        alert.occurrences += 1
    alert.as_of = as_of
    alert.facts, alert.why, alert.distance = result.facts, result.why, result.distance
    alert.message = _message(rule, result.facts, params, as_of, record)
    alert.last_seen_at = timezone.now()
    if escalated:
        alert.severity = "red"
    if worse and alert.snoozed_until:
        alert.snoozed_until = None
        AlertEvent.objects.create(alert=alert, kind="unsnoozed", note="情况加重，自动取消暂缓")
    alert.save()


# ---- lifecycle ---------------------------------------------------------------------------------------------
TRANSITIONS = {
    AlertState.OPEN: {
        AlertState.ACKNOWLEDGED,
        AlertState.RECTIFYING,
        AlertState.RESOLVED,
        AlertState.DISMISSED,
    },
    AlertState.ACKNOWLEDGED: {AlertState.RECTIFYING, AlertState.RESOLVED, AlertState.DISMISSED},
    AlertState.RECTIFYING: {AlertState.RESOLVED, AlertState.DISMISSED},
    AlertState.RESOLVED: {AlertState.OPEN},
    AlertState.DISMISSED: set(),
}


def _transition(
    alert: Alert, to: str, *, kind: str, user=None, note: str = "", disposition: str = "", data=None
):
    if to not in TRANSITIONS[alert.state]:
        raise AlertError(f"预警当前为“{alert.get_state_display()}”，不能变为“{AlertState(to).label}”")
    before = alert.state
    alert.state = to
    now = timezone.now()
    if to == AlertState.ACKNOWLEDGED and not alert.acknowledged_at:
        alert.acknowledged_at = now
    if to in (AlertState.RESOLVED, AlertState.DISMISSED):
        alert.closed_at = now
        alert.disposition = disposition
        if note:
            alert.note = note
    if to == AlertState.OPEN:
        alert.closed_at = None
        alert.disposition = ""
    alert.save()
    AlertEvent.objects.create(
        alert=alert, kind=kind, from_state=before, to_state=to, note=note, user=user, data=data or {}
    )
    return alert


def _check_user(alert: Alert, user) -> None:
    if user is None:
        return
    if not code_in_scope(user, alert.region_code):
        raise PermissionDenied("该预警不在您的管辖范围内")
    if not user.has_perm("rules.change_alert"):
        raise PermissionDenied("您没有处置预警的权限")


def alert_acknowledge(*, alert: Alert, user, note: str = "") -> Alert:
    _check_user(alert, user)
    with transaction.atomic():
        _transition(alert, AlertState.ACKNOWLEDGED, kind="acknowledged", user=user, note=note)
        alert.sla_due = add_working_days(timezone.localdate(), CLOSE_SLA)
        alert.save(update_fields=["sla_due", "updated_at"])
    return alert


def alert_start_rectifying(*, alert: Alert, user, note: str) -> Alert:
    _check_user(alert, user)
    if not note.strip():
        raise AlertError("请填写整改措施")
    return _transition(alert, AlertState.RECTIFYING, kind="rectifying", user=user, note=note)


def alert_resolve(*, alert: Alert, user, disposition: str, note: str) -> Alert:
    _check_user(alert, user)
    if disposition not in Disposition.values or disposition == Disposition.AUTO_CLEARED:
        raise AlertError("请选择处置结论")
    if not note.strip():
        raise AlertError("请填写处置说明")
    return _transition(
        alert, AlertState.RESOLVED, kind="resolved", user=user, note=note, disposition=disposition
    )


def alert_dismiss(*, alert: Alert, user, disposition: str, note: str) -> Alert:
    _check_user(alert, user)
    if disposition not in Disposition.values or disposition == Disposition.AUTO_CLEARED:
        raise AlertError("请选择处置结论")
    if not note.strip():
        raise AlertError("请填写排除理由")
    return _transition(
        alert, AlertState.DISMISSED, kind="dismissed", user=user, note=note, disposition=disposition
    )


def alert_snooze(*, alert: Alert, user, until: date, reason: str) -> Alert:
    _check_user(alert, user)
    if not reason.strip():
        raise AlertError("请填写暂缓原因")
    if until <= timezone.localdate():
        raise AlertError("暂缓截止日期应晚于今天")
    if not alert.is_active:
        raise AlertError("只有未关闭的预警可以暂缓")
    alert.snoozed_until, alert.snooze_reason = until, reason
    alert.save(update_fields=["snoozed_until", "snooze_reason", "updated_at"])
    AlertEvent.objects.create(alert=alert, kind="snoozed", user=user, note=reason, data={"until": str(until)})
    return alert


def alert_assign(*, alert: Alert, user, role: str, level: int, note: str = "") -> Alert:
    from backoffice.accounts.roles import Role

    _check_user(alert, user)
    if role not in Role.values or level not in range(1, 6):
        raise AlertError("责任角色或层级无效")
    data = {"from": [alert.assigned_role, alert.assigned_level], "to": [role, level]}
    alert.assigned_role, alert.assigned_level = role, level
    alert.save(update_fields=["assigned_role", "assigned_level", "updated_at"])
    AlertEvent.objects.create(alert=alert, kind="assigned", user=user, note=note, data=data)
    from .notifications import notify

    notify([alert], "assigned")
    return alert


def snooze_expired(today: date | None = None) -> int:
    """Clear snoozes whose expiry has passed (the alert shows in the queue again)."""
    today = today or timezone.localdate()
    count = 0
    for alert in Alert.objects.filter(snoozed_until__isnull=False, snoozed_until__lte=today):
        alert.snoozed_until = None
        alert.save(update_fields=["snoozed_until", "updated_at"])
        AlertEvent.objects.create(alert=alert, kind="snooze_expired", note="暂缓到期")
        count += 1
    return count


def escalate_overdue(today: date | None = None) -> int:
    """Escalate active, unsnoozed alerts past their working-day SLA one level up the region tree."""
    today = today or timezone.localdate()
    count = 0
    overdue = Alert.objects.filter(state__in=ACTIVE_STATES, sla_due__lt=today, assigned_level__gt=1).filter(
        snoozed_until__isnull=True
    )
    escalated = []
    for alert in overdue:
        before = [alert.assigned_role, alert.assigned_level]
        alert.assigned_level = min(alert.assigned_level, 4) - 1
        alert.assigned_role = ROLE_BY_LEVEL[alert.assigned_level]
        alert.escalations += 1
        alert.sla_due = add_working_days(today, CLOSE_SLA)
        alert.save(update_fields=["assigned_level", "assigned_role", "escalations", "sla_due", "updated_at"])
        AlertEvent.objects.create(
            alert=alert,
            kind="escalated",
            note="超过处置时限，自动升级",
            data={"from": before, "to": [alert.assigned_role, alert.assigned_level]},
        )
        escalated.append(alert)
        count += 1
    from .notifications import notify

    notify(escalated, "escalated")
    return count


def sla_breached(alert: Alert, today: date | None = None) -> bool:
    return alert.is_active and alert.sla_due is not None and alert.sla_due < (today or timezone.localdate())


def preview(*, code: str, overrides: dict[str, dict], as_of: date, region: str | None = None) -> dict:
    """What a params change would do: alerts that would open and close, by township, without saving."""
    version = ensure_version(code)
    rule = rule_of(version)
    model = registry.model(rule.subject)
    ct = ContentType.objects.get_for_model(model)
    key = period_key(rule, as_of)
    matched, _extra, cleared, _scanned = evaluate(rule=rule, overrides=overrides, as_of=as_of, region=region)
    active = set(
        Alert.objects.filter(code=code, content_type=ct, period_key=key, state__in=ACTIVE_STATES).values_list(
            "object_id", flat=True
        )
    )
    to_open = [pk for pk in matched if str(pk) not in active]
    to_close = [pk for pk in cleared if str(pk) in active]
    regions = dict(model._base_manager.filter(pk__in=to_open + to_close).values_list("pk", "region_code"))
    by_region: dict[str, dict[str, int]] = {}
    for pk in to_open:
        by_region.setdefault(regions[pk][:9], {"open": 0, "close": 0})["open"] += 1
    for pk in to_close:
        by_region.setdefault(regions[pk][:9], {"open": 0, "close": 0})["close"] += 1
    return {"open": len(to_open), "close": len(to_close), "by_region": by_region}


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


def to_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def run_records(*, code: str, pks, as_of: date, trigger: str = "on_save") -> RunSummary:
    """Per-record evaluation of a few changed records (on save / import): the same alert outcomes as a
    scheduled run restricted to these records, through business-rules instead of SQL."""
    from .engine import in_window, variables_class

    started = time.perf_counter()
    version = ensure_version(code)
    rule = rule_of(version)
    summary = RunSummary(code=code, version=version.number, as_of=as_of.isoformat(), scope="", dry_run=False)
    if not version.enabled:
        summary.error = "规则已停用"
        return summary
    model = registry.model(rule.subject)
    ct = ContentType.objects.get_for_model(model)
    variables = registry.for_subject(rule.subject)
    records = model._base_manager.in_bulk([model._meta.pk.to_python(pk) for pk in pks])
    news: list = []
    for pk, record in records.items():
        params, sources = effective_params(rule, version.overrides, record.region_code)
        ctx = EvalContext(as_of=as_of, params=params)
        if rule.window:  # a dated record is evaluated as of its own date (a late entry for last Friday)
            day = variables[rule.window["date_variable"]].accessor(record, ctx)
            if day is not None and day <= as_of:
                ctx = EvalContext(as_of=day, params=params)
        if not in_window(rule, variables_class(rule.subject)(record, ctx, variables), ctx):
            continue
        summary.rows_scanned += 1
        result = evaluate_record(rule, record, ctx)
        key = period_key(rule, ctx.as_of)
        active = Alert.objects.filter(
            code=code, content_type=ct, object_id=str(pk), period_key=key, state__in=ACTIVE_STATES
        ).first()
        if result.outcome == "match":
            summary.matches += 1
            if active is not None:
                _refresh(active, rule, record, params, ctx.as_of, result.escalated)
            elif _open_or_reopen(
                rule, version, ct, record, key, params, sources, ctx.as_of, result.escalated, news
            ):
                summary.reopened += 1
            else:
                summary.opened += 1
        elif result.outcome == "no_match" and active is not None:
            summary.closed += 1
            _transition(
                active,
                AlertState.RESOLVED,
                kind="auto_resolved",
                note="条件已消除，自动解除",
                disposition=Disposition.AUTO_CLEARED,
            )
        elif result.outcome == "unevaluable":
            summary.unevaluable += 1
    _notify_news(news)
    summary.duration_ms = int((time.perf_counter() - started) * 1000)
    EvaluationRun.objects.create(
        code=code,
        rule_version=version,
        as_of=as_of,
        trigger=trigger,
        rows_scanned=summary.rows_scanned,
        matches=summary.matches,
        unevaluable=summary.unevaluable,
        opened=summary.opened,
        reopened=summary.reopened,
        closed=summary.closed,
        duration_ms=summary.duration_ms,
    )
    return summary


# ---- maker-checker -----------------------------------------------------------------------------------------
def needs_approval(rule: RuleDefinition) -> bool:
    """Whether a params change of this rule needs a second person (setting RULES_MAKER_CHECKER_SEVERITIES,
    default: red rules)."""
    from django.conf import settings

    return rule.severity in getattr(settings, "RULES_MAKER_CHECKER_SEVERITIES", ("red",))


def request_override(*, code: str, region_code: str, params: dict, user, reason: str):
    """Propose a params change for approval; validated now, applied when approved."""
    from .models import ParamChangeRequest

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
    from .models import ParamChangeRequest

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


# ---- dead-man check: a rule that did not run when due ----------------------------------------------
MISSED_RUN_CODE = "SYS-missed-run"
MISSED_RUN_GRACE = timedelta(hours=2)


def check_missed_runs(now=None) -> int:
    """Open a province-level system alert for each enabled scheduled rule whose last due run (by its cron,
    plus a grace period) left no evaluation-ledger row. Returns how many were opened."""
    from croniter import croniter
    from django.conf import settings

    from backoffice.regions.models import Region

    now = now or timezone.now()
    local = timezone.localtime(now)
    province = Region.objects.filter(level=1).order_by("code").first()
    if province is None:
        return 0
    ct = ContentType.objects.get_for_model(RuleVersion)
    opened = 0
    for code, rule in sorted(shipped_rules().items()):
        version = ensure_version(code)
        if "scheduled" not in rule.triggers or not version.enabled:
            continue
        due = croniter(rule.schedule, local - MISSED_RUN_GRACE).get_prev(type(local))
        ran = EvaluationRun.objects.filter(code=code, dry_run=False, started_at__gte=due).exists()
        if ran or version.created_at > due:
            continue
        alert = Alert(
            code=MISSED_RUN_CODE,
            rule_version=version,
            content_type=ct,
            object_id=str(version.pk),
            region_code=province.code,
            period_key=f"{due:%Y%m%d%H%M}",
            severity="red",
            message=f"规则 {code}（{rule.name}）应于 {due:%Y-%m-%d %H:%M} 运行，但没有评估记录",
            facts={"rule": code, "due": due.isoformat(), "time_zone": settings.TIME_ZONE},
            as_of=local.date(),
            assigned_role="province_policy",
            assigned_level=1,
            sla_due=add_working_days(local.date(), 1),
        )
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:  # already raised for this due time
            continue
        AlertEvent.objects.create(alert=alert, kind="opened", to_state=AlertState.OPEN)
        opened += 1
    return opened


# ---- counts and the daily digest ------------------------------------------------------------------
def alert_counts(user) -> dict[str, int]:
    """Alerts by state in the user's scope (for the dashboard), plus active ones past their SLA."""
    from django.db.models import Count

    qs = Alert.objects.visible_to(user)
    counts = {state: 0 for state in AlertState.values}
    counts.update(dict(qs.values_list("state").annotate(n=Count("pk")).values_list("state", "n")))
    counts["sla_breached"] = qs.filter(state__in=ACTIVE_STATES, sla_due__lt=timezone.localdate()).count()
    return counts


def send_daily_digest(today: date | None = None) -> int:
    """The daily e-mail digest per user (kept here for the task; see ``notifications``)."""
    from .notifications import send_daily_digest as send

    return send(today)


def models_q_not_snoozed(today: date):
    from django.db.models import Q

    return Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today)
