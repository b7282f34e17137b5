"""The transaction attestation certificate (交易鉴证书) and its print log (DOMAIN.md §6.7)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from .bidding import Deal
from .listing import Listing, ListingChild

#: characters of the verification code: no 0/O, 1/I/L, so it can be read off paper
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Certificate(ListingChild):
    """交易鉴证书 — issued once per attested deal by the county trading institution.

    ``number`` is public and unique; the public verification page checks number + ``verification_code``.
    The PDF is rendered on demand (``backoffice.trading.certificate``) and every print is a
    ``CertificatePrint`` row.
    """

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌项目", on_delete=models.PROTECT, related_name="certificates"
    )
    deal = models.OneToOneField(
        Deal, verbose_name="成交记录", on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField("鉴证书编号", max_length=40, unique=True)
    verification_code = models.CharField("验证码", max_length=12, default=new_verification_code)
    issued_at = models.DateTimeField("出具时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    institution = models.CharField("出具机构", max_length=120, blank=True, default="")
    remarks = models.CharField("备注", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "交易鉴证书"
        verbose_name_plural = "交易鉴证书"
        ordering = ("-issued_at",)

    class Spec:
        natural_key = ("number",)
        list_display = ("number", "listing", "deal", "issued_at", "issued_by")
        search_fields = ("number", "listing__listing_no")
        date_hierarchy = "issued_at"

    def __str__(self) -> str:
        return self.number


class CertificatePrint(ListingChild):
    """鉴证书打印记录 — one print (or download) of a certificate: who, when, which copy."""

    listing = models.ForeignKey(Listing, verbose_name="挂牌项目", on_delete=models.CASCADE, related_name="+")
    certificate = models.ForeignKey(
        Certificate, verbose_name="交易鉴证书", on_delete=models.CASCADE, related_name="prints"
    )
    copy_no = models.PositiveSmallIntegerField("第几次打印")
    printed_at = models.DateTimeField("打印时间", auto_now_add=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="打印人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("打印原因", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "鉴证书打印记录"
        verbose_name_plural = "鉴证书打印记录"
        ordering = ("certificate", "copy_no")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "copy_no"], name="trading_certificate_print_unique"
            ),
        ]

    class Spec:
        natural_key = ("certificate", "copy_no")
        list_display = ("certificate", "copy_no", "printed_at", "printed_by", "reason")
        search_fields = ("certificate__number",)
        date_hierarchy = "printed_at"

    def __str__(self) -> str:
        return f"{self.certificate_id and self.certificate.number} 第{self.copy_no}次"
