"""django-q2's admin pages re-registered under Unfold (LIBS.md §2 gotcha 6), and the reveal log."""

from django.contrib import admin
from django_q import admin as q_admin
from django_q import models as q_models
from unfold.admin import ModelAdmin

from .pii import RevealLog

for _model, _original in (
    (q_models.Schedule, q_admin.ScheduleAdmin),
    (q_models.Success, q_admin.TaskAdmin),
    (q_models.Failure, q_admin.FailAdmin),
    (q_models.OrmQ, q_admin.QueueAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Unfold{_original.__name__}", (ModelAdmin, _original), {}))


@admin.register(RevealLog)
class RevealLogAdmin(ModelAdmin):
    """Who revealed which personal data, when and why: read-only, append-only."""

    list_display = ("at", "user", "model_label", "object_pk", "field_name", "reason", "ip_address")
    list_filter = ("model_label", "field_name")
    search_fields = ("user__username", "reason", "object_pk")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _reregister_auditlog() -> None:
    """The audit list under Unfold: read-only, and region-scoped through the code filed with each entry."""
    from auditlog.admin import LogEntryAdmin
    from auditlog.models import LogEntry

    from .scope import UNRESTRICTED, scope_prefix

    class ScopedLogEntryAdmin(ModelAdmin, LogEntryAdmin):
        def get_queryset(self, request):
            qs = super().get_queryset(request)
            prefix = scope_prefix(request.user)
            if prefix is UNRESTRICTED:
                return qs
            if prefix is None:
                return qs.none()
            return qs.filter(additional_data__region_code__startswith=prefix)

        def has_delete_permission(self, request, obj=None):
            return False

    if admin.site.is_registered(LogEntry):
        admin.site.unregister(LogEntry)
    admin.site.register(LogEntry, ScopedLogEntryAdmin)


_reregister_auditlog()
