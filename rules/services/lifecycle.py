"""The alert lifecycle: states and transitions, the human actions (acknowledge, rectify, resolve, dismiss,
snooze, assign), working-day SLAs with escalation up the region tree, and counts for the dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from backoffice.core.scope import code_in_scope

from ..models import ACTIVE_STATES, Alert, AlertEvent, AlertState, Disposition
from ..workdays import add_working_days
from .errors import AlertError

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
    from ..notifications import notify

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
    from ..notifications import notify

    notify(escalated, "escalated")
    return count


def sla_breached(alert: Alert, today: date | None = None) -> bool:
    return alert.is_active and alert.sla_due is not None and alert.sla_due < (today or timezone.localdate())


def to_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


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
    from ..notifications import send_daily_digest as send

    return send(today)


def models_q_not_snoozed(today: date):
    from django.db.models import Q

    return Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today)
