"""Alerts are a region-scoped type like the records: the default manager is the scoped one, and every
read path (queue list, per-alert page, history, export, foreign-key choices) returns exactly the user's
scope — the checks of tests/core/test_permission_parity.py and test_scope_parity.py, run here on alerts
in both demo townships (the session's demo data has no alerts: they exist only after a run)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from backoffice.core.scope import is_scoped_model
from rules.models import Alert
from rules.services import run_rule
from tests import parity
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .conftest import AS_OF, balance, no_cash_limit, org_in

pytestmark = pytest.mark.django_db
USERS = ["village_bookkeeper", "township_reviewer", "county_admin", "city_analyst", "auditor"]


@pytest.fixture
def alerts_everywhere(users):
    from backoffice.regions.models import CollectiveOrg

    orgs = [org_in(TOWNSHIP_A), org_in(TOWNSHIP_B), org_in(TOWNSHIP_B, 1)]
    bookkeeper = users["village_bookkeeper"]
    own_village = CollectiveOrg.objects.filter(region_code=bookkeeper.scope_region_id).first()
    if own_village is not None:
        orgs.append(own_village)
    for org in orgs:
        no_cash_limit(org)
        balance(org, cash=12000)
    run_rule(code="A1", as_of=AS_OF)
    assert Alert.objects.filter(region_code__startswith=TOWNSHIP_A).exists()
    assert Alert.objects.filter(region_code__startswith=TOWNSHIP_B).exists()


def test_alert_is_a_scoped_type_with_a_scoped_default_manager():
    assert is_scoped_model(Alert)
    assert Alert._default_manager is Alert.objects and hasattr(Alert._default_manager, "visible_to")


@pytest.mark.parametrize("username", USERS)
def test_every_read_path_returns_exactly_the_users_scope(alerts_everywhere, username, client_for, users):
    user = users[username]
    client = client_for(username)
    model_admin = admin.site._registry[Alert]
    assert model_admin.has_view_or_change_permission(type("R", (), {"user": user})())
    expected = parity.expected_pks(Alert, user)
    if username in ("township_reviewer", "county_admin", "city_analyst"):
        assert expected  # the check is not vacuous
    assert parity.via_changelist(client, Alert) == expected
    candidates = parity.change_view_sample(Alert, user)
    if username in ("village_bookkeeper", "township_reviewer"):
        assert candidates - expected  # some rows outside the scope are tried
    assert parity.via_change_view(client, Alert, candidates) == expected & candidates
    assert parity.export_row_count(client, Alert) == len(expected)


def test_neighbour_alerts_are_404_by_url(alerts_everywhere, client_for):
    client = client_for("township_reviewer")
    foreign = Alert.objects.filter(region_code__startswith=TOWNSHIP_B).first()
    own = Alert.objects.filter(region_code__startswith=TOWNSHIP_A).first()
    url = lambda view, pk: reverse(f"admin:rules_alert_{view}", args=[pk])  # noqa: E731
    for view in ("change", "history"):
        assert client.get(url(view, foreign.pk)).status_code == 404, view
    assert client.get(url("delete", foreign.pk)).status_code in (403, 404)
    assert client.post(url("change", foreign.pk), {"action": "acknowledge"}).status_code in (403, 404)
    foreign.refresh_from_db()
    assert foreign.state == "open"
    assert client.get(url("change", own.pk)).status_code == 200
    assert client.get(url("history", own.pk)).status_code == 200


def test_foreign_key_choices_stay_in_scope(users):
    model_admin = admin.site._registry[Alert]
    request = RequestFactory().get("/")
    request.user = users["township_reviewer"]
    formfield = model_admin.formfield_for_foreignkey(Alert._meta.get_field("org"), request)
    codes = {org.region_code for org in formfield.queryset}
    assert codes and all(code.startswith(TOWNSHIP_A) for code in codes)
