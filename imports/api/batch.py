"""Batch upsert through the import engine: one API batch = one staged ``ImportJob`` (channel "api"),
validated and committed synchronously, so validation messages, the review reset (approved → draft), the
rule triggers and the audit (staged rows with before values, undoable in the admin) are the file
import's own (issue 10 item 1).

Item fields are the model field names of ``columns_for(model)``; a field the item does not send keeps its
stored value (``engine.ABSENT``), ``null`` clears it. Items with problems the engine cannot see (unknown
field names, non-scalar values, unparseable timestamps) are staged as invalid rows here, so the batch
policy treats them like any other invalid item.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from backoffice.core.scope import scope_prefix
from backoffice.core.spec import get_spec

from .. import engine
from ..models import ImportJob, ImportJobEvent, ImportRow
from ..natural_keys import join_key
from ..reading import parse_decimal
from ..resources import Column, columns_for
from .errors import ERROR_CODES

S = ImportJob.Status
WHOLE_ROW = "整行"
#: labels the engine uses for problems that belong to no single column
_OTHER_LABELS = {"所属区划", "编码"}
_ROW_REF = re.compile(r"与第 (\d+) 行重复")


def safe_text(text: str) -> str:
    """Text that any database and the JSON response can hold (no NUL, no lone surrogates)."""
    return str(text).encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def item_key(model, item: dict) -> str:
    """The natural key of an item as sent (FK parts are the related records' own keys)."""
    parts = []
    for name in get_spec(model).natural_key:
        value = item.get(name[:-5] if name.endswith("_hash") else name)
        parts.append("" if value is None or isinstance(value, (dict, list)) else value)
    return safe_text(join_key(parts))


def _precheck(col: Column, value):
    """An API value made ready for ``Column.convert``; raises ValueError (Chinese) for what the file path
    never sees: nested JSON, broken unicode, NUL characters, ISO timestamps, absurd exponents."""
    if isinstance(value, (dict, list)):
        raise ValueError("应为单个值（文本、数字、布尔值或 null），不能是对象或数组")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("包含无法识别的字符（无效的 Unicode）") from None
        if "\x00" in value:
            raise ValueError("包含不允许的控制字符")
    if value is None or value == "":
        return value
    if col.kind in ("decimal", "int") and not isinstance(value, bool):
        try:
            number = parse_decimal(value)
        except ValueError:
            raise
        except Exception:
            raise ValueError(f"“{value}”不是有效的数字或金额") from None
        if abs(number.adjusted()) > 30:
            raise ValueError(f"“{value}”超出允许的数值范围")
        return number if isinstance(value, float) else value
    if col.kind == "datetime" and isinstance(value, str) and ("T" in value or ":" in value):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValueError(f"“{value}”不是有效的日期时间，请写成 2024-03-01T08:30:00+08:00")
        return parsed
    if col.kind in ("date", "datetime", "time") and isinstance(value, bool):
        raise ValueError(f"“{value}”不是有效的日期或时间")
    return value


def error_code(label: str, message: str) -> str:
    """The stable code of an engine message (the message itself stays the file import's Chinese text)."""
    if message == "必填，不能为空":
        return "required"
    if "不在您的管辖范围内" in message or "不在客户端的数据范围内" in message:
        return "out_of_scope"
    if message.startswith("找不到") or "对应多条" in message:
        return "unknown_reference"
    if "不是可选值" in message:
        return "invalid_choice"
    if "字段不存在" in message:
        return "unknown_field"
    if "同一条记录出现了两次" in message:
        return "duplicate_in_batch"
    if label == WHOLE_ROW or "数据规则" in message or "数据库拒绝" in message:
        return "rule_violation"
    return "invalid_value"


def item_errors(model, errors: dict) -> list[dict]:
    """Engine errors ``{label: message}`` as API entries ``{field, label, code, message}``."""
    by_label = {c.label: c.name for c in columns_for(model)}
    out = []
    for label, message in errors.items():
        message = _ROW_REF.sub(lambda m: f"与第 {int(m.group(1)) - 1} 项（index）重复", str(message))
        field = by_label.get(label) or ("__all__" if label == WHOLE_ROW or label in _OTHER_LABELS else label)
        out.append(
            {
                "field": field,
                "label": label,
                "code": error_code(label, message),
                "message": message,
            }
        )
    return out


def api_batch_upsert(
    *, client, model, items: list, policy: str, raw_body: bytes = b"", dry_run: bool = False
) -> dict:
    """Create or update ``items`` of ``model`` by natural key for ``client``; returns the response body.

    Synchronous (≤ settings.API_BATCH_MAX_ITEMS items): dry run and commit of one import job owned by the
    client's service user. Sending the same batch twice leaves the second job with every item unchanged.
    ``dry_run``: validate only and answer what would happen (``would_create`` / ``would_update``); the job
    is then cancelled and nothing is written."""
    user = client.service_user
    cols = columns_for(model)
    by_name = {c.name: c for c in cols}
    sent = set()
    for item in items:
        if isinstance(item, dict):
            sent.update(k for k in item if k in by_name)
    used = [c for c in cols if c.name in sent or c.required]
    columns = {i: (c, 1) for i, c in enumerate(used)}
    prefix = scope_prefix(user)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    job = ImportJob(
        original_name=f"接口批次-{client.code}-{stamp}.json",
        model_label=model._meta.label,
        user=user,
        scope_code=prefix if isinstance(prefix, str) else "",
        policy=policy,
        channel="api",
    )
    job.file.save(f"api-{client.code}-{stamp}.json", ContentFile(raw_body or _dump(items)), save=False)
    job.save()
    verb = "试算（只校验，不写入）" if dry_run else "同步校验并导入"
    engine.log(job, f"接口客户端“{client.name}”（{client.code}）提交 {len(items)} 条，{verb}。")

    early: dict[int, dict] = {}  # row number → {label: message}, staged as invalid after the dry run
    rows = []
    for index, item in enumerate(items):
        number = index + 1
        problems: dict[str, str] = {}
        if not isinstance(item, dict):
            early[number] = {WHOLE_ROW: "每一项应为一个对象（字段名 → 值）"}
            continue
        for name in item:
            if name not in by_name:
                problems[safe_text(name)[:60]] = "字段不存在（字段名为英文，见接口文档）"
        cells = []
        for col in used:
            if col.name not in item:
                cells.append(engine.ABSENT)
                continue
            try:
                cells.append(_precheck(col, item[col.name]))
            except ValueError as exc:
                problems[col.label] = str(exc)
                cells.append(engine.ABSENT)
        if problems:
            early[number] = problems
        else:
            rows.append((number, cells))

    if rows:
        status = engine.validate_rows(job, columns, rows)
    else:  # every item already failed the checks above: nothing for the engine to validate
        ImportJob.objects.filter(pk=job.pk).update(
            status=S.VALIDATED, progress=100, finished_at=timezone.now()
        )
        status = S.VALIDATED
    if early and status == S.VALIDATED:
        ImportRow.objects.bulk_create(
            ImportRow(job=job, row_number=n, action=ImportRow.Action.INVALID, errors=e)
            for n, e in early.items()
        )
        job.refresh_from_db()
        job.total_rows += len(early)
        job.invalid_count += len(early)
        job.save(update_fields=["total_rows", "invalid_count"])
        engine.log(job, f"另有 {len(early)} 条字段名或取值格式不正确。", ImportJobEvent.Level.WARNING)
    if status == S.VALIDATED and dry_run:
        engine.cancel_job(job)
        engine.log(job, "试算完成，未写入任何数据。")
        job.refresh_from_db()
        return _result(job, model, items, dry_run=True)
    if status == S.VALIDATED:
        if job.new_count or job.updated_count or job.invalid_count:
            status = engine.commit_job(job.pk)
        else:  # nothing to write: close the job without touching any record
            ImportJob.objects.filter(pk=job.pk).update(
                status=S.COMMITTED, committed_at=timezone.now(), progress=100
            )
            engine.log(job, "全部条目与现有数据一致，未写入任何数据。")
            status = S.COMMITTED
    job.refresh_from_db()
    if status not in (S.COMMITTED, S.FAILED):
        raise RuntimeError(f"api batch job {job.pk} ended in status {status}")
    refused = job.policy == ImportJob.Policy.ALL_OR_NOTHING and job.invalid_count
    if status == S.FAILED and not refused and (job.total_rows == 0 or "系统错误" in job.error_text):
        raise RuntimeError(f"api batch job {job.pk} failed: {job.error_text}")
    return _result(job, model, items)


def _result(job: ImportJob, model, items: list, *, dry_run: bool = False) -> dict:
    staged = {
        n: (action, errors)
        for n, action, errors in job.rows.values_list("row_number", "action", "errors").iterator()
    }
    committed = job.status == S.COMMITTED
    through = (job.commit_state or {}).get("through")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "invalid": 0, "not_written": 0}
    if dry_run:
        counts = {"would_create": 0, "would_update": 0, "unchanged": 0, "invalid": 0}
    out = []
    for index, item in enumerate(items):
        number = index + 1
        action, errors = staged.get(number, ("unchanged", {}))
        entry_errors: list[dict] = []
        if action == ImportRow.Action.INVALID:
            status = "invalid"
            entry_errors = item_errors(model, errors)
        elif action == "unchanged":
            status = "unchanged"
        elif dry_run:
            status = "would_create" if action == ImportRow.Action.NEW else "would_update"
        elif committed and (through is None or number <= through):
            status = "created" if action == ImportRow.Action.NEW else "updated"
        else:
            status = "not_written"
            message = ERROR_CODES["not_written"]
            if job.error_text and not job.invalid_count:
                message = job.error_text
            entry_errors = [
                {"field": "__all__", "label": WHOLE_ROW, "code": "not_written", "message": message}
            ]
        counts[status] += 1
        out.append(
            {
                "index": index,
                "key": item_key(model, item) if isinstance(item, dict) else "",
                "status": status,
                "errors": entry_errors,
            }
        )
    result = {"batch": job.pk, "policy": job.policy, "counts": counts, "items": out}
    if dry_run:
        result["dry_run"] = True
    return result


def _dump(items) -> bytes:
    def default(value):
        if isinstance(value, (Decimal, dt.date, dt.datetime, dt.time)):
            return str(value)
        return repr(value)

    return json.dumps(items, ensure_ascii=False, default=default).encode()
