"""Dashboard (工作台) panels of the rules app, collected by ``backoffice.core.dashboard.collect_panels``:
open alerts by severity and state in the user's scope (through ``Alert.objects.visible_to``), how many
are past their SLA, the user's unread notifications, and links into the queue."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from .models import ACTIVE_STATES, Alert, AlertState
from .schema import SEVERITIES, SEVERITY_LABELS

#: states shown as columns: the live ones and the two ways an alert closes
STATES = [
    AlertState.OPEN,
    AlertState.ACKNOWLEDGED,
    AlertState.RECTIFYING,
    AlertState.RESOLVED,
    AlertState.DISMISSED,
]


def alert_summary(user) -> dict:
    """Counts of the alerts a user may see: {severity: {state: n}}, active total, SLA breached."""
    qs = Alert.objects.visible_to(user)
    cells = {sev: {state.value: 0 for state in STATES} for sev in SEVERITIES}
    for row in qs.order_by().values("severity", "state").annotate(n=Count("pk")):
        if row["severity"] in cells and row["state"] in cells[row["severity"]]:
            cells[row["severity"]][row["state"]] = row["n"]
    breached = qs.filter(state__in=ACTIVE_STATES, sla_due__lt=timezone.localdate()).count()
    active = sum(cells[sev][state] for sev in cells for state in ACTIVE_STATES)
    return {"cells": cells, "active": active, "sla_breached": breached}


def alerts_panel(request) -> dict | None:
    user = request.user
    if not user.has_perm("rules.view_alert"):
        return None
    from .notifications import unread

    summary = alert_summary(user)
    queue = reverse("admin:rules_alert_changelist")
    rows = [
        [SEVERITY_LABELS[sev], *[summary["cells"][sev][s.value] for s in STATES]]
        for sev in reversed(SEVERITIES)  # red first
    ]
    rows.append(["合计", *[sum(summary["cells"][sev][s.value] for sev in SEVERITIES) for s in STATES]])
    return {
        "title": "预警（本辖区）",
        "template": "rules/dashboard_alerts.html",
        "order": 10,
        "active": summary["active"],
        "sla_breached": summary["sla_breached"],
        "unread": unread(user).count(),
        "table": {"headers": ["级别", *[s.label for s in STATES]], "rows": rows},
        "queue_url": f"{queue}?state__exact=open",
        "breached_url": f"{queue}?sla=breached",
        "notifications_url": reverse("admin:rules_notification_changelist") + "?read_at__isempty=1",
    }


PANELS = [alerts_panel]
