"""Region-level list filters (省/市/县/乡镇/村) generated for every scoped changelist.

Each filter narrows by code prefix (never a tree walk); its choices are the regions at that level inside
the user's scope and under any higher level already chosen, so a county user picking a township then
sees only that township's villages.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.contrib.filters.admin import DropdownFilter
from unfold.contrib.filters.forms import DropdownForm
from unfold.widgets import UnfoldAdminSelectWidget

from .scope import SIGNIFICANT_DIGITS, prefix_of_code, scope_prefix

LEVEL_PARAMS = {1: "province", 2: "city", 3: "county", 4: "township", 5: "village"}
LEVEL_TITLES = {1: "省", 2: "市", 3: "县（市、区）", 4: "乡镇（街道）", 5: "村（社区）"}
#: a level with more choices than this waits until a higher level is chosen (a dropdown of 20,000
#: villages helps nobody)
MAX_CHOICES = 400


class InlineOptionsSelect(UnfoldAdminSelectWidget):
    """Unfold's select, rendering its options inline: one included template per option cost ~4 ms of a
    city user's list page (the township dropdown has ~150). Same markup (tests/core/test_filters.py)."""

    template_name = "core/widgets/select_inline_options.html"


class RegionDropdownForm(DropdownForm):
    widget = InlineOptionsSelect(
        attrs={"data-theme": "admin-autocomplete", "class": "unfold-admin-autocomplete admin-autocomplete"}
    )


class RegionLevelFilter(DropdownFilter):
    """Base of the five level filters; subclasses set ``level``."""

    level: int = 0
    form_class = RegionDropdownForm

    def lookups(self, request: HttpRequest, model_admin):
        from backoffice.regions.models import Region

        regions = Region.objects.visible_to(request.user).filter(level=self.level)
        narrowest = self._chosen_prefix(request)
        if narrowest:
            regions = regions.filter(code__startswith=narrowest)
        # one bounded query: at most MAX_CHOICES + 1 rows are read, never every village of a province
        choices = list(regions.order_by("code").values_list("code", "name")[: MAX_CHOICES + 1])
        return [] if len(choices) > MAX_CHOICES else choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value or not value.isdigit() or len(value) != 12:
            return queryset
        return queryset.filter(
            **{f"{queryset.model.scope_field}__startswith": prefix_of_code(value, self.level)}
        )

    def _chosen_prefix(self, request: HttpRequest) -> str:
        """The prefix of the deepest higher-level region chosen in this request, if any."""
        chosen = ""
        for level in range(1, self.level):
            value = request.GET.get(LEVEL_PARAMS[level], "")
            if value.isdigit() and len(value) == 12:
                chosen = value[: SIGNIFICANT_DIGITS[level]]
        return chosen


def region_level_filters(user) -> list[type[RegionLevelFilter]]:
    """Filters for the levels below the user's own (a township user gets the village filter only)."""
    prefix = scope_prefix(user)
    own_digits = len(prefix) if isinstance(prefix, str) else 0
    return [_FILTERS[level] for level in range(1, 6) if SIGNIFICANT_DIGITS[level] > own_digits]


_FILTERS = {
    level: type(
        f"{LEVEL_PARAMS[level].title()}Filter",
        (RegionLevelFilter,),
        {"level": level, "title": LEVEL_TITLES[level], "parameter_name": LEVEL_PARAMS[level]},
    )
    for level in range(1, 6)
}


class LeadingIndexValuesFilter(admin.AllValuesFieldListFilter):
    """Django's "all values" filter, its values read by stepping through an index that starts with the
    field (one "next value" probe per value) instead of a DISTINCT over every row in scope: a city
    user's 科目余额 period filter read ~600,000 rows for two dozen periods (60 ms). Same choices."""

    #: values offered at most (a period filter has a few dozen)
    max_values = 240

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        rows = model_admin.get_queryset(request).order_by(field.name).values_list(field.name, flat=True)
        values: list = []
        current = rows.filter(**{f"{field.name}__isnull": False}).first()
        while current is not None and len(values) < self.max_values:
            values.append(current)
            current = rows.filter(**{f"{field.name}__gt": current}).first()
        if field.null and rows.filter(**{f"{field.name}__isnull": True}).exists():
            values.append(None)
        self.lookup_choices = values


def leads_an_index(model: type[models.Model], name: str) -> bool:
    """Whether an index or unique constraint of ``model`` starts with the field ``name``."""
    field = model._meta.get_field(name)
    if getattr(field, "db_index", False) or getattr(field, "unique", False):
        return True
    leading = [tuple(i.fields)[:1] for i in model._meta.indexes]
    leading += [
        tuple(c.fields)[:1] for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)
    ]
    return (name,) in leading or (f"-{name}",) in leading
