"""The admin generated from a record type's spec, with scope enforced on every path.

``register_record_types(Model, ...)`` builds a ``RecordAdmin`` subclass from each model's ``Spec`` and
registers it. Scope is enforced on: changelist and bulk actions (``get_queryset``), change/delete/history
views by URL (404 outside scope), autocomplete (the related admin's scoped queryset), foreign-key choices
(``formfield_for_foreignkey``) and save (a row cannot be created or moved outside scope).
"""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from import_export.admin import ExportActionMixin
from unfold.admin import ModelAdmin
from unfold.admin import checkbox as unfold_checkbox
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action

from .admin_personal_data import PersonalDataAdminMixin, masked_column
from .admin_review import ReviewActionsMixin
from .checks import RecordAdminChecks
from .filters import LeadingIndexValuesFilter, leads_an_index, region_level_filters
from .models import AuditedModel, RecordModel
from .paginator import EstimatedCountPaginator
from .pii import sensitive_fields
from .review import record_edited
from .scope import code_in_scope, is_scoped_model
from .spec import get_spec, has_spec

AUDIT_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")
REVIEW_FIELDS = ("review_status", "submitted_at", "reviewed_by", "reviewed_at", "review_reason")


class RecordAdmin(PersonalDataAdminMixin, ReviewActionsMixin, ExportActionMixin, ModelAdmin):
    """Base admin of every region-scoped record type. Do not subclass per model by hand: declare a
    ``Spec`` on the model and call ``register_record_types``."""

    checks_class = RecordAdminChecks
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) over a city's rows on every page is wasted work
    paginator = EstimatedCountPaginator  # … and the paginator's: exact up to 10,000 rows, then estimated
    export_form_class = ExportForm
    warn_unsaved_form = True
    actions = ("submit_selected", "approve_selected", "return_selected")
    actions_list = ("import_from_file",)
    # Unfold's list and form templates read these on every row and field; when missing, each failed
    # template lookup calls dir() on the admin (6.6 ms of a 50-row page under cProfile). Empty means
    # what missing meant: no list sections, no conditionally shown fields.
    list_sections = ()
    conditional_fields = MappingProxyType({})

    @action(description="导入", url_path="import-from-file", permissions=["add"], icon="upload_file")
    def import_from_file(self, request: HttpRequest):
        # Staged imports live in imports/ (DESIGN.md §2: backoffice never imports it; the URL is the seam).
        return redirect(f"{reverse('admin:imports_importjob_upload')}?type={self.opts.label_lower}")

    @admin.display(description=mark_safe(unfold_checkbox.render("action_toggle_all", 1)))
    def action_checkbox(self, obj) -> str:
        # Unfold renders this widget through the template engine once per row (~12% of a list page);
        # the markup differs only in the value, so it is rendered once per language and filled in.
        html = _action_checkbox_html(get_language())
        return mark_safe(html.replace(_PK_MARK, conditional_escape(str(obj.pk))))

    # ---- scope -------------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).visible_to(request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Outside scope and nonexistent look the same: 404, never a hint that the row exists.
        raise Http404("记录不存在或不在您的管辖范围内")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is not None and is_scoped_model(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        if isinstance(obj, AuditedModel):
            if not change:
                obj.created_by = request.user
            obj.updated_by = request.user
        if (
            change
            and isinstance(obj, RecordModel)
            and form.changed_data
            and record_edited(record=obj, user=request.user)
        ):
            messages.warning(request, f"“{obj}”已审核的内容被修改，已退回为草稿，请重新提交审核。")
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not code_in_scope(request.user, _scope_code(obj)):
                raise PermissionDenied("不能在您的管辖范围之外新增或移动记录。")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or code_in_scope(request.user, _scope_code(obj))
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or code_in_scope(request.user, _scope_code(obj))
        )

    # ---- audit trail: the history page of a record shows its audit entries ------------------------
    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        from auditlog.models import LogEntry
        from django.contrib.admin.utils import unquote

        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("记录不存在或不在您的管辖范围内")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")[:500]
        labels = {f.name: str(f.verbose_name) for f in self.model._meta.fields}
        rows = [
            {
                "entry": entry,
                "changes": [
                    (
                        labels.get(name, name),
                        values[0] if values else "",
                        values[1] if len(values) > 1 else "",
                    )
                    for name, values in (entry.changes_dict or {}).items()
                ],
            }
            for entry in entries
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"修改记录：{obj}",
            "opts": self.opts,
            "object": obj,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "core/history.html", context)

    # ---- generated configuration -------------------------------------------------------------------
    def get_ordering(self, request):
        # A total order (ending in the key) so that pages of the list and of autocomplete never skip or
        # repeat a row on PostgreSQL; newest first when the model declares no order.
        ordering = list(super().get_ordering(request) or self.model._meta.ordering or [])
        if not any(str(f).lstrip("-") in ("pk", self.opts.pk.name) for f in ordering):
            ordering.append("-pk")
        return ordering

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.is_dataset = False  # read by Unfold's templates; a failed lookup costs a dir() each
        # The date drill-down (years, then months) reads the date of every row of the list; over a list
        # too long to count (core/paginator.py) it waits, like the village dropdown, until the list is
        # narrowed (by region, filter or search) or a year is already chosen.
        if (
            changelist.date_hierarchy
            and getattr(changelist.paginator, "estimated", False)
            and not any(key.startswith(f"{changelist.date_hierarchy}__") for key in request.GET)
        ):
            changelist.date_hierarchy = None
        return changelist

    def get_list_filter(self, request):
        return [*region_level_filters(request.user), *super().get_list_filter(request)]

    def lookup_allowed(self, lookup, value, request):
        # Lookups across relations that the spec declares (report drill-down links) are accepted like
        # the list's own filters; everything else keeps Django's protection against probing hidden fields.
        for declared in get_spec(self.model).query_lookups if has_spec(self.model) else ():
            if lookup == declared or lookup.startswith(declared + "__"):
                return True
        return super().lookup_allowed(lookup, value, request)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if issubclass(self.model, AuditedModel):
            fields += [f for f in AUDIT_FIELDS if f not in fields]
        if issubclass(self.model, RecordModel):
            fields += [f for f in REVIEW_FIELDS if f not in fields]
            fields.append("region_code")
        if sensitive_fields(self.model):
            fields.append("masked_personal_data")
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not issubclass(self.model, RecordModel):
            for name in ("submit_selected", "approve_selected", "return_selected"):
                actions.pop(name, None)
        return actions

    # ---- export (same scoped, filtered queryset as the list) ---------------------------------------
    def get_export_resource_classes(self, request):
        return [import_string(settings.RECORD_RESOURCE_FACTORY)(self.model)]

    def get_export_resource_kwargs(self, request, **kwargs):
        # The resource scopes, masks and logs the export by this user and request (filter, row count).
        return {**super().get_export_resource_kwargs(request, **kwargs), "request": request}


