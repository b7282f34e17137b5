"""Review actions of the generated admin: submit, approve, and return with a reason (core/review.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse

from .choices import ReviewStatus
from .review import records_review


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewActionsMixin:
    """Part of ``RecordAdmin``: the three bulk review actions of every record list."""

    @admin.action(description="提交审核", permissions=["change"])
    def submit_selected(self, request: HttpRequest, queryset):
        self._review(request, queryset, "submit")

    @admin.action(description="审核通过", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset):
        self._review(request, queryset.filter(review_status=ReviewStatus.SUBMITTED), "approve")

    @admin.action(description="退回修改（需填写原因）", permissions=["change"])
    def return_selected(self, request: HttpRequest, queryset):
        form = ReturnReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._review(request, queryset, "return", reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "退回修改",
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "core/return_reason.html", context)

    def _review(self, request: HttpRequest, queryset, action: str, reason: str = "") -> None:
        done, errors = records_review(records=queryset, user=request.user, action=action, reason=reason)
        labels = {"submit": "提交", "approve": "审核通过", "return": "退回"}
        report_bulk_outcome(request, done=done, errors=errors, verb=labels[action], unit="条记录")


#: a bulk action shows at most this many individual refusals; the rest are counted in one line
MAX_LISTED_ERRORS = 10


def report_bulk_outcome(request: HttpRequest, *, done: int, errors: list[str], verb: str, unit: str) -> None:
    """The messages after a bulk admin action: how many succeeded, the first refusals one by one, how many
    more were refused, or that nothing selected could be acted on. Used by every bulk action (records'
    review, alerts, report snapshots) so they read alike."""
    if done:
        messages.success(request, f"已{verb} {done} {unit}。")
    for error in errors[:MAX_LISTED_ERRORS]:
        messages.error(request, error)
    if len(errors) > MAX_LISTED_ERRORS:
        messages.error(request, f"另有 {len(errors) - MAX_LISTED_ERRORS} {unit}未能{verb}。")
    if not done and not errors:
        messages.warning(request, f"所选{unit[1:]}中没有可以{verb}的。")
