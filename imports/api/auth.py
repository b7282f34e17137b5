"""Bearer-token authentication and the base permission of the record endpoints.

``request.user`` becomes the client's service user (so ``visible_to`` and model permissions apply) and
``request.auth`` the ``ApiToken``; ``request.api_client`` is the client.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, permissions

from .errors import ApiError
from .services import api_token_lookup


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``; an unknown, expired or revoked token → 401 ``token_invalid``."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise ApiError(401, "token_invalid", "访问令牌格式不正确，应为 Authorization: Bearer <令牌>")
        token = api_token_lookup(raw=parts[1])
        if token is None:
            raise ApiError(401, "token_invalid")
        client = token.client
        request._request.api_client = client
        request._request.api_token_prefix = token.prefix
        if not client.is_active:
            raise ApiError(403, "client_inactive")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute
        return client.service_user, token

    def authenticate_header(self, request):
        return self.keyword


class IsApiClient(permissions.BasePermission):
    """Authenticated by an API token of an active client."""

    def has_permission(self, request, view):
        if getattr(request._request, "api_client", None) is None or request.auth is None:
            raise ApiError(401, "not_authenticated")
        return True


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token scheme in the OpenAPI schema (``components.securitySchemes.bearerAuth``)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "管理员在后台“接口客户端”签发的访问令牌：Authorization: Bearer <令牌>",
        }
