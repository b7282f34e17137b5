"""Row validation of staged imports: cell conversion by the spec's columns, foreign keys, scope, the model's
``clean()`` and its simple check constraints evaluated in Python (see ``engine`` for the job steps)."""

from __future__ import annotations

import datetime as dt
import operator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.base import ModelState

from backoffice.core.pii import mask, pii_hash
from backoffice.core.scope import code_in_scope, is_scoped_model
from backoffice.core.spec import get_spec

from .models import ImportRow
from .natural_keys import FkResolver
from .resources import Column, Masked, Required, columns_for

SCOPE_KEY = "__scope__"
AMBIGUOUS_KEY = ("__ambiguous__",)


class _Absent:
    """A cell the source did not send at all (an API item without that field): the stored value is kept,
    and a required field is only demanded of a new record. A file always sends every column it has."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


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
