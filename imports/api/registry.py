"""The record types the API serves: exactly those the file import serves (registered in the admin,
region-scoped, with a ``Spec``), addressed as ``app_label.model_name`` in lowercase."""

from __future__ import annotations

from django.db import models

from backoffice.core.scope import is_scoped_model
from backoffice.core.spec import has_spec


def label_of(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def record_types() -> dict[str, type[models.Model]]:
    """``{"contracts.contract": Contract, ...}`` for every API record type."""
    from django.contrib import admin

    out = {}
    for model in admin.site._registry:
        if is_scoped_model(model) and has_spec(model):
            out[label_of(model)] = model
    return dict(sorted(out.items()))


def model_for(label: str) -> type[models.Model] | None:
    return record_types().get(str(label).lower())


def is_writable(model: type[models.Model]) -> bool:
    """A type that has add/change permissions at all (a report snapshot, for one, is only ever read)."""
    perms = set(model._meta.default_permissions)
    return "add" in perms and "change" in perms
