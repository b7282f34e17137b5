"""API clients, their tokens and the request log (issue 10 item 2).

An ``ApiClient`` (a county platform, a vendor, a bank) is registered by an administrator with a scope
region and the record types it may use. Every client owns a ``service_user``: a real, non-login User
with that scope region and model permissions for exactly the allowed types, so every existing read path
(``visible_to``) and write rule (import validation, review reset, audit) applies to the API unchanged.

Tokens are random, shown once, stored as a sha256 hash with a short visible prefix. Rotation issues a new
token and lets the old one live until a grace time; revocation ends a token immediately. The HMAC
signing secret (bank push) is encrypted at rest with the project's field encryption (``core.pii``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from backoffice.core.pii import PREFIX, decrypt, encrypt


class EncryptedSecretField(models.TextField):
    """A secret kept encrypted in the database (AES-GCM, FIELD_ENCRYPTION_KEY) and plain in Python."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else (value or "")

    def to_python(self, value):
        if value is None:
            return ""
        value = str(value)
        return decrypt(value) if value.startswith(PREFIX) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value) or ""
        if not value or value.startswith(PREFIX):
            return value
        return encrypt(value)


class ApiClient(models.Model):
    """A registered system that calls the API; bounded by ``scope_region`` and ``allowed_types``."""

    class Kind(models.TextChoices):
        COUNTY_PLATFORM = "county_platform", "县级平台"
        VENDOR = "vendor", "软件厂商"
        BANK = "bank", "银行"

    code = models.SlugField("客户端编码", max_length=40, unique=True, help_text="英文字母、数字、连字符")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    scope_region = models.ForeignKey(
        "regions.Region",
        verbose_name="数据范围（区划）",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="客户端只能读写该区划（含下级）的数据",
    )
    allowed_types = models.JSONField(
        "允许的记录类型",
        default=list,
        blank=True,
        help_text="记录类型标识列表，如 contracts.contract",
    )
    can_write = models.BooleanField("允许写入", default=False)
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=60)
    is_active = models.BooleanField("启用", default=True)
    signing_secret = EncryptedSecretField("签名密钥", blank=True, default="", editable=False)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="服务账号",
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    contact = models.CharField("联系人及电话", max_length=100, blank=True, default="")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def allows(self, label: str) -> bool:
        """Whether the client may use record type ``app_label.model_name`` (lowercase)."""
        return label.lower() in {t.lower() for t in self.allowed_types or []}


class ApiToken(models.Model):
    """A bearer token of a client; only its sha256 and a visible prefix are stored."""

    client = models.ForeignKey(
        ApiClient, verbose_name="客户端", on_delete=models.CASCADE, related_name="tokens"
    )
    prefix = models.CharField("令牌前缀", max_length=12, db_index=True)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    label = models.CharField("说明", max_length=100, blank=True, default="")
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField("失效时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.prefix}…"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.expires_at is None or self.expires_at > now

    is_valid.boolean = True
    is_valid.short_description = "有效"


class ApiRequestLog(models.Model):
    """One API request: who, what, outcome and duration (issue 10 item 2: every request logged)."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    client = models.ForeignKey(
        ApiClient,
        verbose_name="客户端",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    token_prefix = models.CharField("令牌前缀", max_length=12, blank=True, default="")
    method = models.CharField("方法", max_length=8)
    path = models.CharField("路径", max_length=300)
    query = models.CharField("查询参数", max_length=500, blank=True, default="")
    status = models.PositiveSmallIntegerField("状态码")
    item_count = models.PositiveIntegerField("条目数", default=0)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=40, db_index=True)
    error_code = models.CharField("错误代码", max_length=40, blank=True, default="")
    job = models.ForeignKey(
        "imports.ImportJob",
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "接口请求日志"
        verbose_name_plural = "接口请求日志"
        ordering = ("-at",)
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
