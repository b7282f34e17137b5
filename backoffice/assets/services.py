"""Services and selectors of 资源性资产 (DOMAIN.md §2.8, alert A9)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .choices import ResourceUse
from .models import Resource

#: A9 default: a resource idle for more than this many days is reported [D]
IDLE_ALERT_DAYS = 180


def resources_idle(
    *, queryset: QuerySet[Resource], as_of: date, min_days: int = IDLE_ALERT_DAYS
) -> QuerySet[Resource]:
    """Resources idle for more than ``min_days`` days on ``as_of`` (A9 idle resource)."""
    return queryset.filter(use_mode=ResourceUse.IDLE, idle_since__lt=as_of - timedelta(days=min_days))


def resource_change_use(
    *, resource: Resource, use_mode: str, on: date, annual_income=None, user=None
) -> Resource:
    """Record a change of use: becoming idle starts ``idle_since`` on ``on``; any other use clears it."""
    if use_mode not in ResourceUse.values:
        raise ValidationError(f"未知的利用方式“{use_mode}”")
    if use_mode == ResourceUse.IDLE:
        if resource.use_mode != ResourceUse.IDLE:
            resource.idle_since = on
        resource.annual_income = 0
    else:
        resource.idle_since = None
    resource.use_mode = use_mode
    if annual_income is not None:
        resource.annual_income = annual_income
    if user is not None:
        resource.updated_by = user
    resource.full_clean()
    resource.save()
    return resource
