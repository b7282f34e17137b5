"""Per-record-type serializers generated from ``columns_for(model)`` (the import columns), used to
render records and to describe them in the OpenAPI schema. Batch items are validated by the import
engine, not here, so that an item gets exactly the file import's messages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from django.utils import timezone
from rest_framework import serializers

from backoffice.core.pii import mask

from ..resources import Column, columns_for
from .registry import label_of


def _help(col: Column) -> str:
    parts = [col.label]
    if col.kind == "fk":
        parts.append(f"引用{col.related._meta.verbose_name}的业务编码（多段以“ | ”连接）")
    elif col.kind == "choice":
        parts.append("填写代码（也接受中文名称）")
    elif col.kind == "sensitive":
        parts.append("个人信息，默认脱敏显示；写入带 * 的脱敏值表示不修改")
    if col.unit:
        parts.append(col.unit)
    if col.in_key:
        parts.append("业务编码的一部分")
    return "；".join(parts)


def _field(col: Column, *, for_input: bool) -> serializers.Field:
    f = col.field
    common = {
        "help_text": _help(col),
        "label": col.label,
        "required": for_input and col.in_key,
        "allow_null": not col.in_key,
    }
    if col.kind in ("char", "text", "sensitive", "fk"):
        max_length = f.max_length if col.kind in ("char",) else None
        return serializers.CharField(allow_blank=not col.in_key, max_length=max_length, **common)
    if col.kind == "decimal":
        digits = getattr(f, "max_digits", None) or 30
        return serializers.DecimalField(max_digits=digits, decimal_places=col.places or 0, **common)
    if col.kind == "int":
        return serializers.IntegerField(**common)
    if col.kind == "date":
        return serializers.DateField(**common)
    if col.kind == "datetime":
        return serializers.DateTimeField(**common)
    if col.kind == "time":
        return serializers.TimeField(**common)
    if col.kind == "bool":
        common["allow_null"] = False
        return serializers.BooleanField(**common)
    if col.kind == "choice":
        return serializers.ChoiceField(choices=list(col.labels.items()), **common)
    return serializers.CharField(**common)


def _name(model) -> str:
    return "".join(p.title() for p in label_of(model).split("."))


@cache
def record_serializer(model) -> type[serializers.Serializer]:
    """A record as the API returns it: ``key``, the import columns, and read-only bookkeeping."""
    attrs = {c.name: _field(c, for_input=False) for c in columns_for(model)}
    attrs["key"] = serializers.CharField(help_text="业务编码（自然键），多段以“ | ”连接", read_only=True)
    field_names = {f.name for f in model._meta.concrete_fields}
    if "review_status" in field_names:
        attrs["review_status"] = serializers.CharField(help_text="审核状态", read_only=True)
    if "updated_at" in field_names:
        attrs["updated_at"] = serializers.DateTimeField(help_text="最后修改时间", read_only=True)
    attrs["region_code"] = serializers.CharField(help_text="所属区划代码", read_only=True)
    attrs["Meta"] = type("Meta", (), {"ref_name": _name(model)})
    return type(f"{_name(model)}Record", (serializers.Serializer,), attrs)


@cache
def item_serializer(model) -> type[serializers.Serializer]:
    """One batch item: the import columns by field name (the key fields required)."""
    attrs = {c.name: _field(c, for_input=True) for c in columns_for(model)}
    return type(f"{_name(model)}Item", (serializers.Serializer,), attrs)


@cache
def batch_serializer(model) -> type[serializers.Serializer]:
    attrs = {
        "policy": serializers.ChoiceField(
            choices=[("valid_rows", "只写入正确的条目"), ("all_or_nothing", "有任何错误则整批不写入")],
            default="all_or_nothing",
            help_text="错误处理策略",
        ),
        "dry_run": serializers.BooleanField(
            default=False, help_text="试算：只校验，回答将新增/将修改哪些条目，不写入任何数据"
        ),
        "items": serializers.ListField(child=item_serializer(model)(), max_length=1000, help_text="条目"),
    }
    return type(f"{_name(model)}Batch", (serializers.Serializer,), attrs)


class ItemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段名（整条记录的问题为 __all__）")
    label = serializers.CharField(help_text="中文字段名")
    code = serializers.CharField(help_text="错误代码（见错误代码表）")
    message = serializers.CharField(help_text="中文说明")


class ItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="条目在 items 中的序号（从 0 开始）")
    key = serializers.CharField(help_text="业务编码")
    status = serializers.ChoiceField(
        choices=[
            ("created", "新增"),
            ("updated", "修改"),
            ("unchanged", "未变化"),
            ("invalid", "有错误"),
            ("not_written", "未写入"),
            ("would_create", "试算：将新增"),
            ("would_update", "试算：将修改"),
        ]
    )
    errors = ItemErrorSerializer(many=True)


class CountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(required=False, help_text="试算时没有")
    updated = serializers.IntegerField(required=False, help_text="试算时没有")
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField()
    not_written = serializers.IntegerField(required=False, help_text="试算时没有")
    would_create = serializers.IntegerField(required=False, help_text="只在试算时")
    would_update = serializers.IntegerField(required=False, help_text="只在试算时")


class BatchResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text="导入批次编号（后台“导入任务”中可查看和撤销）")
    policy = serializers.CharField()
    dry_run = serializers.BooleanField(required=False, help_text="试算时为 true（批次已取消，未写入）")
    counts = CountsSerializer()
    items = ItemResultSerializer(many=True)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def render_value(col: Column, value, keys: dict, *, reveal: bool):
    """A stored value in the API's wire format (codes, decimal strings, ISO dates, masked personal data)."""
    if value is None:
        return None
    if col.kind == "fk":
        return keys.get(value, str(value))
    if col.kind == "sensitive":
        return value if reveal or not value else mask(value, col.field.kind)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return iso_moment(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def iso_moment(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the local offset (Asia/Shanghai), e.g. ``2024-03-01T08:30:00+08:00``."""
    if value is None:
        return None
    return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
