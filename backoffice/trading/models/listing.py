"""The listing (挂牌项目), its attachments and its event log (DOMAIN.md §6.3, §6.4)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from backoffice.contracts.choices import PaymentMode, QuantityUnit
from backoffice.contracts.validators import validate_id_or_credit_code, validate_phone
from backoffice.core.fields import AreaField, MoneyField
from backoffice.core.models import RecordModel, RegionScopedModel
from backoffice.core.pii import SensitiveField, SensitiveKind

from ..choices import (
    ListingState,
    PropertyType,
    TradingInstitution,
    TradingMethod,
    TransferMode,
    TransferorKind,
)

#: default periods [D] (DOMAIN.md §6.6): announcement 10 working days, result publicity 5 working days
DEFAULT_ANNOUNCEMENT_DAYS = 10
DEFAULT_PUBLICITY_DAYS = 5
#: the shortest announcement any locality allows [L] (≥ 7 working days)
MIN_ANNOUNCEMENT_DAYS = 7


class Listing(RecordModel):
    """挂牌项目 — one property right offered for transfer on the trading platform (DOMAIN.md §6.3).

    ``org`` is the transferor collective organisation, or for a farmer's own asset (T11, voluntary) the
    organisation of the farmer's village, so that scope follows the village. Fields come in the four
    groups of the Shanxi notice: 标的信息, 出让方信息, 流转交易条件, 其他信息. ``state`` moves only through
    the services in ``backoffice.trading.services.listing`` (every move a ``ListingEvent``); ``round``
    counts announcements (a relisting after 流拍 starts round 2). Amounts are in 元; ``reserve_price`` (底价)
    is the lowest acceptable deal price and is never published; ``listing_price`` (挂牌价) is the opening
    price of the bidding.
    """

    # ---- project ----------------------------------------------------------------------------------
    listing_no = models.CharField(
        "项目编号", max_length=40, unique=True, editable=False, help_text="县级区划代码-年份-序号，自动生成"
    )
    title = models.CharField("项目名称", max_length=120)
    property_type = models.CharField("交易品种", max_length=3, choices=PropertyType.choices)
    trading_institution = models.CharField(
        "交易机构",
        max_length=20,
        choices=TradingInstitution.choices,
        default=TradingInstitution.COUNTY_CENTRE,
    )
    state = models.CharField(
        "交易状态",
        max_length=20,
        choices=ListingState.choices,
        default=ListingState.DRAFT,
        db_index=True,
        editable=False,
    )
    suspended_from = models.CharField(
        "中止前状态", max_length=20, choices=ListingState.choices, blank=True, default="", editable=False
    )
    round = models.PositiveSmallIntegerField("挂牌轮次", default=1, editable=False)
    state_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True, editable=False)

    # ---- 标的信息 (target) -------------------------------------------------------------------------
    location = models.CharField("坐落位置", max_length=200)
    boundary_east = models.CharField("四至（东）", max_length=100, blank=True, default="")
    boundary_west = models.CharField("四至（西）", max_length=100, blank=True, default="")
    boundary_south = models.CharField("四至（南）", max_length=100, blank=True, default="")
    boundary_north = models.CharField("四至（北）", max_length=100, blank=True, default="")
    area = AreaField("面积", null=True, blank=True, help_text="单位：亩；设施设备等无面积的可不填")
    quantity = models.DecimalField("数量", max_digits=14, decimal_places=2, default=Decimal("0"))
    unit = models.CharField("计量单位", max_length=8, choices=QuantityUnit.choices, default=QuantityUnit.MU)
    current_use = models.CharField("现状用途", max_length=100, blank=True, default="")
    land_class = models.CharField("地类", max_length=60, blank=True, default="")
    title_certificate_no = models.CharField("权属证书编号", max_length=80, blank=True, default="")
    encumbrances = models.CharField(
        "权利限制情况", max_length=300, blank=True, default="", help_text="抵押、现有租赁等；没有填“无”"
    )
    ancillary_facilities = models.CharField("附属设施", max_length=300, blank=True, default="")
    appraisal_value = MoneyField("评估价值", null=True, blank=True, default=None)
    geometry = models.JSONField("空间范围（GeoJSON）", null=True, blank=True)
    source_resource = models.ForeignKey(
        "assets.Resource",
        verbose_name="来源资源",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
    )
    source_asset = models.ForeignKey(
        "assets.FixedAsset",
        verbose_name="来源资产",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
    )
    source_contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name="到期合同",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
        help_text="由即将到期的合同重新进场交易时填写",
    )

    # ---- 出让方信息 (transferor) -------------------------------------------------------------------
    transferor_kind = models.CharField(
        "出让方类型", max_length=12, choices=TransferorKind.choices, default=TransferorKind.COLLECTIVE
    )
    transferor_name = models.CharField("出让方名称", max_length=120)
    transferor_id = SensitiveField(
        "出让方证件号",
        kind=SensitiveKind.ID_OR_CREDIT_CODE,
        blank=True,
        validators=[validate_id_or_credit_code],
        help_text="集体经济组织填统一社会信用代码，农户填18位身份证号",
    )
    transferor_legal_rep = models.CharField("法定代表人/负责人", max_length=40, blank=True, default="")
    transferor_contact = models.CharField("联系人", max_length=40, blank=True, default="")
    transferor_phone = SensitiveField(
        "联系电话", kind=SensitiveKind.PHONE, blank=True, validators=[validate_phone]
    )
    transferor_bank_account = SensitiveField(
        "收款账号", kind=SensitiveKind.BANK_ACCOUNT, blank=True, help_text="成交价款的收款银行账号"
    )
    decision_ref = models.CharField(
        "民主决策情况",
        max_length=300,
        blank=True,
        default="",
        help_text="成员（代表）会议决议或“四议两公开”记录的日期、文号；决议扫描件作为附件上传",
    )
    township_opinion = models.CharField(
        "乡镇审核意见", max_length=500, blank=True, default="", editable=False
    )
    county_opinion = models.CharField("县级受理意见", max_length=500, blank=True, default="", editable=False)

    # ---- 流转交易条件 (conditions) -----------------------------------------------------------------
    transfer_mode = models.CharField("流转方式", max_length=16, choices=TransferMode.choices)
    term_years = models.PositiveSmallIntegerField("流转期限（年）", null=True, blank=True)
    term_start = models.DateField("流转起始日期", null=True, blank=True)
    term_end = models.DateField("流转终止日期", null=True, blank=True)
    listing_price = MoneyField("挂牌价", help_text="单位：元（流转期内总价）；竞价的起始价")
    reserve_price = MoneyField("底价", help_text="单位：元；成交价不得低于底价，底价不公开")
    unit_price = MoneyField("挂牌单价", help_text="单位：元/亩·年（或元/计量单位·年），供参考")
    price_escalation = models.CharField("价格递增条款", max_length=200, blank=True, default="")
    payment_mode = models.CharField(
        "付款方式", max_length=12, choices=PaymentMode.choices, default=PaymentMode.ANNUAL
    )
    payment_note = models.CharField("付款时间和要求", max_length=200, blank=True, default="")
    deposit_amount = MoneyField("交易保证金")
    transferee_qualifications = models.TextField("受让方资格条件", blank=True, default="")
    use_restrictions = models.TextField("用途限制", blank=True, default="")
    priority_right = models.BooleanField(
        "本集体成员享有同等条件优先权",
        default=True,
        help_text="勾选后，本集体经济组织成员可以以当前最高报价应价并成为最高报价人",
    )
    joint_bidding_allowed = models.BooleanField("允许联合竞买", default=False)
    trading_method = models.CharField(
        "交易方式", max_length=24, choices=TradingMethod.choices, default=TradingMethod.ONLINE_BIDDING
    )
    bid_increment = MoneyField(
        "加价幅度", default=Decimal("100.00"), help_text="单位：元；每次报价的最小加价"
    )
    free_quote_minutes = models.PositiveIntegerField("自由报价期（分钟）", default=60)
    timed_quote_minutes = models.PositiveIntegerField("限时报价期（分钟）", default=10)
    extension_minutes = models.PositiveIntegerField(
        "延时周期（分钟）",
        default=5,
        help_text="限时报价期内有人报价且剩余时间不足该值时，截止时间延至报价后该分钟数",
    )
    announcement_days = models.PositiveSmallIntegerField(
        "公告期（工作日）", default=DEFAULT_ANNOUNCEMENT_DAYS, help_text="不含法定节假日，调休上班日计入"
    )
    publicity_days = models.PositiveSmallIntegerField("结果公示期（工作日）", default=DEFAULT_PUBLICITY_DAYS)

    # ---- 其他信息 (other) --------------------------------------------------------------------------
    risk_notes = models.TextField("风险提示", blank=True, default="")
    special_matters = models.TextField("特别事项", blank=True, default="")
    site_visit = models.CharField("踏勘安排", max_length=300, blank=True, default="")
    institution_contact = models.CharField("交易机构联系方式", max_length=120, blank=True, default="")

    # ---- periods (set by the services) -----------------------------------------------------------
    announcement_start = models.DateField("公告开始日期", null=True, blank=True, editable=False)
    announcement_end = models.DateField("公告截止日期", null=True, blank=True, editable=False)
    bidding_starts_at = models.DateTimeField("竞价开始时间", null=True, blank=True, editable=False)
    free_quote_ends_at = models.DateTimeField("自由报价截止时间", null=True, blank=True, editable=False)
    bidding_ends_at = models.DateTimeField(
        "竞价截止时间",
        null=True,
        blank=True,
        editable=False,
        help_text="限时报价期的截止时间，迟到报价会顺延",
    )
    publicity_start = models.DateField("公示开始日期", null=True, blank=True, editable=False)
    publicity_end = models.DateField("公示截止日期", null=True, blank=True, editable=False)

    class Meta(RecordModel.Meta):
        verbose_name = "挂牌项目"
        verbose_name_plural = "挂牌项目"
        ordering = ("-created_at", "listing_no")
        constraints = [
            *RecordModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(listing_price__gte=0) & Q(reserve_price__gte=0) & Q(deposit_amount__gte=0),
                name="trading_listing_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(bid_increment__gt=0), name="trading_listing_increment_positive"
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gt=F("term_start")),
                name="trading_listing_term_order",
            ),
            models.CheckConstraint(
                condition=(Q(source_resource__isnull=True) | Q(source_asset__isnull=True)),
                name="trading_listing_one_subject",
            ),
        ]
        permissions = [
            ("review_listing", "乡镇审核挂牌项目"),
            ("manage_trading", "县级受理、组织交易和出具鉴证书"),
        ]

    class Spec:
        natural_key = ("listing_no",)
        list_display = (
            "listing_no",
            "title",
            "property_type",
            "transfer_mode",
            "listing_price",
            "state",
            "announcement_end",
            "org",
        )
        list_filter = ("state", "property_type", "trading_method", "transferor_kind")
        search_fields = ("listing_no", "title", "location", "transferor_name", "org__name")
        money_fields = ("listing_price", "reserve_price", "unit_price", "deposit_amount", "appraisal_value")
        readonly_fields = (
            "listing_no",
            "state",
            "round",
            "announcement_start",
            "announcement_end",
            "bidding_starts_at",
            "bidding_ends_at",
            "publicity_start",
            "publicity_end",
        )

    def __str__(self) -> str:
        return f"{self.listing_no} {self.title}".strip()

    def save(self, *args, **kwargs) -> None:
        # The project number (county code + year + sequence) is an identity, given once on first save.
        if not self.listing_no and self.org_id:
            prefix = f"{self._owner_region_code()[:6]}-{timezone.localdate():%Y}-"
            last = (
                Listing.objects.filter(listing_no__startswith=prefix)
                .order_by("-listing_no")
                .values_list("listing_no", flat=True)
                .first()
            )
            sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
            self.listing_no = f"{prefix}{sequence:04d}"
        previous = None
        if self.pk and kwargs.get("update_fields") is None:
            previous = Listing.objects.filter(pk=self.pk).values_list("region_code", flat=True).first()
        super().save(*args, **kwargs)
        if previous is not None and previous != self.region_code:
            # the owner moved (a draft's organisation corrected): scope of the child rows follows
            for relation in ("attachments", "events", "registrations", "bids", "deals", "certificates"):
                getattr(self, relation).update(region_code=self.region_code)
            from .certificate import CertificatePrint

            CertificatePrint.objects.filter(listing=self).update(region_code=self.region_code)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.source_resource_id and self.source_asset_id:
            errors["source_asset"] = "来源只能是一项资源或一项资产，请清空其中一项"
        for name in ("source_resource", "source_asset", "source_contract"):
            subject = getattr(self, name) if getattr(self, f"{name}_id") else None
            if subject is not None and self.org_id and subject.org_id != self.org_id:
                errors[name] = f"“{subject}”不属于本集体经济组织，请选择本组织的记录"
        if self.term_start and self.term_end and self.term_end <= self.term_start:
            errors["term_end"] = f"流转终止日期应晚于起始日期{self.term_start:%Y-%m-%d}"
        if (
            self.reserve_price is not None
            and self.listing_price is not None
            and 0 < self.listing_price < self.reserve_price
        ):
            errors["reserve_price"] = "底价不应高于挂牌价（挂牌价是竞价的起始价）"
        if self.bid_increment is not None and self.bid_increment <= 0:
            errors["bid_increment"] = "加价幅度应大于0元"
        if self.announcement_days is not None and self.announcement_days < MIN_ANNOUNCEMENT_DAYS:
            errors["announcement_days"] = f"公告期不少于{MIN_ANNOUNCEMENT_DAYS}个工作日"
        if self.transferor_kind == TransferorKind.FARMER and self.property_type not in (
            PropertyType.T01,
            PropertyType.T11,
            PropertyType.T02,
            PropertyType.T05,
        ):
            errors["property_type"] = (
                "农户出让的项目只能是承包土地经营权、林权、农业生产设施设备或农户个人资产"
            )
        if self.property_type == PropertyType.T11 and self.transferor_kind != TransferorKind.FARMER:
            errors["transferor_kind"] = "交易品种为“农户个人资产”时，出让方类型应为“农户”"
        if errors:
            raise ValidationError(errors)

    @property
    def requires_resolution(self) -> bool:
        """Collective assets need a member(-representative) meeting resolution before submission."""
        return self.transferor_kind == TransferorKind.COLLECTIVE


class ListingChild(RegionScopedModel):
    """A row belonging to one listing; its ``region_code`` is the listing's (scope follows the listing)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.listing_id and not self.region_code:
            self.region_code = Listing.objects.values_list("region_code", flat=True).get(pk=self.listing_id)
        super().save(*args, **kwargs)
