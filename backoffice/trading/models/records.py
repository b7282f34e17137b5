"""A listing's documents and its event log (DOMAIN.md §6.3 attachments, §6.4 every transition an event)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..choices import AttachmentKind, ListingState
from .listing import Listing, ListingChild


class ListingAttachment(ListingChild):
    """挂牌附件 — a document of a listing: the decision-meeting resolution (required for collective
    assets before submission), ownership proof, appraisal report, photos, opinions."""

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌项目", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("附件类型", max_length=20, choices=AttachmentKind.choices)
    title = models.CharField("附件名称", max_length=120, blank=True, default="")
    file = models.FileField("文件", upload_to="trading/attachments/%Y/")
    is_public = models.BooleanField("公开", default=False, help_text="勾选后在公开页面展示（不得含个人信息）")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "挂牌附件"
        verbose_name_plural = "挂牌附件"
        ordering = ("listing", "kind", "uploaded_at")

    class Spec:
        natural_key = ("listing", "kind", "title")
        list_display = ("listing", "kind", "title", "uploaded_at")
        list_filter = ("kind",)
        search_fields = ("listing__listing_no", "title")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class ListingEvent(ListingChild):
    """交易过程记录 — one state transition of a listing: who, when, from which state to which, why.

    Written only by the transition services; ``action`` is the service's stable code (``submit``,
    ``town_approve`` …). A change of the announcement is an event from ANNOUNCED to ANNOUNCED.
    """

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌项目", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("操作", max_length=30)
    from_state = models.CharField("原状态", max_length=20, choices=ListingState.choices)
    to_state = models.CharField("新状态", max_length=20, choices=ListingState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示系统按期限自动处理",
    )
    at = models.DateTimeField("时间", db_index=True)
    reason = models.CharField("原因/意见", max_length=500, blank=True, default="")
    round = models.PositiveSmallIntegerField("挂牌轮次", default=1)

    class Meta:
        verbose_name = "交易过程记录"
        verbose_name_plural = "交易过程记录"
        ordering = ("listing", "at", "pk")

    class Spec:
        natural_key = ("listing", "at", "action")
        list_display = ("listing", "action", "from_state", "to_state", "actor", "at", "reason")
        list_filter = ("to_state",)
        search_fields = ("listing__listing_no", "reason")
        date_hierarchy = "at"

    def __str__(self) -> str:
        listing_no = self.listing_id and self.listing.listing_no
        return f"{listing_no} {self.get_from_state_display()}→{self.get_to_state_display()}"
