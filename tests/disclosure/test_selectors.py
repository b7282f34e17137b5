"""Alert A5 (财务公开逾期): the overdue selector around the grace boundary, and the masking helpers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backoffice.disclosure.choices import DisclosurePeriodType
from backoffice.disclosure.models import Disclosure, DisclosurePlan
from backoffice.disclosure.publication import public_account, public_id, public_name
from backoffice.disclosure.selectors import disclosures_overdue

pytestmark = pytest.mark.django_db
DUE = date(2024, 1, 31)


@pytest.fixture
def plan(org_a):
    return DisclosurePlan.objects.create(
        org=org_a, period_type=DisclosurePeriodType.MONTHLY, period="202401", due_date=DUE
    )


def _overdue(plan, as_of, **kwargs) -> bool:
    return disclosures_overdue(as_of=as_of, **kwargs).filter(pk=plan.pk).exists()


def test_plan_is_not_overdue_on_the_last_day_of_grace_and_is_the_day_after(plan):
    assert not _overdue(plan, DUE + timedelta(days=15))
    assert _overdue(plan, DUE + timedelta(days=16))


def test_grace_days_can_be_changed(plan):
    assert not _overdue(plan, DUE + timedelta(days=16), grace_days=30)
    assert _overdue(plan, DUE + timedelta(days=1), grace_days=0)


def test_published_disclosure_of_the_same_period_clears_the_plan(plan, org_a):
    Disclosure.objects.create(
        org=org_a,
        period_type=plan.period_type,
        period=plan.period,
        categories=["income"],
        reviewed_by_finance_group_on=DUE + timedelta(days=18),
        finance_group_members="王建国",
        channels=["notice_board"],
        published_on=DUE + timedelta(days=20),
    )
    assert not _overdue(plan, DUE + timedelta(days=25))
    # seen from before the late publication, the plan was overdue
    assert _overdue(plan, DUE + timedelta(days=19))


def test_an_unpublished_draft_or_another_orgs_disclosure_does_not_clear_the_plan(plan, org_a, org_b):
    Disclosure.objects.create(
        org=org_a, period_type=plan.period_type, period=plan.period, categories=["income"]
    )
    Disclosure.objects.create(
        org=org_b,
        period_type=plan.period_type,
        period=plan.period,
        categories=["income"],
        reviewed_by_finance_group_on=DUE,
        finance_group_members="王建国",
        channels=["notice_board"],
        published_on=DUE,
    )
    assert _overdue(plan, DUE + timedelta(days=30))


def test_the_selector_can_be_narrowed_to_a_users_scope(plan, users):
    scoped = DisclosurePlan.objects.visible_to(users["township_reviewer"])
    assert _overdue(plan, DUE + timedelta(days=30), plans=scoped)
    other = DisclosurePlan.objects.visible_to(users["village_bookkeeper"]).exclude(org=plan.org)
    assert not _overdue(plan, DUE + timedelta(days=30), plans=other)


def test_public_pages_show_less_than_the_back_office():
    assert public_id("140121198001011234") == "140***********1234"
    assert public_account("6217 0000 1234 5678 901") == "621700*********8901"
    assert (
        public_name("王建国") == "王*国"
        and public_name("李强") == "李*"
        and public_name("欧阳建国") == "欧***"
    )
