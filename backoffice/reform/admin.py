"""Admin of 产权制度改革成果: generated from each record type's spec; a dividend shows its payments inline.

The inline is scoped like every read path (rows and member choices via ``visible_to``), never renders a
bank account (a masked column instead; the full value is edited or revealed on the payment itself), and
new payment rows take their organisation from the dividend. It shows 20 payments per page (Unfold's
paginated inline): a village pays hundreds of members, and a form per member made the page slow to
build and to use; saving one page leaves the payments on the other pages untouched.
"""

from django.contrib import admin
from unfold.admin import TabularInline
from unfold.forms import PaginationInlineFormSet

from backoffice.core.pii import SensitiveKind, mask
from backoffice.core.record_admin import build_admin_class, register_record_types

from .models import (
    AssetVerification,
    Dividend,
    DividendPayment,
    Household,
    Member,
    ShareChange,
    ShareHolding,
)


class PaymentFormSet(PaginationInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.org_id is None and self.instance.org_id:
            form.instance.org_id = self.instance.org_id
        return form


class DividendPaymentInline(TabularInline):
    model = DividendPayment
    formset = PaymentFormSet
    fields = ("member", "amount", "paid_on", "masked_account")
    readonly_fields = ("masked_account",)
    autocomplete_fields = ("member",)
    extra = 0
    show_change_link = True
    per_page = 20

    def get_queryset(self, request):
        # a total order: the inline is paginated, and pages of an unordered list may repeat or skip rows
        return super().get_queryset(request).visible_to(request.user).select_related("member").order_by("pk")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = Member.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="收款账号")
    def masked_account(self, obj) -> str:
        return mask(obj.account, SensitiveKind.BANK_ACCOUNT) if obj and obj.pk else "-"


register_record_types(AssetVerification, Household, Member, ShareHolding, ShareChange, DividendPayment)
admin.site.register(Dividend, build_admin_class(Dividend, inlines=[DividendPaymentInline]))
