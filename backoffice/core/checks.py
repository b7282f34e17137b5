"""System checks for the project's conventions (STYLE.md §3): ``manage.py check`` fails when a record
type breaks them.

- core.E001  a registered region-scoped model's admin is not generated from its spec (RecordAdmin)
- core.E002  a record type's ``Spec`` is missing or names fields that do not exist
- core.E003  a concrete RecordModel subclass is not registered in the admin
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.admin.checks import ModelAdminChecks
from django.core import checks

from .spec import SpecError, get_spec


class RecordAdminChecks(ModelAdminChecks):
    """Admin checks of ``RecordAdmin``: Django's own plus the spec (core.E002)."""

    def check(self, admin_obj, **kwargs):
        errors = super().check(admin_obj, **kwargs)
        try:
            get_spec(admin_obj.model)
        except SpecError as exc:
            errors.append(checks.Error(str(exc), obj=admin_obj.__class__, id="core.E002"))
        return errors


@checks.register(checks.Tags.admin)
def check_record_types_registered(app_configs=None, **kwargs):
    from django.contrib import admin

    from .models import RecordModel
    from .record_admin import RecordAdmin
    from .scope import is_scoped_model

    errors = []
    registry = admin.site._registry
    for model in apps.get_models():
        if issubclass(model, RecordModel) and model not in registry:
            errors.append(
                checks.Error(
                    f"{model._meta.label} is a record type but is not registered in the admin.",
                    hint="Call register_record_types(...) in the app's admin.py.",
                    obj=model,
                    id="core.E003",
                )
            )
        if is_scoped_model(model) and model in registry and not isinstance(registry[model], RecordAdmin):
            errors.append(
                checks.Error(
                    f"{model._meta.label} is region-scoped but its admin is not a RecordAdmin, so scope "
                    "is not enforced on every read path.",
                    hint="Register it with register_record_types(...).",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors
