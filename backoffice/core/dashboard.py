"""The Unfold dashboard (工作台) for the user's scope: organisations by child region, review progress
per record type, and whether the job worker is alive.

Other apps add panels without the core knowing them (dependencies point inward): an app may define
``PANELS`` in a ``dashboard_panels`` module, a list of callables ``panel(request) -> dict | None``. A panel
dict carries ``title``, ``template`` (rendered with ``panel`` in its context) and an optional ``order``;
returning None hides the panel (e.g. the user may not see that data)."""

from __future__ import annotations

import hashlib
import json
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import HttpRequest

from .choices import ReviewStatus
from .models import RecordModel
from .scope import SIGNIFICANT_DIGITS, UNRESTRICTED, scope_prefix


def environment_callback(request: HttpRequest) -> list[str]:
    if settings.DEBUG:
        return ["演示环境", "warning"]
    return ["生产环境", "success"]


def dashboard_callback(request: HttpRequest, context: dict) -> dict:
    from django_q.models import Success

    from backoffice.regions.models import CollectiveOrg, Region

    user = request.user
    prefix = scope_prefix(user)
    scope_region = None
    if isinstance(prefix, str):
        scope_region = Region.objects.filter(code=user.scope_region_id).first()
    orgs = CollectiveOrg.objects.visible_to(user)
    child_digits = _child_digits(prefix)
    by_child = (
        orgs.annotate(child=Substr("region_code", 1, child_digits))
        .values("child")
        .annotate(n=Count("id"))
        .order_by("child")
    )
    child_counts = {row["child"]: row["n"] for row in by_child}
    child_names = dict(
        Region.objects.filter(code__in=[c.ljust(12, "0") for c in child_counts]).values_list("code", "name")
    )
    labels = [child_names.get(c.ljust(12, "0"), c) for c in child_counts]
    chart = {
        "labels": labels,
        "datasets": [
            {
                "label": "集体经济组织数",
                "data": list(child_counts.values()),
                "backgroundColor": "#2563eb",
                "maxBarThickness": 48,
            }
        ],
    }
    review_rows = review_progress(request)
    last_beat = Success.objects.filter(func="backoffice.core.tasks.heartbeat").order_by("-stopped").first()
    context.update(
        {
            "scope_label": "全部区域（超级管理员）"
            if prefix is UNRESTRICTED
            else (str(scope_region) if scope_region else "未设置管辖区域"),
            "kpis": [
                {"title": "下级区划", "value": len(child_counts)},
                {"title": "集体经济组织", "value": sum(child_counts.values())},
                {"title": "待审核记录", "value": sum(r[2] for r in review_rows)},
                {"title": "已退回记录", "value": sum(r[3] for r in review_rows)},
            ],
            "org_chart": json.dumps(chart, ensure_ascii=False),
            "review_table": {
                "headers": ["记录类型", "总数", "待审核", "已退回", "已审核"],
                "rows": review_rows,
            },
            "last_heartbeat": last_beat.stopped if last_beat else None,
            "panels": collect_panels(request),
        }
    )
    return context


def review_progress(request: HttpRequest) -> list[list]:
    """Per record type the user may view: [label, total, submitted, returned, approved] in their scope.

    Each type's counts read every row of the scope (millions for a city), so the table is kept for
    ``DASHBOARD_CACHE_SECONDS`` (default 60) per scope and set of visible types: users of the same region
    and role share it, and a review action shows on the dashboard within that time."""
    user = request.user
    visible = [
        model
        for model, model_admin in admin.site._registry.items()
        if issubclass(model, RecordModel) and model_admin.has_view_permission(request)
    ]
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 60)
    prefix = scope_prefix(user)
    scope = "all" if prefix is UNRESTRICTED else (prefix or "none")
    labels = ",".join(sorted(model._meta.label for model in visible))
    key = f"core:dashboard:review:{scope}:{hashlib.sha256(labels.encode()).hexdigest()[:16]}"
    rows = cache.get(key) if seconds else None
    if rows is None:
        rows = [_review_row(model, user) for model in visible]
        if seconds:
            cache.set(key, rows, seconds)
    return rows


def _review_row(model, user) -> list:
    counts = model.objects.visible_to(user).aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(review_status=ReviewStatus.SUBMITTED)),
        returned=Count("pk", filter=Q(review_status=ReviewStatus.RETURNED)),
        approved=Count("pk", filter=Q(review_status=ReviewStatus.APPROVED)),
    )
    return [
        f"{apps.get_app_config(model._meta.app_label).verbose_name} · {model._meta.verbose_name}",
        counts["total"],
        counts["submitted"],
        counts["returned"],
        counts["approved"],
    ]


def _child_digits(prefix) -> int:
    """Digits that identify the next level down from the user's scope (province → city 4 …)."""
    own = len(prefix) if isinstance(prefix, str) else 0
    for digits in sorted(SIGNIFICANT_DIGITS.values()):
        if digits > own:
            return digits
    return 12


def collect_panels(request: HttpRequest) -> list[dict]:
    """Panels contributed by installed apps' ``dashboard_panels.PANELS``, sorted by ``order``."""
    panels: list[dict] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.dashboard_panels"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        for build in getattr(module, "PANELS", []):
            panel = _cached_panel(build, request)
            if panel:
                panels.append(panel)
    panels.sort(key=lambda panel: panel.get("order", 100))
    return panels


def _cached_panel(build, request: HttpRequest) -> dict | None:
    """One panel; a panel that declares ``shared_by_scope = True`` is kept for ``DASHBOARD_CACHE_SECONDS``
    per user scope and permission set.

    Such a panel's figures depend only on what the user may see (the scope prefix and the permissions),
    and at city or province level it sums millions of rows (S1–S5 and coverage: ≈ 3.4 s for a city user),
    so users of the same region and role share one computation, refreshed within the cache time. Nothing
    is kept across scopes or permission sets, and a panel with the user's own data (unread
    notifications) does not declare it."""
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 60)
    if not seconds or not getattr(build, "shared_by_scope", False):
        return build(request)
    user = request.user
    prefix = scope_prefix(user)
    scope = "all" if prefix is UNRESTRICTED else (prefix or "none")
    rights = ",".join(sorted(user.get_all_permissions())) + f"|{user.is_superuser}"
    digest = hashlib.sha256(rights.encode()).hexdigest()[:16]
    key = f"core:dashboard:panel:{build.__module__}.{build.__qualname__}:{scope}:{digest}"
    panel = cache.get(key)
    if panel is None:
        panel = build(request) or {}
        cache.set(key, panel, seconds)
    return panel or None
