"""The rule list with the params form (typed fields per param, region, reason; preview; maker-checker) and the
read-only ledgers: evaluation runs, rule versions, alert events, params change requests.

Split from ``admin.py`` (the alert queue) by concept; imported at the end of it, so that importing
``rules.admin`` registers every rules admin.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from unfold.admin import ModelAdmin

from backoffice.core.scope import UNRESTRICTED, code_in_scope, scope_prefix

from . import services
from .admin import _text
from .models import (
    ACTIVE_STATES,
    Alert,
    AlertEvent,
    EvaluationRun,
    ParamChangeRequest,
    Rule,
    RuleVersion,
)
from .schema import shipped_rules

SEVERITY_VARIANTS = {"red": "danger", "yellow": "warning", "info": "info"}


def params_form_class(rule):
    """A form with one typed field per param (not raw JSON), plus the region and a reason."""
    fields: dict[str, forms.Field] = {}
    for name, p in rule.params.items():
        label = f"{p.label}（{p.unit}）" if p.unit else p.label
        help_text = f"默认值 {p.default}{p.unit}；留空表示沿用上级设置"
        if p.type in ("number", "decimal"):
            fields[name] = forms.DecimalField(
                label=label,
                required=False,
                decimal_places=2 if p.type == "decimal" else None,
                help_text=help_text,
            )
        elif p.type in ("integer", "days"):
            fields[name] = forms.IntegerField(
                label=label, required=False, min_value=0 if p.type == "days" else None, help_text=help_text
            )
        elif p.type == "date":
            fields[name] = forms.DateField(
                label=label,
                required=False,
                help_text=help_text,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        elif p.type == "boolean":
            fields[name] = forms.NullBooleanField(label=label, required=False, help_text=help_text)
        else:
            fields[name] = forms.CharField(label=label, required=False, help_text=help_text)
    fields["reason"] = forms.CharField(label="修改原因", max_length=300, required=False)
    return type("ParamsForm", (forms.Form,), fields)


class RegionForm(forms.Form):
    region = forms.CharField(label="适用区划代码（12位）", min_length=12, max_length=12)


@admin.register(Rule)
class RuleAdmin(ModelAdmin):
    """预警规则: one row per rule with its effective params; the params page edits them per region."""

    icon = "rule"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<str:code>/params/", self.admin_site.admin_view(self.params_view), name="rules_rule_params"
            ),
            *super().get_urls(),
        ]

    def _user_region(self, request) -> str | None:
        prefix = scope_prefix(request.user)
        if prefix is UNRESTRICTED or prefix is None:
            return None
        return prefix.ljust(12, "0")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        region = self._user_region(request)
        rows = []
        for code, rule in sorted(shipped_rules().items()):
            version = services.ensure_version(code)
            rows.append(
                {
                    "code": code,
                    "rule": rule,
                    "version": version,
                    "params": services.effective_value_rows(code, region),
                    "open": Alert.objects.visible_to(request.user)
                    .filter(code=code, state__in=ACTIVE_STATES)
                    .count(),
                    "url": reverse("admin:rules_rule_params", args=[code]),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "预警规则",
            "opts": self.model._meta,
            "rows": rows,
            "region": region,
            "cl": None,
        }
        return TemplateResponse(request, "rules/rule_list.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = get_object_or_404(RuleVersion, pk=object_id)
        return self.params_view(request, version.code)

    def params_view(self, request, code: str):
        rule_file = shipped_rules().get(code)
        if rule_file is None or not self.has_view_or_change_permission(request):
            raise Http404("没有这条规则")
        version = services.ensure_version(code)
        rule = services.rule_of(version)
        region = (
            request.GET.get("region")
            or request.POST.get("region")
            or self._user_region(request)
            or "140000000000"
        )
        if not (len(region) == 12 and region.isdigit()):
            raise Http404("区划代码无效")
        can_change = self.has_change_permission(request) and code_in_scope(request.user, region)
        current = version.overrides.get(region, {})
        form_class = params_form_class(rule)
        form = form_class(request.POST or None, initial=current)
        preview = None
        pending = ParamChangeRequest.objects.filter(code=code, status=ParamChangeRequest.Status.PENDING)
        if request.method == "POST" and "toggle" in request.POST:
            if not (self.has_change_permission(request) and code_in_scope(request.user, "140000000000")):
                raise PermissionDenied("只有省级人员可以启用或停用规则")
            reason = (request.POST.get("toggle_reason") or "").strip() or "后台启用/停用"
            services.set_enabled(code=code, enabled=not version.enabled, user=request.user, reason=reason)
            messages.success(request, f"规则 {code} 已{'停用' if version.enabled else '启用'}，生成新版本。")
            return HttpResponseRedirect(f"{request.path}?region={region}")
        if request.method == "POST" and "decide" in request.POST:
            change = get_object_or_404(pending, pk=request.POST["decide"])
            try:
                services.decide_override(request=change, user=request.user, approve="approve" in request.POST)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _text(exc))
            else:
                messages.success(
                    request, "已批准，规则生成新版本。" if "approve" in request.POST else "已驳回。"
                )
            return HttpResponseRedirect(f"{request.path}?region={change.region_id}")
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied("您不能修改该区划的参数")
            if form.is_valid():
                draft = {k: v for k, v in form.cleaned_data.items() if k != "reason" and v not in (None, "")}
                if "preview" in request.POST:
                    overrides = dict(version.overrides)
                    overrides[region] = {
                        k: str(v) if not isinstance(v, bool) else v for k, v in draft.items()
                    }
                    if not draft:
                        overrides.pop(region, None)
                    try:
                        as_of = date.fromisoformat(request.POST.get("preview_as_of", ""))
                    except ValueError:
                        as_of = timezone.localdate() - timedelta(days=1)  # what tonight's run evaluates
                    preview = services.preview(code=code, overrides=overrides, as_of=as_of)
                    preview["as_of"] = as_of
                elif services.needs_approval(rule):
                    try:
                        services.request_override(
                            code=code,
                            region_code=region,
                            params={
                                k: (v.isoformat() if isinstance(v, date) else v) for k, v in draft.items()
                            },
                            user=request.user,
                            reason=form.cleaned_data.get("reason") or "",
                        )
                    except (ValidationError, PermissionDenied) as exc:
                        messages.error(request, _text(exc))
                    else:
                        messages.success(request, "已提交，需另一名有权限的人员批准后生效。")
                        return HttpResponseRedirect(f"{request.path}?region={region}")
                else:
                    try:
                        services.set_override(
                            code=code,
                            region_code=region,
                            params={
                                k: (v.isoformat() if isinstance(v, date) else v) for k, v in draft.items()
                            },
                            user=request.user,
                            reason=form.cleaned_data.get("reason") or "",
                        )
                    except (ValidationError, PermissionDenied) as exc:
                        messages.error(request, _text(exc))
                    else:
                        messages.success(request, f"已保存，规则 {code} 生成新版本。")
                        return HttpResponseRedirect(f"{request.path}?region={region}")
        context = {
            **self.admin_site.each_context(request),
            "title": f"{code} {rule.name}：参数",
            "opts": self.model._meta,
            "rule": rule,
            "version": version,
            "region": region,
            "form": form,
            "rows": services.effective_value_rows(code, region),
            "can_change": can_change,
            "preview": preview,
            "versions": RuleVersion.objects.filter(code=code).select_related("created_by")[:20],
            "ledger": EvaluationRun.objects.filter(code=code)[:10],
            "pending": pending.select_related("requested_by"),
            "needs_approval": services.needs_approval(rule),
            "can_toggle": self.has_change_permission(request) and code_in_scope(request.user, "140000000000"),
        }
        return TemplateResponse(request, "rules/rule_params.html", context)


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    icon = "fact_check"
    list_display = (
        "code",
        "as_of",
        "scope",
        "trigger",
        "rows_scanned",
        "matches",
        "opened",
        "reopened",
        "closed",
        "duration_ms",
        "status",
        "attempts",
        "error",
        "started_at",
        "finished_at",
    )
    list_filter = ("code", "trigger", "status")
    date_hierarchy = "as_of"


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnlyAdmin):
    icon = "history"
    list_display = ("code", "number", "source", "enabled", "reason", "created_by", "created_at")
    list_filter = ("code", "source")


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin):
    list_display = ("alert", "kind", "from_state", "to_state", "user", "at")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(alert__in=Alert.objects.visible_to(request.user))

    def has_module_permission(self, request):
        return False


@admin.register(ParamChangeRequest)
class ParamChangeRequestAdmin(ReadOnlyAdmin):
    icon = "approval"
    list_display = (
        "code",
        "region",
        "params",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
    )
    list_filter = ("status", "code")
