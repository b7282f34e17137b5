"""Admin of 惠农政策落实: record types generated from their spec; programmes are reference data."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from backoffice.core.record_admin import register_record_types

from .models import CollectiveSubsidy, SubsidyProgram, SubsidyPublicity, SubsidyRoster


@admin.register(SubsidyProgram)
class SubsidyProgramAdmin(ModelAdmin):
    list_display = (
        "name",
        "year",
        "funding_level",
        "standard_amount",
        "standard_unit",
        "competent_department",
    )
    list_filter = ("year", "funding_level", "standard_unit")
    search_fields = ("name", "basis_document", "competent_department")


register_record_types(SubsidyPublicity, SubsidyRoster, CollectiveSubsidy)
