"""Admin of 重点工作: record types generated from their spec; task templates are reference data."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from backoffice.core.record_admin import register_record_types

from .models import ProblemLedger, TaskAssignment, TaskProgress, TaskTemplate


@admin.register(TaskTemplate)
class TaskTemplateAdmin(ModelAdmin):
    list_display = (
        "title",
        "year",
        "indicator_name",
        "target_value",
        "unit",
        "due_date",
        "evidence_required",
    )
    list_filter = ("year", "evidence_required")
    search_fields = ("title", "indicator_name")


register_record_types(TaskAssignment, TaskProgress, ProblemLedger)
