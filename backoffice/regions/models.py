"""The region tree and collective economic organisations (DOMAIN.md §1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.models import AuditedModel, RegionScopedModel
from backoffice.core.pii import SensitiveField, SensitiveKind
from backoffice.core.scope import SIGNIFICANT_DIGITS, ScopedQuerySet, prefix_of_code

from .choices import OrgLevel, OrgStatus, RegionLevel
from .validators import credit_code_problem, region_code_problem, validate_credit_code, validate_region_code


class Region(models.Model):
    """A node of the 5-level region tree keyed by the 12-digit statistical division code (统计用区划代码).

    Codes change yearly (mergers, renames): rows are never deleted; ``valid_to`` and ``successor`` keep
    history attributable. Scope of a row elsewhere is a prefix of this code (province 2 … village 12 digits).
    """

    code = models.CharField("区划代码", max_length=12, primary_key=True, validators=[validate_region_code])
    name = models.CharField("名称", max_length=80)
    level = models.PositiveSmallIntegerField("级别", choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    urban_rural_class = models.CharField("城乡分类代码", max_length=3, blank=True, default="")
    edition_year = models.PositiveSmallIntegerField("代码版本年份", null=True, blank=True)
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_to = models.DateField("停用日期", null=True, blank=True, help_text="区划撤并后填写；区划从不删除")
    successor = models.ForeignKey(
        "self",
        verbose_name="承继区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "code"

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="region_level_1_5"),
        ]

    class Spec:
        natural_key = ("code",)
        list_display = ("code", "name", "level", "parent", "valid_to")
        list_filter = ("level",)
        search_fields = ("=code", "^code", "name")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def get_additional_data(self) -> dict:
        """Filed with each audit entry about this region (see backoffice/core/audit.py)."""
        return {"region_code": self.code}

    @property
    def prefix(self) -> str:
        """Significant digits of the code: the scope prefix of this region's subtree."""
        return self.code[: SIGNIFICANT_DIGITS[self.level]]

    def clean(self) -> None:
        problem = region_code_problem(self.code, self.level)
        if problem:
            raise ValidationError({"code": problem})
        if self.level == RegionLevel.PROVINCE:
            if self.parent_id:
                raise ValidationError({"parent": "省级区划没有上级区划"})
        elif self.parent_id and (
            not self.code.startswith(prefix_of_code(self.parent_id)) or self.parent_id == self.code
        ):
            raise ValidationError({"parent": f"上级区划{self.parent_id}与代码{self.code}的前缀不一致"})


class CollectiveOrg(RegionScopedModel, AuditedModel):
    """A collective economic organisation (农村集体经济组织), the accounting entity.

    Exists at township (N3), village (N2) and group (N1) level; a village committee may act for one
    (代行), in which case there is no credit code. The credit code is the 18-character unified social
    credit code (统一社会信用代码) validated by its GB 32100 check character.
    """

    name = models.CharField("组织名称", max_length=120)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text="18位，登记管理部门代码N，第2位1组级/2村级/3乡镇级",
    )
    org_level = models.CharField("组织级别", max_length=6, choices=OrgLevel.choices)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="orgs")
    parent_org = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    legal_rep_name = models.CharField("法定代表人", max_length=40, blank=True, default="")
    legal_rep_id_no = SensitiveField(
        "法定代表人身份证号", kind=SensitiveKind.RESIDENT_ID, blank=True, default=""
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)

    class Meta:
        verbose_name = "集体经济组织"
        verbose_name_plural = "集体经济组织"
        ordering = ("region_code", "name")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="org_unique_name_in_region"),
            models.CheckConstraint(
                condition=~models.Q(org_level="ACTING") | models.Q(credit_code__isnull=True),
                name="org_acting_has_no_credit_code",
            ),
        ]

    class Spec:
        natural_key = ("credit_code",)
        list_display = (
            "name",
            "credit_code",
            "org_level",
            "region",
            "legal_rep_name",
            "legal_rep_id_no",
            "status",
        )
        list_filter = ("org_level", "status")
        search_fields = ("name", "credit_code", "region__name")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Denormalised scope column follows the region (see RegionScopedModel).
        if self.region_id:
            self.region_code = self.region_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.credit_code == "":
            self.credit_code = None
        errors: dict[str, str] = {}
        if self.credit_code:
            problem = credit_code_problem(self.credit_code)
            if problem:
                errors["credit_code"] = problem
            elif self.org_level in {"N1", "N2", "N3", "N9"} and self.credit_code[:2] != self.org_level:
                errors["credit_code"] = (
                    f"统一社会信用代码前两位“{self.credit_code[:2]}”与组织级别{self.org_level}不符"
                )
        elif self.org_level != OrgLevel.ACTING:
            errors["credit_code"] = (
                "已登记的集体经济组织必须填写统一社会信用代码；村（居）委会代行的请选择“代行”"
            )
        if self.parent_org_id and self.region_id and self.parent_org_id == self.pk:
            errors["parent_org"] = "上级组织不能是自己"
        if errors:
            raise ValidationError(errors)
