"""Alerts: dedup, auto-resolve, re-open, lifecycle, params inheritance and versions, preview, snooze,
working-day SLA escalation, catch-up idempotency, the ledger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from rules.models import Alert, AlertEvent, AlertState, EvaluationRun, ParamOverride, RuleVersion
from rules.services import (
    AlertError,
    add_working_days,
    alert_acknowledge,
    alert_assign,
    alert_resolve,
    alert_snooze,
    alert_start_rectifying,
    effective_params,
    ensure_version,
    escalate_overdue,
    preview,
    rule_of,
    run_rule,
    set_enabled,
    set_override,
    snooze_expired,
    sync_rules,
)
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

from .conftest import AS_OF, balance, no_cash_limit

pytestmark = pytest.mark.django_db
PROVINCE = "140000000000"
COUNTY_CODE = COUNTY.ljust(12, "0")
TOWNSHIP_A_CODE = TOWNSHIP_A.ljust(12, "0")


def a1_alerts():
    return Alert.objects.filter(code="A1")


def test_open_dedup_autoresolve_reopen(org_a):
    no_cash_limit(org_a)
    row = balance(org_a, cash=6000)
    first = run_rule(code="A1", as_of=AS_OF)
    assert (first.matches, first.opened) == (1, 1)
    alert = a1_alerts().get()
    assert alert.state == AlertState.OPEN and alert.region_code == org_a.region_code
    assert alert.params == {"default_limit": "5000.00"} and alert.params_source == {"default_limit": ""}
    assert str(alert.distance) == "1000.00" and alert.severity == "yellow"
    assert any(w.get("name") == "cash_excess" and w["result"] is True for w in alert.why)
    assert alert.rule_version.number == 1 and alert.assigned_role == "township_reviewer"
    assert run_rule(code="A1", as_of=AS_OF).opened == 0  # idempotent
    assert a1_alerts().count() == 1
    row.cash_balance = 100
    row.save()
    cleared = run_rule(code="A1", as_of=AS_OF)
    assert cleared.closed == 1
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.disposition == "auto_cleared"
    row.cash_balance = 12000
    row.save()
    again = run_rule(code="A1", as_of=AS_OF)
    assert again.reopened == 1 and again.opened == 0
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and alert.severity == "red"
    kinds = list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))
    assert kinds == ["opened", "auto_resolved", "reopened"]
    ledger = EvaluationRun.objects.filter(code="A1").order_by("started_at", "pk")
    assert [r.opened for r in ledger] == [1, 0, 0, 0] and [r.closed for r in ledger] == [0, 0, 1, 0]


def test_catch_up_is_idempotent(org_a):
    no_cash_limit(org_a)
    for n in range(3):
        balance(org_a, day=AS_OF - timedelta(days=n), cash=7000)
    for n in (2, 1, 0):
        run_rule(code="A1", as_of=AS_OF - timedelta(days=n))
    state = sorted(a1_alerts().values_list("object_id", "state"))
    for n in (2, 1, 0):  # a catch-up after downtime replays the same days
        run_rule(code="A1", as_of=AS_OF - timedelta(days=n))
    assert sorted(a1_alerts().values_list("object_id", "state")) == state and len(state) == 3


def test_human_resolved_alert_is_not_reopened_but_a_new_one_opens(org_a, users):
    no_cash_limit(org_a)
    row = balance(org_a, cash=6000)
    run_rule(code="A1", as_of=AS_OF)
    alert = a1_alerts().get()
    alert_resolve(alert=alert, user=users["township_reviewer"], disposition="explained", note="已存入银行")
    run_rule(code="A1", as_of=AS_OF)
    assert a1_alerts().count() == 2
    assert a1_alerts().filter(state=AlertState.OPEN, object_id=str(row.pk)).count() == 1


def test_lifecycle_and_scope(org_a, org_b, users):
    no_cash_limit(org_b)
    balance(org_b, cash=9000)
    run_rule(code="A1", as_of=AS_OF)
    alert = a1_alerts().get()
    with pytest.raises(PermissionDenied):  # township A's reviewer cannot touch township B's alert
        alert_acknowledge(alert=alert, user=users["township_reviewer"])
    with pytest.raises(PermissionDenied):  # auditors read only
        alert_acknowledge(alert=alert, user=users["auditor"])
    county = users["county_admin"]
    alert_acknowledge(alert=alert, user=county, note="已收到")
    with pytest.raises(AlertError):
        alert_start_rectifying(alert=alert, user=county, note="")
    alert_start_rectifying(alert=alert, user=county, note="督促存入银行")
    alert_assign(alert=alert, user=county, role="county_admin", level=3)
    with pytest.raises(AlertError):
        alert_resolve(alert=alert, user=county, disposition="", note="x")
    alert_resolve(alert=alert, user=county, disposition="rectified", note="已存入")
    with pytest.raises(AlertError):
        alert_start_rectifying(alert=alert, user=county, note="again")
    assert list(alert.events.values_list("kind", flat=True)) == [
        "opened",
        "acknowledged",
        "rectifying",
        "assigned",
        "resolved",
    ]
    assert alert.closed_at and alert.acknowledged_at


def test_override_inheritance_and_versions(org_a, org_b, users):
    rule = rule_of(ensure_version("A1"))
    policy = users["province_policy"]
    set_override(
        code="A1", region_code=COUNTY_CODE, params={"default_limit": "8000"}, user=policy, reason="县里定"
    )
    set_override(
        code="A1", region_code=TOWNSHIP_A_CODE, params={"default_limit": 3000}, user=policy, reason="镇里"
    )
    version = ensure_version("A1")
    assert version.number == 3 and version.source == "admin" and version.created_by == policy
    assert version.diff == {"region": TOWNSHIP_A_CODE, "before": {}, "after": {"default_limit": "3000.00"}}
    params, sources = effective_params(rule, version.overrides, org_a.region_code)
    assert str(params["default_limit"]) == "3000.00" and sources["default_limit"] == TOWNSHIP_A_CODE
    params, sources = effective_params(rule, version.overrides, org_b.region_code)
    assert str(params["default_limit"]) == "8000.00" and sources["default_limit"] == COUNTY_CODE
    params, sources = effective_params(rule, version.overrides, "140100000000")
    assert str(params["default_limit"]) == "5000.00" and sources["default_limit"] == ""
    assert ParamOverride.objects.filter(code="A1").count() == 2
    # the run applies each region's params
    no_cash_limit(org_a)
    no_cash_limit(org_b)
    balance(org_a, cash=4000)
    balance(org_b, cash=7000)
    summary = run_rule(code="A1", as_of=AS_OF)
    assert summary.matches == 1
    alert = a1_alerts().get()
    assert alert.org_id == org_a.pk and alert.params_source == {"default_limit": TOWNSHIP_A_CODE}
    assert alert.rule_version.number == 3
    # removing an override is a version too; older versions are immutable
    set_override(code="A1", region_code=TOWNSHIP_A_CODE, params={}, user=policy, reason="取消")
    assert ensure_version("A1").number == 4 and TOWNSHIP_A_CODE not in ensure_version("A1").overrides
    old = RuleVersion.objects.get(code="A1", number=1)
    old.reason = "tampered"
    with pytest.raises(Exception, match="不可修改"):
        old.save()


def test_override_validation_and_scope(users):
    with pytest.raises(AlertError):
        set_override(
            code="A1", region_code=COUNTY_CODE, params={"default_limit": "abc"}, user=None, reason="x"
        )
    with pytest.raises(AlertError):
        set_override(code="A1", region_code=COUNTY_CODE, params={"nope": 1}, user=None, reason="x")
    with pytest.raises(PermissionDenied):
        set_override(
            code="A1",
            region_code=PROVINCE,
            params={"default_limit": 1},
            user=users["county_admin"],
            reason="越权",
        )


def test_disable_creates_a_version_and_stops_runs(org_a, users):
    no_cash_limit(org_a)
    balance(org_a, cash=9000)
    set_enabled(code="A1", enabled=False, user=users["province_policy"], reason="暂停")
    summary = run_rule(code="A1", as_of=AS_OF)
    assert summary.error == "规则已停用" and summary.opened == 0
    assert ensure_version("A1").enabled is False


def test_preview_equals_the_real_run(org_a, org_b):
    no_cash_limit(org_a)
    no_cash_limit(org_b)
    balance(org_a, cash=4000)
    balance(org_b, cash=6000)
    run_rule(code="A1", as_of=AS_OF)  # org_b's alert is open
    draft = {COUNTY_CODE: {"default_limit": "3000.00"}, TOWNSHIP_B.ljust(12, "0"): {"default_limit": "9000"}}
    predicted = preview(code="A1", overrides=draft, as_of=AS_OF)
    assert predicted["open"] == 1 and predicted["close"] == 1
    assert predicted["by_region"] == {
        TOWNSHIP_A: {"open": 1, "close": 0},
        TOWNSHIP_B: {"open": 0, "close": 1},
    }
    for region, params in draft.items():
        set_override(code="A1", region_code=region, params=params, user=None, reason="试")
    real = run_rule(code="A1", as_of=AS_OF)
    assert (real.opened + real.reopened, real.closed) == (predicted["open"], predicted["close"])


def test_dry_run_writes_nothing(org_a):
    no_cash_limit(org_a)
    balance(org_a, cash=9000)
    summary = run_rule(code="A1", as_of=AS_OF, dry_run=True)
    assert summary.opened == 1 and not a1_alerts().exists()
    assert not EvaluationRun.objects.filter(code="A1").exists()


def test_working_days_skip_weekends_holidays_and_count_makeup_days():
    # Friday 2026-09-25 + 3 working days: Mon 28, Tue 29, Wed 30 Sep
    assert add_working_days(date(2026, 9, 25), 3) == date(2026, 9, 30)
    # National Day holiday 1–7 Oct 2026; Saturday 10 Oct 2026 is a make-up workday
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_escalation_after_sla_and_snooze(org_a, users):
    no_cash_limit(org_a)
    balance(org_a, cash=9000)
    run_rule(code="A1", as_of=AS_OF)
    alert = a1_alerts().get()
    assert alert.sla_due == add_working_days(AS_OF, 3)
    assert escalate_overdue(today=alert.sla_due) == 0
    alert_snooze(
        alert=alert, user=users["township_reviewer"], until=date.today() + timedelta(days=5), reason="核实中"
    )
    assert escalate_overdue(today=alert.sla_due + timedelta(days=1)) == 0  # snoozed alerts wait
    assert snooze_expired(today=date.today() + timedelta(days=5)) == 1
    assert escalate_overdue(today=alert.sla_due + timedelta(days=1)) == 1
    alert.refresh_from_db()
    assert (alert.assigned_role, alert.assigned_level, alert.escalations) == ("county_admin", 3, 1)
    assert list(alert.events.values_list("kind", flat=True))[-3:] == [
        "snoozed",
        "snooze_expired",
        "escalated",
    ]


def test_worsening_cancels_a_snooze(org_a, users):
    no_cash_limit(org_a)
    row = balance(org_a, cash=6000)
    run_rule(code="A1", as_of=AS_OF)
    alert = a1_alerts().get()
    alert_snooze(
        alert=alert, user=users["township_reviewer"], until=date.today() + timedelta(days=5), reason="核实"
    )
    row.cash_balance = 8000
    row.save()
    run_rule(code="A1", as_of=AS_OF)
    alert.refresh_from_db()
    assert alert.snoozed_until is None and str(alert.distance) == "3000.00"


def test_sync_rules_keeps_overrides():
    set_override(code="A1", region_code=COUNTY_CODE, params={"default_limit": 8000}, user=None, reason="x")
    assert dict(sync_rules())["A1"] == "unchanged"
    RuleVersion.objects.filter(code="A1").update(definition={"changed": True})
    assert dict(sync_rules())["A1"] == "updated"
    latest = ensure_version("A1")
    assert latest.overrides == {COUNTY_CODE: {"default_limit": "8000.00"}} and latest.source == "file"


def test_counts_and_daily_digest(org_a, org_b, users, mailoutbox):
    from rules.services import alert_counts, send_daily_digest

    for org in (org_a, org_b):
        no_cash_limit(org)
        balance(org, cash=12000)
    run_rule(code="A1", as_of=AS_OF)
    counts = alert_counts(users["township_reviewer"])
    assert counts["open"] == 1 and counts["resolved"] == 0 and counts["sla_breached"] == 1
    assert alert_counts(users["county_admin"])["open"] == 2
    reviewer, county = users["township_reviewer"], users["county_admin"]
    reviewer.email, county.email = "reviewer@example.org", "county@example.org"
    reviewer.save()
    county.save()
    sent = send_daily_digest()
    assert sent >= 2
    by_to = {m.to[0]: m for m in mailoutbox}
    assert "1 条未关闭的预警" in by_to["reviewer@example.org"].body
    assert (
        "2 条未关闭的预警" in by_to["county@example.org"].body
        and "【已超时】" in by_to["county@example.org"].body
    )
