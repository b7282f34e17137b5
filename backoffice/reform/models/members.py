"""成员身份确认: households and confirmed members."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind

from ..choices import Gender, MemberCategory, MemberStatus, RelationToHead


class Household(RecordModel):
    """农户: a household of the collective (户号 unique within the organisation)."""

    household_no = models.CharField("户号", max_length=20)
    head_name = models.CharField("户主姓名", max_length=40)
    address = models.CharField("住址", max_length=200, blank=True, default="")
    member_count = models.PositiveSmallIntegerField("户籍人口数", default=1)

    class Meta(RecordModel.Meta):
        verbose_name = "农户"
        verbose_name_plural = "农户"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "household_no"], name="reform_household_unique_no"),
        ]

    class Spec:
        natural_key = ("org", "household_no")
        list_display = ("household_no", "head_name", "org", "member_count", "address")
        search_fields = ("household_no", "head_name", "org__name")

    def __str__(self) -> str:
        return f"{self.household_no} {self.head_name}"


class Member(RecordModel):
    """集体经济组织成员: a confirmed member, identified by the resident ID (one row per person per org).

    ``loss_date`` is filled exactly when the status is not active (DB check); for a suspended member it is
    the date the dispute began. The gender must agree with the 17th ID digit (odd = male).
    """

    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    id_no = SensitiveField("身份证号", kind=SensitiveKind.RESIDENT_ID)
    household = models.ForeignKey(
        Household, verbose_name="所在农户", on_delete=models.PROTECT, related_name="members"
    )
    relation_to_head = models.CharField("与户主关系", max_length=12, choices=RelationToHead.choices)
    category = models.CharField(
        "成员类别",
        max_length=12,
        choices=MemberCategory.choices,
        default=MemberCategory.ORIGINAL,
    )
    confirmed_on = models.DateField("身份确认日期", null=True, blank=True)
    status = models.CharField(
        "成员状态", max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    loss_reason = models.CharField("丧失/变动原因", max_length=200, blank=True, default="")
    loss_date = models.DateField("丧失/变动日期", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "集体经济组织成员"
        verbose_name_plural = "集体经济组织成员"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "id_no_hash"], name="reform_member_unique_person"),
            models.CheckConstraint(
                condition=Q(status=MemberStatus.ACTIVE, loss_date__isnull=True)
                | (~Q(status=MemberStatus.ACTIVE) & Q(loss_date__isnull=False)),
                name="reform_member_loss_date_iff_inactive",
            ),
        ]

    class Spec:
        natural_key = ("org", "id_no_hash")
        list_display = ("name", "id_no", "gender", "household", "org", "category", "status")
        list_filter = ("status", "category", "gender")
        search_fields = ("name", "household__household_no", "org__name")
        business_dates = ("loss_date",)
        date_hierarchy = "confirmed_on"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == MemberStatus.ACTIVE and self.loss_date:
            errors["loss_date"] = "状态为“正常”的成员不应填写丧失/变动日期；如已丧失身份请先修改状态"
        if self.status and self.status != MemberStatus.ACTIVE:
            if not self.loss_date:
                errors["loss_date"] = f"成员状态为“{self.get_status_display()}”，请填写丧失/变动日期"
            if not self.loss_reason.strip():
                errors["loss_reason"] = f"成员状态为“{self.get_status_display()}”，请填写原因"
        if self.loss_date and self.confirmed_on and self.loss_date < self.confirmed_on:
            errors["loss_date"] = "丧失/变动日期不能早于身份确认日期"
        id_no = (self.id_no or "").strip().upper()
        if len(id_no) == 18 and id_no[16].isdigit() and self.gender:
            expected = Gender.MALE if int(id_no[16]) % 2 else Gender.FEMALE
            if self.gender != expected:
                errors["gender"] = f"性别与身份证号第17位不符（应为“{expected.label}”），请核对"
        if self.household_id and self.org_id and self.household.org_id != self.org_id:
            errors["household"] = "所选农户属于另一个集体经济组织"
        if errors:
            raise ValidationError(errors)
