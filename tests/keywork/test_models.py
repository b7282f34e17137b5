"""Constraints and validators of 重点工作."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from backoffice.disclosure.demo import PLACEHOLDER_PDF
from backoffice.keywork.choices import ProblemSource, ProblemStatus, ProgressStatus
from backoffice.keywork.models import ProblemLedger, TaskAssignment, TaskProgress, TaskTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    return TaskTemplate.objects.create(
        title="测试任务",
        year=2025,
        indicator_name="清理合同份数",
        target_value=Decimal("10"),
        unit="份",
        due_date=date(2025, 10, 31),
        evidence_required=True,
    )


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_assignment_deadline_may_not_pass_the_templates(org_a, template):
    late = TaskAssignment(org=org_a, template=template, target_value=Decimal("5"), deadline=date(2025, 11, 1))
    assert "2025-10-31" in _errors(late)["deadline"][0]
    TaskAssignment(
        org=org_a, template=template, target_value=Decimal("5"), deadline=date(2025, 10, 31)
    ).full_clean()


def test_one_assignment_per_org_and_template(org_a, template):
    TaskAssignment.objects.create(
        org=org_a, template=template, target_value=Decimal("5"), deadline=date(2025, 9, 30)
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        TaskAssignment.objects.create(
            org=org_a, template=template, target_value=Decimal("6"), deadline=date(2025, 9, 30)
        )


def test_progress_needs_evidence_when_required_and_a_reviewer_when_accepted(org_a, template):
    assignment = TaskAssignment.objects.create(
        org=org_a, template=template, target_value=Decimal("5"), deadline=date(2025, 9, 30)
    )
    progress = TaskProgress(
        org=org_a,
        assignment=assignment,
        report_date=date(2025, 6, 30),
        value=Decimal("3"),
        status=ProgressStatus.SUBMITTED,
    )
    assert "佐证材料" in _errors(progress)["evidence"][0]
    progress.status = ProgressStatus.DRAFT
    progress.full_clean()
    progress.status = ProgressStatus.ACCEPTED
    progress.evidence = SimpleUploadedFile("proof.pdf", PLACEHOLDER_PDF)
    assert "reviewer" in _errors(progress)
    with transaction.atomic(), pytest.raises(IntegrityError):
        progress.save()
    progress.reviewer = "乡镇农经站 李志强"
    progress.full_clean()


def test_progress_evidence_must_be_an_allowed_file(org_a, template):
    assignment = TaskAssignment.objects.create(
        org=org_a, template=template, target_value=Decimal("5"), deadline=date(2025, 9, 30)
    )
    progress = TaskProgress(
        org=org_a,
        assignment=assignment,
        report_date=date(2025, 6, 30),
        value=Decimal("3"),
        evidence=SimpleUploadedFile("proof.xlsx", b"PK\x03\x04"),
    )
    assert "evidence" in _errors(progress)


def _problem(org, **overrides) -> ProblemLedger:
    values = dict(
        org=org,
        problem_no="T-001",
        source=ProblemSource.AUDIT,
        found_on=date(2025, 3, 1),
        description="超标准发放报酬",
        amount_involved=Decimal("3000"),
        responsible_person="村委会主任",
        measures="追回超发部分",
        deadline=date(2025, 5, 31),
        status=ProblemStatus.RECTIFIED,
    )
    values.update(overrides)
    return ProblemLedger(**values)


def test_verified_problem_has_a_verification_date_and_only_then(org_a):
    _problem(org_a).full_clean()
    assert "verified_on" in _errors(_problem(org_a, status=ProblemStatus.VERIFIED))
    assert "verified_on" in _errors(_problem(org_a, verified_on=date(2025, 5, 1)))
    with transaction.atomic(), pytest.raises(IntegrityError):
        _problem(org_a, status=ProblemStatus.VERIFIED).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _problem(org_a, problem_no="T-002", verified_on=date(2025, 5, 1)).save()
    _problem(org_a, problem_no="T-003", status=ProblemStatus.VERIFIED, verified_on=date(2025, 5, 1)).save()


def test_problem_deadline_is_not_before_it_was_found_and_rectified_needs_measures(org_a):
    with transaction.atomic(), pytest.raises(IntegrityError):
        _problem(org_a, deadline=date(2025, 2, 1)).save()
    assert "measures" in _errors(_problem(org_a, measures=""))
    _problem(org_a, measures="", status=ProblemStatus.OPEN).full_clean()
