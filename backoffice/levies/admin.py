"""Admin of 一事一议筹资筹劳: generated from each record type's spec.

The project status is read-only in the form: it changes only through ``services.levy_project_transition``,
offered here as list actions (advance one step, cancel).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from backoffice.core.record_admin import RecordAdmin, build_admin_class, register_record_types

from .choices import LevyStatus
from .models import LevyAcceptance, LevyContribution, LevyExpense, LevyMeeting, LevyProject
from .services import TRANSITIONS, levy_project_transition


class LevyProjectAdmin(build_admin_class(LevyProject)):
    actions = (*RecordAdmin.actions, "advance_selected", "cancel_selected")

    @admin.action(description="推进到下一状态（审核→备案→公示→实施→完工→验收）", permissions=["change"])
    def advance_selected(self, request, queryset):
        for project in queryset:
            following = [s for s in TRANSITIONS[project.status] if s != LevyStatus.CANCELLED]
            if following:
                self._move(request, project, following[0])
            else:
                messages.warning(request, f"{project}：当前状态不能再推进。")

    @admin.action(description="撤销项目（实施前）", permissions=["change"])
    def cancel_selected(self, request, queryset):
        for project in queryset:
            self._move(request, project, LevyStatus.CANCELLED)

    def _move(self, request, project: LevyProject, to_status: str) -> None:
        try:
            levy_project_transition(project=project, to_status=to_status, user=request.user)
        except ValidationError as exc:
            messages.error(request, f"{project}：{'；'.join(exc.messages)}")
        else:
            messages.success(request, f"{project}：已变为“{LevyStatus(to_status).label}”。")


admin.site.register(LevyProject, LevyProjectAdmin)
register_record_types(LevyMeeting, LevyContribution, LevyExpense, LevyAcceptance)
