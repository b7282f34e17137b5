"""The staged import engine: dry run → preview → chunked commit → rollback (issue 4 item 3).

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

import datetime as dt
import io
import json
import logging
import operator
from collections import defaultdict
from decimal import Decimal
from typing import Any, NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Sum
from django.db.models.base import ModelState
from django.utils import timezone

from backoffice.core.models import AuditedModel
from backoffice.core.pii import SensitiveField, mask, pii_hash
from backoffice.core.scope import code_in_scope, is_scoped_model, scope_prefix
from backoffice.core.spec import get_spec

from .hooks import DRAFT_CHANGES, REVIEW_KEY, notify_rules, restore_review, review_resets
from .models import ImportJob, ImportJobEvent, ImportRow
from .reading import ReadError, column_letter, read_stamp, read_table
from .resources import Column, FkResolver, Masked, Required, columns_for, header_index, version_stamp

logger = logging.getLogger(__name__)
CHUNK = 2000
SCOPE_KEY = "__scope__"
AMBIGUOUS_KEY = ("__ambiguous__",)
S = ImportJob.Status


class _Absent:
    """A cell the source did not send at all (an API item without that field): the stored value is kept,
    and a required field is only demanded of a new record. A file always sends every column it has."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


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


def log(job: ImportJob, message: str, level: str = ImportJobEvent.Level.INFO) -> None:
    ImportJobEvent.objects.create(job=job, message=message, level=level)


def _transition(job: ImportJob, source: set[str], target: str, **extra) -> bool:
    done = ImportJob.objects.filter(pk=job.pk, status__in=source).update(status=target, **extra)
    if done:
        job.refresh_from_db()
    return bool(done)


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=S.FAILED, error_text=message, finished_at=timezone.now()
    )
    log(job, message, ImportJobEvent.Level.ERROR)
    job.refresh_from_db()


# ---- scope code of a row --------------------------------------------------------------------------------
def _scope_source(model: type[models.Model]) -> Column | None:
    """The column whose value decides the row's region (org, else region)."""
    cols = {c.name: c for c in columns_for(model)}
    for name in ("org", "region"):
        if name in cols and cols[name].kind == "fk" and is_scoped_model(cols[name].related):
            return cols[name]
    return cols.get(model.scope_field)


# ---- Python evaluation of simple check constraints ------------------------------------------------------
_OPS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class _Unknown(Exception):
    pass


def _operand(instance, value):
    if isinstance(value, F):
        if "__" in value.name:
            raise _Unknown
        return getattr(instance, instance._meta.get_field(value.name).attname)
    if hasattr(value, "resolve_expression"):
        raise _Unknown
    return value


def _eval_q(q: Q, instance) -> bool:
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(_eval_q(child, instance))
            continue
        lookup, expected = child
        name, _, op = lookup.partition("__")
        op = op or "exact"
        try:
            field = instance._meta.get_field(name)
        except Exception as exc:
            raise _Unknown from exc
        actual = getattr(instance, field.attname)
        expected = _operand(instance, expected)
        if op == "isnull":
            results.append((actual is None) == bool(expected))
        elif op == "in":
            results.append(actual in expected)
        elif op in _OPS:
            if actual is None or expected is None:
                results.append(op == "exact" and actual is expected)  # SQL: NULL comparisons are unknown
                if op != "exact":
                    return True  # a CHECK with NULL passes in SQL
            else:
                try:
                    results.append(_OPS[op](actual, expected))
                except TypeError as exc:
                    raise _Unknown from exc
        else:
            raise _Unknown
    value = all(results) if q.connector == Q.AND else any(results)
    return not value if q.negated else value


def _check_constraints(instance) -> list[str]:
    problems = []
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        try:
            ok = _eval_q(constraint.condition, instance)
        except _Unknown:
            continue
        if not ok:
            message = constraint.violation_error_message
            default = models.BaseConstraint.default_violation_error_message
            if not message or str(message) == str(default):
                message = f"不满足数据规则“{constraint.name}”"
            else:
                message = str(message) % {"name": constraint.name}
            problems.append(message)
    return problems


