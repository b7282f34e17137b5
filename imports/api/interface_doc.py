"""The interface standard (接口标准, issue 10 item 4): a Chinese Markdown document generated from the same
registry and record-type specs as the API, the admin and the Excel templates, so that a vendor can build
against it. ``manage.py api_interface_doc`` writes ``docs/api/接口标准.md``; ``--check`` fails when the
committed copy is stale.

Per record type: Chinese name, ``app_label.model_name``, natural key (and its flattened parts), and every
field of ``imports.resources.columns_for`` (the import template's columns) with its wire type, whether it is
required, length or decimal places, choice codes and labels, which type an FK refers to by which key, and
whether it is personal data. The error-code table is ``errors.ERROR_CODES``; the bank-push field table is
``bankpush.PUSH_FIELDS``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from backoffice.funds.models import BankTransaction

from ..natural_keys import _unique_alternatives, key_paths
from ..resources import Column, columns_for, spec_hash
from . import interface_doc_text as text
from .bankpush import PUSH_FIELDS, field_label
from .errors import ERROR_CODES
from .models import ApiClient
from .registry import is_writable, label_of, record_types
from .signing import window_seconds

DOC_PATH = Path("docs") / "api" / "接口标准.md"
WIRE_TYPES = {
    "char": "字符串",
    "text": "字符串（长文本）",
    "int": "整数",
    "decimal": "十进制字符串",
    "date": "日期 YYYY-MM-DD",
    "datetime": "日期时间 ISO 8601",
    "time": "时间 HH:MM:SS",
    "bool": "布尔值",
    "choice": "代码",
    "fk": "业务编码（引用）",
    "sensitive": "字符串（个人信息）",
}
PUSH_TYPES = {
    "bank_serial": "字符串",
    "txn_date": "日期 YYYY-MM-DD",
    "txn_time": "时间 HH:MM:SS",
    "value_date": "日期 YYYY-MM-DD",
    "direction": "代码",
    "amount": "十进制字符串",
    "balance_after": "十进制字符串",
    "currency": "字符串",
}


def doc_path() -> Path:
    return Path(settings.BASE_DIR) / DOC_PATH


def _cell(value: str) -> str:
    """Markdown table cell: no pipes or line breaks from labels and help texts."""
    return str(value).replace("|", "\\|").replace("\n", " ").strip()


def path_label(model: type[models.Model], path: str) -> str:
    """``org__credit_code`` → ``集体经济组织·统一社会信用代码``; ``…_hash`` is named by its plain field."""
    labels = []
    current = model
    parts = path.split("__")
    for index, part in enumerate(parts):
        name = part
        if index == len(parts) - 1 and part.endswith("_hash"):
            plain = part[: -len("_hash")]
            if any(f.name == plain for f in current._meta.get_fields()):
                name = plain
        f = current._meta.get_field(name)
        labels.append(str(getattr(f, "verbose_name", name)))
        if f.is_relation and f.related_model is not None:
            current = f.related_model
    return "·".join(labels)


def key_description(model: type[models.Model]) -> list[str]:
    """The natural key's alternatives, each as its flattened parts in Chinese joined by `` | ``."""
    return [" | ".join(path_label(model, p) for p in alt) for alt in key_paths(model)]


def type_name(model: type[models.Model]) -> str:
    label = label_of(model)
    known = record_types()
    suffix = "" if label in known else "，不是接口记录类型，只能在后台维护"
    return f"{model._meta.verbose_name}（`{label}`{suffix}）"


def _length(col: Column) -> str:
    f = col.field
    if col.kind == "decimal":
        digits = getattr(f, "max_digits", None)
        return f"{col.places} 位小数" + (f"，共 {digits} 位" if digits else "")
    if col.kind == "char" and f.max_length:
        return f"≤ {f.max_length}"
    return ""


def _notes(col: Column) -> str:
    notes = []
    if col.in_key:
        notes.append("业务编码组成部分")
    if col.kind == "choice":
        notes.append("可选：" + "；".join(f"`{code}` {label}" for code, label in col.labels.items()))
    if col.kind == "fk":
        related = col.related
        keys = "；或 ".join(key_description(related))
        notes.append(f"引用{type_name(related)}，按其业务编码：{keys}")
    if col.kind == "sensitive":
        notes.append("个人信息：加密保存，默认脱敏返回；写入脱敏值表示不修改")
    if col.unit:
        notes.append(col.unit)
    help_text = str(col.field.help_text or "")
    if help_text and help_text != col.unit:
        notes.append(help_text)
    return "；".join(_cell(n) for n in notes)


