"""The alert queue, the per-alert page and the rule params page in the admin."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from rules.models import Alert, AlertState, ParamOverride, RuleVersion
from rules.services import run_rule
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .conftest import AS_OF, balance, no_cash_limit

pytestmark = pytest.mark.django_db
QUEUE = "admin:rules_alert_changelist"


@pytest.fixture
def two_alerts(org_a, org_b):
    for org in (org_a, org_b):
        no_cash_limit(org)
        balance(org, cash=9000)
    run_rule(code="A1", as_of=AS_OF)
    return Alert.objects.get(region_code__startswith=TOWNSHIP_A), Alert.objects.get(
        region_code__startswith=TOWNSHIP_B
    )


def listed(response):
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def test_queue_is_scoped(two_alerts, client_for):
    a, b = two_alerts
    response = client_for("township_reviewer").get(reverse(QUEUE))
    assert response.status_code == 200 and listed(response) == {a.pk}
    assert listed(client_for("county_admin").get(reverse(QUEUE))) == {a.pk, b.pk}
    assert listed(client_for("village_bookkeeper").get(reverse(QUEUE))) <= {a.pk}


def test_queue_filters(two_alerts, client_for):
    a, b = two_alerts
    client = client_for("county_admin")
    assert listed(client.get(reverse(QUEUE), {"severity__exact": "yellow"})) == {a.pk, b.pk}
    assert listed(client.get(reverse(QUEUE), {"code": "A2-single"})) == set()
    assert listed(client.get(reverse(QUEUE), {"state__exact": "open"})) == {a.pk, b.pk}
    Alert.objects.filter(pk=a.pk).update(sla_due=AS_OF)
    Alert.objects.filter(pk=b.pk).update(sla_due=date(2099, 1, 1))
    assert listed(client.get(reverse(QUEUE), {"sla": "breached"})) == {a.pk}
    assert listed(client.get(reverse(QUEUE), {"age": "3"})) == {a.pk, b.pk}
    assert listed(client.get(reverse(QUEUE), {"age": "older"})) == set()


def test_alert_page_shows_why_history_and_subject_and_is_404_outside_scope(two_alerts, client_for):
    a, b = two_alerts
    client = client_for("township_reviewer")
    page = client.get(reverse("admin:rules_alert_change", args=[a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="why"' in html and "库存现金超出限额的金额" in html and "成立" in html
    assert 'id="history"' in html and "opened" in html
    assert reverse("admin:funds_dailybalance_change", args=[a.object_id]) in html
    assert client.get(reverse("admin:rules_alert_change", args=[b.pk])).status_code == 404
    assert (
        client.post(reverse("admin:rules_alert_change", args=[b.pk]), {"action": "acknowledge"}).status_code
        == 404
    )


def test_acknowledge_and_resolve_on_the_alert_page(two_alerts, client_for):
    a, _b = two_alerts
    client = client_for("township_reviewer")
    url = reverse("admin:rules_alert_change", args=[a.pk])
    assert client.post(url, {"action": "acknowledge", "note": "已收到"}).status_code == 302
    a.refresh_from_db()
    assert a.state == AlertState.ACKNOWLEDGED
    client.post(url, {"action": "resolve", "disposition": "rectified", "note": ""})  # note is required
    a.refresh_from_db()
    assert a.state == AlertState.ACKNOWLEDGED
    client.post(url, {"action": "resolve", "disposition": "rectified", "note": "现金已存入银行"})
    a.refresh_from_db()
    assert a.state == AlertState.RESOLVED and a.note == "现金已存入银行"
    assert list(a.events.values_list("kind", flat=True)) == ["opened", "acknowledged", "resolved"]


def test_read_only_roles_cannot_act(two_alerts, client_for):
    a, _b = two_alerts
    client = client_for("auditor")
    url = reverse("admin:rules_alert_change", args=[a.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "acknowledge"}).status_code == 403


def test_bulk_acknowledge_and_resolve(two_alerts, client_for):
    a, b = two_alerts
    client = client_for("county_admin")
    client.post(reverse(QUEUE), {"action": "acknowledge_selected", "_selected_action": [a.pk, b.pk]})
    assert set(Alert.objects.values_list("state", flat=True)) == {AlertState.ACKNOWLEDGED}
    form = client.post(reverse(QUEUE), {"action": "resolve_selected", "_selected_action": [a.pk]})
    assert form.status_code == 200 and "确认解除" in form.content.decode()
    client.post(
        reverse(QUEUE),
        {
            "action": "resolve_selected",
            "_selected_action": [a.pk],
            "disposition": "explained",
            "note": "已说明",
        },
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == AlertState.RESOLVED and b.state == AlertState.ACKNOWLEDGED


def test_township_bulk_action_cannot_reach_other_township(two_alerts, client_for):
    a, b = two_alerts
    client_for("township_reviewer").post(
        reverse(QUEUE), {"action": "acknowledge_selected", "_selected_action": [a.pk, b.pk]}
    )
    b.refresh_from_db()
    assert b.state == AlertState.OPEN


def test_rule_list_shows_effective_params(client_for):
    page = client_for("province_policy").get(reverse("admin:rules_rule_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "A1" in html and "未核定限额时的默认库存现金限额 5000.00元（全省默认）" in html


def test_params_form_preview_and_save_creates_a_version(two_alerts, client_for):
    county = "140121000000"
    client = client_for("province_policy")
    url = reverse("admin:rules_rule_params", args=["A1"])
    page = client.get(url, {"region": county})
    assert page.status_code == 200 and 'name="default_limit"' in page.content.decode()
    before = RuleVersion.objects.filter(code="A1").count()
    preview = client.post(
        url,
        {
            "region": county,
            "default_limit": "10000",
            "reason": "试",
            "preview": "1",
            "preview_as_of": AS_OF.isoformat(),
        },
    )
    assert preview.status_code == 200 and 'id="preview"' in preview.content.decode()
    assert preview.context["preview"]["close"] == 2
    assert RuleVersion.objects.filter(code="A1").count() == before
    bad = client.post(url, {"region": county, "default_limit": "abc", "reason": "x", "save": "1"})
    assert bad.status_code == 200 and RuleVersion.objects.filter(code="A1").count() == before
    saved = client.post(url, {"region": county, "default_limit": "10000", "reason": "县里核定", "save": "1"})
    assert saved.status_code == 302
    assert RuleVersion.objects.filter(code="A1").count() == before + 1
    assert ParamOverride.objects.get(code="A1", region_id=county).params == {"default_limit": "10000.00"}
    page = client.get(url, {"region": "140121100001"})
    assert "区划 140121000000 设置" in page.content.decode()


def test_township_reviewer_cannot_change_params(client_for):
    url = reverse("admin:rules_rule_params", args=["A1"])
    client = client_for("township_reviewer")
    assert client.get(url).status_code == 200
    response = client.post(url, {"region": "140121100000", "default_limit": "1", "reason": "x", "save": "1"})
    assert response.status_code == 403


def test_county_admin_cannot_set_params_outside_the_county(client_for):
    url = reverse("admin:rules_rule_params", args=["A1"])
    response = client_for("county_admin").post(
        url, {"region": "140000000000", "default_limit": "1", "reason": "x"}
    )
    assert response.status_code == 403


def test_maker_checker_for_red_rules(client_for, users):
    from rules.models import ParamChangeRequest

    county = "140121000000"
    url = reverse("admin:rules_rule_params", args=["A7"])
    maker = client_for("province_policy")
    assert "需另一名有权限的人员批准" in maker.get(url, {"region": county}).content.decode()
    before = RuleVersion.objects.filter(code="A7").count()
    page = maker.post(url, {"region": county, "tolerance": "5", "reason": "允许尾差", "save": "1"})
    assert page.status_code == 302
    change = ParamChangeRequest.objects.get(code="A7")
    assert change.status == "pending" and change.params == {"tolerance": "5.00"}
    assert RuleVersion.objects.filter(code="A7").count() == before and not ParamOverride.objects.filter(
        code="A7"
    )
    maker.post(url, {"decide": change.pk, "approve": "1"})  # the author cannot approve
    change.refresh_from_db()
    assert change.status == "pending"
    client_for("township_reviewer").post(url, {"decide": change.pk, "approve": "1"})  # no permission
    change.refresh_from_db()
    assert change.status == "pending"
    client_for("county_admin").post(url, {"decide": change.pk, "approve": "1"})
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == users["county_admin"]
    assert ParamOverride.objects.get(code="A7").params == {"tolerance": "5.00"}
    assert change.version.number == before + 1 and change.version.created_by == users["county_admin"]


def test_bulk_assign(two_alerts, client_for):
    a, _b = two_alerts
    client = client_for("county_admin")
    form = client.post(reverse(QUEUE), {"action": "assign_selected", "_selected_action": [a.pk]})
    assert form.status_code == 200 and "确认指派" in form.content.decode()
    client.post(
        reverse(QUEUE),
        {
            "action": "assign_selected",
            "_selected_action": [a.pk],
            "role": "county_admin",
            "level": "3",
            "note": "",
        },
    )
    a.refresh_from_db()
    assert (a.assigned_role, a.assigned_level) == ("county_admin", 3)
    assert a.events.filter(kind="assigned").exists()


def test_enable_disable_on_the_rule_page(client_for):
    url = reverse("admin:rules_rule_params", args=["A1"])
    assert client_for("county_admin").post(url, {"toggle": "1"}).status_code == 403
    policy = client_for("province_policy")
    assert "停用本规则" in policy.get(url).content.decode()
    assert policy.post(url, {"toggle": "1", "toggle_reason": "口径调整"}).status_code == 302
    latest = RuleVersion.objects.filter(code="A1").order_by("-number").first()
    assert latest.enabled is False and latest.reason == "口径调整"
