"""The dashboard panel: alerts by severity and state in the user's scope, SLA breached, unread
notifications, links into the queue; hidden from users who may not see alerts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory

from rules.dashboard_panels import alert_summary, alerts_panel
from rules.models import Alert
from rules.services import alert_acknowledge, run_rule

from .conftest import AS_OF, balance, no_cash_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(org_a, org_b, users):
    for org in (org_a, org_b):
        no_cash_limit(org)
        balance(org, cash=7000)  # yellow
        balance(org, day=AS_OF - timedelta(days=1), cash=99999)  # outside A1's one-day window
    run_rule(code="A1", as_of=AS_OF)
    no_cash_limit(org_b)
    balance(org_b, cash=-5)
    run_rule(code="A1-negative", as_of=AS_OF)  # red, township B only
    own = Alert.objects.get(code="A1", org=org_a)
    alert_acknowledge(alert=own, user=users["township_reviewer"])
    return own


def test_summary_counts_only_the_users_scope(alerts, users):
    township = alert_summary(users["township_reviewer"])
    assert township["cells"]["yellow"]["acknowledged"] == 1
    assert township["cells"]["yellow"]["open"] == 0 and township["cells"]["red"]["open"] == 0
    assert township["active"] == 1
    county = alert_summary(users["county_admin"])
    assert county["cells"]["yellow"] == {**county["cells"]["yellow"], "open": 1, "acknowledged": 1}
    assert county["cells"]["red"]["open"] == 1 and county["active"] == 3
    assert county["sla_breached"] == 2  # the acknowledged one got a new 10-working-day SLA from today


def test_panel_on_the_dashboard_page(alerts, client_for):
    page = client_for("township_reviewer").get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "预警（本辖区）" in html and "/admin/rules/alert/?sla=breached" in html
    assert re.search(r'data-kpi="active">1<', html) and re.search(r'data-kpi="sla_breached">0<', html)
    assert re.search(r'data-kpi="unread">1<', html)  # the new alert in township A
    county = client_for("county_admin").get("/admin/").content.decode()
    assert re.search(r'data-kpi="active">3<', county) and re.search(r'data-kpi="sla_breached">2<', county)


def test_panel_hidden_without_alert_permission(alerts):
    from backoffice.accounts.models import User

    nobody = User.objects.create_user("no_role", password="x", scope_region_id="140121000000")
    request = RequestFactory().get("/admin/")
    request.user = nobody
    assert alerts_panel(request) is None
