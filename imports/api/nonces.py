"""The nonce store of signed requests (bank push): one row per accepted request's nonce, unique per
client, kept long enough that a replay is refused for as long as its timestamp could still pass.

A request is accepted while its timestamp is within ±W of the server clock (W =
``API_SIGNATURE_WINDOW_SECONDS``). A request stamped W seconds ahead, accepted now, stays replayable until
2W from now; so nonces are purged (``imports.api.purge_nonces`` schedule) only after 2W.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .signing import SignatureError, window_seconds


class ApiNonce(models.Model):
    """A signed request's nonce (``X-Nonce``), kept so that the same request cannot be replayed."""

    client = models.ForeignKey(
        "imports.ApiClient", verbose_name="接口客户端", on_delete=models.CASCADE, related_name="+"
    )
    nonce = models.CharField("随机串", max_length=64)
    seen_at = models.DateTimeField("收到时间", default=timezone.now, db_index=True)

    class Meta:
        app_label = "imports"
        verbose_name = "签名随机串"
        verbose_name_plural = "签名随机串"
        constraints = [
            models.UniqueConstraint(fields=["client", "nonce"], name="imports_apinonce_unique_per_client")
        ]

    def __str__(self) -> str:
        return self.nonce


def nonce_remember(*, client, nonce: str) -> None:
    """Store the nonce of an accepted request; raises ``SignatureError("nonce_reused")`` when this client
    used it before (the unique constraint decides, so two concurrent copies cannot both pass)."""
    try:
        with transaction.atomic():
            ApiNonce.objects.create(client=client, nonce=nonce)
    except IntegrityError:
        raise SignatureError(
            "nonce_reused", "该随机串已被使用过，请求被视为重放而拒绝；每个请求须使用新的随机串并重新签名"
        ) from None


def purge_nonces() -> int:
    """Delete nonces older than twice the signature window; returns how many were deleted."""
    cutoff = timezone.now() - dt.timedelta(seconds=2 * window_seconds())
    deleted, _ = ApiNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
