"""The supervisors' alert queue and the per-alert page (Unfold); the rule list with the params form and the
read-only ledgers are in ``admin_rules.py``.

Alerts are read through ``Alert.objects.visible_to(user)`` only: list, per-alert page (404 outside
scope), bulk actions. Params are edited through a form generated from the params' types; each save is a
new rule version and can be previewed first.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from import_export import fields, resources
from unfold.admin import ModelAdmin
from unfold.decorators import display

from backoffice.accounts.roles import Role
from backoffice.core.admin_review import report_bulk_outcome
from backoffice.core.record_admin import RecordAdmin
from backoffice.core.scope import code_in_scope

from . import services
from .models import (
    ACTIVE_STATES,
    Alert,
    AlertState,
    Disposition,
)
from .schema import SEVERITY_LABELS, shipped_rules

SEVERITY_VARIANTS = {"red": "danger", "yellow": "warning", "info": "info"}


class SlaBreachedFilter(admin.SimpleListFilter):
    title = "是否超时"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("breached", "已超过处置时限"), ("ok", "未超时")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "breached":
            return queryset.filter(state__in=ACTIVE_STATES, sla_due__lt=today)
        if self.value() == "ok":
            return queryset.exclude(state__in=ACTIVE_STATES, sla_due__lt=today)
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = "已持续"
    parameter_name = "age"
    BUCKETS = {"3": (0, 3), "10": (4, 10), "30": (11, 30), "older": (31, None)}

    def lookups(self, request, model_admin):
        return [("3", "3天以内"), ("10", "4–10天"), ("30", "11–30天"), ("older", "30天以上")]

    def queryset(self, request, queryset):
        if self.value() not in self.BUCKETS:
            return queryset
        low, high = self.BUCKETS[self.value()]
        now = timezone.now()
        queryset = queryset.filter(opened_at__lte=now - timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(opened_at__gt=now - timedelta(days=high + 1))
        return queryset


class RuleCodeFilter(admin.SimpleListFilter):
    title = "规则"
    parameter_name = "code"

    def lookups(self, request, model_admin):
        return [(code, f"{code} {rule.name}") for code, rule in sorted(shipped_rules().items())]

    def queryset(self, request, queryset):
        return queryset.filter(code=self.value()) if self.value() else queryset


class ResolveForm(forms.Form):
    disposition = forms.ChoiceField(
        label="处置结论", choices=[c for c in Disposition.choices if c[0] != Disposition.AUTO_CLEARED]
    )
    note = forms.CharField(label="处置说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AssignForm(forms.Form):
    role = forms.ChoiceField(label="责任角色", choices=Role.choices)
    level = forms.ChoiceField(label="层级", choices=[(4, "乡镇"), (3, "县"), (2, "市"), (1, "省")])
    note = forms.CharField(label="说明", required=False, max_length=300)


class AlertActionForm(forms.Form):
    ACTIONS = [
        ("acknowledge", "签收"),
        ("rectify", "开始整改"),
        ("resolve", "解除（已处置）"),
        ("dismiss", "排除（不属实）"),
        ("snooze", "暂缓"),
    ]
    action = forms.ChoiceField(label="操作", choices=ACTIONS)
    disposition = forms.ChoiceField(
        label="处置结论",
        required=False,
        choices=[("", "—")] + [c for c in Disposition.choices if c[0] != Disposition.AUTO_CLEARED],
    )
    note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    snooze_until = forms.DateField(
        label="暂缓至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AlertResource(resources.ModelResource):
    """The queue's export: the same scoped, filtered rows as the list."""

    org_name = fields.Field(attribute="org__name", column_name="集体经济组织")

    class Meta:
        model = Alert
        fields = (
            "id",
            "code",
            "severity",
            "state",
            "message",
            "org_name",
            "region_code",
            "period_key",
            "as_of",
            "assigned_role",
            "assigned_level",
            "sla_due",
            "opened_at",
            "closed_at",
            "disposition",
            "note",
        )
        export_order = fields

    def __init__(self, **kwargs):
        kwargs.pop("request", None)  # RecordAdmin passes the request for record resources
        super().__init__(**kwargs)

    def get_export_headers(self, selected_fields=None):
        names = {f.name: str(f.verbose_name) for f in Alert._meta.fields}
        return [names.get(h, h) for h in super().get_export_headers(selected_fields)]


