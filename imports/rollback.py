"""Undo a committed import (delete the rows it created, restore the rows it updated, then let the rules
see the restored values) and cancel a job that has not finished."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from backoffice.core.models import AuditedModel
from backoffice.core.pii import pii_hash

from .committing import CHUNK, _Abort
from .hooks import REVIEW_KEY, notify_rules, restore_review
from .job_state import log, transition
from .models import ImportJob, ImportJobEvent, ImportRow
from .resources import columns_for
from .validation import SCOPE_KEY

S = ImportJob.Status


def rollback_job(job_id: int) -> str:
    """Undo a committed job: delete the rows it created, restore the rows it updated."""
    job = ImportJob.objects.get(pk=job_id)
    if not transition(job, {S.COMMITTED}, S.ROLLING_BACK):
        return job.status
    model = job.record_model
    cols = {c.attname: c for c in columns_for(model)}
    try:
        with transaction.atomic():
            created = Q(pk__in=[])
            for low, high in job.created_ranges:
                created |= Q(pk__gte=low, pk__lte=high)
            written_rows = job.rows.filter(action=ImportRow.Action.UPDATE)
            if "through" in (job.commit_state or {}):  # an interrupted commit wrote only the rows up to here
                written_rows = written_rows.filter(row_number__lte=job.commit_state["through"])
            updated_pks = list(written_rows.values_list("object_pk", flat=True))
            if issubclass(model, AuditedModel) and job.committed_at:
                later = model._default_manager.filter(created | Q(pk__in=updated_pks)).filter(
                    updated_at__gt=job.committed_at
                )
                if later.exists():
                    raise _Abort(
                        f"有 {later.count()} 条记录在导入后又被修改过，整批撤销会覆盖这些修改；"
                        "请先核对这些记录。"
                    )
            deleted = 0
            for low, high in job.created_ranges:
                deleted += (
                    model._default_manager.filter(pk__gte=low, pk__lte=high)
                    .delete()[1]
                    .get(model._meta.label, 0)
                )
            restored = 0
            for row in written_rows.iterator(chunk_size=CHUNK):
                changes = {}
                for attname, value in row.before.items():
                    if attname == SCOPE_KEY:
                        changes[model.scope_field] = value
                        continue
                    if attname == REVIEW_KEY:
                        changes.update(restore_review(value))
                        continue
                    col = cols[attname]
                    changes[attname] = col.from_json(value)
                    if col.kind == "sensitive":
                        changes[col.field.hash_attname] = pii_hash(changes[attname], col.field.kind)
                restored += model._default_manager.filter(pk=row.object_pk).update(**changes)
            notify_rules(model, updated_pks)  # restored values are evaluated again once the undo commits
    except _Abort as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=S.COMMITTED)
        log(job, f"撤销失败：{exc}", ImportJobEvent.Level.ERROR)
        return S.COMMITTED
    except models.ProtectedError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=S.COMMITTED)
        log(
            job,
            f"撤销失败：本次新增的记录已被其他数据引用（{len(exc.protected_objects)} 处），"
            "请先处理这些引用。",
            ImportJobEvent.Level.ERROR,
        )
        return S.COMMITTED
    ImportJob.objects.filter(pk=job.pk).update(status=S.ROLLED_BACK, finished_at=timezone.now())
    log(job, f"已撤销本次导入：删除新增记录 {deleted} 条，恢复被修改记录 {restored} 条。")
    return S.ROLLED_BACK


def cancel_job(job: ImportJob) -> bool:
    done = transition(
        job, {S.UPLOADED, S.VALIDATING, S.VALIDATED, S.COMMITTING}, S.CANCELLED, finished_at=timezone.now()
    )
    if done:
        log(job, "导入任务已取消。")
    return done
