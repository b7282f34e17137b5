"""Admin of bank statement uploads (Unfold): upload → django-q2 worker → report page (counts, gaps,
unknown accounts, invalid rows by file row and column)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from unfold.admin import ModelAdmin

from backoffice.core.scope import UNRESTRICTED, scope_prefix
from backoffice.core.uploads import check_uploaded_file

from .adapters import ADAPTERS
from .ingest import create_job
from .models import BankFeedJob

PAGE_SIZE = 100


class FeedUploadForm(forms.Form):
    file = forms.FileField(
        label="流水文件", help_text="银行导出的交易明细（xlsx、xls 或 csv）；表头上方可以有标题行"
    )
    format = forms.ChoiceField(
        label="流水格式",
        required=False,
        choices=[("", "自动识别")] + [(name, f"{cls.label}（{name}）") for name, cls in ADAPTERS.items()],
    )

    def clean_file(self):
        # size, type by content, zip bomb, XML entities (backoffice/core/uploads.py)
        return check_uploaded_file(self.cleaned_data["file"])


@admin.register(BankFeedJob)
class BankFeedJobAdmin(ModelAdmin):
    icon = "account_balance"
    list_display = (
        "id",
        "original_name",
        "format",
        "user",
        "status",
        "rows",
        "created_count",
        "skipped_count",
        "gap_count",
        "unknown_account_count",
        "invalid_count",
        "created_at",
    )
    list_filter = ("status", "format")
    search_fields = ("original_name",)
    list_per_page = 50

    def _may(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("funds.add_banktransaction")

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request) and (obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user")
        user = request.user
        if user.is_superuser:
            return qs
        prefix = scope_prefix(user)
        if prefix is UNRESTRICTED:
            return qs
        if isinstance(prefix, str) and len(prefix) <= 6:  # county and above supervise their subtree's jobs
            return qs.filter(scope_code__startswith=prefix)
        return qs.filter(user=user)

    def add_view(self, request, form_url="", extra_context=None):
        if not self._may(request):
            raise PermissionDenied("您没有导入银行流水的权限。")
        form = FeedUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            job = create_job(
                user=request.user, name=upload.name, content=upload.read(), format=form.cleaned_data["format"]
            )
            return redirect("admin:imports_bankfeedjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "导入银行流水",
            "opts": self.opts,
            "form": form,
            "adapters": [(name, cls.label) for name, cls in ADAPTERS.items()],
        }
        return TemplateResponse(request, "imports/bankfeed_upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        problems = (job.report or {}).get("problems", [])
        page = Paginator(problems, PAGE_SIZE, allow_empty_first_page=True).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"银行流水导入 #{job.pk}：{job.original_name}",
            "opts": self.opts,
            "job": job,
            "page": page,
            "warnings": (job.report or {}).get("warnings", []),
            "running": job.status in (BankFeedJob.Status.UPLOADED, BankFeedJob.Status.RUNNING),
            "kinds": {
                "gap": "余额不连续",
                "unknown_account": "未登记账户",
                "invalid": "数据错误",
                "conflict": "流水冲突",
            },
        }
        return TemplateResponse(request, "imports/bankfeed_job.html", context)
