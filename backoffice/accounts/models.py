"""The user model: a Django user with a scope region (any level) and roles as groups."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class User(AbstractUser):
    """A back-office user. ``scope_region`` bounds every row they can read or write (DESIGN.md §3);
    a superuser sees everything; a non-superuser without a scope region sees nothing."""

    scope_region = models.ForeignKey(
        "regions.Region",
        verbose_name="管辖区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="用户可以查看和维护的区域（含下级）",
    )
    display_name = models.CharField("姓名", max_length=60, blank=True, default="")
    phone = models.CharField("联系电话", max_length=20, blank=True, default="")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_additional_data(self) -> dict:
        """Filed with each audit entry about this user (see backoffice/core/audit.py)."""
        return {"region_code": self.scope_region_id or ""}

    def has_role(self, role: Role) -> bool:
        """Whether the user belongs to the group of ``role`` (superusers hold every role)."""
        if self.is_superuser:
            return True
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = self._role_names = set(self.groups.values_list("name", flat=True))
        return role.label in cached