def record_section(number: str, model: type[models.Model]) -> str:
    label = label_of(model)
    lines = [f"### {number} {model._meta.verbose_name}（`{label}`）", ""]
    writes = "、`batch/`（批量写入）" if is_writable(model) else "；**只读**，不能通过接口写入"
    lines.append(f"- 接口地址：`/api/v1/records/{label}/`（列表）、`item/?key=`（单条）{writes}")
    natural = "、".join(f"`{name}` {path_label(model, name)}" for name in _unique_alternatives(model)[0])
    lines.append(f"- 业务编码字段：{natural}")
    alternatives = key_description(model)
    lines.append(f"- 业务编码组成（`key`，以 ` | ` 连接）：{alternatives[0]}")
    for alt in alternatives[1:]:
        lines.append(f"- 备选业务编码（上一种为空时使用）：{alt}")
    lines.append(f"- 字段规格版本：`{spec_hash(model)}`（与 Excel 导入模板的版本标记一致）")
    if model is BankTransaction:
        lines.append("- 银行实时推送流水请用第 7 节的银行流水推送接口（签名请求，按账号推送，幂等）")
    lines += [
        "",
        "| 字段名 | 中文名 | 类型 | 必填 | 长度/小数位 | 说明 |",
        "|---|---|---|---|---|---|",
    ]
    for col in columns_for(model):
        lines.append(
            f"| `{col.name}` | {_cell(col.label)} | {WIRE_TYPES[col.kind]} | {'是' if col.required else ''} "
            f"| {_length(col)} | {_notes(col)} |"
        )
    lines += ["", "只读字段（查询时返回）：`key`、`region_code`" + _readonly_extra(model) + "。", ""]
    return "\n".join(lines)


def _readonly_extra(model: type[models.Model]) -> str:
    names = {f.name for f in model._meta.concrete_fields}
    return "".join(f"、`{n}`" for n in ("review_status", "updated_at") if n in names)


def bank_push_fields() -> str:
    lines = ["| 字段名 | 中文名 | 类型 | 必填 | 说明 |", "|---|---|---|---|---|"]
    for f in PUSH_FIELDS:
        lines.append(
            f"| `{f.name}` | {_cell(field_label(f.name))} | {PUSH_TYPES.get(f.name, '字符串')} "
            f"| {'是' if f.required else ''} | {_cell(f.note)} |"
        )
    return "\n".join(lines) + "\n"


def catalogue(types: dict[str, type[models.Model]]) -> str:
    lines = [
        "## 8. 记录类型目录",
        "",
        "| 章节 | 中文名称 | 记录类型 | 所属模块 | 业务编码组成 |",
        "|---|---|---|---|---|",
    ]
    for index, (label, model) in enumerate(types.items(), 1):
        module = apps.get_app_config(model._meta.app_label).verbose_name
        lines.append(
            f"| 9.{index} | {model._meta.verbose_name} | `{label}` | {_cell(module)} "
            f"| {_cell(key_description(model)[0])} |"
        )
    return "\n".join(lines) + "\n"


def build() -> str:
    """The whole document (deterministic: the same code and settings give the same bytes)."""
    from .views import RecordCursorPagination

    types = record_types()
    max_items = int(getattr(settings, "API_BATCH_MAX_ITEMS", 1000))
    window = window_seconds()
    fingerprint = hashlib.sha256(
        "".join(f"{label}@{spec_hash(m)}" for label, m in types.items()).encode()
    ).hexdigest()[:12]
    parts = [
        "# 农村集体“三资”管理监测平台 数据接口标准（v1）\n",
        "> 本文件由 `python manage.py api_interface_doc` 根据记录类型定义自动生成，请勿手工修改。"
        f"记录类型 {len(types)} 种，规格指纹 `{fingerprint}`。字段含义、必填、可选值与后台页面和 Excel "
        "导入模板一致；OpenAPI 接口描述见 `/api/v1/schema/`。\n",
        text.overview(
            page_size=RecordCursorPagination.page_size,
            max_page_size=RecordCursorPagination.max_page_size,
            max_items=max_items,
            grace_hours=int(getattr(settings, "API_TOKEN_ROTATION_GRACE_HOURS", 24)),
            kinds=list(ApiClient.Kind.choices),
        ),
        text.errors_intro()
        + "\n".join(f"| `{code}` | {_cell(meaning)} |" for code, meaning in ERROR_CODES.items())
        + "\n",
        text.bank_push(window=window, max_items=max_items) + bank_push_fields(),
        text.bank_push_example(window=window),
        catalogue(types),
        "## 9. 各记录类型的字段\n\n"
        "“必填”指新增记录时必须提供（业务编码字段任何时候都必须提供）；修改时没有出现的字段保持原值。"
        "“代码”类字段传输可选值的代码（写入时也接受中文名称）。\n",
    ]
    for index, model in enumerate(types.values(), 1):
        parts.append(record_section(f"9.{index}", model))
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)
