"""Import/export resources generated from each record type's spec (DESIGN.md §1.1, §5).

Columns carry the fields' Chinese verbose names; foreign keys are written and read by the related
record type's natural key, never by database id; money is Decimal rounded to the field's places.
"""

from __future__ import annotations

from functools import cache

from django.db import models
from import_export import fields, resources, widgets

from backoffice.core.spec import get_spec, has_spec

from .widgets import NaturalKeyForeignKeyWidget, RoundedDecimalWidget

#: bookkeeping columns that are not part of a record's content
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
    "region_code",
}


def _widget_for(field: models.Field):
    if isinstance(field, models.ForeignKey):
        related = field.related_model
        key = get_spec(related).natural_key[0] if has_spec(related) else related._meta.pk.name
        return NaturalKeyForeignKeyWidget(related, field=key)
    if isinstance(field, models.DecimalField):
        return RoundedDecimalWidget(decimal_places=field.decimal_places)
    if isinstance(field, models.BooleanField):
        return widgets.BooleanWidget()
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return widgets.DateWidget()
    return None


@cache
def resource_for(model: type[models.Model]) -> type[resources.ModelResource]:
    """The ModelResource of a record type, built once from its model and spec."""
    spec = get_spec(model)
    attrs: dict[str, object] = {}
    names = []
    for field in model._meta.concrete_fields:
        if field.name in EXCLUDED or (field.primary_key and field.name not in spec.natural_key):
            continue
        names.append(field.name)
        attrs[field.name] = fields.Field(
            attribute=field.name,
            column_name=str(field.verbose_name),
            widget=_widget_for(field),
        )
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": tuple(names),
            "export_order": tuple(names),
            "import_id_fields": tuple(spec.natural_key),
            "clean_model_instances": True,
            "skip_unchanged": True,
        },
    )
    attrs["Meta"] = meta
    return type(f"{model.__name__}Resource", (resources.ModelResource,), attrs)
