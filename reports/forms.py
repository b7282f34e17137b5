"""The parameters form of a report page: which report, which region (inside the user's scope) and which
period. It never raises: bad input becomes a form error in Chinese naming the field to fix."""

from __future__ import annotations

from datetime import date

from django import forms
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from backoffice.core.scope import UNRESTRICTED, prefix_of_code, scope_prefix

from .table import PERIOD_KINDS, Period, ReportError

#: region level (backoffice.regions.RegionLevel) → label used in the region choices
LEVEL_NAMES = {1: "省", 2: "市", 3: "县（市、区）", 4: "乡镇（街道）"}
#: above this many regions in scope, the region list stops at county level (a dropdown of hundreds of
#: townships helps nobody; a county report drills down to them)
MAX_REGION_CHOICES = 300
PERIOD_HELP = "如 2025-03（月）、2025-Q1（季）、2025（年）"


def scoped_region_choices(user) -> list[tuple[str, str]]:
    """Regions (province … township) the user may report on, labelled with their level, in code order."""
    from backoffice.regions.models import Region

    regions = Region.objects.visible_to(user).filter(level__lte=4)
    if regions.count() > MAX_REGION_CHOICES:
        regions = regions.filter(level__lte=3)
    return [
        (r.code, f"{'　' * (r.level - 1)}{r.name}（{LEVEL_NAMES[r.level]}）")
        for r in regions.only("code", "name", "level").order_by("code")
    ]


def default_region(user) -> str | None:
    """The user's own scope region as a report region."""
    prefix = scope_prefix(user)
    if prefix is None:
        return None
    if prefix is UNRESTRICTED:
        return "140000000000"
    return prefix_of_code(user.scope_region_id).ljust(12, "0")


def default_period(kind: str, today: date | None = None) -> Period:
    """The current period of ``kind`` (live views compute on the fly)."""
    return Period.containing(kind, today or date.today())


class RegionChoiceField(forms.ChoiceField):
    """A region select that accepts any well-formed 12-digit code: whether the user may see that region is
    decided by the scope check of the view (an out-of-scope code gets the refusal, not "invalid choice")."""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and len(value) == 12 and value.isdigit()

    def validate(self, value) -> None:
        if value in self.empty_values:
            raise forms.ValidationError("请选择区划。", code="required")
        if not self.valid_value(value):
            raise forms.ValidationError(f"区划代码“{value}”无效，应为12位数字。", code="invalid_choice")


class ReportParamsForm(forms.Form):
    """GET form of a report page: region + period kind + period."""

    region = RegionChoiceField(label="区划", widget=UnfoldAdminSelectWidget)
    kind = forms.ChoiceField(
        label="报表类型", choices=list(PERIOD_KINDS.items()), widget=UnfoldAdminSelectWidget
    )
    period = forms.CharField(
        label="期间", max_length=10, help_text=PERIOD_HELP, widget=UnfoldAdminTextInputWidget
    )

    def __init__(self, *args, user, definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fields["region"].choices = scoped_region_choices(user)
        kinds = list(getattr(definition, "period_kinds", None) or PERIOD_KINDS)
        self.fields["kind"].choices = [(k, PERIOD_KINDS.get(k, k)) for k in kinds]

    def clean(self):
        data = super().clean()
        kind, raw = data.get("kind"), data.get("period")
        if not kind or raw is None:
            return data
        try:
            period = Period.parse(raw)
        except ReportError as exc:
            self.add_error("period", str(exc))
            return data
        if period.kind != kind:
            # The kind select decides the period type; the text decides the time (2025-Q1 → 年报 2025).
            period = Period.containing(kind, period.start)
            data["period"] = period.code
        data["period_obj"] = period
        return data
