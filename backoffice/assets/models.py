"""Record types of 资源性资产 (Resource assets and fixed-asset register)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from backoffice.core.fields import AreaField, MoneyField
from backoffice.core.models import RecordModel

from .choices import AssetCategory, AssetNature, OperationMode, ResourceClass, ResourceUse

GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
    "Feature",
    "FeatureCollection",
}
#: tolerance of the net-value check: SQLite keeps decimals as REAL, so exact equality of a difference
#: can fail by 1e-13; half a cent is exact enough for 元 amounts with 2 places
NET_VALUE_TOLERANCE = Decimal("0.005")


class Resource(RecordModel):
    """集体资源性资产 — a parcel of collectively owned land or natural resource (DOMAIN.md §2.8).

    One row per parcel/resource as inventoried in 清产核资: class, location (坐落) and four boundaries
    (四至), area in 亩, title certificate, current use mode and annual income. ``idle_since`` dates the
    start of idleness (A9 idle-resource alert); it is required exactly when the use mode is 闲置.
    [D] choices: the resource code is the village's own inventory code; photos are not stored here;
    the current contract is found through ``contracts`` (承包（租赁）合同 whose subject is this resource).
    """

    resource_code = models.CharField(
        "资源编码", max_length=40, help_text="本集体经济组织内唯一的资源清查编码"
    )
    name = models.CharField("资源名称", max_length=100)
    resource_class = models.CharField("资源类别", max_length=24, choices=ResourceClass.choices)
    location = models.CharField("坐落", max_length=200)
    boundary_east = models.CharField("四至（东）", max_length=100, blank=True, default="")
    boundary_west = models.CharField("四至（西）", max_length=100, blank=True, default="")
    boundary_south = models.CharField("四至（南）", max_length=100, blank=True, default="")
    boundary_north = models.CharField("四至（北）", max_length=100, blank=True, default="")
    area = AreaField("面积")
    certificate_no = models.CharField(
        "权属证书号",
        max_length=80,
        blank=True,
        default="",
        help_text="不动产权证、林权证、土地承包经营权证等编号",
    )
    use_mode = models.CharField("利用方式", max_length=16, choices=ResourceUse.choices)
    idle_since = models.DateField("闲置起始日期", null=True, blank=True, help_text="利用方式为“闲置”时必填")
    annual_income = MoneyField("年收益")
    geometry = models.JSONField("空间范围（GeoJSON）", null=True, blank=True)
    note = models.TextField("备注", blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "资源性资产"
        verbose_name_plural = "资源性资产"
        ordering = ("region_code", "resource_code")
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "resource_code"], name="assets_resource_unique_code"),
            models.CheckConstraint(condition=Q(area__gt=0), name="assets_resource_area_positive"),
            models.CheckConstraint(
                condition=Q(annual_income__gte=0), name="assets_resource_income_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(use_mode=ResourceUse.IDLE) & Q(idle_since__isnull=False))
                | (~Q(use_mode=ResourceUse.IDLE) & Q(idle_since__isnull=True)),
                name="assets_resource_idle_since_iff_idle",
            ),
        ]

    class Spec:
        natural_key = ("org", "resource_code")
        list_display = (
            "resource_code",
            "name",
            "resource_class",
            "area",
            "use_mode",
            "idle_since",
            "annual_income",
            "org",
        )
        list_filter = ("resource_class", "use_mode")
        search_fields = ("resource_code", "name", "location", "certificate_no", "org__name")
        money_fields = ("annual_income",)
        business_dates = ()  # an inventory row describes the current state; idle_since may predate 2022
        date_hierarchy = None

    def __str__(self) -> str:
        return f"{self.resource_code} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.area is not None and self.area <= 0:
            errors["area"] = f"面积应大于0亩（当前为{self.area}亩），请按权属证书或实测面积填写"
        if self.use_mode == ResourceUse.IDLE and self.idle_since is None:
            errors["idle_since"] = "利用方式为“闲置”时请填写闲置起始日期"
        elif self.use_mode != ResourceUse.IDLE and self.idle_since is not None:
            errors["idle_since"] = "只有利用方式为“闲置”的资源才填写闲置起始日期；已投入使用请清空此项"
        if self.annual_income is not None and self.annual_income < 0:
            errors["annual_income"] = "年收益不能为负数"
        if self.geometry not in (None, "", {}):
            problem = geojson_problem(self.geometry)
            if problem:
                errors["geometry"] = problem
        if errors:
            raise ValidationError(errors)


def geojson_problem(value: object) -> str | None:
    """Why ``value`` is not a GeoJSON object (RFC 7946 top-level ``type``), or None."""
    if not isinstance(value, dict) or value.get("type") not in GEOJSON_TYPES:
        return '空间范围应为GeoJSON对象，例如 {"type": "Polygon", "coordinates": [...]}'
    if value["type"] in GEOJSON_TYPES - {
        "GeometryCollection",
        "Feature",
        "FeatureCollection",
    } and not isinstance(value.get("coordinates"), list):
        return f"GeoJSON {value['type']} 缺少坐标（coordinates）"
    return None


class FixedAsset(RecordModel):
    """固定资产卡片 — one entry of the collective's fixed-asset register (DOMAIN.md §2.8).

    Values in 元: net value = original value − accumulated depreciation, enforced in the database.
    Areas of buildings and land are in m² as on the card (not 亩). [D] choices: operation period and
    lessee are read from the contract whose subject is this asset; timber stock, coordinates and images
    are not stored; disposal is recorded as ``disposed_on`` (the card stays for history).
    """

    asset_code = models.CharField("资产编码", max_length=40, help_text="本集体经济组织内唯一的资产卡片编号")
    name = models.CharField("资产名称", max_length=100)
    category = models.CharField("资产类别", max_length=16, choices=AssetCategory.choices)
    nature = models.CharField("经营属性", max_length=16, choices=AssetNature.choices)
    is_movable = models.BooleanField("动产", default=False, help_text="勾选为动产，不勾选为不动产")
    acquired_on = models.DateField("购建日期")
    original_value = MoneyField("原值")
    accumulated_depreciation = MoneyField("累计折旧")
    net_value = MoneyField("净值", help_text="单位：元；等于原值减累计折旧")
    location = models.CharField("坐落/存放地点", max_length=200, blank=True, default="")
    keeper = models.CharField("保管人", max_length=40, blank=True, default="")
    operation_mode = models.CharField("经营方式", max_length=16, choices=OperationMode.choices)
    annual_income = MoneyField("年收益")
    spec_model = models.CharField("规格型号", max_length=100, blank=True, default="")
    building_area = models.DecimalField(
        "建筑面积",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="单位：平方米",
    )
    land_area = models.DecimalField(
        "占地面积",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="单位：平方米",
    )
    boundary_east = models.CharField("四至（东）", max_length=100, blank=True, default="")
    boundary_west = models.CharField("四至（西）", max_length=100, blank=True, default="")
    boundary_south = models.CharField("四至（南）", max_length=100, blank=True, default="")
    boundary_north = models.CharField("四至（北）", max_length=100, blank=True, default="")
    disposed_on = models.DateField(
        "处置日期", null=True, blank=True, help_text="报废、出售、无偿调出等处置后填写"
    )

    class Meta(RecordModel.Meta):
        verbose_name = "固定资产"
        verbose_name_plural = "固定资产"
        ordering = ("region_code", "asset_code")
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "asset_code"], name="assets_fixedasset_unique_code"),
            models.CheckConstraint(
                condition=Q(original_value__gte=0) & Q(accumulated_depreciation__gte=0),
                name="assets_fixedasset_values_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(accumulated_depreciation__lte=F("original_value")),
                name="assets_fixedasset_depreciation_within_original",
            ),
            models.CheckConstraint(
                condition=Q(
                    net_value__gte=F("original_value") - F("accumulated_depreciation") - NET_VALUE_TOLERANCE,
                    net_value__lte=F("original_value") - F("accumulated_depreciation") + NET_VALUE_TOLERANCE,
                ),
                name="assets_fixedasset_net_value",
            ),
            models.CheckConstraint(
                condition=Q(annual_income__gte=0), name="assets_fixedasset_income_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(disposed_on__isnull=True) | Q(disposed_on__gte=F("acquired_on")),
                name="assets_fixedasset_disposed_after_acquired",
            ),
        ]

    class Spec:
        natural_key = ("org", "asset_code")
        list_display = (
            "asset_code",
            "name",
            "category",
            "nature",
            "original_value",
            "net_value",
            "operation_mode",
            "org",
        )
        list_filter = ("category", "nature", "operation_mode", "is_movable")
        search_fields = ("asset_code", "name", "location", "keeper", "org__name")
        money_fields = ("original_value", "accumulated_depreciation", "net_value", "annual_income")
        business_dates = ()  # a register card describes the current state; old assets predate 2022
        date_hierarchy = "acquired_on"

    def __str__(self) -> str:
        return f"{self.asset_code} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        original, accumulated, net = self.original_value, self.accumulated_depreciation, self.net_value
        if original is not None and original < 0:
            errors["original_value"] = "原值不能为负数"
        if accumulated is not None and accumulated < 0:
            errors["accumulated_depreciation"] = "累计折旧不能为负数"
        elif original is not None and accumulated is not None and accumulated > original:
            errors["accumulated_depreciation"] = f"累计折旧{accumulated}元不能大于原值{original}元"
        if "accumulated_depreciation" not in errors and None not in (original, accumulated, net):
            expected = original - accumulated
            if net != expected:
                errors["net_value"] = (
                    f"净值应等于原值减累计折旧：{original} − {accumulated} = {expected}元（当前填写{net}元）"
                )
        for name in ("building_area", "land_area"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = f"{self._meta.get_field(name).verbose_name}不能为负数"
        if self.annual_income is not None and self.annual_income < 0:
            errors["annual_income"] = "年收益不能为负数"
        if self.disposed_on and self.acquired_on and self.disposed_on < self.acquired_on:
            errors["disposed_on"] = f"处置日期不能早于购建日期{self.acquired_on:%Y-%m-%d}"
        if errors:
            raise ValidationError(errors)
