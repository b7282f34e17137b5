"""Admin of rollout supervision (sidebar group 推进督导): 覆盖情况, 考核评分, 半月通报 pages hang on data-less
proxies (the sidebar lists admins by changelist); the scorecard is ordinary data edited by province policy
staff."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path
from unfold.admin import ModelAdmin, TabularInline

from .access import may_edit_scorecard, may_supervise
from .models import BulletinPage, ScoreBoard, Scorecard, ScoreIndicator, SupervisionPage
from .views import BulletinDetailView, BulletinListView, CoverageView, ScoreView


class PageAdmin(ModelAdmin):
    """A page, not a list: readable by supervisors, no add/change/delete of the proxy rows."""

    view_class = None
    url_name = ""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_supervise(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_supervise(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        opts = self.model._meta
        return [
            path(
                "",
                wrap(self.view_class.as_view(model_admin=self)),
                name=f"{opts.app_label}_{opts.model_name}_changelist",
            )
        ]


@admin.register(SupervisionPage)
class CoverageAdmin(PageAdmin):
    icon = "fact_check"
    view_class = CoverageView


@admin.register(ScoreBoard)
class ScoreBoardAdmin(PageAdmin):
    icon = "leaderboard"
    view_class = ScoreView


@admin.register(BulletinPage)
class BulletinPageAdmin(PageAdmin):
    icon = "campaign"
    view_class = BulletinListView

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            *super().get_urls(),
            path(
                "<int:pk>/",
                wrap(BulletinDetailView.as_view(model_admin=self)),
                name="supervision_bulletin_detail",
            ),
        ]


class ScoreIndicatorInline(TabularInline):
    model = ScoreIndicator
    extra = 0
    fields = ("indicator", "weight", "target")

    # The scorecard's own rule decides, not model permissions (the roles carry none on this table).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_supervise(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_edit_scorecard(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_edit_scorecard(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_edit_scorecard(request.user)


@admin.register(Scorecard)
class ScorecardAdmin(ModelAdmin):
    """考核评分表: province policy staff edit indicators, weights and targets; supervisors may read them."""

    icon = "tune"
    list_display = ("name", "is_active", "updated_at")
    fields = ("name", "description", "is_active")
    inlines = (ScoreIndicatorInline,)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_supervise(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_supervise(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_edit_scorecard(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_edit_scorecard(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_edit_scorecard(request.user)
