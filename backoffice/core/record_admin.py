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

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import conditional_escape, format_html_join
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from import_export.admin import ExportActionMixin
from unfold.admin import ModelAdmin
from unfold.admin import checkbox as unfold_checkbox
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action

from .checks import RecordAdminChecks
from .choices import ReviewStatus
from .filters import region_level_filters
from .models import AuditedModel, RecordModel
from .paginator import EstimatedCountPaginator
from .pii import RevealLog, SensitiveField, mask, pii_hash, sensitive_fields
from .review import record_edited, records_review
from .scope import code_in_scope, is_scoped_model
from .spec import get_spec, has_spec

AUDIT_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")
REVIEW_FIELDS = ("review_status", "submitted_at", "reviewed_by", "reviewed_at", "review_reason")


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="查看原因", max_length=300, help_text="例如：核对补贴发放对象身份；将记入查看记录"
    )


class MaskedInput(forms.TextInput):
    """Never renders the stored value into the page; blank on an existing row means "unchanged"."""

    def format_value(self, value):
        return ""


class RecordAdmin(ExportActionMixin, ModelAdmin):
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
    # template lookup calls dir() on the admin (~7 ms of a 50-row page). Empty means what missing meant:
    # no list sections, no conditionally shown fields.
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

    # ---- personal data: masked display, masked input, logged reveal ------------------------------
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, SensitiveField):
            kwargs["widget"] = MaskedInput(attrs={"autocomplete": "off"})
            formfield = forms.CharField(
                label=db_field.verbose_name,
                required=False,
                max_length=40,
                validators=db_field.validators,
                help_text="已加密保存；修改时输入完整号码，留空则保持不变",
                widget=kwargs["widget"],
            )
            return formfield
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        names = [f.name for f in sensitive_fields(self.model) if f.name in form.base_fields]
        if not names:
            return form

        def make_clean(field: SensitiveField):
            def clean(self):
                value = self.cleaned_data.get(field.name, "")
                if not value:
                    value = self.initial.get(field.name, "") if self.instance.pk else ""
                    if not value and not field.blank:
                        raise forms.ValidationError(f"请填写{field.verbose_name}")
                return value

            return clean

        attrs = {f"clean_{f.name}": make_clean(f) for f in sensitive_fields(self.model) if f.name in names}
        for f in sensitive_fields(self.model):
            if f.name in names and obj is not None:
                form.base_fields[f.name].widget.attrs["placeholder"] = mask(getattr(obj, f.name), f.kind)
        return type(form.__name__, (form,), attrs)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and len(term) >= 6:
            for field in sensitive_fields(self.model):
                queryset |= self.get_queryset(request).filter(
                    **{field.hash_attname: pii_hash(term, field.kind)}
                )
        return queryset, may_have_duplicates

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/reveal/<str:field_name>/",
                self.admin_site.admin_view(self.reveal_view),
                name="{}_{}_reveal".format(*info),
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request: HttpRequest, object_id: str, field_name: str):
        """Show one full personal-data value after asking why; every reveal is logged."""
        field = next((f for f in sensitive_fields(self.model) if f.name == field_name), None)
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)  # 404 outside scope
        if field is None:
            raise Http404("没有这个字段")
        if not request.user.has_perm("core.reveal_sensitive"):
            raise PermissionDenied("您没有查看完整个人信息的权限。")
        form = RevealForm(request.POST or None)
        revealed = None
        if request.method == "POST" and form.is_valid():
            RevealLog.objects.create(
                user=request.user,
                model_label=self.opts.label,
                object_pk=str(obj.pk),
                field_name=field.name,
                reason=form.cleaned_data["reason"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
            revealed = getattr(obj, field.name)
        context = {
            **self.admin_site.each_context(request),
            "title": f"查看完整{field.verbose_name}",
            "opts": self.opts,
            "object": obj,
            "form": form,
            "field_label": field.verbose_name,
            "masked": mask(getattr(obj, field.name), field.kind),
            "revealed": revealed,
        }
        return TemplateResponse(request, "core/reveal.html", context)

    @admin.display(description="个人信息（已脱敏）")
    def masked_personal_data(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "-"
        rows = []
        for field in sensitive_fields(self.model):
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_reveal", args=[obj.pk, field.name]
            )
            rows.append((field.verbose_name, mask(getattr(obj, field.name), field.kind), url))
        return format_html_join(
            mark_safe("<br>"), '{}：{} <a class="text-primary-600" href="{}">查看完整号码</a>', rows
        )

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

    # ---- review actions ----------------------------------------------------------------------------
    @admin.action(description="提交审核", permissions=["change"])
    def submit_selected(self, request: HttpRequest, queryset):
        self._review(request, queryset, "submit")

    @admin.action(description="审核通过", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset):
        self._review(request, queryset.filter(review_status=ReviewStatus.SUBMITTED), "approve")

    @admin.action(description="退回修改（需填写原因）", permissions=["change"])
    def return_selected(self, request: HttpRequest, queryset):
        form = ReturnReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._review(request, queryset, "return", reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "退回修改",
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "core/return_reason.html", context)

    def _review(self, request: HttpRequest, queryset, action: str, reason: str = "") -> None:
        done, errors = records_review(records=queryset, user=request.user, action=action, reason=reason)
        labels = {"submit": "提交", "approve": "审核通过", "return": "退回"}
        if done:
            messages.success(request, f"已{labels[action]} {done} 条记录。")
        for error in errors[:10]:
            messages.error(request, error)
        if len(errors) > 10:
            messages.error(request, f"另有 {len(errors) - 10} 条记录未能{labels[action]}。")
        if not done and not errors:
            messages.warning(request, "所选记录中没有可以操作的记录。")


_PK_MARK = "__row_pk__"


@functools.cache
def _action_checkbox_html(language: str | None) -> str:
    return unfold_checkbox.render(admin.helpers.ACTION_CHECKBOX_NAME, _PK_MARK)


def _scope_code(obj: models.Model) -> str:
    return getattr(obj, type(obj).scope_field)


def _masked_column(field: SensitiveField):
    @admin.display(description=field.verbose_name)
    def column(self, obj):
        return mask(getattr(obj, field.name), field.kind)

    return column


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


def build_admin_class(model: type[models.Model], base: type[RecordAdmin] = RecordAdmin, **extra: Any):
    """A ``RecordAdmin`` subclass whose options come from the model's spec (plus ``extra`` overrides)."""
    spec = get_spec(model)
    is_record = issubclass(model, RecordModel)
    list_display = list(spec.list_display or spec.natural_key)
    if is_record and "review_status" not in list_display:
        list_display.append("review_status")
    list_filter = list(spec.list_filter)
    if is_record and "review_status" not in list_filter:
        list_filter.append("review_status")
    sensitive = {f.name: f for f in sensitive_fields(model)}
    masked_columns = {}
    for index, name in enumerate(list_display):
        if name in sensitive:
            column = f"masked_{name}"
            masked_columns[column] = _masked_column(sensitive[name])
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
