"""Export of a record type: the rows of a (scoped, filtered) queryset as cells, with foreign keys written
as natural keys, choices as labels, personal data masked unless the user may see it, and the
formula-injection guard; ``resource_for(model)`` is the django-import-export resource the admin uses
(``settings.RECORD_RESOURCE_FACTORY``), and every export is logged in ``ExportLog``."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from django.db import models
from import_export import resources
from tablib import Dataset

from backoffice.core.spec import get_spec

from .natural_keys import FkResolver
from .resources import columns_for


def export_rows(model, queryset, *, reveal: bool = False):
    """Header + rows of ``queryset`` as exported (FK keys, labels, masked personal data, guard)."""
    cols = columns_for(model)
    # Keys of the referenced rows only (a subquery per related type; several columns may share one type).
    referencing: dict[Any, list[str]] = {}
    for c in cols:
        if c.kind == "fk":
            referencing.setdefault(c.related, []).append(c.attname)
    resolvers = {
        related: FkResolver(related, only=_referenced_pks(queryset, attnames))
        for related, attnames in referencing.items()
    }
    yield [c.label for c in cols]
    names = [c.attname for c in cols]
    for values in queryset.values_list(*names).iterator(chunk_size=2000):
        yield [
            c.export_value(v, resolvers.get(c.related), reveal=reveal)
            for c, v in zip(cols, values, strict=True)
        ]


def _referenced_pks(queryset, attnames: list[str]):
    """The pks that ``attnames`` of ``queryset`` point at, as one subquery (a union for several columns)."""
    plain = queryset.order_by()
    subqueries = [plain.filter(**{f"{a}__isnull": False}).values(a) for a in attnames]
    return subqueries[0] if len(subqueries) == 1 else subqueries[0].union(*subqueries[1:])


class RecordResource(resources.ModelResource):
    """Export of a record type through the admin (and the import-export API), logged in ``ExportLog``."""

    record_model: type[models.Model]

    def __init__(self, *args, user=None, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user or getattr(request, "user", None)

    def get_export_headers(self, selected_fields=None):
        return [c.label for c in columns_for(self.record_model)]

    def export(self, queryset=None, **kwargs):
        model = self.record_model
        request, user = self.request, self.user
        if queryset is None:
            queryset = model._default_manager.visible_to(user) if user else model._default_manager.none()
        reveal = bool(user and user.has_perm("core.reveal_sensitive"))
        rows = export_rows(model, queryset, reveal=reveal)
        data = Dataset(headers=next(rows))
        for row in rows:
            data.append(row)
        if user is not None and getattr(user, "is_authenticated", False):
            from .models import ExportLog

            ExportLog.objects.create(
                user=user,
                model_label=model._meta.label,
                filter_query=(request.META.get("QUERY_STRING", "") if request else "")[:2000],
                row_count=len(data),
                full_personal_data=reveal and any(c.kind == "sensitive" for c in columns_for(model)),
                channel=ExportLog.Channel.ADMIN if request else ExportLog.Channel.API,
            )
        return data


@cache
def resource_for(model: type[models.Model]) -> type[resources.ModelResource]:
    """The export resource of a record type (``settings.RECORD_RESOURCE_FACTORY``), built once."""
    get_spec(model)
    meta = type("Meta", (), {"model": model, "fields": tuple(c.name for c in columns_for(model))})
    return type(f"{model.__name__}Resource", (RecordResource,), {"Meta": meta, "record_model": model})


class CellWriter:
    """Writes Python values into an xlsxwriter sheet as typed cells: decimals as numbers up to a float's
    15 significant digits (exact text beyond), dates and date-times with their own formats, empty values
    skipped. Shared by the command-line export and the error workbook of an import."""

    def __init__(self, book):
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})

    def write(self, sheet, r: int, c: int, value) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            sheet.write_string(r, c, value)
        elif isinstance(value, bool):
            sheet.write_boolean(r, c, value)
        elif isinstance(value, Decimal):
            if abs(value) < Decimal("1e13"):
                sheet.write_number(r, c, float(value))
            else:  # beyond a float's 15 significant digits: keep exact as text
                sheet.write_string(r, c, str(value))
        elif isinstance(value, (int, float)):
            sheet.write_number(r, c, value)
        elif hasattr(value, "year"):
            sheet.write_datetime(r, c, value, self.datetime if hasattr(value, "hour") else self.date)
        elif hasattr(value, "hour"):
            sheet.write_string(r, c, value.isoformat())
        else:
            sheet.write_string(r, c, str(value))
