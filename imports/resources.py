"""Columns generated from each record type's spec (DESIGN.md §1.1, §5; issue 4 item 1).

One column per editable content field, headed by the field's Chinese ``verbose_name``:

- foreign keys are written and read by the related type's natural key (``Spec.natural_key``, flattened:
  a contract is ``<org credit code> | <contract no>``), never by database id; when the natural key of a row
  is empty (a village committee acting for an organisation has no credit code) the first unconditional
  unique constraint is used instead (``<region code> | <name>``); natural_keys.py (``FkResolver``: one
  query per related type, unknown keys reported by value, keys outside the user's scope reported as such);
- choices are written as their Chinese label and read by label or code;
- decimals are rounded to the field's places (ROUND_HALF_UP) — never float noise in the database;
- personal data (``SensitiveField``): exported in full only to users with ``core.reveal_sensitive`` (and the
  export is logged as such), otherwise masked (``140121********1234``); on import a masked value means
  "unchanged", so a masked export can be edited and re-imported without touching the personal data;
- text cells that start with ``= + - @`` are exported with a leading ``'`` (formula-injection guard); the
  guard is removed again on import, so the round trip is exact.

Export is exporting.py (``resource_for(model)``, the django-import-export ``ModelResource`` the admin
uses); the import engine (``engine.py``) uses ``columns_for(model)`` directly, because the stock per-row
import path is too slow and loses data (LIBS.md §2–3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.pii import SensitiveField, mask, normalise
from backoffice.core.spec import get_spec

from .natural_keys import FORMULA_PREFIXES, FkResolver
from .reading import code_text, is_blank, normalise_text, parse_date, parse_decimal, parse_time, to_halfwidth

#: bookkeeping columns that are not part of a record's content (set by the system, the review workflow
#: or history migration, never by a file a clerk fills in)
EXCLUDED = {
    "id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "review_reason",
    "review_status",
    "region_code",
    "source_system",
    "source_id",
}
TRUE_WORDS = {"是", "true", "1", "y", "yes", "√", "✓", "对", "有"}
FALSE_WORDS = {"否", "false", "0", "n", "no", "×", "✗", "无", "不是"}


class Masked:
    """A masked personal-data cell (``140121********1234``): keep the stored value."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Masked({self.text!r})"


class Required(ValueError):
    """A required cell is empty (tolerated when the stored row has no value either)."""


