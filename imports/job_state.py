"""A job's status changes and its event log, shared by every step of the import engine."""

from __future__ import annotations

from django.utils import timezone

from .models import ImportJob, ImportJobEvent

S = ImportJob.Status


def log(job: ImportJob, message: str, level: str = ImportJobEvent.Level.INFO) -> None:
    ImportJobEvent.objects.create(job=job, message=message, level=level)


def transition(job: ImportJob, source: set[str], target: str, **extra) -> bool:
    """Move the job from one of ``source`` to ``target`` in one compare-and-set UPDATE: of two workers
    running the same step, one wins and the other sees False."""
    done = ImportJob.objects.filter(pk=job.pk, status__in=source).update(status=target, **extra)
    if done:
        job.refresh_from_db()
    return bool(done)


def fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=S.FAILED, error_text=message, finished_at=timezone.now()
    )
    log(job, message, ImportJobEvent.Level.ERROR)
    job.refresh_from_db()
