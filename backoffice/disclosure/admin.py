"""Admin of 财务公开: generated from each record type's spec; categories and channels as checkboxes."""

from django import forms
from django.contrib import admin
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget

from backoffice.core.record_admin import build_admin_class, register_record_types

from .choices import DisclosureCategory, DisclosureChannel
from .models import Disclosure, DisclosureFeedback, DisclosurePlan


class DisclosureForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label="公开类别",
        choices=DisclosureCategory.choices,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
    )
    channels = forms.MultipleChoiceField(
        label="公开渠道",
        choices=DisclosureChannel.choices,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
    )

    class Meta:
        model = Disclosure
        fields = "__all__"  # noqa: DJ007  (the admin narrows fields; the model spec is the source)


register_record_types(DisclosurePlan, DisclosureFeedback)
admin.site.register(Disclosure, build_admin_class(Disclosure, form=DisclosureForm))