# ---- the validator --------------------------------------------------------------------------------------
class Validator:
    """Validates the rows of one file against the database state and the user's scope."""

    def __init__(self, model: type[models.Model], user, columns: dict[int, tuple[Column, int]]):
        self.model = model
        self.user = user
        self.columns = columns  # file column index → (Column, scale)
        self.present = {c.name for c, _ in columns.values()}
        self.by_name = {c.name: c for c in columns_for(model)}
        self.resolvers: dict[Any, FkResolver] = {}
        for col, _ in columns.values():
            if col.kind == "fk" and col.related not in self.resolvers:
                self.resolvers[col.related] = FkResolver(col.related, user=user)
        spec = get_spec(model)
        self.key_parts: list[tuple[str, Column | None, str]] = []  # (attname, column, hashed-from)
        for name in spec.natural_key:
            if name in self.by_name:
                self.key_parts.append((self.by_name[name].attname, self.by_name[name], ""))
            elif name.endswith("_hash") and name[:-5] in self.by_name:
                self.key_parts.append((name, None, name[:-5]))
            else:
                self.key_parts.append((model._meta.get_field(name).attname, None, ""))
        self.scope_column = _scope_source(model)
        self.all_cols = columns_for(model)
        self.attnames = {f.attname for f in model._meta.concrete_fields}
        self.blank = {k: v for k, v in model().__dict__.items() if k != "_state"}
        # what the preview shows of a new row: its key columns and the first few others
        self.preview_cols = [c for c in self.all_cols if c.in_key and c.name in self.present]
        self.preview_cols += [c for c in self.all_cols if not c.in_key and c.name in self.present][
            : max(0, 4 - len(self.preview_cols))
        ]
        self.money = [c for c in (self.by_name.get(n) for n in spec.money_fields) if c]
        self._load_existing()
        self.seen: dict[tuple, int] = {}

    def _load_existing(self) -> None:
        key_names = [k for k, _, _ in self.key_parts]
        col_names = {c.attname for c in self.all_cols}
        names = [c.attname for c in self.all_cols] + [
            f.attname
            for f in self.model._meta.concrete_fields
            if f.attname not in col_names and not f.primary_key and f.attname != self.model.scope_field
        ]
        scope_field = self.model.scope_field
        qs = self.model._default_manager.visible_to(self.user)
        self.existing: dict[tuple, tuple[int, dict]] = {}
        self.existing_masked: dict[tuple, Any] = {}
        hashed = [(i, self.by_name[h]) for i, (_, _, h) in enumerate(self.key_parts) if h]
        for row in qs.values_list("pk", *key_names, *names, scope_field).iterator(chunk_size=5000):
            key = tuple(_norm_key(v) for v in row[1 : 1 + len(key_names)])
            current = dict(zip([*names, SCOPE_KEY], row[1 + len(key_names) :], strict=True))
            self.existing[key] = (row[0], current)
            if hashed:
                masked = list(key)
                for i, col in hashed:
                    masked[i] = mask(current[col.attname] or "", col.field.kind)
                masked = tuple(masked)
                self.existing_masked[masked] = AMBIGUOUS_KEY if masked in self.existing_masked else key

    def validate(self, number: int, cells: list) -> dict:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        required_empty: list[Column] = []
        absent_required: list[Column] = []
        for index, (col, scale) in self.columns.items():
            raw = cells[index] if index < len(cells) else None
            if raw is ABSENT:
                if col.required:
                    absent_required.append(col)
                continue
            try:
                values[col.attname] = col.convert(raw, scale, self.resolvers.get(col.related))
            except Required as exc:
                if col.field.null:
                    values[col.attname] = None
                    required_empty.append(col)
                else:
                    errors[col.label] = str(exc)
            except ValueError as exc:
                errors[col.label] = str(exc)
        key = []
        masked_key = False
        for attname, _col, hashed_from in self.key_parts:
            if hashed_from:
                base = self.by_name[hashed_from]
                plain = values.get(base.attname)
                if isinstance(plain, Masked):
                    masked_key = True
                    key.append(plain.text)
                else:
                    key.append(pii_hash(plain, base.field.kind) if isinstance(plain, str) else None)
            else:
                key.append(_norm_key(values.get(attname)))
        key = tuple(key)
        if masked_key:
            found = self.existing_masked.get(key)
            if found is AMBIGUOUS_KEY:
                errors[self.by_name[next(h for _, _, h in self.key_parts if h)].label] = (
                    "脱敏号码对应多条记录，无法确定是哪一条；请填写完整号码"
                )
                key = (None,)
            else:
                key = found or key
        result = {
            "row_number": number,
            "values": values,
            "errors": errors,
            "diff": {},
            "before": {},
            "pk": None,
            "current": None,
        }
        existing = None
        if not all(k is None for k in key):
            if key in self.seen:
                label = next((c.label for _, c, _ in self.key_parts if c and c.label not in errors), "编码")
                errors[label] = f"与第 {self.seen[key]} 行重复（同一条记录出现了两次）；请删除其中一行"
            else:
                self.seen[key] = number
            existing = self.existing.get(key)
        # personal data masked in the file: unchanged (a new row needs the full value)
        for col in self.all_cols:
            if col.kind == "sensitive" and isinstance(values.get(col.attname), Masked):
                if existing is None:
                    errors.setdefault(col.label, "新增记录必须填写完整号码（不能是带 * 的脱敏号码）")
                else:
                    values[col.attname] = existing[1][col.attname]
        for col in required_empty:  # empty required cell: only tolerated where the stored row is empty too
            if existing is None or existing[1].get(col.attname) is not None:
                errors[col.label] = "必填，不能为空"
        if existing is None:
            for col in absent_required:
                errors.setdefault(col.label, "必填，不能为空")
        scope_code = self._scope_code(values, existing)
        if scope_code is not None and not errors and not code_in_scope(self.user, scope_code):
            label = self.scope_column.label if self.scope_column else "所属区划"
            errors[label] = f"该行属于区划 {scope_code}，不在您的管辖范围内；不能导入其他地区的数据"
        changed = existing is None or any(
            not _same(existing[1][c.attname], values[c.attname]) for c in self.all_cols if c.attname in values
        )
        if not errors and changed:
            self._model_checks(values, existing, errors)
        if errors:
            result["action"] = ImportRow.Action.INVALID
            return result
        values[SCOPE_KEY] = scope_code
        if existing is None:
            result["action"] = ImportRow.Action.NEW
            result["diff"] = {
                c.name: ["", c.display(values[c.attname], self.resolvers.get(c.related))]
                for c in self.preview_cols
                if c.attname in values
            }
            return result
        pk, current = existing
        result["pk"] = pk
        result["current"] = current
        diff = {}
        for col in self.all_cols:
            if col.attname not in values:
                continue
            old, new = current[col.attname], values[col.attname]
            if _same(old, new):
                continue
            resolver = self.resolvers.get(col.related)
            diff[col.name] = [col.display(old, resolver), col.display(new, resolver)]
            result["before"][col.attname] = col.json_value(old)
        result["diff"] = diff
        if scope_code != current.get(SCOPE_KEY, scope_code):
            result["before"][SCOPE_KEY] = current.get(SCOPE_KEY)
        result["action"] = ImportRow.Action.UPDATE if diff else "unchanged"
        return result

    def _scope_code(self, values: dict, existing) -> str | None:
        col = self.scope_column
        if col is None:
            return None
        value = values.get(col.attname)
        if value is None and existing is not None:
            value = existing[1].get(col.attname)
        if value is None:
            return None
        if col.kind == "fk":
            return (
                self.resolvers[col.related].scope_code.get(value) if col.related in self.resolvers else None
            )
        return str(value)

    def _model_checks(self, values: dict, existing, errors: dict) -> None:
        # a copy of one default instance with the row's values: much cheaper than Model(**values) per row
        instance = self.model.__new__(self.model)
        state = ModelState()
        instance.__dict__.update(self.blank)
        instance._state = state
        attnames = self.attnames
        if existing:
            instance.__dict__.update((k, v) for k, v in existing[1].items() if k in attnames)
            instance.pk = existing[0]
            state.adding = False
        instance.__dict__.update(
            (k, v) for k, v in values.items() if k in attnames and not isinstance(v, Masked)
        )
        try:
            instance.clean()
        except ValidationError as exc:
            mapping = getattr(exc, "message_dict", None) or {"__all__": exc.messages}
            for name, messages in mapping.items():
                col = self.by_name.get(name)
                label = col.label if col else "整行"
                errors[label] = "；".join(str(m) for m in messages)
        except Exception as exc:  # a model clean() that needs something the row lacks
            errors["整行"] = f"数据校验失败：{exc}"
        if not errors:
            for message in _check_constraints(instance):
                errors["整行"] = message


