"""Field helpers that fix the project's units: money in 元 (Decimal 18,2, never float), area in 亩."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class MoneyField(models.DecimalField):
    """An amount in 元: Decimal with 2 places (DOMAIN.md §2 conventions)."""

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("default", Decimal("0.00"))
        kwargs.setdefault("help_text", "单位：元")
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class AreaField(models.DecimalField):
    """An area in 亩 with 2 places (1 亩 ≈ 666.67 m²; 1 公顷 = 15 亩)."""

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("help_text", "单位：亩")
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
