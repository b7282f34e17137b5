"""The one scoped read path (DESIGN.md §1.2, §3).

A user's scope is the region-code prefix of their scope region at its level (province 2 digits, city 4,
county 6, township 9, village 12). Every read path (admin list, change view, autocomplete, foreign-key
choices, export, report, alert queue, API) filters through ``visible_to(user)``; nothing else decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

#: significant digits of a 12-digit code per region level (1 province … 5 village)
SIGNIFICANT_DIGITS: dict[int, int] = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Unrestricted:
    """Marker for a user who sees everything (superusers)."""

    def __repr__(self) -> str:
        return "UNRESTRICTED"


UNRESTRICTED = Unrestricted()


def level_of_code(code: str) -> int:
    """The level (1–5) a 12-digit code denotes, read from its trailing zeros."""
    for level in (1, 2, 3, 4):
        if set(code[SIGNIFICANT_DIGITS[level] :]) <= {"0"}:
            return level
    return 5


def prefix_of_code(code: str, level: int | None = None) -> str:
    """The scope prefix of a region code: its significant digits at its level."""
    return code[: SIGNIFICANT_DIGITS[level or level_of_code(code)]]


def scope_prefix(user: AbstractBaseUser | Any) -> str | Unrestricted | None:
    """The region-code prefix a user may see: UNRESTRICTED, a prefix, or None (sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if user.is_superuser:
        return UNRESTRICTED
    region_id = getattr(user, "scope_region_id", None)
    if not region_id:
        return None
    return prefix_of_code(region_id)


def code_in_scope(user: AbstractBaseUser | Any, region_code: str | None) -> bool:
    """Whether a 12-digit code lies inside the user's scope."""
    prefix = scope_prefix(user)
    if prefix is UNRESTRICTED:
        return True
    if prefix is None or not region_code:
        return False
    return region_code.startswith(prefix)


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a region-scoped model; ``visible_to`` is the only scope filter in the project."""

    def visible_to(self, user: AbstractBaseUser | Any) -> ScopedQuerySet:
        prefix = scope_prefix(user)
        if prefix is UNRESTRICTED:
            return self
        if prefix is None:
            return self.none()
        return self.within(prefix)

    def within(self, prefix: str) -> ScopedQuerySet:
        """Rows whose region code starts with ``prefix`` (a subtree of the region tree)."""
        return self.filter(**{f"{self.model.scope_field}__startswith": prefix})


def is_scoped_model(model: type[models.Model]) -> bool:
    """A model whose rows carry a region code and must be read through ``visible_to``."""
    return isinstance(getattr(model, "scope_field", None), str) and hasattr(
        model._default_manager.get_queryset(), "visible_to"
    )
