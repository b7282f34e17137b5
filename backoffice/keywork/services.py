"""Writes of 重点工作 with more than one step (STYLE.md §5)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from .choices import ProblemStatus, ProgressStatus
from .models import ProblemLedger, TaskProgress


def task_progress_decide(*, progress: TaskProgress, accept: bool, reviewer: str, user=None) -> TaskProgress:
    """Accept a submitted progress report, or return it to the organisation."""
    if progress.status != ProgressStatus.SUBMITTED:
        raise ValidationError(
            f"“{progress}”当前为{progress.get_status_display()}，只有已报送的进展可以认定或退回"
        )
    progress.status = ProgressStatus.ACCEPTED if accept else ProgressStatus.RETURNED
    progress.reviewer = reviewer
    if user is not None:
        progress.updated_by = user
    _clean_or_restore(progress)
    progress.save()
    return progress


def problem_verify(*, problem: ProblemLedger, verified_on: date, user=None) -> ProblemLedger:
    """Verify a rectified problem and close it (验收销号)."""
    if problem.status != ProblemStatus.RECTIFIED:
        raise ValidationError(
            f"问题“{problem}”当前为{problem.get_status_display()}，只有已整改的问题可以验收销号"
        )
    problem.status = ProblemStatus.VERIFIED
    problem.verified_on = verified_on
    if user is not None:
        problem.updated_by = user
    _clean_or_restore(problem)
    problem.save()
    return problem


def _clean_or_restore(obj) -> None:
    """full_clean(); on failure reload the row so the caller's object is not left half-changed."""
    try:
        obj.full_clean()
    except ValidationError:
        obj.refresh_from_db()
        raise
