"""Admin of rollout supervision (sidebar group 推进督导): 覆盖情况, 周调度, 每月研判, 考核评分, 半月通报 pages
hang on data-less proxies (``reports.web.page_admin.PageProxyAdmin``; the sidebar lists admins by
changelist); the scorecard is ordinary data edited by province policy staff."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline

from ..web.page_admin import PageProxyAdmin
from .access import may_edit_scorecard, may_supervise
from .models import (
    BulletinPage,
    MonthlyPage,
    ScoreBoard,
    Scorecard,
    ScoreIndicator,
    SupervisionPage,
    WeeklyPage,
)
from .progress_views import MonthlyView, WeeklyView
from .views import BulletinDetailView, BulletinListView, CoverageView, ScoreView


class PageAdmin(PageProxyAdmin):
    """A supervision page: readable by supervisors (``access.may_supervise``)."""

    def may_view(self, user) -> bool:
        return may_supervise(user)


@admin.register(SupervisionPage)
class CoverageAdmin(PageAdmin):
    icon = "fact_check"
    view_class = CoverageView


@admin.register(WeeklyPage)
class WeeklyAdmin(PageAdmin):
    icon = "date_range"
    view_class = WeeklyView


@admin.register(MonthlyPage)
class MonthlyAdmin(PageAdmin):
    icon = "query_stats"
    view_class = MonthlyView


@admin.register(ScoreBoard)
class ScoreBoardAdmin(PageAdmin):
    icon = "leaderboard"
    view_class = ScoreView


@admin.register(BulletinPage)
class BulletinPageAdmin(PageAdmin):
    icon = "campaign"
    view_class = BulletinListView
    extra_pages = (("<int:pk>/", BulletinDetailView, "supervision_bulletin_detail"),)


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
