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


def test_scope_wide_panels_are_computed_once_per_scope_and_role(client_for, monkeypatch, settings):
    import reports.engine

    settings.DASHBOARD_CACHE_SECONDS = 60
    calls = []
    original = reports.engine.build_table

    def counting(*args, **kwargs):
        calls.append(args[0] if args else kwargs.get("report_code"))
        return original(*args, **kwargs)

    monkeypatch.setattr(reports.engine, "build_table", counting)
    county = client_for("county_admin")
    first = county.get("/admin/").content.decode()
    assert len(calls) == 5  # S1–S5
    assert county.get("/admin/").content.decode().count("statistics-panel") == first.count("statistics-panel")
    assert len(calls) == 5  # the second view reuses the county's panel
    client_for("township_reviewer").get("/admin/")
    assert len(calls) == 10  # another scope computes its own


def test_a_panel_with_the_users_own_notifications_is_never_kept(client_for, users, settings):
    from rules.models import Alert, Notification

    settings.DASHBOARD_CACHE_SECONDS = 60
    reviewer = client_for("township_reviewer")

    def unread_shown() -> int:
        panels = reviewer.get("/admin/").context["panels"]
        return next(p["unread"] for p in panels if "unread" in p)

    before = unread_shown()
    alert = Alert.objects.visible_to(users["township_reviewer"]).first()
    Notification.objects.create(user=users["township_reviewer"], alert=alert, kind="opened", message="测试")
    assert unread_shown() == before + 1
