"""Admin of the reports app (sidebar group 监测报表): the live report pages and the snapshot review.

The report pages hang on the data-less proxy ``reports.web.models.Report`` (the sidebar lists admins by
changelist): its changelist is the report index, ``<code>/`` one report. Any staff user with a scope may
open them; what they see is cut by the engine's scope check, never by these views.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, path, reverse
from unfold.admin import ModelAdmin

from .models import ReportSnapshot
from .web.models import Report
from .web.snapshot_admin import SnapshotAdmin
from .web.views import ReportIndexView, ReportPageView, may_view_reports


@admin.register(Report)
class ReportAdmin(ModelAdmin):
    """报表查询: index of R1–R13 and S1–S5, and one page per report."""

    icon = "table_chart"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_view_reports(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_view_reports(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # Only the report pages: the proxy has no rows to list, change or delete.
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(ReportIndexView.as_view(model_admin=self)), name="reports_report_changelist"),
            path("<str:code>/", wrap(ReportPageView.as_view(model_admin=self)), name="reports_report_page"),
        ]

    def snapshot_changelist_url(self) -> str | None:
        """The snapshot review list, when the engine's snapshot model is registered."""
        for model in self.admin_site._registry:
            if model._meta.app_label == "reports" and model is not Report:
                try:
                    return reverse(f"admin:reports_{model._meta.model_name}_changelist")
                except NoReverseMatch:
                    return None
        return None


# After ReportAdmin, so that the sidebar lists 报表查询 before 报表快照.
admin.site.register(ReportSnapshot, SnapshotAdmin)
