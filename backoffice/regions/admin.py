"""Admins of the region tree and of collective organisations, generated from their specs."""

from django.contrib import admin

from backoffice.core.record_admin import build_admin_class

from .models import CollectiveOrg, Region


def _never_delete(self, request, obj=None) -> bool:
    """Regions are never deleted: codes change yearly and history must stay attributable."""
    return False


admin.site.register(Region, build_admin_class(Region, has_delete_permission=_never_delete))
admin.site.register(CollectiveOrg, build_admin_class(CollectiveOrg))