_PK_MARK = "__row_pk__"


@functools.cache
def _action_checkbox_html(language: str | None) -> str:
    return unfold_checkbox.render(admin.helpers.ACTION_CHECKBOX_NAME, _PK_MARK)


def _scope_code(obj: models.Model) -> str:
    return getattr(obj, type(obj).scope_field)


def _list_select_related(model: type[models.Model], list_display) -> tuple[str, ...]:
    """The foreign keys the list shows, joined into the page's one query: nullable ones too (Django's
    default ``select_related()`` skips them, one query per row), and one level further into record types
    whose text may name their own references (a share change shows its holding, which names its member).
    """
    paths: list[str] = []
    for name in list_display:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.ForeignKey):
            continue
        paths.append(name)
        related = field.related_model
        if issubclass(related, RecordModel):
            paths += [
                f"{name}__{f.name}"
                for f in related._meta.concrete_fields
                if isinstance(f, models.ForeignKey) and f.name not in AUDIT_FIELDS + REVIEW_FIELDS
            ]
    return tuple(paths) or False


def _list_filter_of(model: type[models.Model], entry):
    """A spec's filter entry; a plain field whose values are read through an index gets the index-probing
    "all values" filter (core/filters.py)."""
    if not isinstance(entry, str) or "__" in entry:
        return entry
    field = model._meta.get_field(entry)
    plain = field.concrete and not field.is_relation and not field.choices and not field.flatchoices
    if plain and not isinstance(field, models.BooleanField) and leads_an_index(model, entry):
        return (entry, LeadingIndexValuesFilter)
    return entry


def build_admin_class(model: type[models.Model], base: type[RecordAdmin] = RecordAdmin, **extra: Any):
    """A ``RecordAdmin`` subclass whose options come from the model's spec (plus ``extra`` overrides)."""
    spec = get_spec(model)
    is_record = issubclass(model, RecordModel)
    list_display = list(spec.list_display or spec.natural_key)
    if is_record and "review_status" not in list_display:
        list_display.append("review_status")
    list_filter = [_list_filter_of(model, entry) for entry in spec.list_filter]
    if is_record and "review_status" not in list_filter:
        list_filter.append("review_status")
    sensitive = {f.name: f for f in sensitive_fields(model)}
    masked_columns = {}
    for index, name in enumerate(list_display):
        if name in sensitive:
            column = f"masked_{name}"
            masked_columns[column] = masked_column(sensitive[name])
            list_display[index] = column
    autocomplete = [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.editable and is_scoped_model(f.related_model)
    ]
    attrs: dict[str, Any] = {
        "list_display": tuple(list_display),
        "list_select_related": _list_select_related(model, list_display),
        "list_filter": tuple(list_filter),
        "search_fields": tuple(spec.search_fields),
        "readonly_fields": tuple(spec.readonly_fields),
        "autocomplete_fields": tuple(autocomplete),
        "ordering": tuple(spec.ordering) or None,
        "__module__": model.__module__,
    }
    attrs.update(masked_columns)
    if spec.date_hierarchy:
        attrs["date_hierarchy"] = spec.date_hierarchy
    attrs.update(extra)
    return type(f"{model.__name__}Admin", (base,), attrs)


def register_record_types(*models_: type[models.Model], site: admin.AdminSite | None = None) -> None:
    """Generate and register the admin of each record type from its spec."""
    for model in models_:
        (site or admin.site).register(model, build_admin_class(model))
