"""The dashboard's review numbers equal an independent count of the user's scope, and are kept for a
short time per scope (a city's counts read millions of rows) — never shared across scopes."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.cache import cache

from backoffice.core.models import RecordModel
from backoffice.funds.models import CashJournal
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _kpi(client, title: str) -> int:
    kpis = client.get("/admin/").context["kpis"]
    return next(k["value"] for k in kpis if k["title"] == title)


def _submitted_in(prefix: str, user) -> int:
    total = 0
    for model in admin.site._registry:
        if issubclass(model, RecordModel) and user.has_perm(
            f"{model._meta.app_label}.view_{model._meta.model_name}"
        ):
            total += model.objects.filter(region_code__startswith=prefix, review_status="submitted").count()
    return total


def test_pending_records_equal_an_independent_count_of_the_scope(client_for, users):
    expected = _submitted_in(TOWNSHIP_A, users["township_reviewer"])
    assert expected > 0
    assert _kpi(client_for("township_reviewer"), "待审核记录") == expected


def test_counts_are_kept_briefly_per_scope_and_never_shared_across_scopes(client_for, users, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    reviewer = client_for("township_reviewer")
    before = _kpi(reviewer, "待审核记录")
    row = CashJournal.objects.filter(region_code__startswith=TOWNSHIP_A, review_status="approved").first()
    CashJournal.objects.filter(pk=row.pk).update(review_status="submitted")
    assert _kpi(reviewer, "待审核记录") == before  # within the cache time
    # another scope is counted on its own (and so sees the change at once)
    county = users["county_admin"]
    assert _kpi(client_for("county_admin"), "待审核记录") == _submitted_in(COUNTY, county)
    cache.clear()
    assert _kpi(reviewer, "待审核记录") == before + 1


def test_without_a_cache_time_every_view_counts_afresh(client_for, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    reviewer = client_for("township_reviewer")
    before = _kpi(reviewer, "待审核记录")
    row = CashJournal.objects.filter(region_code__startswith=TOWNSHIP_A, review_status="approved").first()
    CashJournal.objects.filter(pk=row.pk).update(review_status="submitted")
    assert _kpi(reviewer, "待审核记录") == before + 1
