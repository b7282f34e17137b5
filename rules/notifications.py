"""In-app notifications and the daily e-mail digest (issue #5 §7).

Who is told: the active users holding the alert's assigned role (a group named by the role's Chinese
label) whose scope contains the alert's region and who may view alerts — the township reviewers of that
township for a new alert, the county admins after an escalation to the county, and so on. Users are
loaded once per batch, so a scheduled run that opens thousands of alerts costs a few queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from backoffice.core.scope import code_in_scope

from .models import ACTIVE_STATES, Alert, Notification

KIND_TEXT = {
    Notification.Kind.OPENED: "新预警",
    Notification.Kind.REOPENED: "预警重新打开",
    Notification.Kind.ESCALATED: "预警已升级到您所在层级",
    Notification.Kind.ASSIGNED: "预警指派给您所在角色",
}


def _users_by_role() -> dict[str, list]:
    from django.contrib.auth import get_user_model

    from backoffice.accounts.roles import Role

    by_label = {role.label: role.value for role in Role}
    found: dict[str, list] = {}
    users = get_user_model().objects.filter(is_active=True, is_superuser=False).prefetch_related("groups")
    for user in users:
        for group in user.groups.all():
            if group.name in by_label:
                found.setdefault(by_label[group.name], []).append(user)
    return found


def notify(alerts: Iterable[Alert], kind: str) -> int:
    """Create one notification per recipient of each alert; returns how many were created."""
    alerts = list(alerts)
    if not alerts:
        return 0
    by_role = _users_by_role()
    allowed: dict[int, bool] = {}
    rows = []
    for alert in alerts:
        for user in by_role.get(alert.assigned_role, ()):
            if user.pk not in allowed:
                allowed[user.pk] = user.has_perm("rules.view_alert")
            if allowed[user.pk] and code_in_scope(user, alert.region_code):
                message = f"{KIND_TEXT[kind]}：[{alert.get_severity_display()}] {alert.code} {alert.message}"
                rows.append(Notification(user=user, alert=alert, kind=kind, message=message[:500]))
    Notification.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def unread(user):
    """The user's unread notifications about alerts still in their scope."""
    return Notification.objects.filter(
        user=user, read_at__isnull=True, alert__in=Alert.objects.visible_to(user)
    ).select_related("alert")


def mark_read(user, alert: Alert | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if alert is not None:
        qs = qs.filter(alert=alert)
    return qs.update(read_at=timezone.now())


def send_daily_digest(today: date | None = None) -> int:
    """E-mail every user with an address a digest of the active alerts in their scope, the most urgent
    (past or nearest SLA, red first) on top, and their unread notifications count. Returns the number of
    e-mails sent (Django's e-mail backend; locmem in tests)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.db.models import Q

    today = today or timezone.localdate()
    sent = 0
    severity_rank = {"red": 0, "yellow": 1, "info": 2}
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    for user in get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk"):
        if not user.has_perm("rules.view_alert"):
            continue
        alerts = list(
            Alert.objects.visible_to(user)
            .filter(state__in=ACTIVE_STATES)
            .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today))
            .select_related("org")
        )
        if not alerts:
            continue
        alerts.sort(key=lambda a: (a.sla_due or date.max, severity_rank.get(a.severity, 3), a.pk))
        breached = sum(1 for a in alerts if a.sla_due and a.sla_due < today)
        lines = [
            f"截至 {today}，您辖区内有 {len(alerts)} 条未关闭的预警，其中 {breached} 条已超过处置时限；"
            f"未读通知 {unread(user).count()} 条。",
            "",
        ]
        for alert in alerts[:30]:
            overdue = "【已超时】" if alert.sla_due and alert.sla_due < today else ""
            lines.append(
                f"{overdue}[{alert.get_severity_display()}] {alert.code} {alert.org or ''}：{alert.message}"
                f"（期限 {alert.sla_due or '—'}）"
            )
        if len(alerts) > 30:
            lines.append(f"……另有 {len(alerts) - 30} 条。")
        lines += ["", f"请登录系统查看预警队列：{site}/admin/rules/alert/"]
        send_mail(f"三资监管预警日报（{today}）", "\n".join(lines), None, [user.email])
        sent += 1
    return sent
