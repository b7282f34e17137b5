"""Admin of 债权债务: generated from each record type's spec.

Adding a debt item in the admin opens it through the service (with its ``new`` movement); saving a
movement refreshes the item's balance, so ``outstanding`` never drifts from the movements.
"""

from django.contrib import admin

from backoffice.core.record_admin import build_admin_class, register_record_types

from .choices import DebtMovementType
from .models import Counterparty, DebtItem, DebtMovement
from .services import debt_outstanding_refresh


class DebtItemAdmin(build_admin_class(DebtItem)):
    def save_model(self, request, obj, form, change):
        if not change:
            obj.outstanding = obj.original_amount
        super().save_model(request, obj, form, change)
        if not change:
            DebtMovement.objects.create(
                org_id=obj.org_id,
                item=obj,
                line_no=1,
                movement_date=obj.origin_date,
                movement_type=DebtMovementType.NEW,
                amount=obj.original_amount,
                note="新增",
                is_history=obj.is_history,
                created_by=request.user,
                updated_by=request.user,
            )


class DebtMovementAdmin(build_admin_class(DebtMovement)):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        debt_outstanding_refresh(item=obj.item, user=request.user)

    def delete_model(self, request, obj):
        item = obj.item
        super().delete_model(request, obj)
        debt_outstanding_refresh(item=item, user=request.user)


register_record_types(Counterparty)
admin.site.register(DebtItem, DebtItemAdmin)
admin.site.register(DebtMovement, DebtMovementAdmin)
