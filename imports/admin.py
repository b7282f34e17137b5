"""Admin of staged imports (Unfold): upload, the job page (progress, counts, control totals, paginated diff
and per-cell errors), confirm / cancel / rollback, error workbook, templates; and the export log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from unfold.admin import ModelAdmin

from backoffice.core.scope import UNRESTRICTED, scope_prefix
from backoffice.core.uploads import check_uploaded_file

from . import engine
from .models import ExportLog, ImportJob, ImportRow
from .templates_xlsx import template_bytes

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    record_type = forms.ChoiceField(label="记录类型")
    file = forms.FileField(label="文件", help_text="xlsx、xls 或 csv（UTF-8 或 GBK）；表头上方可以有标题行")
    policy = forms.ChoiceField(
        label="有错误时", choices=ImportJob.Policy.choices, initial=ImportJob.Policy.ALL_OR_NOTHING
    )

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [
            (m._meta.label_lower, f"{m._meta.verbose_name}（{m._meta.app_config.verbose_name}）")
            for m in types
        ]

    def clean_file(self):
        # size, type by content, zip bomb, XML entities (backoffice/core/uploads.py)
        return check_uploaded_file(self.cleaned_data["file"])


def _sees_all_jobs(user) -> bool:
    prefix = scope_prefix(user)
    return prefix is UNRESTRICTED or (isinstance(prefix, str) and len(prefix) <= 6)


@admin.register(ImportJob)
class ImportJobAdmin(ModelAdmin):
    icon = "upload_file"
    list_display = (
        "id",
        "original_name",
        "record_type_name",
        "user",
        "status",
        "progress",
        "new_count",
        "updated_count",
        "unchanged_count",
        "invalid_count",
        "created_at",
    )
    list_filter = ("status", "channel", "model_label")
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("original_name",)

    @admin.display(description="记录类型")
    def record_type_name(self, obj):
        return obj.record_type_name

    # ---- permissions: any user who may import something sees their jobs -----------------------------
    def _may_import(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or bool(engine.importable_types(user)))

    def has_module_permission(self, request):
        return self._may_import(request)

    def has_view_permission(self, request, obj=None):
        return self._may_import(request) and (obj is None or self._job_visible(request, obj))

    def has_add_permission(self, request):
        return self._may_import(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _job_visible(self, request, job) -> bool:
        return self.get_queryset(request).filter(pk=job.pk).exists()

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user")
        user = request.user
        if user.is_superuser:
            return qs
        prefix = scope_prefix(user)
        if _sees_all_jobs(user) and isinstance(prefix, str):
            return qs.filter(scope_code__startswith=prefix)
        return qs.filter(user=user)

    def _job(self, request, object_id) -> ImportJob:
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        return job

    # ---- urls -----------------------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="imports_importjob_upload"),
            path("template/<str:label>/", view(self.template_view), name="imports_importjob_template"),
            path("<int:object_id>/status/", view(self.status_view), name="imports_importjob_status"),
            path("<int:object_id>/confirm/", view(self.confirm_view), name="imports_importjob_confirm"),
            path("<int:object_id>/cancel/", view(self.cancel_view), name="imports_importjob_cancel"),
            path("<int:object_id>/rollback/", view(self.rollback_view), name="imports_importjob_rollback"),
            path("<int:object_id>/errors/", view(self.errors_view), name="imports_importjob_errors"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return self.upload_view(request)

    def upload_view(self, request: HttpRequest):
        if not self._may_import(request):
            raise PermissionDenied("您没有导入数据的权限。")
        types = engine.importable_types(request.user)
        form = UploadForm(
            request.POST or None,
            request.FILES or None,
            types=types,
            initial={"record_type": request.GET.get("type", "")},
        )
        if request.method == "POST" and form.is_valid():
            model = next(m for m in types if m._meta.label_lower == form.cleaned_data["record_type"])
            upload = form.cleaned_data["file"]
            job = engine.create_job(
                user=request.user,
                model=model,
                name=upload.name,
                content=upload.read(),
                policy=form.cleaned_data["policy"],
            )
            return redirect("admin:imports_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "导入数据",
            "opts": self.opts,
            "form": form,
            "types": [(m._meta.label_lower, m._meta.verbose_name) for m in types],
        }
        return TemplateResponse(request, "imports/upload.html", context)

    def template_view(self, request, label: str):
        model = next((m for m in engine.importable_types(request.user) if m._meta.label_lower == label), None)
        if model is None:
            raise Http404("没有这个记录类型，或您无权导入")
        response = HttpResponse(template_bytes(model), content_type=XLSX)
        filename = f"{model._meta.verbose_name}导入模板.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        show = request.GET.get("show") or ("invalid" if job.invalid_count else "changes")
        rows = job.rows.all()
        if show == "invalid":
            rows = rows.filter(action=ImportRow.Action.INVALID)
        elif show == "new":
            rows = rows.filter(action=ImportRow.Action.NEW)
        else:
            rows = rows.filter(action=ImportRow.Action.UPDATE)
        page = Paginator(
            rows.order_by("row_number").only("row_number", "action", "errors", "diff"),
            PAGE_SIZE,
            allow_empty_first_page=True,
        ).get_page(request.GET.get("page"))
        labels = {}
        try:
            from .resources import columns_for

            labels = {c.name: c.label for c in columns_for(job.record_model)}
        except LookupError:
            pass
        page_rows = [
            {
                "number": r.row_number,
                "action": r.get_action_display(),
                "errors": list(r.errors.items()),
                "diff": [(labels.get(k, k), old, new) for k, (old, new) in r.diff.items()],
            }
            for r in page
        ]
        totals = list(job.control_totals.values())[:200] if job.control_totals else []
        context = {
            **self.admin_site.each_context(request),
            "title": f"导入任务 #{job.pk}：{job.original_name}",
            "opts": self.opts,
            "job": job,
            "events": list(job.events.order_by("-at", "-pk")[:30]),
            "page": page,
            "page_rows": page_rows,
            "show": show,
            "totals": totals,
            "totals_more": max(len(job.control_totals or {}) - 200, 0),
            "can_confirm": job.status == ImportJob.Status.VALIDATED
            and (job.new_count + job.updated_count) > 0
            and not (job.policy == ImportJob.Policy.ALL_OR_NOTHING and job.invalid_count),
            "can_cancel": job.status
            in {ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING, ImportJob.Status.VALIDATED},
            "can_rollback": (job.status == ImportJob.Status.COMMITTED and job.user_id == request.user.pk)
            or (job.status == ImportJob.Status.COMMITTED and request.user.is_superuser),
            "status_url": reverse("admin:imports_importjob_status", args=[job.pk]),
            "record_list_url": _changelist_url(job),
        }
        return TemplateResponse(request, "imports/job.html", context)

    def status_view(self, request, object_id):
        job = self._job(request, object_id)
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "progress": job.progress,
                "running": job.is_running or job.status == ImportJob.Status.UPLOADED,
                "counts": {
                    "new": job.new_count,
                    "updated": job.updated_count,
                    "unchanged": job.unchanged_count,
                    "invalid": job.invalid_count,
                },
                "error": job.error_text,
            }
        )

    def _post_only(self, request):
        if request.method != "POST":
            raise PermissionDenied("请通过页面上的按钮操作。")

    def confirm_view(self, request, object_id):
        self._post_only(request)
        job = self._job(request, object_id)
        if job.user_id != request.user.pk and not request.user.is_superuser:
            raise PermissionDenied("只有上传人可以确认导入。")
        if job.status != ImportJob.Status.VALIDATED:
            messages.error(request, "该任务当前不能确认导入。")
        else:
            engine.enqueue("commit_job", job.pk)
            messages.success(request, "已开始导入，请稍候。")
        return redirect("admin:imports_importjob_change", job.pk)

    def cancel_view(self, request, object_id):
        self._post_only(request)
        job = self._job(request, object_id)
        if engine.cancel_job(job):
            messages.success(request, "已取消导入任务。")
        else:
            messages.error(request, "该任务当前不能取消。")
        return redirect("admin:imports_importjob_change", job.pk)

    def rollback_view(self, request, object_id):
        self._post_only(request)
        job = self._job(request, object_id)
        if job.user_id != request.user.pk and not request.user.is_superuser:
            raise PermissionDenied("只有上传人可以撤销导入。")
        engine.enqueue("rollback_job", job.pk)
        messages.success(request, "已提交撤销，请稍候刷新。")
        return redirect("admin:imports_importjob_change", job.pk)

    def errors_view(self, request, object_id):
        job = self._job(request, object_id)
        if not job.file:
            messages.error(request, "上传的原文件已超过保留期限被删除，无法生成错误清单；请重新上传文件。")
            return redirect("admin:imports_importjob_change", job.pk)
        response = HttpResponse(engine.error_workbook(job), content_type=XLSX)
        stem = job.original_name.rsplit(".", 1)[0]
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(stem + '-错误清单.xlsx')}"
        return response


def _changelist_url(job: ImportJob) -> str:
    try:
        model = job.record_model
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except Exception:
        return ""


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@admin.register(ExportLog)
class ExportLogAdmin(ModelAdmin):
    icon = "download"
    list_display = ("at", "user", "model_label", "row_count", "full_personal_data", "channel", "filter_query")
    list_filter = ("channel", "full_personal_data", "model_label")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .api import admin as _api_admin  # noqa: E402,F401  (registers the API client admins)
from .bankfeed import admin as _bankfeed_admin  # noqa: E402,F401  (registers BankFeedJobAdmin)
