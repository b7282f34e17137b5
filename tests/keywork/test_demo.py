"""The demo data of 重点工作: every village has every campaign, with overdue rectifications to show."""

from __future__ import annotations

from datetime import date

import pytest

from backoffice.keywork.choices import ProgressStatus
from backoffice.keywork.models import TaskAssignment, TaskProgress, TaskTemplate
from backoffice.keywork.selectors import problems_overdue
from backoffice.regions.models import CollectiveOrg
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_every_village_org_is_assigned_every_template_of_the_year():
    templates = TaskTemplate.objects.filter(year=date.today().year)
    assert 2 <= templates.count() <= 3
    villages = CollectiveOrg.objects.filter(source_system="demo").exclude(region_code__endswith="000")
    for template in templates:
        assigned = set(TaskAssignment.objects.filter(template=template).values_list("org_id", flat=True))
        assert assigned == set(villages.values_list("pk", flat=True))
        assert all(a.deadline <= template.due_date for a in TaskAssignment.objects.filter(template=template))


def test_progress_reports_respect_evidence_and_reviewer_rules():
    reports = TaskProgress.objects.select_related("assignment__template")
    assert reports.filter(status=ProgressStatus.ACCEPTED).exists()
    for report in reports:
        if report.status == ProgressStatus.ACCEPTED:
            assert report.reviewer
        if report.assignment.template.evidence_required and report.status in ("submitted", "accepted"):
            assert report.evidence


def test_both_townships_have_overdue_rectifications():
    overdue = problems_overdue(as_of=date.today())
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        assert overdue.filter(region_code__startswith=township).exists()
