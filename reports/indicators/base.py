"""The building blocks of the indicator catalogue: sources (one grouped query each) and indicators.

A ``Source`` names a record type, the rows of it that count for a period (``where``), optional per-row
annotations (``prepare``, e.g. a contract's amount due to date as a correlated subquery) and whether only
approved records count. An ``IndicatorSpec`` is either a *measure* — one aggregate over one source — or
*derived* from other indicators of the same row (a ratio of summed parts, a line formula); derived values
are computed after the roll-up, so a ratio is always Σnumerator / Σdenominator, never an average.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from reports.table import Indicator, Period

ZERO = Decimal("0")


@dataclass(frozen=True)
class Source:
    """Rows of one record type that feed a set of measures for a period."""

    key: str
    model: str  # app label + model name, e.g. "contracts.Contract"
    label: str
    where: Callable[[Period], Q] = lambda period: Q()
    prepare: Callable[[QuerySet, Period], QuerySet] | None = None
    approved_only: bool = True
    period_semantics: str = ""
    #: the field naming the owning organisation (``pk`` for the organisation register itself)
    org_field: str = "org"


@dataclass(frozen=True)
class IndicatorSpec:
    """A catalogue entry: the column it shows and how its value is obtained."""

    indicator: Indicator
    source: str | None = None  # Source.key for a measure; None for a derived indicator
    aggregate: Callable[[Period], Any] | None = None  # Django aggregate expression for a measure
    derive: Callable[[dict[str, Any]], Any] | None = None  # from other values of the same row
    parts: tuple[str, ...] = ()  # indicator codes ``derive`` reads
    aggregation: str = "求和"  # Chinese description of the roll-up, shown in the catalogue
    zero: Any = field(default=ZERO)  # the value of a measure in a row without data
    #: signed terms of a statement line formula (checked on every row by the tie checks)
    terms: dict[str, int] | None = None
    #: whether the column adds up across rows (ratios, quotients and changes do not)
    additive: bool = True
    #: a count of organisations: 1 for each organisation of the row whose own values satisfy this test
    per_org: Callable[[dict[str, Any]], bool] | None = None

    @property
    def code(self) -> str:
        return self.indicator.code


def money(code: str, label: str, source: str, aggregate, **kw) -> IndicatorSpec:
    return IndicatorSpec(Indicator(code, label, "元", "money"), source, aggregate, **kw)


def count(code: str, label: str, source: str, aggregate, unit: str = "个", **kw) -> IndicatorSpec:
    return IndicatorSpec(
        Indicator(code, label, unit, "count"), source, aggregate, zero=0, aggregation="计数", **kw
    )


def area(code: str, label: str, source: str, aggregate, **kw) -> IndicatorSpec:
    return IndicatorSpec(Indicator(code, label, "亩", "area"), source, aggregate, **kw)


def days(code: str, label: str, source: str, aggregate, **kw) -> IndicatorSpec:
    return IndicatorSpec(Indicator(code, label, "天", "days"), source, aggregate, **kw)


def ratio(code: str, label: str, numerator: str, denominator: str, **kw) -> IndicatorSpec:
    """Σnumerator / Σdenominator of the row (None when the denominator is zero)."""

    def derive(values: dict[str, Any]) -> Decimal | None:
        den = values.get(denominator)
        num = values.get(numerator)
        if not den or num is None:
            return None
        return Decimal(num) / Decimal(den)

    return IndicatorSpec(
        Indicator(code, label, "%", "ratio"),
        derive=derive,
        parts=(numerator, denominator),
        aggregation=f"比率：合计{numerator}÷合计{denominator}（不平均）",
        zero=None,
        additive=False,
        **kw,
    )


def quotient(code: str, label: str, unit: str, kind: str, numerator: str, denominator: str) -> IndicatorSpec:
    """Σnumerator / Σdenominator shown in a unit (e.g. 元/亩), recomputed per row."""

    def derive(values: dict[str, Any]) -> Decimal | None:
        den = values.get(denominator)
        num = values.get(numerator)
        if not den or num is None:
            return None
        return Decimal(num) / Decimal(den)

    return IndicatorSpec(
        Indicator(code, label, unit, kind),
        derive=derive,
        parts=(numerator, denominator),
        aggregation=f"合计{numerator}÷合计{denominator}（重新计算）",
        zero=None,
        additive=False,
    )


def formula(
    code: str, label: str, terms: dict[str, int], kind: str = "money", unit: str = "元"
) -> IndicatorSpec:
    """A signed sum of other indicators of the row (a statement subtotal)."""

    def derive(values: dict[str, Any]) -> Decimal:
        return sum((Decimal(values.get(c) or 0) * sign for c, sign in terms.items()), ZERO)

    text = "".join(("+" if s > 0 else "−") + c for c, s in terms.items())
    return IndicatorSpec(
        Indicator(code, label, unit, kind),
        derive=derive,
        parts=tuple(terms),
        aggregation=f"= {text}",
        terms=dict(terms),
    )


def change(code: str, label: str, current: str, previous: str) -> IndicatorSpec:
    """(current − previous) / |previous|: the change on the same period of last year."""

    def derive(values: dict[str, Any]) -> Decimal | None:
        prev = values.get(previous)
        cur = values.get(current)
        if not prev or cur is None:
            return None
        return (Decimal(cur) - Decimal(prev)) / abs(Decimal(prev))

    return IndicatorSpec(
        Indicator(code, label, "%", "ratio"),
        derive=derive,
        parts=(current, previous),
        aggregation="增减率：(本期合计−同期合计)÷|同期合计|",
        zero=None,
        additive=False,
    )


def org_count(code: str, label: str, test: Callable[[dict[str, Any]], bool], parts: tuple[str, ...] = ()):
    """How many organisations of the row pass ``test`` on their own (un-rolled-up) values."""
    return IndicatorSpec(
        Indicator(code, label, "个", "count"),
        parts=parts,
        per_org=test,
        zero=0,
        aggregation="按单位计数（用各单位自身数值判断）",
    )


def org_bracket(code: str, label: str, part: str, low: Decimal | None, high: Decimal | None) -> IndicatorSpec:
    """Organisations whose own ``part`` lies in [low, high) 元 (None = unbounded)."""

    def test(values: dict[str, Any]) -> bool:
        value = Decimal(values.get(part) or 0)
        return value > 0 and (low is None or value >= low) and (high is None or value < high)

    return org_count(code, label, test, (part,))