@admin.register(Alert)
class AlertAdmin(RecordAdmin):
    """The queue. A ``RecordAdmin`` (alerts are region-scoped: core.E001) without the record-type parts:
    no spec, no import, no review actions; its own export resource."""

    checks_class = ModelAdmin.checks_class  # no Spec to check (core.E002 is for record types)
    icon = "notifications"
    actions_list = ()
    list_display = ("severity_badge", "code", "message", "org", "state", "assigned", "sla_due", "opened_at")
    list_display_links = ("message",)
    list_filter = ("severity", RuleCodeFilter, "state", SlaBreachedFilter, "assigned_level", AgeFilter)
    search_fields = ("message", "org__name", "code")
    list_per_page = 50
    show_full_result_count = False
    actions = ("acknowledge_selected", "assign_selected", "resolve_selected")
    list_filter_submit = True

    def get_queryset(self, request: HttpRequest):
        return Alert.objects.visible_to(request.user).select_related("org", "rule_version")

    def get_export_resource_classes(self, request):
        return [AlertResource]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or code_in_scope(request.user, obj.region_code)
        )

    @display(description="级别", ordering="severity", label=SEVERITY_VARIANTS)
    def severity_badge(self, obj: Alert):
        # Unfold's label variants are compiled into its CSS; arbitrary Tailwind colours are not.
        return obj.severity, SEVERITY_LABELS.get(obj.severity, obj.severity)

    @admin.display(description="责任人")
    def assigned(self, obj: Alert) -> str:
        level = {1: "省", 2: "市", 3: "县", 4: "乡镇", 5: "村"}.get(obj.assigned_level, "")
        role = Role(obj.assigned_role).label if obj.assigned_role in Role.values else obj.assigned_role
        return f"{level}{role}"

    # ---- bulk actions -----------------------------------------------------------------------------------
    @admin.action(description="签收所选预警", permissions=["change"])
    def acknowledge_selected(self, request, queryset):
        done, errors = 0, []
        for alert in queryset.filter(state=AlertState.OPEN):
            try:
                services.alert_acknowledge(alert=alert, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                errors.append(f"{alert}: {_text(exc)}")
        self._report(request, done, errors, "签收")

    @admin.action(description="解除所选预警（需填写处置结论）", permissions=["change"])
    def resolve_selected(self, request, queryset):
        form = ResolveForm(request.POST if "disposition" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, errors = 0, []
            for alert in queryset.filter(state__in=ACTIVE_STATES):
                try:
                    services.alert_resolve(alert=alert, user=request.user, **form.cleaned_data)
                    done += 1
                except (ValidationError, PermissionDenied) as exc:
                    errors.append(f"{alert}: {_text(exc)}")
            self._report(request, done, errors, "解除")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "解除预警",
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action": "resolve_selected",
            "submit_label": "确认解除",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "rules/bulk_resolve.html", context)

    @admin.action(description="指派所选预警（选择责任角色和层级）", permissions=["change"])
    def assign_selected(self, request, queryset):
        form = AssignForm(request.POST if "role" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, errors = 0, []
            for alert in queryset.filter(state__in=ACTIVE_STATES):
                try:
                    services.alert_assign(
                        alert=alert,
                        user=request.user,
                        role=form.cleaned_data["role"],
                        level=int(form.cleaned_data["level"]),
                        note=form.cleaned_data["note"],
                    )
                    done += 1
                except (ValidationError, PermissionDenied) as exc:
                    errors.append(f"{alert}: {_text(exc)}")
            self._report(request, done, errors, "指派")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "指派预警",
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action": "assign_selected",
            "submit_label": "确认指派",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "rules/bulk_resolve.html", context)

    def _report(self, request, done, errors, label):
        report_bulk_outcome(request, done=done, errors=errors, verb=label, unit="条预警")

    # ---- the per-alert page -------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        alert = get_object_or_404(self.get_queryset(request), pk=object_id)  # 404 outside scope
        if not self.has_view_or_change_permission(request, alert):
            raise PermissionDenied
        can_change = self.has_change_permission(request, alert)
        form = AlertActionForm(request.POST or None)
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            if form.is_valid():
                try:
                    _apply(alert, request.user, form.cleaned_data)
                except (ValidationError, PermissionDenied) as exc:
                    messages.error(request, _text(exc))
                else:
                    messages.success(request, "已保存。")
                    return HttpResponseRedirect(request.path)
        from .notifications import mark_read

        mark_read(request.user, alert)
        subject = alert.subject
        context = {
            **self.admin_site.each_context(request),
            "title": f"预警：{alert.message}",
            "opts": self.model._meta,
            "original": alert,
            "alert": alert,
            "rule": shipped_rules().get(alert.code),
            "conditions": [w for w in alert.why if "name" in w],
            "events": alert.events.select_related("user"),
            "subject": subject,
            "subject_url": _admin_url(subject),
            "form": form,
            "can_change": can_change and alert.is_active,
            "sla_breached": services.sla_breached(alert),
        }
        return TemplateResponse(request, "rules/alert_detail.html", context)


def _apply(alert: Alert, user, data: dict) -> None:
    action, note = data["action"], data.get("note") or ""
    if action == "acknowledge":
        services.alert_acknowledge(alert=alert, user=user, note=note)
    elif action == "rectify":
        services.alert_start_rectifying(alert=alert, user=user, note=note)
    elif action == "resolve":
        services.alert_resolve(alert=alert, user=user, disposition=data.get("disposition") or "", note=note)
    elif action == "dismiss":
        services.alert_dismiss(alert=alert, user=user, disposition=data.get("disposition") or "", note=note)
    elif action == "snooze":
        if not data.get("snooze_until"):
            raise services.AlertError("请填写暂缓截止日期")
        services.alert_snooze(alert=alert, user=user, until=data["snooze_until"], reason=note)


def _text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _admin_url(obj) -> str | None:
    if obj is None:
        return None
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


from . import admin_notifications, admin_rules  # noqa: E402,F401  (registers 我的预警通知, the rule list and ledgers)
