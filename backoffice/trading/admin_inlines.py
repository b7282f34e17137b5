"""Inlines of the 挂牌项目 page: the listing's attachments (editable while it is a draft) and its process
records (events, registrations with masked personal data, bids, deal, certificate and its prints), which
only the trading services write, so they are read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import TabularInline

from backoffice.core.pii import SensitiveKind, mask
from backoffice.core.scope import code_in_scope
from backoffice.core.uploads import DOCUMENT, check_uploaded_file

from . import services
from .choices import ListingState
from .models import (
    Bid,
    Certificate,
    CertificatePrint,
    Deal,
    ListingAttachment,
    ListingEvent,
    Registration,
)


class ReadOnlyInline(TabularInline):
    """A process record shown on the listing page: written by the services only."""

    extra = 0
    tab = True
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = ListingAttachment
        fields = ("kind", "title", "file", "is_public")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            check_uploaded_file(upload, DOCUMENT)
        return upload


class AttachmentInline(TabularInline):
    model = ListingAttachment
    form = AttachmentForm
    fields = ("kind", "title", "file", "is_public", "uploaded_at")
    readonly_fields = ("uploaded_at",)
    extra = 0
    tab = True

    def _editable(self, request, obj) -> bool:
        return obj is None or (
            obj.state == ListingState.DRAFT and code_in_scope(request.user, obj.region_code)
        )

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


class EventInline(ReadOnlyInline):
    model = ListingEvent
    fields = ("at", "action_label", "from_state", "to_state", "actor", "reason", "round")
    readonly_fields = fields
    ordering = ("at", "pk")
    verbose_name_plural = "交易过程记录"

    @admin.display(description="操作")
    def action_label(self, obj) -> str:
        transition = services.TRANSITIONS.get(obj.action)
        return (
            transition.label
            if transition
            else {"create": "新建", "settle": "登记价款结清"}.get(obj.action, obj.action)
        )


class RegistrationInline(ReadOnlyInline):
    model = Registration
    fields = (
        "round",
        "bidder_no",
        "name",
        "kind",
        "masked_id",
        "masked_phone",
        "is_collective_member",
        "qualification_status",
        "deposit_status",
    )
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="证件号")
    def masked_id(self, obj) -> str:
        return mask(obj.id_no, SensitiveKind.ID_OR_CREDIT_CODE)

    @admin.display(description="联系电话")
    def masked_phone(self, obj) -> str:
        return mask(obj.phone, SensitiveKind.PHONE)


class BidInline(ReadOnlyInline):
    model = Bid
    fields = ("round", "sequence", "bidder", "amount", "phase", "is_priority_match", "at", "entered_by")
    readonly_fields = fields
    ordering = ("round", "sequence")

    @admin.display(description="竞买号")
    def bidder(self, obj) -> str:
        return f"{obj.registration.bidder_no}号"


class DealInline(ReadOnlyInline):
    model = Deal
    fields = (
        "round",
        "registration",
        "method",
        "price",
        "term_start",
        "term_end",
        "contract_no",
        "settled_on",
        "contract_link",
    )
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="监测合同")
    def contract_link(self, obj) -> str:
        if not obj.contract_id:
            return "-"
        url = reverse("admin:contracts_contract_change", args=[obj.contract_id])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, obj.contract.contract_no)


class CertificateInline(ReadOnlyInline):
    model = Certificate
    fields = ("number", "verification_code", "issued_at", "issued_by", "institution")
    readonly_fields = fields
    show_change_link = True


class PrintInline(ReadOnlyInline):
    model = CertificatePrint
    fields = ("copy_no", "printed_at", "printed_by", "reason")
    readonly_fields = fields
