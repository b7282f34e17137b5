"""Users and groups under Unfold (LIBS.md §2 gotcha 6: every admin must inherit Unfold's)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from backoffice.core.scope import UNRESTRICTED, scope_prefix

from .models import User

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "display_name", "scope_region", "is_active", "is_superuser", "last_login")
    list_filter = ("is_active", "is_superuser", "groups")
    search_fields = ("username", "display_name", "scope_region__name", "scope_region__code")
    autocomplete_fields = ("scope_region",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("管辖范围", {"fields": ("scope_region", "display_name", "phone")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Only superusers grant superuser status or per-user permissions; others assign roles (groups).
        hidden = {"is_superuser", "user_permissions"}
        return tuple(
            (name, {**opts, "fields": tuple(f for f in opts.get("fields", ()) if f not in hidden)})
            for name, opts in fieldsets
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scope_region":
            from backoffice.regions.models import Region

            kwargs["queryset"] = Region.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # A county administrator manages the accounts inside their county, never above it.
        qs = super().get_queryset(request)
        prefix = scope_prefix(request.user)
        if prefix is UNRESTRICTED:
            return qs
        if prefix is None:
            return qs.none()
        return qs.filter(scope_region__code__startswith=prefix, is_superuser=False)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin, ModelAdmin):
    pass


# django-axes' admins (login attempts, lockouts, the access log of every login) under Unfold.
def _reregister_axes() -> None:
    from axes import admin as axes_admin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model, original in (
        (AccessAttempt, axes_admin.AccessAttemptAdmin),
        (AccessLog, axes_admin.AccessLogAdmin),
        (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, type(f"Unfold{original.__name__}", (ModelAdmin, original), {}))


_reregister_axes()
