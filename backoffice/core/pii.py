"""Personal data (DOMAIN.md §8): ID numbers, bank accounts and phones encrypted at rest, a keyed hash
for exact lookup and de-duplication, masked everywhere by default; revealing the full value is a
separate permission and every reveal is logged with user, time and reason (``RevealLog``).

Declare ``id_no = SensitiveField("身份证号", kind=SensitiveKind.RESIDENT_ID)``: the model also gets an
indexed ``id_no_hash`` column; find a row with ``Model.objects.filter(id_no_hash=pii_hash(value, kind))``.
Encryption is AES-256-GCM (``cryptography``) with FIELD_ENCRYPTION_KEY; a stored value is
``v1:<base64(nonce + ciphertext)>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

from .validators import validate_resident_id

PREFIX = "v1:"


class SensitiveKind(models.TextChoices):
    RESIDENT_ID = "id", "身份证号"
    BANK_ACCOUNT = "bank", "银行账号"
    PHONE = "phone", "手机号"
    ID_OR_CREDIT_CODE = "id_or_code", "身份证号或统一社会信用代码"


@cache
def _keys() -> tuple[bytes, bytes]:
    raw = settings.FIELD_ENCRYPTION_KEY.encode()
    try:
        material = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except ValueError:
        material = raw
    digest = hashlib.sha256(b"sanzi-field-encryption" + material).digest()
    lookup = hashlib.sha256(b"sanzi-field-lookup" + material).digest()
    return digest, lookup


def normalise(value: str, kind: str) -> str:
    """The canonical form that is encrypted and hashed (so lookups ignore spaces and case)."""
    value = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
    if kind in (SensitiveKind.RESIDENT_ID, SensitiveKind.ID_OR_CREDIT_CODE):
        return value.upper()
    if kind in (SensitiveKind.BANK_ACCOUNT, SensitiveKind.PHONE):
        return re.sub(r"[\s-]", "", value)
    return value


def encrypt(plain: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_keys()[0]).encrypt(nonce, plain.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored or ""
    blob = base64.b64decode(stored[len(PREFIX) :])
    return AESGCM(_keys()[0]).decrypt(blob[:12], blob[12:], None).decode()


def pii_hash(value: str, kind: str) -> str:
    """Keyed hash (HMAC-SHA256) of the normalised value: exact lookup without decrypting."""
    value = normalise(value, kind)
    if not value:
        return ""
    return hmac.new(_keys()[1], value.encode(), hashlib.sha256).hexdigest()


def mask(value: str, kind: str) -> str:
    """Display form: ID first 6 + last 4; bank account first 6 + last 4; phone first 3 + last 4."""
    value = normalise(value, kind)
    if not value:
        return ""
    keep = {SensitiveKind.PHONE: (3, 4)}.get(kind, (6, 4))
    head, tail = keep
    if len(value) <= head + tail:
        return value[:1] + "*" * (len(value) - 1)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


class SensitiveField(models.TextField):
    """A personal-data column stored encrypted; adds ``<name>_hash`` for lookups (see module doc)."""

    def __init__(self, verbose_name=None, kind: str = SensitiveKind.RESIDENT_ID, **kwargs):
        self.kind = kind
        kwargs.setdefault("blank", False)
        if kind == SensitiveKind.RESIDENT_ID:
            kwargs.setdefault("validators", [validate_resident_id])
        super().__init__(verbose_name, **kwargs)

    @property
    def hash_attname(self) -> str:
        return f"{self.name}_hash"

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        # Historical models built by migrations (module "__fake__") get the hash column from the migration.
        if cls._meta.abstract or cls.__module__ == "__fake__":
            return
        if not any(f.name == f"{name}_hash" for f in cls._meta.local_fields):
            models.CharField(
                f"{self.verbose_name}（检索摘要）",
                max_length=64,
                blank=True,
                default="",
                editable=False,
                db_index=True,
            ).contribute_to_class(cls, f"{name}_hash")

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else (value or "")

    def to_python(self, value):
        if value is None:
            return ""
        value = str(value)
        return decrypt(value) if value.startswith(PREFIX) else normalise(value, self.kind)

    def get_prep_value(self, value):
        value = normalise(super().get_prep_value(value) or "", self.kind)
        if not value or value.startswith(PREFIX):
            return value
        return encrypt(value)

    def pre_save(self, model_instance, add):
        plain = normalise(getattr(model_instance, self.attname) or "", self.kind)
        setattr(model_instance, self.attname, plain)
        setattr(model_instance, self.hash_attname, pii_hash(plain, self.kind))
        return plain


def sensitive_fields(model: type[models.Model]) -> list[SensitiveField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, SensitiveField)]


class RevealLog(models.Model):
    """One reveal of a masked value: who, when, which record and field, and why."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    model_label = models.CharField("记录类型", max_length=100)
    object_pk = models.CharField("记录编号", max_length=40)
    field_name = models.CharField("字段", max_length=60)
    reason = models.CharField("查看原因", max_length=300)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ("-at",)
        permissions = [("reveal_sensitive", "查看完整个人信息（身份证号、银行账号、手机号）")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {self.model_label}#{self.object_pk}.{self.field_name}"
