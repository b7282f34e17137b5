"""Admin of 会计核算成果: generated from each record type's spec.

Posted vouchers and their lines are read-only: the change and delete permissions are refused for a
posted (or voided) voucher, so the change view becomes a view and a POST is rejected with 403.
Corrections go through ``services.voucher_reverse``.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from unfold.admin import ModelAdmin, TabularInline

from backoffice.core.record_admin import RecordAdmin, build_admin_class, register_record_types

from .choices import VoucherStatus
from .models import (
    Account,
    AccountMapping,
    AccountSet,
    ChartAccount,
    PeriodBalance,
    PeriodClose,
    Voucher,
    VoucherLine,
)
from .services import voucher_post


@admin.register(ChartAccount)
class ChartAccountAdmin(ModelAdmin):
    list_display = (
        "chart_version",
        "code",
        "name",
        "account_class",
        "normal_balance",
        "balance_sheet_line",
        "is_contra",
        "is_two_sided",
    )
    list_filter = ("chart_version", "account_class", "normal_balance")
    search_fields = ("code", "name")


@admin.register(AccountMapping)
class AccountMappingAdmin(ModelAdmin):
    list_display = (
        "mapping_version",
        "old_code",
        "old_name",
        "new_code",
        "new_name",
        "needs_official_appendix",
        "note",
    )
    list_filter = ("mapping_version", "needs_official_appendix")
    search_fields = ("old_code", "old_name", "new_code", "new_name")


def _voucher_locked(voucher) -> bool:
    return voucher is not None and voucher.pk is not None and voucher.is_posted


class VoucherLineFormSet(forms.BaseInlineFormSet):
    """The lines of a voucher edited in the admin must balance, like ``voucher_create`` requires."""

    def clean(self):
        super().clean()
        debit = credit = Decimal(0)
        count = 0
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            count += 1
            debit += form.cleaned_data.get("debit") or 0
            credit += form.cleaned_data.get("credit") or 0
        if count and debit != credit:
            raise forms.ValidationError(
                f"借贷不平衡：借方合计 {debit:,.2f} 元，贷方合计 {credit:,.2f} 元，"
                f"相差 {abs(debit - credit):,.2f} 元"
            )


class VoucherLineInline(TabularInline):
    model = VoucherLine
    formset = VoucherLineFormSet
    fields = ("line_no", "account", "summary", "debit", "credit")
    autocomplete_fields = ("account",)
    extra = 0
    min_num = 2

    def has_add_permission(self, request, obj=None):
        return not _voucher_locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _voucher_locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _voucher_locked(obj) and super().has_delete_permission(request, obj)


def _voucher_change_permission(self, request, obj=None):
    return not _voucher_locked(obj) and RecordAdmin.has_change_permission(self, request, obj)


def _voucher_delete_permission(self, request, obj=None):
    return not _voucher_locked(obj) and RecordAdmin.has_delete_permission(self, request, obj)


def _line_change_permission(self, request, obj=None):
    return (obj is None or not obj.voucher.is_posted) and RecordAdmin.has_change_permission(
        self, request, obj
    )


def _line_delete_permission(self, request, obj=None):
    return (obj is None or not obj.voucher.is_posted) and RecordAdmin.has_delete_permission(
        self, request, obj
    )


def _voucher_save_formset(self, request, form, formset, change):
    """Lines copy the voucher's organisation (and so its region) before they are saved."""
    instances = formset.save(commit=False)
    for line in instances:
        line.org_id = form.instance.org_id
        line.region_code = form.instance.region_code
        if line.pk is None:
            line.created_by = request.user
        line.updated_by = request.user
        line.save()
    for line in formset.deleted_objects:
        line.delete()
    formset.save_m2m()
    voucher = form.instance
    voucher.total_amount = sum((line.debit for line in voucher.lines.all()), Decimal(0))
    voucher.save(update_fields=["total_amount", "updated_at"])


@admin.action(description="记账（过账）", permissions=["change"])
def post_selected(self, request, queryset):
    """Post the selected draft or reviewed vouchers through ``voucher_post``; each error is reported."""
    done = 0
    for voucher in queryset.filter(status__in=(VoucherStatus.DRAFT, VoucherStatus.REVIEWED)):
        try:
            voucher_post(voucher=voucher, user=request.user)
            done += 1
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    if done:
        messages.success(request, f"已记账 {done} 张凭证。")


register_record_types(AccountSet, Account, PeriodBalance, PeriodClose)
admin.site.register(
    Voucher,
    build_admin_class(
        Voucher,
        inlines=[VoucherLineInline],
        has_change_permission=_voucher_change_permission,
        has_delete_permission=_voucher_delete_permission,
        save_formset=_voucher_save_formset,
        post_selected=post_selected,
        actions=(*RecordAdmin.actions, "post_selected"),
    ),
)
admin.site.register(
    VoucherLine,
    build_admin_class(
        VoucherLine,
        has_change_permission=_line_change_permission,
        has_delete_permission=_line_delete_permission,
    ),
)
