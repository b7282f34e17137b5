"""Write services of API clients and tokens (``<entity>_<verb>(*, ...)``; the admin calls these too).

Tokens: ``sanzi_<40 url-safe chars>``; the first 12 characters are kept as the visible prefix, the whole
token only as its sha256. A token is returned exactly once, by ``api_token_issue`` / ``api_token_rotate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from .models import ApiClient, ApiToken

TOKEN_PREFIX = "sanzi_"
PREFIX_LENGTH = 12


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def record_type_labels() -> list[str]:
    """Every record type the API serves (``app_label.model_name``), see ``registry.record_types``."""
    from .registry import record_types

    return sorted(record_types())


def _sync_service_user(client: ApiClient) -> None:
    """Scope region, active flag and model permissions of the service user follow the client."""
    user = client.service_user
    user.scope_region_id = client.scope_region_id
    user.is_active = client.is_active
    user.display_name = f"接口：{client.name}"[:60]
    user.save(update_fields=["scope_region", "is_active", "display_name"])
    actions = ("view", "add", "change") if client.can_write else ("view",)
    wanted = []
    for label in client.allowed_types or []:
        app_label, _, model_name = label.lower().partition(".")
        wanted += [(app_label, f"{action}_{model_name}") for action in actions]
    perms = Permission.objects.none()
    for app_label, codename in wanted:
        perms = perms | Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    user.user_permissions.set(list(perms))
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def _clean_types(allowed_types) -> list[str]:
    known = set(record_type_labels())
    out = []
    for label in allowed_types or []:
        label = str(label).strip().lower()
        if label not in known:
            raise ValueError(f"记录类型“{label}”不存在或不能通过接口使用")
        if label not in out:
            out.append(label)
    return out


@transaction.atomic
def api_client_create(
    *,
    code: str,
    name: str,
    kind: str,
    scope_region,
    allowed_types: list[str],
    can_write: bool = False,
    rate_per_minute: int = 60,
    is_active: bool = True,
    contact: str = "",
) -> ApiClient:
    """Register a client and its service user (a non-login User with the client's scope and permissions).

    ``scope_region`` is a Region or its 12-digit code; ``allowed_types`` are ``app_label.model_name``."""
    region_code = getattr(scope_region, "pk", scope_region)
    user = get_user_model().objects.create(username=f"api-{code}"[:150], scope_region_id=region_code)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    client = ApiClient.objects.create(
        code=code,
        name=name,
        kind=kind,
        scope_region_id=region_code,
        allowed_types=_clean_types(allowed_types),
        can_write=can_write,
        rate_per_minute=rate_per_minute,
        is_active=is_active,
        contact=contact,
        service_user=user,
    )
    _sync_service_user(client)
    return client


@transaction.atomic
def api_client_update(*, client: ApiClient, **changes) -> ApiClient:
    """Change a client's settings (name, scope, types, write flag, rate, active) and its service user."""
    allowed = {"name", "kind", "scope_region", "allowed_types", "can_write", "rate_per_minute", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    if "allowed_types" in changes:
        changes["allowed_types"] = _clean_types(changes["allowed_types"])
    if "scope_region" in changes:
        changes["scope_region_id"] = getattr(changes["scope_region"], "pk", changes.pop("scope_region"))
        changes.pop("scope_region", None)
    for key, value in changes.items():
        setattr(client, key, value)
    client.save()
    _sync_service_user(client)
    return client


def api_client_sync(*, client: ApiClient) -> ApiClient:
    """Re-apply a client's scope and permissions to its service user (after an admin form save)."""
    client.allowed_types = _clean_types(client.allowed_types)
    client.save(update_fields=["allowed_types"])
    _sync_service_user(client)
    return client


def api_token_issue(
    *, client: ApiClient, label: str = "", expires_at: dt.datetime | None = None, created_by=None
) -> tuple[ApiToken, str]:
    """A new token of ``client``: returns the stored row and the raw token (shown once, never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        client=client,
        prefix=raw[:PREFIX_LENGTH],
        token_hash=token_hash(raw),
        label=label,
        expires_at=expires_at,
        created_by=created_by,
    )
    return token, raw


@transaction.atomic
def api_token_rotate(
    *, token: ApiToken, grace: dt.timedelta | None = None, created_by=None
) -> tuple[ApiToken, str]:
    """Issue a successor of ``token``; the old one keeps working until now + grace (default 24 h)."""
    if grace is None:
        grace = dt.timedelta(hours=getattr(settings, "API_TOKEN_ROTATION_GRACE_HOURS", 24))
    until = timezone.now() + grace
    if token.expires_at is None or token.expires_at > until:
        token.expires_at = until
        token.save(update_fields=["expires_at"])
    return api_token_issue(
        client=token.client, label=token.label or "轮换", expires_at=None, created_by=created_by
    )


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """End a token immediately (the next request with it gets 401)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_lookup(*, raw: str) -> ApiToken | None:
    """The valid token row for a raw bearer token (client loaded), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("client", "client__service_user")
        .filter(token_hash=token_hash(raw))
        .first()
    )
    if token is None or not token.is_valid():
        return None
    return token


def api_signing_secret_set(*, client: ApiClient) -> str:
    """Generate and store (encrypted) a new HMAC signing secret for ``client``; returns it once."""
    secret = secrets.token_hex(32)
    client.signing_secret = secret
    client.save(update_fields=["signing_secret", "updated_at"])
    return secret
