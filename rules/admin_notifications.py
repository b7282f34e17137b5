"""「我的预警通知」: each user sees only their own notifications (in-app), can open the alert (which marks
them read) or mark a selection read."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from .models import Alert, Notification


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    icon = "mark_email_unread"
    list_display = ("is_unread", "kind", "message_link", "created_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_per_page = 50
    actions = ("mark_selected_read",)

    def get_queryset(self, request):
        # one's own notifications, about alerts still in one's scope (the system administrator sees all,
        # to answer "was I told?")
        queryset = super().get_queryset(request).select_related("alert")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user, alert__in=Alert.objects.visible_to(request.user))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.has_perm("rules.view_alert")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or obj.user_id == request.user.pk or request.user.is_superuser
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="未读", boolean=True)
    def is_unread(self, obj: Notification) -> bool:
        return obj.read_at is None

    @admin.display(description="内容")
    def message_link(self, obj: Notification):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:rules_alert_change", args=[obj.alert_id]), obj.message
        )

    @admin.action(description="标记为已读", permissions=["view"])
    def mark_selected_read(self, request, queryset):
        done = queryset.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, f"已将 {done} 条通知标记为已读。")
