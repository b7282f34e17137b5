"""Housekeeping tasks of the imports app (run by django-q2)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)
DEFAULT_RETENTION_DAYS = 90


def retention_days() -> int:
    return int(getattr(settings, "IMPORT_UPLOAD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def purge_old_uploads(days: int | None = None) -> dict:
    """Delete the stored upload files of finished jobs older than the retention period.

    The uploads are the users' own files (they may hold personal data) and are only needed while a job
    can still be previewed, confirmed or re-read for its error workbook; the job rows, their counts,
    events and staged rows stay as the audit trail. Returns ``{"import_jobs": n, "bank_feed_jobs": m}``.
    """
    from .models import BankFeedJob, ImportJob

    days = retention_days() if days is None else days
    cutoff = timezone.now() - dt.timedelta(days=days)
    done = {}
    finished = {
        ImportJob: [
            ImportJob.Status.COMMITTED,
            ImportJob.Status.FAILED,
            ImportJob.Status.ROLLED_BACK,
            ImportJob.Status.CANCELLED,
        ],
        BankFeedJob: [BankFeedJob.Status.DONE, BankFeedJob.Status.FAILED],
    }
    for model, statuses in finished.items():
        old = (
            model.objects.filter(status__in=statuses)
            .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff))
            .exclude(file="")
        )
        count = 0
        for pk, name in old.values_list("pk", "file").iterator():
            try:
                default_storage.delete(name)
            except OSError:  # already gone or unreadable: clear the reference anyway
                logger.warning("could not delete upload %s of %s %s", name, model.__name__, pk)
            model.objects.filter(pk=pk).update(file="")
            count += 1
        done[model._meta.model_name] = count
    return {"import_jobs": done["importjob"], "bank_feed_jobs": done["bankfeedjob"], "days": days}


def resume_stalled_commits() -> list[int]:
    """Continue the commits whose worker died (heartbeat older than ``IMPORT_STALE_SECONDS``).

    django-q2 also redelivers the killed task after ``Q_RETRY`` seconds; this schedule only makes the
    recovery quicker. Both paths end in ``engine.commit_job``, which claims the job atomically, so a job
    is never continued twice at once. Returns the ids of the jobs continued."""
    from . import engine
    from .models import ImportJob

    cutoff = timezone.now() - dt.timedelta(seconds=engine.stale_seconds())
    stalled = ImportJob.objects.filter(status=ImportJob.Status.COMMITTING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    )
    resumed = []
    for job_id in stalled.values_list("pk", flat=True):
        engine.commit_job(job_id)
        resumed.append(job_id)
    return resumed
