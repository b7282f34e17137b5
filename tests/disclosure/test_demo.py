"""The demo data of 财务公开 holds what reports and alert A5 need."""

from __future__ import annotations

from datetime import date

import pytest

from backoffice.disclosure.choices import DisclosurePeriodType
from backoffice.disclosure.demo import complete_quarters
from backoffice.disclosure.models import Disclosure, DisclosureFeedback, DisclosurePlan
from backoffice.disclosure.selectors import disclosures_overdue
from backoffice.regions.models import CollectiveOrg
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


def test_complete_quarters_stop_before_the_running_quarter():
    assert complete_quarters(date(2024, 7, 1)) == ["2024Q1", "2024Q2"]
    assert complete_quarters(date(2024, 6, 30)) == ["2024Q1"]


def test_every_org_has_a_quarterly_plan_for_every_complete_quarter_since_2024():
    quarters = complete_quarters(date.today())
    plans = DisclosurePlan.objects.filter(period_type=DisclosurePeriodType.QUARTERLY, source_system="demo")
    orgs = CollectiveOrg.objects.filter(source_system="demo").count()
    assert plans.count() == orgs * len(quarters)
    assert set(plans.values_list("period", flat=True)) == set(quarters)


def test_most_plans_are_published_and_some_are_overdue_in_township_a():
    plans = DisclosurePlan.objects.filter(source_system="demo").count()
    published = Disclosure.objects.filter(source_system="demo", published_on__isnull=False).count()
    overdue = disclosures_overdue(as_of=date.today())
    assert published >= 0.8 * plans
    assert overdue.filter(region_code__startswith=TOWNSHIP_A).exists()


def test_feedback_counts_match_feedback_rows():
    for disclosure in Disclosure.objects.filter(feedback_count__gt=0):
        assert DisclosureFeedback.objects.filter(disclosure=disclosure).count() == disclosure.feedback_count
    assert DisclosureFeedback.objects.exists()
