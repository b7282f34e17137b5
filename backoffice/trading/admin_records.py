"""Admins of the records around a listing: registrations (added through the service; qualification
and deposit by buttons) and the deals and certificates the process creates (read-only; the
certificate prints as a logged PDF)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.decorators import action

from backoffice.core.record_admin import RecordAdmin
from backoffice.core.scope import code_in_scope

from . import services
from .admin_forms import PrintForm
from .admin_inlines import PrintInline
from .certificate import certificate_print
from .choices import DepositStatus, ListingState, QualificationStatus
from .models import (
    Registration,
)
from .services.access import Actor, authorise, holds
from .services.registration import REVIEW_STATES

# ---- registrations --------------------------------------------------------------------------------


class RegistrationAddForm(forms.ModelForm):
    """Registration at the county window; who may register and when is checked before saving, so a
    refusal is a message on the form."""

    user = None  # set by the admin per request

    class Meta:
        model = Registration
        fields = ("listing", "name", "kind", "id_no", "phone", "is_collective_member")

    def clean(self):
        cleaned = super().clean()
        listing = cleaned.get("listing")
        if listing is not None:
            try:
                authorise(
                    self.user,
                    Actor.COUNTY,
                    region_code=listing.region_code,
                    what="登记意向受让方",
                    subject=str(listing),
                )
            except services.TradingError as exc:
                raise forms.ValidationError(str(exc)) from exc
            if not services.registration_open(listing):
                raise forms.ValidationError(
                    f"项目“{listing.listing_no}”不在报名期内（公告期已届满或未在公告中）。"
                )
        return cleaned


class RegistrationAdminBase(RecordAdmin):
    """意向受让方报名: added through ``registration_create`` (announcement running, county window);
    qualification and deposit by buttons; never edited afterwards."""

    actions_list = ()
    actions = ("record_deposit_selected", "qualify_selected")
    actions_detail = ("reg_deposit", "reg_qualify", "reg_reject")
    inlines = []

    def has_add_permission(self, request):
        # The county trading institution registers parties even where its role grants only viewing.
        return super().has_add_permission(request) or holds(request.user, Actor.COUNTY)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("RegistrationAddForm", (RegistrationAddForm,), {"user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(RegistrationAddForm.Meta.fields)
        return [
            "listing",
            "round",
            "bidder_no",
            "name",
            "kind",
            "masked_personal_data",
            "is_collective_member",
            "qualification_status",
            "qualification_note",
            "reviewed_by",
            "reviewed_at",
            "deposit_amount",
            "deposit_status",
            "deposit_paid_on",
            "deposit_settled_on",
            "registered_at",
            "registered_by",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f for f in self.get_fields(request, obj)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "listing" and field is not None:
            field.queryset = field.queryset.filter(state=ListingState.ANNOUNCED)
            field.help_text = "只能为挂牌公告中的项目登记报名"
        return field

    def get_autocomplete_fields(self, request):
        return ()

    def save_model(self, request, obj: Registration, form, change: bool) -> None:
        if change:
            return  # registrations are not edited; steps are buttons
        data = form.cleaned_data
        try:
            created = services.registration_create(
                listing=data["listing"],
                user=request.user,
                name=data["name"],
                id_no=data["id_no"],
                phone=data["phone"],
                kind=data["kind"],
                is_collective_member=data["is_collective_member"],
            )
        except services.TradingError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk, obj.region_code, obj.access_code = created.pk, created.region_code, created.access_code
        obj._state.adding = False
        messages.info(
            request,
            f"已登记报名。请将报价口令交给{created.name}本人（只显示这一次）：{created.access_code}",
        )

    def _registration(self, request, object_id) -> Registration | None:
        if not str(object_id).isdigit():
            return None
        return self.get_queryset(request).select_related("listing").filter(pk=object_id).first()

    def _may(self, request, object_id, step: str) -> bool:
        row = self._registration(request, object_id)
        if (
            row is None
            or not holds(request.user, Actor.COUNTY)
            or not code_in_scope(request.user, row.region_code)
        ):
            return False
        if row.listing.state not in REVIEW_STATES or row.round != row.listing.round:
            return False
        if step == "deposit":
            return row.deposit_status == DepositStatus.UNPAID
        return row.qualification_status == QualificationStatus.PENDING

    def has_reg_deposit_permission(self, request, object_id=None):
        return self._may(request, object_id, "deposit")

    def has_reg_qualify_permission(self, request, object_id=None):
        return self._may(request, object_id, "qualify")

    def has_reg_reject_permission(self, request, object_id=None):
        return self._may(request, object_id, "qualify")

    @action(description="登记保证金已缴", url_path="deposit", permissions=["reg_deposit"])
    def reg_deposit(self, request, object_id):
        return self._registration_step(request, object_id, "deposit")

    @action(description="资格审查通过", url_path="qualify", permissions=["reg_qualify"])
    def reg_qualify(self, request, object_id):
        return self._registration_step(request, object_id, "qualify")

    @action(description="资格审查不通过", url_path="reject", permissions=["reg_reject"])
    def reg_reject(self, request, object_id):
        return self._registration_step(request, object_id, "reject")

    def _registration_step(self, request, object_id, step: str):
        row = self._registration(request, object_id)
        if row is None:
            raise Http404("报名记录不存在或不在您的管辖范围内")
        form = RegistrationStepForm(request.POST or None, step=step)
        if request.method == "POST" and form.is_valid():
            try:
                message = form.run(row, request.user)
            except services.TradingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect("admin:trading_registration_change", row.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{RegistrationStepForm.LABELS[step]}：{row}",
            "opts": self.opts,
            "form": form,
            "step_label": RegistrationStepForm.LABELS[step],
            "back_url": reverse("admin:trading_registration_change", args=[row.pk]),
        }
        return TemplateResponse(request, "trading/admin/step.html", context)

    @admin.action(description="登记保证金已缴（所选）", permissions=["view"])
    def record_deposit_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            lambda row: services.registration_record_deposit(registration=row, user=request.user),
            "登记保证金",
        )

    @admin.action(description="资格审查通过（所选）", permissions=["view"])
    def qualify_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            lambda row: services.registration_review(registration=row, user=request.user, qualified=True),
            "资格审查通过",
        )

    def _bulk(self, request, queryset, run, label: str) -> None:
        done, errors = 0, []
        for row in queryset:
            try:
                run(row)
                done += 1
            except services.TradingError as exc:
                errors.append(str(exc))
        if done:
            messages.success(request, f"已{label} {done} 条。")
        for error in errors[:10]:
            messages.error(request, error)


class RegistrationStepForm(forms.Form):
    LABELS = {"deposit": "登记保证金已缴", "qualify": "资格审查通过", "reject": "资格审查不通过"}

    note = forms.CharField(
        label="审查意见", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    paid_on = forms.DateField(
        label="缴纳日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        self.step = step
        super().__init__(*args, **kwargs)
        if step == "deposit":
            del self.fields["note"]
        else:
            del self.fields["paid_on"]
            self.fields["note"].required = step == "reject"

    def run(self, row: Registration, user) -> str:
        if self.step == "deposit":
            services.registration_record_deposit(
                registration=row, user=user, paid_on=self.cleaned_data["paid_on"]
            )
            return f"已登记{row.name}的保证金。"
        done = services.registration_review(
            registration=row, user=user, qualified=self.step == "qualify", note=self.cleaned_data["note"]
        )
        if done.is_qualified:
            return f"{done.name}资格审查通过，竞买号{done.bidder_no}。"
        return f"{done.name}资格审查不通过。"


# ---- deals and certificates (created by the process) --------------------------------------------


class ProcessCreatedAdmin(RecordAdmin):
    """A record the trading process creates: read-only; "add" explains where it comes from."""

    actions_list = ()
    created_by_step = ""

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name for f in self.model._meta.fields if f.name not in ("id",) and not f.name.endswith("_hash")
        ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "has_add_permission": False})

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"新增{self.opts.verbose_name}",
            "opts": self.opts,
            "message": f"{self.opts.verbose_name}由交易流程自动生成：{self.created_by_step}",
            "back_url": reverse("admin:trading_listing_changelist"),
        }
        return TemplateResponse(request, "trading/admin/process_created.html", context)


class DealAdminBase(ProcessCreatedAdmin):
    created_by_step = "竞价结束或协议成交时生成，请在挂牌项目页面按流程操作。"


class CertificateAdminBase(ProcessCreatedAdmin):
    created_by_step = "价款结清后在挂牌项目页面点击“出具交易鉴证书”生成。"
    actions_detail = ("print_certificate",)
    inlines = [PrintInline]

    def has_print_certificate_permission(self, request, object_id=None):
        row = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        return (
            row is not None
            and holds(request.user, Actor.COUNTY)
            and code_in_scope(request.user, row.region_code)
        )

    @action(
        description="打印鉴证书（PDF）", url_path="print", icon="print", permissions=["print_certificate"]
    )
    def print_certificate(self, request: HttpRequest, object_id: str):
        certificate = (
            self.get_queryset(request).select_related("listing", "deal__registration").get(pk=object_id)
        )
        form = PrintForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            verify = request.build_absolute_uri(reverse("trading_public:verify"))
            pdf, entry = certificate_print(
                certificate=certificate,
                user=request.user,
                reason=form.cleaned_data["reason"],
                verify_url=f"{verify}?no={certificate.number}&code={certificate.verification_code}",
            )
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{certificate.number}-{entry.copy_no}.pdf"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": f"打印交易鉴证书：{certificate}",
            "opts": self.opts,
            "form": form,
            "step_label": "打印（将记入打印记录）",
            "printed": certificate.prints.count(),
            "back_url": reverse("admin:trading_certificate_change", args=[certificate.pk]),
        }
        return TemplateResponse(request, "trading/admin/step.html", context)
