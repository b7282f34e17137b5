"""Admin of 资金监测: generated from each record type's spec. Payment requests show their approval chain
inline (read-only); a decision added on its own page goes through the approval services; reconciliations
compute their adjusted balances on save."""

from django.contrib import admin
from unfold.admin import TabularInline

from backoffice.core.record_admin import RecordAdmin, build_admin_class, register_record_types

from .choices import Decision
from .models import (
    BankAccount,
    BankReconciliation,
    BankTransaction,
    CashJournal,
    CashLimit,
    DailyBalance,
    PaymentApproval,
    PaymentRequest,
)
from .services import payment_request_approve, payment_request_reject


class PaymentApprovalInline(TabularInline):
    model = PaymentApproval
    fk_name = "request"
    fields = ("step", "decision", "approver", "decided_at", "note")
    readonly_fields = fields
    ordering = ("step_order",)
    extra = 0
    can_delete = False
    tab = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReconciliationAdmin(RecordAdmin):
    """Adjusted balances and ``is_balanced`` are computed from the entered figures, never typed."""

    def save_model(self, request, obj, form, change):
        obj.compute_adjusted()
        super().save_model(request, obj, form, change)


class ApprovalAdmin(RecordAdmin):
    """A decision typed in the admin goes through the approval services, so the chain order is kept and
    the request's status follows (approved after 乡镇审核, rejected on any 不同意)."""

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        decide = payment_request_approve if obj.decision == Decision.APPROVE else payment_request_reject
        saved = decide(
            request=obj.request,
            step=obj.step,
            user=request.user,
            note=obj.note,
            decided_at=obj.decided_at,
            approver=obj.approver,
        )
        obj.pk, obj._state.adding = saved.pk, False


register_record_types(BankAccount, BankTransaction, CashLimit, CashJournal, DailyBalance)
admin.site.register(PaymentApproval, build_admin_class(PaymentApproval, base=ApprovalAdmin))
admin.site.register(PaymentRequest, build_admin_class(PaymentRequest, inlines=[PaymentApprovalInline]))
admin.site.register(BankReconciliation, build_admin_class(BankReconciliation, base=ReconciliationAdmin))
