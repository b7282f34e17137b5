"""What a run does to one alert: open it, re-open an auto-resolved one, or refresh a still-breaching one
with the newest facts (message, "why", distance); notifications for a run's new alerts in one batch."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from backoffice.core.scope import level_of_code

from ..engine import evaluate_record
from ..models import Alert, AlertEvent, AlertState, Disposition
from ..schema import RuleDefinition, param_to_json
from ..variables import EvalContext
from ..workdays import add_working_days
from .lifecycle import ACK_SLA, ROLE_BY_LEVEL, _transition


def _notify_news(news: list) -> None:
    from ..notifications import notify

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
