"""Admin of API clients (Unfold): register a client, issue / rotate / revoke tokens (shown once),
generate the signing secret (shown once), read the request log. County administrators and above manage
clients inside their own scope (permissions in ``backoffice.accounts.roles``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from unfold.admin import ModelAdmin, TabularInline

from backoffice.core.scope import UNRESTRICTED, code_in_scope, scope_prefix

from .models import ApiClient, ApiRequestLog, ApiToken
from .registry import record_types
from .services import (
    api_client_create,
    api_client_sync,
    api_signing_secret_set,
    api_token_issue,
    api_token_revoke,
    api_token_rotate,
)


def _in_scope_q(request, field: str):
    prefix = scope_prefix(request.user)
    if prefix is UNRESTRICTED:
        return {}
    return {f"{field}__startswith": prefix or "-"}


class ApiClientForm(forms.ModelForm):
    allowed_types = forms.MultipleChoiceField(
        label="允许的记录类型", required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = (
            "code",
            "name",
            "kind",
            "scope_region",
            "allowed_types",
            "can_write",
            "rate_per_minute",
            "is_active",
            "contact",
        )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["allowed_types"].choices = [
            (label, f"{m._meta.verbose_name}（{label}）") for label, m in record_types().items()
        ]
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean_code(self):
        from django.contrib.auth import get_user_model

        code = self.cleaned_data["code"]
        taken = get_user_model().objects.filter(username=f"api-{code}")
        if not self.instance.pk and taken.exists():
            raise forms.ValidationError(f"已有名为“api-{code}”的用户，请换一个客户端编码")
        return code

    def clean_scope_region(self):
        region = self.cleaned_data["scope_region"]
        if self.user is not None and region is not None and not code_in_scope(self.user, region.pk):
            raise forms.ValidationError("只能登记您管辖范围内的区划")
        return region


#: what a token shows, read-only, in the client's inline and in the token list (never the token itself)
TOKEN_FIELDS = ("prefix", "label", "created_at", "created_by", "expires_at", "revoked_at", "last_used_at")


class ApiTokenInline(TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = (*TOKEN_FIELDS, "is_valid")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(ModelAdmin):
    icon = "api"
    form = ApiClientForm
    list_display = ("code", "name", "kind", "scope_region", "can_write", "rate_per_minute", "is_active")
    list_filter = ("kind", "can_write", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("scope_region",)
    inlines = (ApiTokenInline,)
    actions = ("issue_token", "set_signing_secret")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class Bound(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return Bound

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**_in_scope_q(request, "scope_region__code"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            obj.save()
            api_client_sync(client=obj)
            return
        created = api_client_create(
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            scope_region=data["scope_region"],
            allowed_types=data.get("allowed_types") or [],
            can_write=data.get("can_write", False),
            rate_per_minute=data.get("rate_per_minute") or 60,
            is_active=data.get("is_active", True),
            contact=data.get("contact", ""),
        )
        obj.pk = created.pk
        obj.service_user = created.service_user
        obj._state.adding = False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/issue-token/",
                view(self.issue_token_view),
                name="imports_apiclient_issue_token",
            ),
            path("<int:object_id>/signing-secret/", view(self.secret_view), name="imports_apiclient_secret"),
            *super().get_urls(),
        ]

    def _client(self, request, object_id) -> ApiClient:
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def _once(self, request, client, what: str, value: str, note: str = ""):
        return TemplateResponse(
            request,
            "imports/api/secret_once.html",
            {
                **self.admin_site.each_context(request),
                "title": what,
                "client": client,
                "what": what,
                "value": value,
                "note": note,
                "back_url": reverse("admin:imports_apiclient_change", args=[client.pk]),
            },
        )

    def issue_token_view(self, request, object_id):
        client = self._client(request, object_id)
        _token, raw = api_token_issue(client=client, label="后台签发", created_by=request.user)
        return self._once(
            request, client, "新的访问令牌", raw, "调用时在请求头中发送：Authorization: Bearer <令牌>"
        )

    def secret_view(self, request, object_id):
        client = self._client(request, object_id)
        secret = api_signing_secret_set(client=client)
        return self._once(request, client, "新的签名密钥", secret, "旧的签名密钥已立即失效。")

    @admin.action(description="签发新令牌（只显示一次）", permissions=["change"])
    def issue_token(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个客户端。", messages.WARNING)
            return None
        client = queryset.first()
        _token, raw = api_token_issue(client=client, label="后台签发", created_by=request.user)
        return self._once(
            request, client, "新的访问令牌", raw, "调用时在请求头中发送：Authorization: Bearer <令牌>"
        )

    @admin.action(description="生成新的签名密钥（银行推送用，只显示一次）", permissions=["change"])
    def set_signing_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个客户端。", messages.WARNING)
            return None
        client = queryset.first()
        return self._once(
            request, client, "新的签名密钥", api_signing_secret_set(client=client), "旧的签名密钥已立即失效。"
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    icon = "key"
    list_display = (
        "prefix",
        "client",
        "label",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "is_valid",
    )
    list_filter = ("client",)
    search_fields = ("prefix", "client__code", "client__name")
    readonly_fields = ("client", *TOKEN_FIELDS)
    fields = readonly_fields
    actions = ("rotate", "revoke")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("client")
            .filter(**_in_scope_q(request, "client__scope_region__code"))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="轮换（签发新令牌，旧令牌 24 小时后失效）", permissions=["change"])
    def rotate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个令牌。", messages.WARNING)
            return None
        token = queryset.first()
        _new, raw = api_token_rotate(token=token, created_by=request.user)
        return ApiClientAdmin(ApiClient, self.admin_site)._once(
            request,
            token.client,
            "轮换后的新访问令牌",
            raw,
            f"旧令牌 {token.prefix}… 将于 {token.expires_at:%Y-%m-%d %H:%M} 失效。",
        )

    @admin.action(description="立即吊销", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, f"已吊销 {queryset.count()} 个令牌，立即生效。")
        return redirect(request.get_full_path())


@admin.register(ApiRequestLog)
class ApiRequestLogAdmin(ModelAdmin):
    icon = "receipt_long"
    list_display = (
        "at",
        "client",
        "method",
        "path",
        "status",
        "item_count",
        "duration_ms",
        "ip",
        "error_code",
        "request_id",
    )
    list_filter = ("status", "method", "client")
    search_fields = ("path", "request_id", "token_prefix", "client__code")
    date_hierarchy = "at"
    show_full_result_count = False

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("client")
        prefix = scope_prefix(request.user)
        if prefix is UNRESTRICTED:
            return qs
        return qs.filter(client__scope_region__code__startswith=prefix or "-")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
