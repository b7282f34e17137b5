"""The record-type spec: one small declaration per model, from which the admin, the import/export
resource and template, rule variables and report dimensions are generated (DESIGN.md §1.1).

A model declares it as a nested ``class Spec`` (like ``Meta``)::

    class CashLimit(RecordModel):
        ...
        class Spec:
            natural_key = ("org", "valid_from")
            list_display = ("org", "limit_amount", "valid_from", "valid_to")
            search_fields = ("org__name",)
            money_fields = ("limit_amount",)
            date_hierarchy = "valid_from"

``get_spec(model)`` validates it into a frozen ``RecordSpec``; the ``core`` system checks report a
registered record type whose spec is missing or wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.db import models


@dataclass(frozen=True)
class RecordSpec:
    """What a record type declares; everything else is derived from the model's fields."""

    #: fields (FKs allowed) that identify a row in files and APIs instead of the database id
    natural_key: tuple[str, ...]
    #: changelist columns; defaults to the natural key plus the review status when there is one
    list_display: tuple[str, ...] = ()
    #: extra (non-region) filters; region-level filters are always added
    list_filter: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    date_hierarchy: str | None = None
    #: Decimal 元 amounts (control totals in imports, 万元 in reports).
    #: Personal data is not declared here: a ``SensitiveField`` is encrypted, masked and revealable by type.
    money_fields: tuple[str, ...] = ()
    #: dates that place the record in time: not before 2022-01-01 unless the record is flagged history
    business_dates: tuple[str, ...] = ()
    #: fields a user never edits in the admin form (computed or set by services)
    readonly_fields: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    #: related-field lookups the changelist accepts in its querystring without showing a filter for them
    #: (report drill-down links narrow a list by a parent's field, e.g. a voucher line by its voucher's
    #: period); Django's admin refuses undeclared lookups across relations
    query_lookups: tuple[str, ...] = ()

    @property
    def attribute_names(self) -> frozenset[str]:
        return frozenset(f.name for f in fields(self))


class SpecError(ValueError):
    """A model's ``Spec`` is missing or inconsistent with its fields."""


def has_spec(model: type[models.Model]) -> bool:
    return isinstance(getattr(model, "Spec", None), type)


def field_path_exists(model: type[models.Model], path: str) -> bool:
    """Whether ``a__b__c`` names a field chain (or ``a`` a model attribute usable as a column)."""
    current = model
    parts = path.split("__")
    for index, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return index == 0 and len(parts) == 1 and hasattr(model, part)
        if index < len(parts) - 1:
            if not field.is_relation or field.related_model is None:
                return False
            current = field.related_model
    return True


@cache
def get_spec(model: type[models.Model]) -> RecordSpec:
    """The validated spec of a record type; raises ``SpecError`` with a precise message."""
    declared = getattr(model, "Spec", None)
    label = model._meta.label
    if not isinstance(declared, type):
        raise SpecError(f"{label} has no nested `class Spec` declaring at least `natural_key`.")
    values = {k: v for k, v in vars(declared).items() if not k.startswith("_")}
    unknown = set(values) - {f.name for f in fields(RecordSpec)}
    if unknown:
        raise SpecError(f"{label}.Spec has unknown attributes: {', '.join(sorted(unknown))}.")
    if not values.get("natural_key"):
        raise SpecError(f"{label}.Spec must declare a non-empty `natural_key`.")
    for key, value in list(values.items()):
        if isinstance(value, list):
            values[key] = tuple(value)
        if isinstance(values[key], str) and key != "date_hierarchy":
            raise SpecError(f"{label}.Spec.{key} must be a tuple, not a string.")
    spec = RecordSpec(**values)
    for attr in (
        "natural_key",
        "money_fields",
        "search_fields",
        "readonly_fields",
        "business_dates",
        "query_lookups",
    ):
        for path in getattr(spec, attr):
            if not field_path_exists(model, path.lstrip("^=@")):
                raise SpecError(f"{label}.Spec.{attr} names `{path}`, which is not a field of the model.")
    for path in spec.list_display:
        if not field_path_exists(model, path):
            raise SpecError(f"{label}.Spec.list_display names `{path}`, which is not a field of the model.")
    from .pii import SensitiveField

    for path in spec.search_fields:
        name = path.lstrip("^=@")
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, SensitiveField):
            raise SpecError(
                f"{label}.Spec.search_fields names the encrypted field `{name}`; it is searched by its keyed "
                "hash automatically, leave it out."
            )
    if spec.date_hierarchy and not field_path_exists(model, spec.date_hierarchy):
        raise SpecError(f"{label}.Spec.date_hierarchy names `{spec.date_hierarchy}`, which is not a field.")
    return spec
