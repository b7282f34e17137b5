"""Abstract bases every record type builds on.

- ``RegionScopedModel``: a denormalised, indexed 12-digit ``region_code`` and the scoped manager; the one
  read path (``Model.objects.visible_to(user)``) filters by the user's region-code prefix.
- ``AuditedModel``: who and when, plus ``source_system``/``source_id`` for idempotent history migration.
- ``RecordModel``: a record owned by a collective organisation, with the review workflow fields.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .choices import ReviewStatus
from .pii import RevealLog  # noqa: F401  (concrete audit model of the core app)
from .scope import ScopedQuerySet
from .spec import get_spec, has_spec
from .validators import data_scope_problem


class RegionScopedModel(models.Model):
    """A row that belongs to a region; scope is a prefix match on ``region_code`` (DESIGN.md §3)."""

    region_code = models.CharField(
        "行政区划代码",
        max_length=12,
        db_index=True,
        editable=False,
        help_text="所属单位的12位统计用区划代码（自动填写）",
    )

    objects = ScopedQuerySet.as_manager()

    #: the field holding the 12-digit code that scoping filters on
    scope_field = "region_code"

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict:
        """Stored with each audit entry (django-auditlog) so that the audit list can be region-scoped."""
        return {"region_code": getattr(self, self.scope_field, "")}


class AuditedModel(models.Model):
    """Creation/update stamps and the source identity used by history migration."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_system = models.CharField("来源系统", max_length=40, blank=True, default="")
    source_id = models.CharField("来源编号", max_length=80, blank=True, default="")

    class Meta:
        abstract = True


class RecordModel(RegionScopedModel, AuditedModel):
    """A monitoring record owned by a collective economic organisation (集体经济组织).

    ``region_code`` is copied from the owning organisation on save, so scope and level pivots never join.
    Entered at village level as a draft, submitted, then approved or returned by the township reviewer.
    """

    org = models.ForeignKey(
        "regions.CollectiveOrg",
        verbose_name="集体经济组织",
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_status = models.CharField(
        "审核状态",
        max_length=12,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    review_reason = models.CharField("退回原因", max_length=500, blank=True, default="", editable=False)
    is_history = models.BooleanField(
        "历史数据",
        default=False,
        help_text="2022年1月1日以前的历史数据（迁移补录）才勾选；业务日期可早于统计口径起点",
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_id"],
                condition=~models.Q(source_id=""),
                name="%(app_label)s_%(class)s_source_uniq",
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        # The denormalised scope column follows the owner's region: a data invariant, not business logic.
        if self.org_id:
            self.region_code = self._owner_region_code()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Business dates declared in the spec must lie inside the data scope (from 2022-01-01)."""
        super().clean()
        if not has_spec(type(self)):
            return
        errors = {}
        for name in get_spec(type(self)).business_dates:
            problem = data_scope_problem(
                getattr(self, name),
                is_history=self.is_history,
                label=str(self._meta.get_field(name).verbose_name),
            )
            if problem:
                errors[name] = problem
        if errors:
            raise ValidationError(errors)

    def _owner_region_code(self) -> str:
        cached = self._state.fields_cache.get("org")
        if cached is not None and cached.pk == self.org_id:
            return cached.region_code
        from backoffice.regions.models import CollectiveOrg

        return CollectiveOrg.objects.values_list("region_code", flat=True).get(pk=self.org_id)
