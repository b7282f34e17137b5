"""Alert A12 selectors (task and rectification overdue) and the services that move them on."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.keywork.choices import ProblemSource, ProblemStatus, ProgressStatus
from backoffice.keywork.models import ProblemLedger, TaskAssignment, TaskProgress, TaskTemplate
from backoffice.keywork.selectors import assignments_completed, assignments_overdue, problems_overdue
from backoffice.keywork.services import problem_verify, task_progress_decide

pytestmark = pytest.mark.django_db
DEADLINE = date(2025, 9, 30)


@pytest.fixture
def assignment(org_a):
    template = TaskTemplate.objects.create(
        title="选择器任务",
        year=2025,
        indicator_name="收益",
        unit="元",
        target_value=Decimal("100000"),
        due_date=date(2025, 12, 31),
    )
    return TaskAssignment.objects.create(
        org=org_a, template=template, target_value=Decimal("100000"), deadline=DEADLINE
    )


def _progress(assignment, value, status, day=date(2025, 9, 1)) -> TaskProgress:
    return TaskProgress.objects.create(
        org=assignment.org,
        assignment=assignment,
        report_date=day,
        value=Decimal(value),
        status=status,
        reviewer="农经站" if status == ProgressStatus.ACCEPTED else "",
    )


def test_assignment_becomes_overdue_the_day_after_its_deadline(assignment):
    assert not assignments_overdue(as_of=DEADLINE).filter(pk=assignment.pk).exists()
    assert assignments_overdue(as_of=DEADLINE + timedelta(days=1)).filter(pk=assignment.pk).exists()


def test_only_an_accepted_report_reaching_the_target_completes_an_assignment(assignment):
    _progress(assignment, "100000", ProgressStatus.SUBMITTED)
    _progress(assignment, "90000", ProgressStatus.ACCEPTED, day=date(2025, 8, 1))
    assert assignments_overdue(as_of=DEADLINE + timedelta(days=1)).filter(pk=assignment.pk).exists()
    _progress(assignment, "100000", ProgressStatus.ACCEPTED, day=date(2025, 9, 15))
    assert not assignments_overdue(as_of=DEADLINE + timedelta(days=1)).filter(pk=assignment.pk).exists()
    assert assignments_completed().filter(pk=assignment.pk).exists()


def test_deciding_a_report_requires_it_to_be_submitted(assignment):
    progress = _progress(assignment, "50000", ProgressStatus.SUBMITTED)
    task_progress_decide(progress=progress, accept=False, reviewer="农经站 王秀英")
    assert progress.status == ProgressStatus.RETURNED
    with pytest.raises(ValidationError, match="只有已报送"):
        task_progress_decide(progress=progress, accept=True, reviewer="农经站 王秀英")


def _problem(org, status, deadline, no="A12-1") -> ProblemLedger:
    return ProblemLedger.objects.create(
        org=org,
        problem_no=no,
        source=ProblemSource.INSPECTION,
        found_on=date(2025, 1, 10),
        description="现金超限",
        responsible_person="报账员",
        measures="" if status == ProblemStatus.OPEN else "存入银行",
        deadline=deadline,
        status=status,
    )


def test_problem_is_overdue_after_its_deadline_until_rectified(org_a):
    problem = _problem(org_a, ProblemStatus.RECTIFYING, date(2025, 3, 31))
    assert not problems_overdue(as_of=date(2025, 3, 31)).filter(pk=problem.pk).exists()
    assert problems_overdue(as_of=date(2025, 4, 1)).filter(pk=problem.pk).exists()
    problem.status, problem.measures = ProblemStatus.RECTIFIED, "已存入银行"
    problem.save()
    assert not problems_overdue(as_of=date(2025, 4, 1)).filter(pk=problem.pk).exists()


def test_only_a_rectified_problem_can_be_verified(org_a):
    open_problem = _problem(org_a, ProblemStatus.OPEN, date(2025, 3, 31), no="A12-2")
    with pytest.raises(ValidationError, match="只有已整改"):
        problem_verify(problem=open_problem, verified_on=date(2025, 4, 2))
    rectified = _problem(org_a, ProblemStatus.RECTIFIED, date(2025, 3, 31), no="A12-3")
    with pytest.raises(ValidationError):
        problem_verify(problem=rectified, verified_on=date(2024, 12, 31))  # before it was found
    assert rectified.status == ProblemStatus.RECTIFIED
    problem_verify(problem=rectified, verified_on=date(2025, 4, 2))
    rectified.refresh_from_db()
    assert rectified.status == ProblemStatus.VERIFIED and rectified.verified_on == date(2025, 4, 2)
