"""Shared pieces of the history migration: the per-organisation report, rejections, and the idempotent
upsert by ``(source_system, source_id)``."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from backoffice.core.models import RecordModel
from backoffice.core.review import record_edited
from backoffice.core.spec import get_spec, has_spec

from .files import Sheet

#: the data scope starts here [M]; older business dates are migrated as 历史数据 (is_history)
SCOPE_START = dt.date(2022, 1, 1)
ACTIONS = ("created", "updated", "unchanged", "rejected")


@dataclass
class Rejection:
    file: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class OrgReport:
    """Everything the validation report says about one organisation (or the unattributable rows)."""

    key: str
    name: str = ""
    credit_code: str = ""
    region_code: str = ""
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rejected: list[Rejection] = field(default_factory=list)
    mapping: list[dict] = field(default_factory=list)
    periods: list[dict] = field(default_factory=list)
    carry_forward: list[dict] = field(default_factory=list)
    voucher_vs_balance: list[dict] = field(default_factory=list)
    opening_2024: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, entity: str, action: str) -> None:
        self.counts[entity][action] += 1

    @property
    def failed_checks(self) -> int:
        return (
            sum(1 for p in self.periods if not p["ok"])
            + len(self.carry_forward)
            + len(self.voucher_vs_balance)
            + sum(1 for o in self.opening_2024 if not o["ok"])
        )

    def as_dict(self) -> dict:
        return {
            "org": {
                "source_id": self.key,
                "name": self.name,
                "credit_code": self.credit_code,
                "region_code": self.region_code,
            },
            "counts": {
                entity: {a: c.get(a, 0) for a in ACTIONS} for entity, c in sorted(self.counts.items())
            },
            "periods": self.periods,
            "carry_forward_breaks": self.carry_forward,
            "voucher_vs_balance": self.voucher_vs_balance,
            "opening_2024": self.opening_2024,
            "mapping": self.mapping,
            "rejected": [r.as_dict() for r in self.rejected],
            "warnings": self.warnings,
        }


class Upserter:
    """Create or update one row by its source identity; validation errors become rejections."""

    def __init__(self, source_system: str, user):
        self.source = source_system
        self.user = user

    def find(self, model, source_id: str):
        return model._default_manager.filter(source_system=self.source, source_id=source_id).first()

    def upsert(
        self,
        model: type[models.Model],
        source_id: str,
        values: dict[str, Any],
        *,
        report: OrgReport,
        entity: str,
        sheet: Sheet,
        number: int,
        labels: dict[str, str],
        existing=None,
        clean: bool = True,
    ):
        """``values`` by attname. Returns the saved instance, or None when the row was rejected."""
        obj = existing if existing is not None else self.find(model, source_id)
        _flag_history(model, values)
        if obj is None:
            obj = model(source_system=self.source, source_id=source_id, **values)
            if hasattr(obj, "created_by_id"):
                obj.created_by_id = obj.updated_by_id = self.user.pk
            action = "created"
        else:
            changed = [k for k, v in values.items() if not _same(getattr(obj, k), v)]
            if not changed and obj.source_id == source_id and obj.source_system == self.source:
                report.count(entity, "unchanged")
                return obj
            for k in changed:
                setattr(obj, k, values[k])
            obj.source_system, obj.source_id = self.source, source_id
            if hasattr(obj, "updated_by_id"):
                obj.updated_by_id = self.user.pk
            if isinstance(obj, RecordModel) and changed:
                record_edited(record=obj, user=self.user)  # an approved record changed → draft again
            action = "updated"
        try:
            if clean:
                obj.full_clean()
            with transaction.atomic():
                obj.save()
        except ValidationError as exc:
            self.reject_validation(report, sheet, number, exc, labels)
            report.count(entity, "rejected")
            return None
        except IntegrityError as exc:
            report.rejected.append(Rejection(sheet.name, number, "整行", f"数据库拒绝保存：{exc}"))
            report.count(entity, "rejected")
            return None
        report.count(entity, action)
        return obj

    @staticmethod
    def reject_validation(report: OrgReport, sheet: Sheet, number: int, exc: ValidationError, labels: dict):
        mapping = getattr(exc, "message_dict", None) or {"__all__": exc.messages}
        for name, messages in mapping.items():
            label = labels.get(name)
            column = sheet.where(label) if label else "整行"
            report.rejected.append(Rejection(sheet.name, number, column, "；".join(str(m) for m in messages)))


def _same(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    return old == new


def _flag_history(model, values: dict) -> None:
    """Business dates before 2022-01-01 are legitimate in a migration: the row is 历史数据."""
    if not (has_spec(model) and issubclass(model, RecordModel)):
        return
    for name in get_spec(model).business_dates:
        value = values.get(name)
        if isinstance(value, dt.date) and value < SCOPE_START:
            values["is_history"] = True
            return
