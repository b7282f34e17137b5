"""Reads of 重点工作 used by alert A12 and the completion-rate statistics."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, F, OuterRef, QuerySet

from .choices import ProblemStatus, ProgressStatus
from .models import ProblemLedger, TaskAssignment, TaskProgress


def assignments_completed(*, on: date | None = None) -> QuerySet[TaskAssignment]:
    """Assignments with an accepted progress report reaching the target (reported by ``on``)."""
    reached = TaskProgress.objects.filter(
        assignment=OuterRef("pk"),
        status=ProgressStatus.ACCEPTED,
        value__gte=OuterRef("target_value"),
    )
    if on is not None:
        reached = reached.filter(report_date__lte=on)
    return TaskAssignment.objects.filter(Exists(reached))


def assignments_overdue(*, as_of: date) -> QuerySet[TaskAssignment]:
    """Assignments past their deadline without an accepted report reaching the target (A12)."""
    done = assignments_completed(on=as_of).filter(pk=OuterRef("pk"))
    return TaskAssignment.objects.filter(deadline__lt=as_of).exclude(Exists(done)).order_by("deadline")


def problems_overdue(*, as_of: date) -> QuerySet[ProblemLedger]:
    """Problems not yet rectified whose rectification deadline has passed (A12)."""
    return ProblemLedger.objects.filter(
        deadline__lt=as_of,
        status__in=(ProblemStatus.OPEN, ProblemStatus.RECTIFYING),
    ).order_by("deadline")


def problems_verified_late(*, as_of: date) -> QuerySet[ProblemLedger]:
    """Problems verified after their deadline (for the rectification-timeliness statistic)."""
    return ProblemLedger.objects.filter(verified_on__gt=F("deadline"), verified_on__lte=as_of)
