"""Snapshot review in the admin (报表快照): the scoped list, and a detail page that shows the frozen
table with its review trail and the review / return / lock / regenerate buttons.

Every button calls a ``reports.snapshots`` service; the services decide who may do which step (township →
county → city review, province lock) and answer in Chinese, which the page shows as a message.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.checks import ModelAdminChecks
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.decorators import display

from backoffice.core.admin_review import report_bulk_outcome
from backoffice.core.filters import region_level_filters
from backoffice.core.record_admin import RecordAdmin

from ..table import ReportError
from . import presenter
from .views import download, may_view_reports

STATUS_VARIANTS = {
    "generated": "info",
    "township_reviewed": "info",
    "county_reviewed": "info",
    "city_reviewed": "warning",
    "locked": "success",
    "returned": "danger",
}


class ReturnCommentForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="说明需要更正的内容，将通知数据填报单位",
    )


EVENT_LABELS = {
    "generated": "生成",
    "regenerated": "重新生成",
    "reviewed": "审核通过",
    "returned": "退回",
    "locked": "锁定",
}


def event_rows(snapshot) -> list[dict]:
    """The review trail with Chinese labels."""
    from ..models import SnapshotStatus

    statuses = dict(SnapshotStatus.choices)
    return [
        {
            "at": event.at,
            "user": event.user,
            "kind": EVENT_LABELS.get(event.kind, event.kind),
            "to_status": statuses.get(event.to_status, event.to_status),
            "comment": event.comment,
        }
        for event in snapshot.events.select_related("user").order_by("at", "pk")
    ]


def next_step_label(snapshot) -> str:
    """What the snapshot waits for, in Chinese ("乡镇审核", "省级锁定"); empty once locked."""
    from ..models import SnapshotStatus
    from ..snapshots import next_step

    if snapshot.is_locked:
        return ""
    step = next_step(snapshot)
    if step == SnapshotStatus.LOCKED:
        return "省级锁定"
    return SnapshotStatus(step).label.replace("已审核", "审核")


def _error_text(exc: Exception) -> str:
    return str(exc)


class SnapshotAdmin(RecordAdmin):
    """报表快照: scoped list, frozen-table detail, review actions through the snapshot services.

    A ``RecordAdmin`` for its scope enforcement on every read path (core.E001), without the record-type
    parts: a snapshot has no spec, no import and no record review (it has its own chain)."""

    checks_class = ModelAdminChecks
    icon = "inventory_2"
    actions_list = ()
    list_display = (
        "report_code",
        "report_label",
        "region_name",
        "period_label",
        "revision",
        "status_badge",
        "checks_badge",
        "generated_at",
    )
    list_display_links = ("report_label",)
    list_filter_submit = True
    search_fields = ("report_code", "report_label", "region__name", "region_code")
    list_per_page = 50
    show_full_result_count = False
    actions = ("review_selected", "lock_selected")

    # ---- scope and permissions --------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("region")

    def get_list_filter(self, request):
        return [*region_level_filters(request.user), "report_code", "status", "checks_ok", "period"]

    def get_readonly_fields(self, request, obj=None):
        return ()

    def has_module_permission(self, request):
        return may_view_reports(request.user)

    def has_view_permission(self, request, obj=None):
        # the model permission, like every scoped type (a village account's list is simply empty:
        # snapshots start at township level); the sidebar entry follows may_view_reports
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False  # snapshots come from the scheduled job or ``generate_snapshot``

    def has_change_permission(self, request, obj=None):
        return False  # frozen; state changes only through the review services

    def has_delete_permission(self, request, obj=None):
        return False

    # ---- list columns -----------------------------------------------------------------------------
    @admin.display(description="区划", ordering="region_code")
    def region_name(self, obj) -> str:
        return obj.region.name if obj.region_id else obj.region_code

    @display(description="状态", ordering="status", label=STATUS_VARIANTS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    @display(description="勾稽校验", ordering="checks_ok", label={"ok": "success", "failed": "danger"})
    def checks_badge(self, obj):
        return ("ok", "通过") if obj.checks_ok else ("failed", "未通过")

    # ---- bulk actions -----------------------------------------------------------------------------
    @admin.action(description="审核通过所选快照（本级）", permissions=["view"])
    def review_selected(self, request: HttpRequest, queryset):
        from ..snapshots import review_snapshot

        self._apply(request, queryset, lambda s: review_snapshot(s, user=request.user), "审核通过")

    @admin.action(description="锁定所选快照（省级）", permissions=["view"])
    def lock_selected(self, request: HttpRequest, queryset):
        from ..snapshots import lock_snapshot

        self._apply(request, queryset, lambda s: lock_snapshot(s, user=request.user), "锁定")

    def _apply(self, request, queryset, service, label: str) -> None:
        done, errors = 0, []
        for snapshot in queryset:
            try:
                service(snapshot)
                done += 1
            except ReportError as exc:
                errors.append(_error_text(exc))
        report_bulk_outcome(request, done=done, errors=errors, verb=label, unit="份快照")

    # ---- detail page ------------------------------------------------------------------------------
    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        from ..snapshots import table_from_json

        snapshot = get_object_or_404(self.get_queryset(request), pk=object_id)  # 404 outside scope
        return_form = ReturnCommentForm(request.POST if request.POST.get("do") == "return" else None)
        if request.method == "POST":
            redirect = self._post(request, snapshot, return_form)
            if redirect is not None:
                return redirect
        try:
            table = table_from_json(snapshot.table)
        except (ReportError, KeyError, ValueError) as exc:
            table = None
            messages.error(request, f"快照数据无法读取：{exc}")
        if table is not None and request.GET.get("export") in ("xlsx", "csv"):
            from ..snapshots import snapshot_info

            table.snapshot = snapshot_info(snapshot)
            return download(table, request.GET["export"])
        context = {
            **self.admin_site.each_context(request),
            "title": (
                f"{snapshot.report_code} {snapshot.report_label} · {snapshot.region.name} · "
                f"{snapshot.period_label}"
            ),
            "opts": self.opts,
            "snapshot": snapshot,
            "table": table,
            "headers": presenter.header_cells(table) if table else [],
            "rows": presenter.present_rows(table, None, drill=False) if table else [],
            "failed_checks": [c for c in table.checks if not c.ok] if table else [],
            "events": event_rows(snapshot),
            "return_form": return_form,
            "live_url": self._live_url(snapshot),
            "next_step_label": next_step_label(snapshot),
            "is_locked": snapshot.is_locked,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "reports/snapshot_detail.html", context)

    def _post(self, request: HttpRequest, snapshot, return_form):
        from .. import snapshots

        action = request.POST.get("do")
        try:
            if action == "review":
                snapshots.review_snapshot(snapshot, user=request.user)
                messages.success(request, "已审核通过。")
            elif action == "lock":
                snapshots.lock_snapshot(snapshot, user=request.user)
                messages.success(request, "已锁定，本版本今后不会再改变。")
            elif action == "return":
                if not return_form.is_valid():
                    messages.error(request, "退回必须填写退回意见。")
                    return None
                snapshots.return_snapshot(
                    snapshot, user=request.user, comment=return_form.cleaned_data["comment"]
                )
                messages.success(request, "已退回，并记录退回意见。")
            elif action == "regenerate":
                fresh = snapshots.generate_snapshot(
                    snapshot.report_code,
                    region_code=snapshot.region_code,
                    period=snapshot.period,
                    user=request.user,
                )
                if fresh.pk != snapshot.pk:
                    messages.success(request, f"已按当前数据生成第 {fresh.revision} 版。")
                    return HttpResponseRedirect(
                        reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[fresh.pk])
                    )
                messages.success(request, "已按当前数据重新生成，审核重新开始。")
            else:
                raise Http404("未知操作")
        except ReportError as exc:
            messages.error(request, _error_text(exc))
        return HttpResponseRedirect(request.path)

    def _live_url(self, snapshot) -> str | None:
        from ..table import Period

        try:
            return presenter.report_url(
                snapshot.report_code, region=snapshot.region_code, period=Period.parse(snapshot.period)
            )
        except ReportError:
            return None
