"""Admin of the reports app (sidebar group 监测报表): the live report pages and the snapshot review.

The report pages hang on the data-less proxy ``reports.web.models.Report`` (the sidebar lists admins by
changelist): its changelist is the report index, ``<code>/`` one report. Any staff user with a scope may
open them; what they see is cut by the engine's scope check, never by these views.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from .models import ReportSnapshot
from .web.models import Report
from .web.page_admin import PageProxyAdmin
from .web.snapshot_admin import SnapshotAdmin
from .web.views import ReportIndexView, ReportPageView, may_view_reports


@admin.register(Report)
class ReportAdmin(PageProxyAdmin):
    """报表查询: index of R1–R13 and S1–S5, and one page per report."""

    icon = "table_chart"
    view_class = ReportIndexView
    extra_pages = (("<str:code>/", ReportPageView, "reports_report_page"),)

    def may_view(self, user) -> bool:
        return may_view_reports(user)

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
