"""The tiny demo of 一事一议 is internally consistent and holds the cases alert A10 looks for."""

from __future__ import annotations

import pytest

from backoffice.core.demo import DEMO_SOURCE
from backoffice.levies.models import LevyAcceptance, LevyContribution, LevyExpense, LevyMeeting, LevyProject
from backoffice.levies.services import levy_over_cap
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db
UNDER_WAY = ("published", "implementing", "completed", "accepted")


def _projects():
    return LevyProject.objects.filter(source_system=DEMO_SOURCE)


def test_demo_has_an_over_cap_project_in_each_township():
    for prefix in (TOWNSHIP_A, TOWNSHIP_B):
        assert any(levy_over_cap(project=p) for p in _projects().filter(region_code__startswith=prefix)), (
            prefix
        )


def test_demo_has_a_project_under_way_without_a_valid_meeting():
    under_way = _projects().filter(status__in=UNDER_WAY).prefetch_related("meetings")
    assert any(not p.has_valid_meeting for p in under_way)
    assert any(p.has_valid_meeting for p in under_way)


def test_demo_accepted_projects_have_a_passed_acceptance():
    for project in _projects().filter(status="accepted"):
        assert project.acceptance.result == "passed"


def test_demo_contributions_match_the_project_counts():
    for project in _projects():
        rows = project.contributions.all()
        assert sum(1 for r in rows if r.money_due > 0) == project.contributors
        assert sum(1 for r in rows if r.labour_days_due > 0) == project.labourers
        assert sum(1 for r in rows if r.exemption_reason) == project.exemptions


def test_demo_rows_pass_full_validation_and_carry_their_region():
    for model in (LevyProject, LevyMeeting, LevyContribution, LevyExpense, LevyAcceptance):
        for row in model.objects.filter(source_system=DEMO_SOURCE).select_related("org"):
            row.full_clean()
            assert row.region_code == row.org.region_code