def _norm_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _same(old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        # xlsx keeps milliseconds: a stored 05:50:43.268974 comes back as .269000
        try:
            return abs(old - new) < dt.timedelta(milliseconds=1)
        except TypeError:  # naive vs aware
            return False
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return Decimal(old) == Decimal(new)
        except Exception:
            return False
    return old == new


# ---- dry run --------------------------------------------------------------------------------------------
def validate_job(job_id: int) -> str:
    """The dry run: read, validate every row, stage new/changed/invalid rows, count, control totals."""
    job = ImportJob.objects.get(pk=job_id)
    if not _transition(job, {S.UPLOADED, S.VALIDATING, S.VALIDATED}, S.VALIDATING, started_at=timezone.now()):
        return job.status
    job.rows.all().delete()
    try:
        _validate(job)
    except Exception as exc:  # never leave a job stuck in "validating" without a message
        logger.exception("import job %s validation crashed", job.pk)
        _fail(job, f"校验时发生系统错误（{type(exc).__name__}: {exc}）；请联系管理员，文件未导入。")
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
            _fail(
                job,
                f"文件“{name}”是“{_verbose_of(label)}”的导入模板，不是“{model._meta.verbose_name}”的；"
                f"请下载“{model._meta.verbose_name}”的模板重新填写。",
            )
        else:
            _fail(
                job,
                f"文件“{name}”使用的是旧版“{model._meta.verbose_name}”模板（列已调整）；"
                "请重新下载最新模板，把数据粘贴到新模板后上传。",
            )
        return
    try:
        table = read_table(data, name, known)
    except ReadError as exc:
        _fail(job, str(exc))
        return
    if table.unknown_headers:
        _fail(
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
        _fail(
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
    if not _transition(job, {S.UPLOADED, S.VALIDATING, S.VALIDATED}, S.VALIDATING, started_at=timezone.now()):
        return job.status
    job.rows.all().delete()
    rows = list(rows)
    try:
        _validate_table(job, columns, rows, header_row=0, estimate=len(rows), letters={})
    except Exception as exc:  # same guarantee as validate_job: never stuck, always a message
        logger.exception("import job %s validation crashed", job.pk)
        _fail(job, f"校验时发生系统错误（{type(exc).__name__}: {exc}）；请联系管理员，数据未导入。")
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


def _verbose_of(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class _Totals:
    """Σ of each money column per organisation: in the file, in the database before and after."""

    def __init__(self, validator: Validator):
        self.v = validator
        org = validator.by_name.get("org")
        self.org = org if org is not None and org.kind == "fk" else None
        self.file: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        self.delta: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def add(self, result: dict, old: dict | None) -> None:
        if not self.v.money:
            return
        values = result["values"]
        org = values.get(self.org.attname) if self.org else None
        for col in self.v.money:
            new = values.get(col.attname)
            if new is None or isinstance(new, Masked):
                continue
            self.file[org][col.name] += new
            if result["action"] == ImportRow.Action.NEW:
                self.delta[org][col.name] += new
            elif old is not None:
                self.delta[org][col.name] += new - (old.get(col.attname) or 0)

    def result(self) -> dict:
        if not self.v.money:
            return {}
        before = _db_totals(self.v.model, self.org, [c.name for c in self.v.money], list(self.file))
        resolver = self.v.resolvers.get(self.org.related) if self.org else None
        out = {}
        for org, sums in self.file.items():
            key = str(org)
            out[key] = {
                "label": _org_label(org, resolver),
                "fields": {
                    col.name: {
                        "label": col.label,
                        "file": str(sums[col.name]),
                        "before": str(before.get(org, {}).get(col.name, Decimal(0))),
                        "expected": str(
                            before.get(org, {}).get(col.name, Decimal(0)) + self.delta[org][col.name]
                        ),
                    }
                    for col in self.v.money
                },
            }
        return out


def _org_label(org, resolver) -> str:
    if org is None:
        return "全部"
    from backoffice.regions.models import CollectiveOrg

    name = CollectiveOrg.objects.filter(pk=org).values_list("name", flat=True).first() or ""
    return f"{name}（{resolver.key_of.get(org, org) if resolver else org}）"


def _db_totals(model, org_col: Column | None, names: list[str], orgs: list) -> dict:
    qs = model._default_manager.all()
    if org_col is None:
        sums = qs.aggregate(**{n: Sum(n) for n in names})
        return {None: {n: sums[n] or Decimal(0) for n in names}}
    out: dict = {}
    for start in range(0, len(orgs), 500):
        chunk = orgs[start : start + 500]
        rows = (
            qs.filter(**{f"{org_col.attname}__in": chunk})
            .values(org_col.attname)
            .annotate(**{f"s_{n}": Sum(n) for n in names})
        )
        for row in rows:
            out[row[org_col.attname]] = {n: row[f"s_{n}"] or Decimal(0) for n in names}
    return out


# ---- commit ---------------------------------------------------------------------------------------------
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
        _fail(job, f"文件有 {job.invalid_count} 行错误，按“有任何错误则整个文件不导入”的设置未导入任何数据。")
        return job.status
    elif not _transition(
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
            _fail(job, message + ("" if isinstance(exc, _Abort) else "；没有导入任何数据。"))
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


class _Abort(Exception):
    pass


class _Cancelled(_Abort):
    pass


class _Staged(NamedTuple):
    pk: int
    row_number: int
    action: str
    values: dict
    before: dict
    object_pk: int | None


class _Committer:
    def __init__(self, job: ImportJob):
        self.job = job
        self.model = job.record_model
        self.cols = {c.attname: c for c in columns_for(self.model)}
        # resume where a previous (killed) delivery stopped; all zero for a fresh commit
        state = job.commit_state or {}
        self.through = state.get("through", 0)
        self.created_ranges: list[list[int]] = [list(r) for r in state.get("created", [])]
        self.created: list[int] = [pk for low, high in self.created_ranges for pk in range(low, high + 1)]
        self.updated = state.get("updated", 0)
        self.failed = state.get("failed", 0)
        self.review_reset = state.get("reset", 0)
        self.resumes = state.get("resumes", 0)
        self.now = timezone.now()
        self.audited = issubclass(self.model, AuditedModel)
        self.total = max(job.new_count + job.updated_count, 1)
        from django.db import connection

        self.fast = connection.vendor == "sqlite" and self.model._meta.pk.get_internal_type() in (
            "AutoField",
            "BigAutoField",
        )
        template = self.model()
        fields = self.model._meta.concrete_fields
        self.callable_defaults = [
            (f.attname, f.default) for f in fields if f.has_default() and callable(f.default)
        ]
        callables = {a for a, _ in self.callable_defaults}
        self.blank = {
            f.attname: template.__dict__.get(f.attname) for f in fields if f.attname not in callables
        }

    def _values(self, row: _Staged) -> dict:
        return {k: self.cols[k].from_json(v) for k, v in row.values.items() if k in self.cols}

    def _instance(self, row: _Staged):
        obj = self.model.__new__(self.model)
        obj._state = ModelState()
        obj.__dict__.update(self.blank)
        for attname, make in self.callable_defaults:
            obj.__dict__[attname] = make()
        obj.__dict__.update(self._values(row))
        scope = row.values.get(SCOPE_KEY)
        if scope:
            setattr(obj, self.model.scope_field, scope)
        if self.audited:
            obj.created_by_id = obj.updated_by_id = self.job.user_id
        return obj

    def _fast_insert(self, objs: list) -> list[int] | None:
        """SQLite: one prepared INSERT run by executemany (Django's bulk_create composes SQL for every
        24-row batch — 60 % of the commit). Values are prepared exactly as bulk_create does
        (``pre_save`` for auto_now / personal-data hashes, then ``get_db_prep_save``). Inside the
        transaction the writer holds SQLite's lock, so the AUTOINCREMENT ids are the next n; checked."""
        from django.db import DEFAULT_DB_ALIAS, connections

        connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the thread-local proxy
        meta = self.model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        plain = (models.CharField, models.TextField, models.BooleanField, models.ForeignKey)
        # exact classes whose prepared value is the Python value itself (str, bool, int pk)
        passthrough = [type(f) in plain and not isinstance(f, SensitiveField) for f in fields]
        q = connection.ops.quote_name
        table = q(meta.db_table)
        pk = q(meta.pk.column)
        sql = (
            f"INSERT INTO {table} ({', '.join(q(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        pairs = list(zip(fields, passthrough, strict=True))
        params = [
            [
                (
                    v
                    if (fast and (v is None or type(v) in (str, bool, int)))
                    else f.get_db_prep_save(v, connection)
                )
                for f, fast in pairs
                for v in (f.pre_save(obj, True),)
            ]
            for obj in objs
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")
            start = cursor.fetchone()[0]
            seq = cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table]
            ).fetchone()
            start = max(start, seq[0] if seq else 0)
            cursor.executemany(sql, params)
            cursor.execute(f"SELECT COUNT(*), MIN({pk}), MAX({pk}) FROM {table} WHERE {pk} > %s", [start])
            count, low, high = cursor.fetchone()
        if (count, low, high) != (len(objs), start + 1, start + len(objs)):
            raise IntegrityError("新记录编号不连续，无法记录本批新增的记录")
        return list(range(start + 1, start + len(objs) + 1))

    def _update(self, row: _Staged, reset: dict | None = None) -> None:
        changes = {}
        values = row.values
        for attname in row.before:
            if attname in (SCOPE_KEY, REVIEW_KEY):
                continue
            col = self.cols[attname]
            value = col.from_json(values[attname])
            changes[attname] = value
            if col.kind == "sensitive":
                changes[col.field.hash_attname] = pii_hash(value, col.field.kind)
        if SCOPE_KEY in row.before and values.get(SCOPE_KEY):
            changes[self.model.scope_field] = values[SCOPE_KEY]
        if self.audited:
            changes["updated_at"] = self.now
            changes["updated_by_id"] = self.job.user_id
        if reset is not None:  # approved content changed: back to draft, the approval kept for rollback
            changes.update(DRAFT_CHANGES)
            ImportRow.objects.filter(pk=row.pk).update(before={**row.before, REVIEW_KEY: reset})
        if changes:
            self.model._default_manager.filter(pk=row.object_pk).update(**changes)

    def run(self, strict: bool) -> None:
        """Write the staged rows batch by batch, then queue the rules once for everything written.

        Batches are read by keyset (row number), not through one long-lived cursor: between batches the
        connection may be closed under us (django-q2's ORM broker calls ``close_old_connections`` when a
        task is queued in autocommit), and a resumed commit must start after the last recorded row."""
        pending = self.job.rows.exclude(action=ImportRow.Action.INVALID).order_by("row_number")
        fields = ("pk", "row_number", "action", "values", "before", "object_pk")
        done = len(self.created) + self.updated
        size = int(getattr(settings, "IMPORT_COMMIT_CHUNK", CHUNK))
        while True:
            chunk = [
                _Staged(*row)
                for row in pending.filter(row_number__gt=self.through).values_list(*fields)[:size]
            ]
            if not chunk:
                break
            self._chunk(chunk, strict)
            done += len(chunk)
            self._progress(done)
        # Rows written by an earlier, killed delivery are included: their evaluation died with it.
        updated = self.job.rows.filter(action=ImportRow.Action.UPDATE, row_number__lte=self.through)
        notify_rules(self.model, [*self.created, *updated.values_list("object_pk", flat=True)])

    def _progress(self, done: int) -> None:
        status = ImportJob.objects.filter(pk=self.job.pk).values_list("status", flat=True).first()
        if status == S.CANCELLED:
            raise _Cancelled("导入已被取消")
        ImportJob.objects.filter(pk=self.job.pk).update(progress=min(99, done * 100 // self.total))

    def _chunk(self, chunk: list[_Staged], strict: bool) -> None:
        try:
            with transaction.atomic():
                self._apply(chunk)
                self._checkpoint(chunk[-1].row_number)
        except IntegrityError as exc:
            if strict:
                raise _Abort(
                    f"数据库拒绝了这批数据（{exc}）；按“有任何错误则整个文件不导入”的设置，没有导入任何数据。"
                ) from exc
            for row in chunk:  # find the offending rows one by one
                try:
                    with transaction.atomic():
                        self._apply([row])
                        self._checkpoint(row.row_number)
                except IntegrityError as row_exc:
                    with transaction.atomic():
                        self.failed += 1
                        ImportRow.objects.filter(pk=row.pk).update(
                            action=ImportRow.Action.INVALID,
                            errors={"整行": f"数据库拒绝保存：{_integrity_message(row_exc)}"},
                        )
                        self._checkpoint(row.row_number)

    def _apply(self, chunk: list[_Staged]) -> list[int]:
        """Write one batch inside the caller's transaction (the rules are queued once, by ``run``)."""
        new = [r for r in chunk if r.action == ImportRow.Action.NEW]
        pks: list[int] = []
        if new:
            objs = [self._instance(r) for r in new]
            pks = self._fast_insert(objs) if self.fast else None
            if pks is None:
                objs = self.model._default_manager.bulk_create(objs)
                pks = [o.pk for o in objs]
            if any(pk is None for pk in pks):
                raise _Abort("数据库未返回新记录的编号，无法支持撤销；请联系管理员。")
        updates = [r for r in chunk if r.action == ImportRow.Action.UPDATE]
        resets = review_resets(self.model, self.job.user, [r.object_pk for r in updates]) if updates else {}
        for row in updates:
            self._update(row, resets.get(row.object_pk))
        # counted only once the whole batch is written (a failed batch is retried row by row)
        self.created.extend(pks)
        _extend_ranges(self.created_ranges, pks)
        self.updated += len(updates)
        self.review_reset += len(resets)
        written = [*pks, *(r.object_pk for r in updates)]
        return written

    def _checkpoint(self, through: int) -> None:
        """Record, in the batch's own transaction, that rows up to ``through`` are written."""
        self.through = through
        ImportJob.objects.filter(pk=self.job.pk).update(
            commit_state={
                "through": through,
                "created": self.created_ranges,
                "updated": self.updated,
                "reset": self.review_reset,
                "failed": self.failed,
                "resumes": self.resumes,
            },
            heartbeat_at=timezone.now(),
        )


def _extend_ranges(ranges: list[list[int]], pks: list[int]) -> None:
    """Add ``pks`` to sorted, merged ``ranges`` in place (cheap for the usual ascending new ids)."""
    if not pks:
        return
    ordered = sorted(pks)
    if ranges and ordered[0] <= ranges[-1][1]:  # out of order: merge the slow way
        ranges[:] = _ranges([pk for low, high in ranges for pk in range(low, high + 1)] + ordered)
        return
    for pk in ordered:
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])


def _integrity_message(exc: Exception) -> str:
    text = str(exc)
    if "UNIQUE" in text.upper():
        return "与已有记录重复（唯一性约束）"
    if "CHECK" in text.upper():
        return f"不满足数据规则（{text}）"
    return text


def _ranges(pks: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for pk in sorted(pks):
        if out and pk == out[-1][1] + 1:
            out[-1][1] = pk
        else:
            out.append([pk, pk])
    return out


def _after_totals(job: ImportJob) -> dict:
    totals = job.control_totals or {}
    if not totals:
        return totals
    model = job.record_model
    org_col = next((c for c in columns_for(model) if c.name == "org" and c.kind == "fk"), None)
    names = sorted({n for entry in totals.values() for n in entry["fields"]})
    orgs = [int(k) if k.isdigit() else k for k in totals if k != "None"]
    after = _db_totals(model, org_col, names, orgs) if org_col else _db_totals(model, None, names, [])
    for key, entry in totals.items():
        org = None if key == "None" else (int(key) if key.isdigit() else key)
        for name, field in entry["fields"].items():
            value = after.get(org, {}).get(name, Decimal(0))
            field["after"] = str(value)
            field["ok"] = Decimal(field["after"]) == Decimal(field["expected"])
    return totals


# ---- rollback -------------------------------------------------------------------------------------------
def rollback_job(job_id: int) -> str:
    """Undo a committed job: delete the rows it created, restore the rows it updated."""
    job = ImportJob.objects.get(pk=job_id)
    if not _transition(job, {S.COMMITTED}, S.ROLLING_BACK):
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
    done = _transition(
        job, {S.UPLOADED, S.VALIDATING, S.VALIDATED, S.COMMITTING}, S.CANCELLED, finished_at=timezone.now()
    )
    if done:
        log(job, "导入任务已取消。")
    return done


# ---- error workbook -------------------------------------------------------------------------------------
def error_workbook(job: ImportJob) -> bytes:
    """The original rows (below the header) plus a 错误说明 column; rows with errors are marked red."""
    import xlsxwriter

    if job.channel == "api":
        return _api_error_workbook(job)
    model = job.record_model
    with default_storage.open(job.file.name, "rb") as stream:
        data = stream.read()
    table = read_table(data, job.original_name, header_index(model))
    errors = dict(
        job.rows.filter(action=ImportRow.Action.INVALID).values_list("row_number", "errors").iterator()
    )
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("错误清单")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    red = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "text_wrap": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    headers = [h for h in table.raw_headers]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    for c, text in enumerate(headers):
        sheet.write_string(0, c, text, bold)
    sheet.write_string(0, width, "错误说明", bold)
    sheet.set_column(width, width, 60)
    sheet.freeze_panes(1, 0)
    r = 1
    for number, cells in table.rows:
        for c in range(width):
            value = cells[c] if c < len(cells) else None
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            elif hasattr(value, "year"):
                sheet.write_datetime(r, c, value, date_fmt)
            else:
                sheet.write_string(r, c, str(value))
        problem = errors.get(number)
        if problem:
            text = f"原第 {number} 行：" + "；".join(f"{k}：{v}" for k, v in problem.items())
            sheet.write_string(r, width, text, red)
        r += 1
    book.close()
    return out.getvalue()


def _api_error_workbook(job: ImportJob) -> bytes:
    """An API batch has no sheet to annotate: one line per invalid item (序号 from 0, as in the response)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("错误清单")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet.write_row(0, 0, ["条目序号（index）", "错误说明"], bold)
    sheet.set_column(1, 1, 80)
    rows = job.rows.filter(action=ImportRow.Action.INVALID).values_list("row_number", "errors")
    for r, (number, errors) in enumerate(rows.iterator(), start=1):
        sheet.write_number(r, 0, number - 1)
        sheet.write_string(r, 1, "；".join(f"{k}：{v}" for k, v in errors.items()))
    book.close()
    return out.getvalue()