# ---- columns --------------------------------------------------------------------------------------------
@dataclass
class Column:
    name: str
    attname: str
    label: str
    kind: str  # char text int decimal date datetime bool choice fk sensitive
    field: models.Field = dc_field(repr=False)
    required: bool = False
    in_key: bool = False
    choices: dict[str, str] = dc_field(default_factory=dict)  # accepted text → code
    labels: dict[str, str] = dc_field(default_factory=dict)  # code → label
    places: int | None = None
    related: type[models.Model] | None = None
    unit: str = ""

    @property
    def type_label(self) -> str:
        return {
            "char": "文本",
            "text": "文本",
            "int": "整数",
            "decimal": f"数字（{self.places}位小数）",
            "date": "日期（2024-03-01）",
            "datetime": "日期时间",
            "time": "时间（08:30）",
            "bool": "是/否",
            "choice": "下拉选择",
            "fk": "编码（引用）",
            "sensitive": "个人信息（加密保存）",
        }[self.kind]

    # -- reading a cell ---------------------------------------------------------------------------------
    def convert(self, raw: Any, scale: int = 1, resolver: FkResolver | None = None) -> Any:
        """The Python value of a cell; raises ValueError with a Chinese message."""
        f = self.field
        if is_blank(raw):
            if self.required:
                raise Required("必填，不能为空")
            if self.kind in ("char", "text", "sensitive", "choice"):
                return None if f.null else ""
            if self.kind == "bool":
                return f.default if f.has_default() else False
            if self.kind == "decimal" and not f.null and f.has_default():
                return f.get_default()
            return None
        kind = self.kind
        if kind in ("char", "text"):
            text = code_text(raw) if (self.in_key or (kind == "char" and not isinstance(raw, str))) else raw
            text = normalise_text(str(text))
            if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
                text = text[1:]
            if self.in_key:
                text = to_halfwidth(text)
            if f.max_length and len(text) > f.max_length:
                raise ValueError(f"长度 {len(text)} 超过上限 {f.max_length} 个字")
            self._validate(text)
            return text
        if kind == "decimal":
            number = parse_decimal(raw) * scale
            quantum = Decimal(1).scaleb(-self.places)
            number = number.quantize(quantum, rounding=ROUND_HALF_UP)
            digits = len(number.as_tuple().digits)
            if f.max_digits and digits > f.max_digits:
                raise ValueError(f"“{raw}”超出允许的位数（最多 {f.max_digits - self.places} 位整数）")
            self._validate(number)
            return number
        if kind == "int":
            number = parse_decimal(raw) * scale
            if number != number.to_integral_value():
                raise ValueError(f"“{raw}”不是整数")
            value = int(number)
            self._validate(value)
            return value
        if kind == "date":
            return parse_date(raw)
        if kind == "datetime":
            value = raw if isinstance(raw, dt.datetime) else dt.datetime.combine(parse_date(raw), dt.time())
            from django.utils import timezone

            return timezone.make_aware(value) if timezone.is_naive(value) else value
        if kind == "time":
            return parse_time(raw)
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            word = to_halfwidth(code_text(raw)).lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueError(f"“{raw}”不是“是”或“否”")
        if kind == "choice":
            text = to_halfwidth(code_text(raw))
            code = self.choices.get(text) or self.choices.get(text.lower())
            if code is None:
                allowed = "、".join(self.labels.values())
                raise ValueError(f"“{text}”不是可选值；可选：{allowed}")
            return code
        if kind == "fk":
            return resolver.resolve(raw)
        if kind == "sensitive":
            text = to_halfwidth(code_text(raw))
            if "*" in text:
                return Masked(text)
            text = normalise(text, f.kind)
            self._validate(text)
            return text
        raise ValueError("无法识别的列类型")

    @property
    def extra_validators(self) -> list:
        """The field's validators minus those ``convert`` already enforces (length, digits, null chars)."""
        cached = self.__dict__.get("_extra_validators")
        if cached is None:
            from django.core import validators as dv

            skip = (dv.MaxLengthValidator, dv.ProhibitNullCharactersValidator, dv.DecimalValidator)
            cached = [v for v in self.field.validators if not isinstance(v, skip)]
            self.__dict__["_extra_validators"] = cached
        return cached

    def _validate(self, value: Any) -> None:
        validators = self.extra_validators
        if not validators:
            return
        try:
            for validator in validators:
                validator(value)
        except ValidationError as exc:
            raise ValueError("；".join(str(m) for m in exc.messages)) from None

    # -- writing a cell ---------------------------------------------------------------------------------
    def export_value(self, value: Any, resolver: FkResolver | None = None, reveal: bool = False) -> Any:
        if value is None or value == "":
            return ""
        kind = self.kind
        if kind == "fk":
            return guard((resolver.key_of if reveal else resolver.masked_key_of).get(value, str(value)))
        if kind == "choice":
            return self.labels.get(value, value)
        if kind == "bool":
            return "是" if value else "否"
        if kind == "sensitive":
            return guard(value if reveal else mask(value, self.field.kind))
        if kind == "decimal":
            return value
        if kind == "datetime":
            from django.utils import timezone

            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        if kind in ("char", "text"):
            return guard(str(value))
        return value

    def json_value(self, value: Any) -> Any:
        """A cleaned value as stored in the staging row (personal data encrypted)."""
        if value is None or (isinstance(value, (bool, int, str)) and self.kind != "sensitive"):
            return value
        if self.kind == "sensitive":
            from backoffice.core.pii import encrypt

            return encrypt(value) if value else ""
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, (dt.date, dt.datetime, dt.time)):
            return value.isoformat()
        return value

    def from_json(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "sensitive":
            from backoffice.core.pii import decrypt

            return decrypt(value)
        if self.kind == "decimal":
            return Decimal(value)
        if self.kind == "date":
            return dt.date.fromisoformat(value)
        if self.kind == "datetime":
            return dt.datetime.fromisoformat(value)
        if self.kind == "time":
            return dt.time.fromisoformat(value)
        return value

    def display(self, value: Any, resolver: FkResolver | None = None) -> str:
        """A value for the diff on the preview page (personal data always masked)."""
        if value is None or value == "":
            return ""
        if self.kind == "sensitive":
            return mask(value, self.field.kind)
        out = self.export_value(value, resolver)
        return str(out)


def guard(text: str) -> str:
    """Formula-injection guard for exported text cells."""
    return "'" + text if text[:1] in FORMULA_PREFIXES else text


def _kind(f: models.Field) -> str:
    if isinstance(f, SensitiveField):
        return "sensitive"
    if f.is_relation and (f.many_to_one or f.one_to_one):
        return "fk"
    if f.choices:
        return "choice"
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DecimalField):
        return "decimal"
    if isinstance(f, (models.IntegerField, models.FloatField)):
        return "int" if not isinstance(f, models.FloatField) else "decimal"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.TimeField):
        return "time"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.TextField):
        return "text"
    return "char"


@cache
def columns_for(model: type[models.Model]) -> tuple[Column, ...]:
    """The import/export columns of a record type, in model field order."""
    spec = get_spec(model)
    out = []
    for f in model._meta.concrete_fields:
        if f.name in EXCLUDED or f.auto_created or (f.primary_key and f.name not in spec.natural_key):
            continue
        if not f.editable and f.name not in spec.natural_key:
            continue
        if isinstance(f, (models.FileField, models.JSONField)) or f.name.endswith("_hash"):
            continue
        kind = _kind(f)
        required = not f.blank and not f.has_default() and kind != "bool"
        if f.name in spec.natural_key:
            required = True
        col = Column(
            name=f.name,
            attname=f.attname,
            label=str(f.verbose_name),
            kind=kind,
            field=f,
            required=required,
            in_key=f.name in spec.natural_key,
            related=f.related_model if kind == "fk" else None,
            unit=str(f.help_text) if "单位" in str(f.help_text) else "",
        )
        if kind == "decimal":
            col.places = f.decimal_places if isinstance(f, models.DecimalField) else 4
        if kind == "choice":
            for code, label in f.flatchoices:
                col.labels[str(code)] = str(label)
                col.choices[str(label)] = code
                col.choices[to_halfwidth(str(label))] = code
                col.choices[str(code)] = code
                col.choices[str(code).lower()] = code
        out.append(col)
    return tuple(out)


@cache
def spec_hash(model: type[models.Model]) -> str:
    """A short hash of the column spec: a template made for other columns is recognised as old."""
    shape = [
        (c.name, c.label, c.kind, c.required, sorted(c.labels.items()), c.places) for c in columns_for(model)
    ]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()[:12]


def version_stamp(model: type[models.Model]) -> str:
    return f"{model._meta.label}@{spec_hash(model)}"


def header_index(model: type[models.Model]) -> dict[str, Column]:
    """Accepted (normalised) headers → column: the verbose name, and the field name as a fallback."""
    from .reading import normalise_header

    index: dict[str, Column] = {}
    for col in columns_for(model):
        index[normalise_header(col.label)[0]] = col
        index.setdefault(col.name, col)
    return index
