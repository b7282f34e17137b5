"""Forms of the supervision pages (Chinese labels; bad input becomes a message, never a 500)."""

from __future__ import annotations

from datetime import date

from django import forms
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from ..forms import PERIOD_HELP, RegionChoiceField, scoped_region_choices
from ..table import Period, ReportError
from .choices import SpotCheckResult


class SupervisionParamsForm(forms.Form):
    """GET form: region and period (month, quarter or year)."""

    region = RegionChoiceField(label="区划", widget=UnfoldAdminSelectWidget)
    period = forms.CharField(
        label="期间", max_length=10, help_text=PERIOD_HELP, widget=UnfoldAdminTextInputWidget
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = scoped_region_choices(user)

    def clean_period(self):
        try:
            return Period.parse(self.cleaned_data["period"])
        except ReportError as exc:
            raise forms.ValidationError(str(exc)) from exc


class SpotCheckForm(forms.Form):
    """POST form of a spot-check result on the assessment page."""

    region = RegionChoiceField(label="被考核区划", widget=forms.HiddenInput)
    period = forms.CharField(label="考核期间", max_length=10, widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label="抽查结论", choices=SpotCheckResult.choices, widget=UnfoldAdminSelectWidget
    )
    note = forms.CharField(
        label="抽查说明", required=False, max_length=2000, widget=UnfoldAdminTextareaWidget(attrs={"rows": 2})
    )


class RegionAsOfForm(forms.Form):
    """A region in the user's scope and a day from 2022-01-01 (the data scope) to today; subclasses declare
    ``as_of`` with their own label, which the messages name."""

    region = RegionChoiceField(label="区划", widget=UnfoldAdminSelectWidget)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = scoped_region_choices(user)

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        if value > date.today():
            raise forms.ValidationError(f"{self.fields['as_of'].label}不能晚于今天。")
        if value < date(2022, 1, 1):
            raise forms.ValidationError("统计口径为2022年1月1日以来的数据，请选择2022年及以后的日期。")
        return value


class BulletinGenerateForm(RegionAsOfForm):
    """POST form: (re)build the bulletin of a region as of a past or present day."""

    as_of = forms.DateField(label="通报截止日期", widget=UnfoldAdminDateWidget)


class WeeklyParamsForm(RegionAsOfForm):
    """GET form of 周调度: region and the day the week ends on (compared with seven days earlier)."""

    as_of = forms.DateField(label="截止日期", widget=UnfoldAdminDateWidget, help_text="与7天前对比")


class MonthlyParamsForm(forms.Form):
    """GET form of 每月研判: region and month (YYYY-MM); the trend covers the months up to it."""

    region = RegionChoiceField(label="区划", widget=UnfoldAdminSelectWidget)
    month = forms.CharField(
        label="月份",
        max_length=7,
        help_text="如 2026-11，显示截至该月的近6个月",
        widget=UnfoldAdminTextInputWidget,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = scoped_region_choices(user)

    def clean_month(self):
        try:
            period = Period.parse(self.cleaned_data["month"])
        except ReportError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if period.kind != "month":
            raise forms.ValidationError("请按月份输入，格式为 YYYY-MM，如 2026-11。")
        if period.start < date(2022, 1, 1):
            raise forms.ValidationError("统计口径为2022年1月1日以来的数据，请选择2022年及以后的月份。")
        if period.start > date.today():
            raise forms.ValidationError("所选月份尚未开始，请选择本月或以前的月份。")
        return period
