"""Admin of 承包（租赁）合同: generated from each record type's spec; a contract shows its receivable
plan, receipts and changes inline (each row copies the contract's organisation)."""

from django.contrib import admin
from unfold.admin import TabularInline

from backoffice.core.record_admin import build_admin_class, register_record_types

from .models import Contract, ContractChange, ContractReceipt, ContractReceivablePlan


class ContractPlanInline(TabularInline):
    model = ContractReceivablePlan
    fields = ("due_date", "amount_due")
    extra = 0
    tab = True


class ContractReceiptInline(TabularInline):
    model = ContractReceipt
    fields = ("received_on", "amount", "receipt_no", "voucher_ref")
    extra = 0
    tab = True


class ContractChangeInline(TabularInline):
    model = ContractChange
    fields = ("change_type", "change_date", "reason", "approval_ref", "new_term_end")
    extra = 0
    tab = True


admin.site.register(
    Contract,
    build_admin_class(Contract, inlines=[ContractPlanInline, ContractReceiptInline, ContractChangeInline]),
)
register_record_types(ContractReceivablePlan, ContractReceipt, ContractChange)
