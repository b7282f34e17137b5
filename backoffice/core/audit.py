"""Audit trail (DESIGN.md §8; issue "security, audit and reliability" item 1).

Every create, update and delete of every region-scoped model (all record types, organisations, regions)
and of users is recorded by django-auditlog with the user, time, client address, the request id
(``X-Request-ID``, generated when absent) and the before/after value of each changed field. Personal data
is masked in the log (never plaintext); keyed-hash columns are left out. The region code of the row is
kept with each entry so that the audit list itself is region-scoped. Entries are append-only: no admin
or service edits or deletes them. Retention: see README "Audit trail".

Bulk inserts (demo data, staged imports) bypass model signals; they are recorded by their own job rows.
"""

from __future__ import annotations

import re
import uuid

from django.apps import apps
from django.http import HttpRequest

from .pii import SensitiveKind, mask, sensitive_fields
from .scope import is_scoped_model

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: bookkeeping columns whose changes are noise in the audit trail
NOT_AUDITED = ("updated_at", "created_at")


class RequestIdMiddleware:
    """Gives every request an id (the caller's valid ``X-Request-ID`` or a new one), echoes it in the
    response, and exposes it to the audit log (AUDITLOG_CID_HEADER)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def mask_for_audit(value) -> str:
    """Mask a personal-data value for the log: phones keep 3 + 4, IDs and accounts 6 + 4."""
    text = str(value or "")
    kind = SensitiveKind.PHONE if len(text) == 11 and text.isdigit() and text.startswith("1") else "id"
    return mask(text, kind)


def register_audited_models() -> None:
    """Register every region-scoped model and the user model with auditlog (called from CoreConfig.ready)."""
    from auditlog.registry import auditlog

    for model in apps.get_models():
        is_user = model._meta.label == "accounts.User"
        if not (is_scoped_model(model) or is_user) or auditlog.contains(model):
            continue
        secret = [f.name for f in sensitive_fields(model)]
        hashes = [f"{name}_hash" for name in secret]
        exclude = [*NOT_AUDITED, *hashes, *(("password", "last_login") if is_user else ())]
        auditlog.register(
            model,
            exclude_fields=exclude,
            mask_fields=secret,
            mask_callable="backoffice.core.audit.mask_for_audit",
        )


def region_of(instance) -> str:
    """The region code an audit entry is filed under (for the scoped audit list)."""
    field = getattr(type(instance), "scope_field", None)
    if field:
        return getattr(instance, field, "") or ""
    return getattr(instance, "scope_region_id", "") or ""
