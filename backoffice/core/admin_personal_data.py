"""Personal data in the generated admin (DOMAIN §8): masked columns and inputs, search by keyed hash, and
the logged reveal of one full value after asking why (``RevealLog``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from .pii import RevealLog, SensitiveField, mask, pii_hash, sensitive_fields


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="查看原因", max_length=300, help_text="例如：核对补贴发放对象身份；将记入查看记录"
    )


class MaskedInput(forms.TextInput):
    """Never renders the stored value into the page; blank on an existing row means "unchanged"."""

    def format_value(self, value):
        return ""


class PersonalDataAdminMixin:
    """Part of ``RecordAdmin``: every ``SensitiveField`` of the model is masked on every page."""

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


def masked_column(field: SensitiveField):
    @admin.display(description=field.verbose_name)
    def column(self, obj):
        return mask(getattr(obj, field.name), field.kind)

    return column
