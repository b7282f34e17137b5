"""In-app notifications (who is told about a new, re-opened, escalated or assigned alert; reading them)
and the daily e-mail digest through Django's e-mail backend (locmem in tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.models import Alert, Notification
from rules.services import alert_assign, escalate_overdue, run_rule
from rules.tasks import daily_digest

from .conftest import AS_OF, balance, no_cash_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_a1_alerts(org_a, org_b):
    for org in (org_a, org_b):
        no_cash_limit(org)
        balance(org, cash=12000)
    run_rule(code="A1", as_of=AS_OF)
    return Alert.objects.get(code="A1", org=org_a), Alert.objects.get(code="A1", org=org_b)


def mine(user):
    return Notification.objects.filter(user=user)


def test_new_alert_notifies_the_reviewers_of_its_township_only(two_a1_alerts, users):
    own, _neighbour = two_a1_alerts
    got = mine(users["township_reviewer"])
    assert [n.alert for n in got] == [own] and got[0].kind == "opened" and got[0].read_at is None
    assert "A1" in got[0].message and own.message in got[0].message
    # the county is told only when the alert reaches it; other roles are not the assignees
    assert not mine(users["county_admin"]).exists()
    assert not mine(users["village_bookkeeper"]).exists()
    # a second run of the same day opens nothing, so it notifies nobody again
    run_rule(code="A1", as_of=AS_OF)
    assert mine(users["township_reviewer"]).count() == 1


def test_escalation_and_assignment_notify_the_new_assignees(two_a1_alerts, users):
    escalate_overdue(today=AS_OF + timedelta(days=30))
    county = mine(users["county_admin"])
    assert {n.alert for n in county} == set(two_a1_alerts) and {n.kind for n in county} == {"escalated"}
    own, _ = two_a1_alerts
    own.refresh_from_db()
    alert_assign(alert=own, user=users["county_admin"], role="township_reviewer", level=4, note="退回乡镇")
    assert mine(users["township_reviewer"]).filter(kind="assigned", alert=own).exists()


def test_reopened_alert_notifies_again(org_a, two_a1_alerts, users):
    from backoffice.funds.models import DailyBalance

    row = DailyBalance.objects.filter(org=org_a, balance_date=AS_OF)
    row.update(cash_balance=100)
    run_rule(code="A1", as_of=AS_OF)  # auto-resolved
    row.update(cash_balance=20000)
    run_rule(code="A1", as_of=AS_OF)
    kinds = list(mine(users["township_reviewer"]).values_list("kind", flat=True))
    assert sorted(kinds) == ["opened", "reopened"]


def test_notification_list_is_personal_and_opening_the_alert_marks_it_read(two_a1_alerts, client_for, users):
    own, _ = two_a1_alerts
    reviewer = client_for("township_reviewer")
    page = reviewer.get("/admin/rules/notification/")
    assert page.status_code == 200
    assert set(page.context["cl"].queryset) == set(mine(users["township_reviewer"]))
    escalate_overdue(today=AS_OF + timedelta(days=30))
    county_page = client_for("county_admin").get("/admin/rules/notification/")
    assert set(county_page.context["cl"].queryset) == set(mine(users["county_admin"]))
    assert not set(county_page.context["cl"].queryset) & set(mine(users["township_reviewer"]))
    assert reviewer.get(f"/admin/rules/alert/{own.pk}/change/").status_code == 200
    assert not mine(users["township_reviewer"]).filter(read_at__isnull=True).exists()
    assert mine(users["county_admin"]).filter(read_at__isnull=True).count() == 2  # others' stay unread


def test_mark_selected_read_action(two_a1_alerts, client_for, users):
    note = mine(users["township_reviewer"]).get()
    response = client_for("township_reviewer").post(
        "/admin/rules/notification/",
        {"action": "mark_selected_read", "_selected_action": [note.pk]},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_daily_digest_task_mails_each_user_their_scope(two_a1_alerts, users, mailoutbox):
    reviewer, county = users["township_reviewer"], users["county_admin"]
    bookkeeper = users["village_bookkeeper"]
    for user, address in ((reviewer, "r@example.org"), (county, "c@example.org"), (bookkeeper, "")):
        user.email = address
        user.save()
    assert daily_digest() >= 2
    by_to = {m.to[0]: m for m in mailoutbox}
    assert "" not in by_to
    own, neighbour = two_a1_alerts
    mail = by_to["r@example.org"].body
    assert own.org.name in mail and neighbour.org.name not in mail
    assert "未读通知 1 条" in by_to["r@example.org"].body
    assert "/admin/rules/alert/" in by_to["r@example.org"].body
    assert own.org.name in by_to["c@example.org"].body and neighbour.org.name in by_to["c@example.org"].body
    assert by_to["r@example.org"].subject.startswith("三资监管预警日报")
