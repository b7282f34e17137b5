"""The staged import engine: dry run → preview → chunked commit → rollback (issue 4 item 3).

This module holds the job steps up to the commit; the concepts they use live beside it: ``validation``
(a row's checks), ``committing`` (the chunked, resumable commit), ``totals`` (control totals),
``job_state`` (status transitions and the job's log), ``rollback`` (undo and cancel) and
``error_workbook`` (the rows with their errors, for download).

Runs in a django-q2 worker (``enqueue``); every step is safe to run twice (status transitions are atomic
compare-and-set updates; a re-run dry run replaces its staging rows).

Speed comes from doing per row only what must be per row: cells are converted by the spec's columns,
foreign keys and existing rows are looked up in dicts built with one query each, inserts go through
``bulk_create`` (``region_code`` set here: bulk paths bypass ``save()``), updates are single-statement
``UPDATE``s of the changed columns only. Unchanged rows are counted, not staged.

Validation per row: cell conversion (types, required, length, choices, the field's validators), foreign
keys by natural key (unknown or outside the user's scope → error naming the value), duplicate keys in the
file, the row's scope, the model's ``clean()``, and the model's check constraints evaluated in Python
where they are simple comparisons. Anything the database still refuses at commit (a constraint this
evaluator cannot read, a row inserted by someone else meanwhile) is caught per row and reported like any
other error (valid-rows policy) or aborts the whole file (all-or-nothing).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from backoffice.core.scope import is_scoped_model, scope_prefix

from .committing import CHUNK, _Abort, _Cancelled, _Committer
from .error_workbook import error_workbook
from .job_state import fail, log, transition
from .models import ImportJob, ImportJobEvent, ImportRow
from .reading import ReadError, column_letter, read_stamp, read_table
from .resources import Column, columns_for, header_index, version_stamp
from .rollback import cancel_job, rollback_job
from .totals import _after_totals, _Totals, _verbose_of
from .validation import ABSENT, SCOPE_KEY, Validator

__all__ = [  # the job steps, and what callers read from here (imports.api: ABSENT; tests patch _Committer)
    "ABSENT",
    "cancel_job",
    "commit_job",
    "create_job",
    "enqueue",
    "error_workbook",
    "importable_types",
    "log",
    "rollback_job",
    "stale_seconds",
    "validate_job",
    "validate_rows",
]

logger = logging.getLogger(__name__)
S = ImportJob.Status


# ---- jobs -----------------------------------------------------------------------------------------------
def enqueue(function: str, job_id: int) -> None:
    """Run ``imports.engine.<function>(job_id)`` in a django-q2 worker (inline when Q_CLUSTER sync)."""
    from django_q.tasks import async_task

    async_task(f"imports.engine.{function}", job_id, group="imports", task_name=f"import-{function}-{job_id}")


def importable_types(user) -> list[type[models.Model]]:
    """Registered record types the user may add rows to (and therefore import)."""
    from django.contrib import admin

    out = []
    for model in admin.site._registry:
        if not is_scoped_model(model) or not hasattr(model, "Spec"):
            continue
        if user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
            out.append(model)
    return sorted(out, key=lambda m: (m._meta.app_label, str(m._meta.verbose_name)))


def create_job(*, user, model: type[models.Model], name: str, content: bytes, policy: str) -> ImportJob:
    """Store the upload in the default storage and queue its dry run."""
    prefix = scope_prefix(user)
    job = ImportJob(
        original_name=name[-255:],
        model_label=model._meta.label,
        user=user,
        scope_code=prefix if isinstance(prefix, str) else "",
        policy=policy,
    )
    job.file.save(name[-120:], ContentFile(content), save=False)
    job.save()
    log(job, f"已上传文件“{name}”（{len(content) // 1024} KB），等待校验。")
    enqueue("validate_job", job.pk)
    return job


def validate_job(job_id: int) -> str:
    """The dry run: read, validate every row, stage new/changed/invalid rows, count, control totals."""
    job = ImportJob.objects.get(pk=job_id)
    if not transition(job, {S.UPLOADED, S.VALIDATING, S.VALIDATED}, S.VALIDATING, started_at=timezone.now()):
        return job.status
    job.rows.all().delete()
    try:
        _validate(job)
    except Exception as exc:  # never leave a job stuck in "validating" without a message
        logger.exception("import job %s validation crashed", job.pk)
        fail(job, f"校验时发生系统错误（{type(exc).__name__}: {exc}）；请联系管理员，文件未导入。")
    return job.status


def _validate(job: ImportJob) -> None:
    model = job.record_model
    name = job.original_name
    with default_storage.open(job.file.name, "rb") as stream:
        data = stream.read()
    known = header_index(model)
    stamp = read_stamp(data, name)
    expected = version_stamp(model)
    if stamp and stamp != expected:
        label = stamp.split("@")[0]
        if label != model._meta.label:
            fail(
                job,
                f"文件“{name}”是“{_verbose_of(label)}”的导入模板，不是“{model._meta.verbose_name}”的；"
                f"请下载“{model._meta.verbose_name}”的模板重新填写。",
            )
        else:
            fail(
                job,
                f"文件“{name}”使用的是旧版“{model._meta.verbose_name}”模板（列已调整）；"
                "请重新下载最新模板，把数据粘贴到新模板后上传。",
            )
        return
    try:
        table = read_table(data, name, known)
    except ReadError as exc:
        fail(job, str(exc))
        return
    if table.unknown_headers:
        fail(
            job,
            f"文件“{name}”第 {table.header_row} 行的表头中有无法识别的列："
            f"{'、'.join(table.unknown_headers[:10])}；"
            f"请删除这些列或改用“{model._meta.verbose_name}”的导入模板（列名须与模板一致）。",
        )
        return
    columns = {index: (known[label], scale) for index, (label, scale) in table.columns.items()}
    present = {c.name for c, _ in columns.values()}
    missing = [c.label for c in columns_for(model) if c.required and c.name not in present]
    if missing:
        fail(
            job,
            f"文件“{name}”缺少必填列：{'、'.join(missing)}（表头在第 {table.header_row} 行）；"
            "请补上这些列后重新上传。",
        )
        return
    for warning in table.warnings:
        log(job, warning, ImportJobEvent.Level.WARNING)
    letters = {c.label: column_letter(i) for i, (c, _) in columns.items()}
    _validate_table(
        job, columns, table.rows, header_row=table.header_row, estimate=table.estimated_rows, letters=letters
    )


def validate_rows(job: ImportJob, columns: dict[int, tuple[Column, int]], rows) -> str:
    """The dry run of rows that did not come from a file (the REST API's batch upsert, issue 10).

    ``rows`` are ``(number, cells)`` with cells indexed like ``columns``; a cell may be ``ABSENT`` (keep
    the stored value). Validation, staging and counts are exactly those of a file's dry run; the caller
    then runs ``commit_job`` as for a file. Error keys are the columns' labels (no spreadsheet letters)."""
    if not transition(job, {S.UPLOADED, S.VALIDATING, S.VALIDATED}, S.VALIDATING, started_at=timezone.now()):
        return job.status
    job.rows.all().delete()
    rows = list(rows)
    try:
        _validate_table(job, columns, rows, header_row=0, estimate=len(rows), letters={})
    except Exception as exc:  # same guarantee as validate_job: never stuck, always a message
        logger.exception("import job %s validation crashed", job.pk)
        fail(job, f"校验时发生系统错误（{type(exc).__name__}: {exc}）；请联系管理员，数据未导入。")
    return job.status


def _validate_table(job: ImportJob, columns, rows, *, header_row: int, estimate: int, letters: dict) -> None:
    model = job.record_model
    name = job.original_name
    validator = Validator(model, job.user, columns)
    counts = {"new": 0, "update": 0, "unchanged": 0, "invalid": 0}
    totals = _Totals(validator)
    staged: list[ImportRow] = []
    estimate = max(estimate, 1)
    total = 0
    by_attname = {c.attname: c for c in columns_for(model)}
    for number, cells in rows:
        total += 1
        result = validator.validate(number, cells)
        action = result["action"]
        counts[action] += 1
        if action == "unchanged":
            totals.add(result, None)
        elif action == ImportRow.Action.INVALID:
            errors = {
                f"{letters.get(label, '')}列“{label}”" if label in letters else label: msg
                for label, msg in result["errors"].items()
            }
            staged.append((number, action, {}, errors, {}, {}, None))
        else:
            values = {
                k: (v if k == SCOPE_KEY else by_attname[k].json_value(v)) for k, v in result["values"].items()
            }
            totals.add(result, result["current"])
            staged.append((number, action, values, {}, result["diff"], result["before"], result["pk"]))
        if len(staged) >= CHUNK:
            _stage(job.pk, staged)
            staged = []
        if total % CHUNK == 0:
            if ImportJob.objects.filter(pk=job.pk, status=S.CANCELLED).exists():
                log(job, "已取消。")
                return
            ImportJob.objects.filter(pk=job.pk).update(progress=min(99, total * 100 // estimate))
    _stage(job.pk, staged)
    job.total_rows = total
    job.new_count, job.updated_count = counts["new"], counts["update"]
    job.unchanged_count, job.invalid_count = counts["unchanged"], counts["invalid"]
    job.header_row = header_row
    job.control_totals = totals.result()
    job.progress = 100
    job.finished_at = timezone.now()
    job.status = S.VALIDATED
    if total == 0:
        job.status = S.FAILED
        job.error_text = f"文件“{name}”在表头（第 {header_row} 行）下面没有数据行。"
    job.save()
    summary = (
        f"校验完成：共 {total} 行，新增 {counts['new']}，修改 {counts['update']}，"
        f"未变化 {counts['unchanged']}，"
        f"有错误 {counts['invalid']}。"
    )
    log(job, summary, ImportJobEvent.Level.WARNING if counts["invalid"] else ImportJobEvent.Level.INFO)
    if job.status == S.FAILED:
        log(job, job.error_text, ImportJobEvent.Level.ERROR)
    elif counts["invalid"] and job.policy == ImportJob.Policy.ALL_OR_NOTHING:
        log(
            job,
            "按“有任何错误则整个文件不导入”的设置，请下载错误清单，改正后重新上传。",
            ImportJobEvent.Level.WARNING,
        )


def _stage(job_id: int, rows: list[tuple]) -> None:
    """Write staging rows with one executemany (the ORM's per-object overhead dominated the dry run)."""
    if not rows:
        return
    from django.db import connection

    q = connection.ops.quote_name
    table = q(ImportRow._meta.db_table)
    cols = ", ".join(
        q(c) for c in ("job_id", "row_number", "action", "values", "errors", "diff", "before", "object_pk")
    )
    js = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    sql = f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, {js}, {js}, {js}, {js}, %s)"
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(job_id, n, a, dumps(v), dumps(e), dumps(d), dumps(b), pk) for n, a, v, e, d, b, pk in rows],
        )


