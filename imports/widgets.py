"""Widgets that never lose data (LIBS.md §2 gotchas 4–5): Decimal rounded to the field's places,
foreign keys resolved by natural key through a per-resource cache, unknown keys reported by value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from import_export import widgets


class RoundedDecimalWidget(widgets.DecimalWidget):
    """Excel floats (0.30000000000000004) become the Decimal the user typed, at the field's places."""

    def __init__(self, decimal_places: int = 2, **kwargs):
        self.quantum = Decimal(1).scaleb(-decimal_places)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        text = str(value).replace(",", "").replace("，", "").strip()
        try:
            return Decimal(text).quantize(self.quantum, rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是有效的金额或数字") from exc


class NaturalKeyForeignKeyWidget(widgets.ForeignKeyWidget):
    """FK by one natural-key field, looked up once per import into a dict (not one query per row)."""

    def __init__(self, model, field: str, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self._cache: dict[str, object] | None = None

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        if self._cache is None:
            self._cache = {str(getattr(o, self.field)): o for o in self.get_queryset(value, row, **kwargs)}
        key = str(value).strip()
        try:
            return self._cache[key]
        except KeyError:
            raise ValueError(f"找不到{self.model._meta.verbose_name}“{key}”") from None
