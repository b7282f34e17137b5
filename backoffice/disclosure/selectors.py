"""Reads of 财务公开 used by alerts (A5) and reports."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from .models import Disclosure, DisclosurePlan

DEFAULT_GRACE_DAYS = 15


def disclosures_overdue(
    *,
    as_of: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
    plans: QuerySet[DisclosurePlan] | None = None,
) -> QuerySet[DisclosurePlan]:
    """Plans whose due date plus ``grace_days`` lies before ``as_of`` with no disclosure of the same
    organisation, type and period published on or before ``as_of`` (alert A5, DOMAIN.md §4.2).

    On the last day of grace (due + grace == as_of) a plan is not yet overdue. ``plans`` narrows the
    search (e.g. ``DisclosurePlan.objects.visible_to(user)``); by default every plan is considered.
    """
    published = Disclosure.objects.filter(
        org=OuterRef("org"),
        period_type=OuterRef("period_type"),
        period=OuterRef("period"),
        published_on__isnull=False,
        published_on__lte=as_of,
    )
    base = DisclosurePlan.objects.all() if plans is None else plans
    return (
        base.filter(due_date__lt=as_of - timedelta(days=grace_days))
        .exclude(Exists(published))
        .order_by("due_date", "region_code")
    )


def disclosure_rate(*, period_type: str, period: str, prefix: str = "") -> tuple[int, int]:
    """(published, planned) for one period within a region prefix: the disclosure-rate statistic."""
    plans = DisclosurePlan.objects.within(prefix).filter(period_type=period_type, period=period)
    published = Disclosure.objects.within(prefix).filter(
        period_type=period_type,
        period=period,
        published_on__isnull=False,
    )
    return published.count(), plans.count()
