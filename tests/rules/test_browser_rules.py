"""Thresholds without deploys, end to end in a real browser (headless Chromium, real admin): province
policy staff lowers the A1 default cash limit for one county through the generated params form, previews
the delta and saves; the scheduled job (its task function, run here) opens exactly the predicted alerts;
a township reviewer sees only their township's alerts, acknowledges one and resolves it with a note."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rules.models import Alert, AlertEvent, ParamOverride, RuleVersion
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, demo_village_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COUNTY_CODE = COUNTY.ljust(12, "0")


def _cash_yesterday(org, amount):
    """No approved limit (the county default applies) and this end-of-day cash yesterday."""
    from backoffice.funds.models import CashLimit, DailyBalance

    day = timezone.localdate() - timedelta(days=1)
    CashLimit.objects.filter(org=org).delete()
    updated = DailyBalance.objects.filter(org=org, balance_date=day).update(cash_balance=Decimal(amount))
    if not updated:
        DailyBalance.objects.create(
            org=org,
            balance_date=day,
            cash_balance=Decimal(amount),
            bank_balance_ledger=0,
            bank_balance_statement=0,
        )


def test_county_limit_change_preview_run_and_township_handling(page_as, demo_live_server):
    from rules import tasks

    base = demo_live_server.url
    org_a, org_b = demo_village_org(TOWNSHIP_A), demo_village_org(TOWNSHIP_B)
    for org in (org_a, org_b):
        _cash_yesterday(org, "3000.00")  # under the 5,000 元 default, over the new 2,000 元
    tasks.evaluate_A1()  # tonight's job under the file default: the two villages are fine
    assert not Alert.objects.filter(code="A1", org__in=[org_a, org_b]).exists()
    versions = RuleVersion.objects.filter(code="A1").count()

    # Province policy staff: the generated form (typed field, not raw JSON), preview, then save.
    policy = page_as("province_policy")
    policy.goto(f"{base}/admin/rules/rule/A1/params/?region={COUNTY_CODE}")
    policy.fill("input[name=default_limit]", "2000")
    policy.fill("[name=reason]", "县农经站核定：未核定限额的村默认2000元")
    policy.click("button[name=preview]")
    policy.wait_for_selector("#preview")
    predicted = int(policy.inner_text("#preview-open"))
    assert predicted >= 2
    regions = {li.get_attribute("data-region") for li in policy.locator("#preview li").all()}
    assert {TOWNSHIP_A, TOWNSHIP_B} <= regions
    assert RuleVersion.objects.filter(code="A1").count() == versions  # preview saves nothing
    policy.fill("input[name=default_limit]", "2000")
    policy.fill("[name=reason]", "县农经站核定：未核定限额的村默认2000元")
    policy.click("button[name=save]")
    policy.wait_for_selector(f"#effective >> text=区划 {COUNTY_CODE} 设置")
    assert RuleVersion.objects.filter(code="A1").count() == versions + 1
    assert ParamOverride.objects.get(code="A1", region_id=COUNTY_CODE).params == {"default_limit": "2000.00"}

    # The scheduled job opens exactly what the preview predicted.
    summary = tasks.evaluate_A1()
    assert summary["opened"] + summary["reopened"] == predicted
    own = Alert.objects.get(code="A1", org=org_a, state="open")
    assert own.params == {"default_limit": "2000.00"} and own.params_source == {"default_limit": COUNTY_CODE}
    assert Alert.objects.filter(code="A1", org=org_b, state="open").exists()

    # A township reviewer sees only their township's alerts …
    reviewer = page_as("township_reviewer")
    reviewer.goto(f"{base}/admin/rules/alert/?code=A1")
    rows = reviewer.locator("#result_list tbody tr")
    expected = Alert.objects.filter(code="A1", region_code__startswith=TOWNSHIP_A)
    assert rows.count() == expected.count() >= 1
    listed = reviewer.inner_text("#result_list")
    assert org_a.name in listed and org_b.name not in listed
    # … acknowledges one and resolves it with a note.
    reviewer.goto(f"{base}/admin/rules/alert/{own.pk}/change/")
    reviewer.wait_for_selector("#why")
    reviewer.select_option("select[name=action]", "acknowledge")
    reviewer.click("#alert-action button[type=submit]")
    reviewer.wait_for_selector("#alert-detail >> text=已签收")
    reviewer.select_option("select[name=action]", "resolve")
    reviewer.select_option("select[name=disposition]", "rectified")
    reviewer.fill("textarea[name=note]", "超限现金已于次日存入基本存款账户，附银行回单")
    reviewer.click("#alert-action button[type=submit]")
    reviewer.wait_for_selector("#alert-detail >> text=已解除")
    own.refresh_from_db()
    assert own.state == "resolved" and own.disposition == "rectified"
    assert own.note == "超限现金已于次日存入基本存款账户，附银行回单"
    kinds = list(AlertEvent.objects.filter(alert=own).values_list("kind", flat=True))
    assert kinds == ["opened", "acknowledged", "resolved"]
    # the neighbour township's alert is out of reach by URL
    neighbour = Alert.objects.get(code="A1", org=org_b, state="open")
    response = reviewer.goto(f"{base}/admin/rules/alert/{neighbour.pk}/change/")
    assert response.status == 404
