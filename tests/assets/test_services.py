"""The idle-resource selector (A9) and the change-of-use service."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from backoffice.assets.choices import ResourceUse
from backoffice.assets.models import Resource
from backoffice.assets.services import resource_change_use, resources_idle

from .factories import resource

pytestmark = pytest.mark.django_db


def test_idle_selector_reports_only_resources_idle_longer_than_the_threshold(org):
    as_of = date(2026, 6, 30)
    old = resource(
        org,
        resource_code="T-IDLE-OLD",
        use_mode=ResourceUse.IDLE,
        idle_since=date(2025, 12, 31),
        annual_income=0,
    )
    recent = resource(
        org,
        resource_code="T-IDLE-NEW",
        use_mode=ResourceUse.IDLE,
        idle_since=date(2026, 1, 1),
        annual_income=0,
    )
    used = resource(org, resource_code="T-USED")
    for row in (old, recent, used):
        row.save()
    mine = Resource.objects.filter(resource_code__startswith="T-")
    assert list(resources_idle(queryset=mine, as_of=as_of)) == [old]  # 181 days vs 180 days
    assert set(resources_idle(queryset=mine, as_of=as_of, min_days=30)) == {old, recent}


def test_change_of_use_starts_and_clears_idleness(org):
    row = resource(org)
    row.save()
    resource_change_use(resource=row, use_mode=ResourceUse.IDLE, on=date(2026, 3, 1))
    row.refresh_from_db()
    assert (row.use_mode, row.idle_since, row.annual_income) == (ResourceUse.IDLE, date(2026, 3, 1), 0)
    resource_change_use(resource=row, use_mode=ResourceUse.LEASED, on=date(2026, 9, 1), annual_income=5000)
    row.refresh_from_db()
    assert (row.use_mode, row.idle_since, row.annual_income) == (ResourceUse.LEASED, None, 5000)
    with pytest.raises(ValidationError):
        resource_change_use(resource=row, use_mode="sold", on=date(2026, 9, 1))
