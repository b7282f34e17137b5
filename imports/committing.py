"""The chunked commit of a staged import: inserts by ``bulk_create``, single-statement updates, per-chunk
checkpoints that make a killed commit resumable (see ``engine.commit_job``)."""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from backoffice.core.models import AuditedModel
from backoffice.core.pii import SensitiveField, pii_hash

from .hooks import DRAFT_CHANGES, REVIEW_KEY, notify_rules, review_resets
from .models import ImportJob, ImportRow
from .resources import columns_for
from .validation import SCOPE_KEY

S = ImportJob.Status
CHUNK = 2000


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