def commit_job(job_id: int) -> str:
    """Apply the staged rows in chunks (one transaction for all-or-nothing).

    Resumable: every batch records, in its own transaction, which rows are now in the database
    (``commit_state``). If the worker dies mid-commit (killed, out of memory, machine restart), the job
    stays "committing" with a stale heartbeat; the next delivery of this task (django-q2 redelivers an
    unacknowledged task after ``Q_RETRY``) or the ``imports.resume_stalled`` schedule calls this function
    again, which takes the job over and continues after the last recorded row — no row is written twice
    and every written row stays undoable."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status == S.COMMITTING:
        if not _take_over(job):
            return job.status
    elif job.status != S.VALIDATED:
        return job.status
    elif job.policy == ImportJob.Policy.ALL_OR_NOTHING and job.invalid_count:
        fail(job, f"文件有 {job.invalid_count} 行错误，按“有任何错误则整个文件不导入”的设置未导入任何数据。")
        return job.status
    elif not transition(
        job,
        {S.VALIDATED},
        S.COMMITTING,
        progress=0,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        commit_state={},
    ):
        return job.status
    committer = _Committer(job)
    if committer.resumes > MAX_RESUMES:
        _finish_interrupted(job, committer, f"写入已中断 {committer.resumes} 次，不再自动继续")
        return job.status
    try:
        if job.policy == ImportJob.Policy.ALL_OR_NOTHING:
            with transaction.atomic():
                committer.run(strict=True)
        else:
            committer.run(strict=False)
    except Exception as exc:
        if isinstance(exc, _Abort):
            message = str(exc)
        else:
            logger.exception("import job %s commit crashed", job.pk)
            message = f"导入时发生系统错误（{type(exc).__name__}: {exc}）"
        if job.policy == ImportJob.Policy.VALID_ROWS and (committer.created or committer.updated):
            _finish_interrupted(job, committer, message)
        elif isinstance(exc, _Cancelled):
            log(job, "导入已取消，没有写入任何数据。", ImportJobEvent.Level.WARNING)
            job.refresh_from_db()
        else:
            fail(job, message + ("" if isinstance(exc, _Abort) else "；没有导入任何数据。"))
        return job.status
    job.refresh_from_db()
    job.created_ranges = committer.created_ranges
    job.new_count, job.updated_count = len(committer.created), committer.updated
    job.invalid_count += committer.failed
    job.control_totals = _after_totals(job)
    job.status = S.COMMITTED
    job.progress = 100
    job.finished_at = job.committed_at = timezone.now()
    job.save()
    log(
        job,
        f"导入完成：新增 {len(committer.created)} 条，修改 {committer.updated} 条"
        + (f"，导入时又发现 {committer.failed} 行错误（已跳过）" if committer.failed else "")
        + "。",
    )
    if committer.review_reset:
        log(
            job,
            f"{committer.review_reset} 条已审核的记录内容被修改，已退回为草稿，请重新提交审核。",
            ImportJobEvent.Level.WARNING,
        )
    return job.status


#: a committing job whose heartbeat is older than this is taken to have lost its worker
STALE_AFTER_SECONDS = 600
#: automatic resumptions before an interrupted commit is closed as it stands (still undoable)
MAX_RESUMES = 3


def stale_seconds() -> int:
    return int(getattr(settings, "IMPORT_STALE_SECONDS", STALE_AFTER_SECONDS))


def _take_over(job: ImportJob) -> bool:
    """Claim a committing job whose worker is gone (compare-and-set on the heartbeat, so two deliveries
    never both continue it; a live worker's batch transaction holds the job row and blocks the claim)."""
    now = timezone.now()
    if job.heartbeat_at and (now - job.heartbeat_at).total_seconds() < stale_seconds():
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, status=S.COMMITTING, heartbeat_at=job.heartbeat_at).update(
        heartbeat_at=now
    )
    if not claimed:
        return False
    job.refresh_from_db()
    state = dict(job.commit_state or {})
    state["resumes"] = state.get("resumes", 0) + 1
    ImportJob.objects.filter(pk=job.pk).update(commit_state=state)
    job.commit_state = state
    log(
        job,
        f"上次写入被中断（后台任务进程退出），从第 {state.get('through', 0)} 行之后继续导入"
        f"（第 {state['resumes']} 次继续）。",
        ImportJobEvent.Level.WARNING,
    )
    return True


def _finish_interrupted(job: ImportJob, committer: _Committer, message: str) -> None:
    """Batches already committed stay, and stay undoable: record them like a finished commit."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=S.COMMITTED,
        created_ranges=committer.created_ranges,
        new_count=len(committer.created),
        updated_count=committer.updated,
        error_text=f"{message}；已写入新增 {len(committer.created)} 条、修改 {committer.updated} 条，"
        "可用“撤销本次导入”恢复。",
        progress=100,
        finished_at=timezone.now(),
        committed_at=timezone.now(),
    )
    log(job, f"导入中断：{message}；已写入的部分可撤销。", ImportJobEvent.Level.ERROR)
    job.refresh_from_db()
