"""Rollout coverage (全部入网): for a region and a period, per child region and per monitoring module, the
share of village-level collective organisations with data, the share whose data is approved, and the latest
period entered; the organisations with no data by name (laggards).

One grouped query per record type (``values("org_id")`` with conditional counts), always through
``Model.objects.visible_to(user)``; the roll-up to child regions is a code-prefix cut in Python, as in
``reports.engine``. ``as_of`` replays the state of a past day: rows entered (``created_at``) or approved
(``reviewed_at``) after it do not count, so a bulletin for a past date can be rebuilt. Each child row also
carries the rollout indicators (``extras.py``) and the data-quality indicators (``quality.py``) as
[numerator, denominator] pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from backoffice.core.choices import ReviewStatus
from backoffice.core.scope import SIGNIFICANT_DIGITS, code_in_scope, level_of_code

from ..table import Period, ReportError
from .extras import EXTRA_LABELS, extras_by_child
from .quality import QUALITY_LABELS, quality_by_child
from .sources import MODULES, Source

#: the rollout notice counts data from this day on (统计口径为2022年1月1日以来)
SCOPE_START = date(2022, 1, 1)


@dataclass
class Cell:
    """Coverage of one module in one child region (or the whole region)."""

    units: int = 0
    with_data: int = 0
    approved: int = 0
    latest: str = ""  # "YYYY-MM" of the latest business date entered, up to the period end

    @property
    def rate(self) -> float | None:
        return self.with_data / self.units if self.units else None

    @property
    def approved_rate(self) -> float | None:
        return self.approved / self.units if self.units else None

    def add(self, other: Cell) -> None:
        self.units += other.units
        self.with_data += other.with_data
        self.approved += other.approved
        self.latest = max(self.latest, other.latest)

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "with_data": self.with_data,
            "approved": self.approved,
            "latest": self.latest,
        }


@dataclass
class Row:
    """One child region (or the total): a cell per module, the extras and the data-quality pairs."""

    code: str
    name: str
    cells: dict[str, Cell] = field(default_factory=dict)
    extras: dict[str, list[int]] = field(default_factory=dict)  # code -> [numerator, denominator]
    quality: dict[str, list[int]] = field(default_factory=dict)  # code -> [bad cases, all cases]
    rows: int = 0  # records in the period

    def overall(self) -> Cell:
        total = Cell()
        for cell in self.cells.values():
            total.add(cell)
        return total

    def extra_rate(self, code: str) -> float | None:
        numerator, denominator = self.extras.get(code, [0, 0])
        return numerator / denominator if denominator else None

    def quality_rate(self, code: str) -> float | None:
        """The share of bad cases of a data-quality indicator (None: nothing to count)."""
        bad, total = self.quality.get(code, [0, 0])
        return bad / total if total else None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "cells": {k: c.as_dict() for k, c in self.cells.items()},
            "extras": self.extras,
            "quality": self.quality,
            "rows": self.rows,
        }


@dataclass
class Coverage:
    region_code: str
    region_name: str
    period: Period
    as_of: date
    children: list[Row]
    total: Row
    #: organisations lacking data in at least one module: name, village, missing module labels
    laggards: list[dict]

    @property
    def modules(self):
        return MODULES

    def as_dict(self) -> dict:
        """A JSON-safe snapshot (frozen into bulletins)."""
        return {
            "region_code": self.region_code,
            "region_name": self.region_name,
            "period": self.period.code,
            "as_of": self.as_of.isoformat(),
            "modules": [[m.code, m.label] for m in MODULES],
            "extras": [[k, v] for k, v in EXTRA_LABELS.items()],
            "quality": [[k, v] for k, v in QUALITY_LABELS.items()],
            "children": [r.as_dict() for r in self.children],
            "total": self.total.as_dict(),
            "laggards": self.laggards,
        }


def child_digits(region_code: str) -> int:
    """Significant digits of the level below the region (a village is its own child)."""
    level = level_of_code(region_code)
    return SIGNIFICANT_DIGITS[min(level + 1, 5)]


def day_end(day: date) -> datetime:
    """The first instant after ``day`` in the project time zone (rows created before it count)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def compute_coverage(*, user, region_code: str, period: Period | str, as_of: date | None = None) -> Coverage:
    """Coverage of ``region_code`` (12 digits, inside the user's scope) for ``period`` as of ``as_of``."""
    from backoffice.regions.models import CollectiveOrg, Region

    period = Period.parse(period)
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ReportError(f"区划代码“{region_code}”不存在，请选择有效的区划。")
    if not code_in_scope(user, region_code):
        raise ReportError(f"无权查看“{region.name}”的覆盖情况：该区划不在您的管辖范围内。")
    if period.end < SCOPE_START:
        raise ReportError("统计口径为2022年1月1日以来的数据，请选择2022年及以后的期间。")
    as_of = as_of or min(timezone.localdate(), period.end)
    cutoff = day_end(as_of)
    prefix = region.prefix
    digits = child_digits(region_code)

    # The units: active collective organisations sitting at a village (12 significant digits).
    orgs = list(
        CollectiveOrg.objects.visible_to(user)
        .within(prefix)
        .filter(status="active", created_at__lt=cutoff)
        .exclude(region_code__endswith="000")
        .values("id", "name", "region_code", "region__name")
        .order_by("region_code", "name")
    )
    per_org = {o["id"]: {m.code: [0, 0, ""] for m in MODULES} for o in orgs}  # rows, approved, latest
    records = {o["id"]: 0 for o in orgs}  # rows in the period
    for module in MODULES:
        for source in module.sources:
            for row in _source_counts(source, user, prefix, period, cutoff):
                org_stats = per_org.get(row["org_id"])
                if org_stats is None:
                    continue  # a township-level organisation or one outside the units
                stats = org_stats[module.code]
                stats[0] += row["n"]
                stats[1] += row["approved"]
                latest = row["latest"]
                if latest:
                    stats[2] = max(stats[2], f"{latest:%Y-%m}")
                records[row["org_id"]] += row["n"]

    child_codes = sorted({o["region_code"][:digits].ljust(12, "0") for o in orgs})
    names = dict(Region.objects.filter(code__in=child_codes).values_list("code", "name"))
    rows = {c: Row(c, names.get(c, c), {m.code: Cell() for m in MODULES}) for c in child_codes}
    laggards = []
    for org in orgs:
        row = rows[org["region_code"][:digits].ljust(12, "0")]
        missing = []
        for module in MODULES:
            n, approved, latest = per_org[org["id"]][module.code]
            cell = row.cells[module.code]
            cell.units += 1
            cell.with_data += n > 0
            cell.approved += n > 0 and approved == n
            cell.latest = max(cell.latest, latest)
            if not n:
                missing.append(module.label)
        row.rows += records[org["id"]]
        if missing:
            laggards.append(
                {
                    "org": org["name"],
                    "village": org["region__name"],
                    "code": org["region_code"],
                    "child": row.name,
                    "missing": missing,
                    "no_data": len(missing) == len(MODULES),
                }
            )
    window = {"user": user, "prefix": prefix, "digits": digits, "period": period, "as_of": as_of}
    for child, values in extras_by_child(**window, cutoff=cutoff).items():
        if child in rows:
            rows[child].extras = values
    for child, values in quality_by_child(**window, cutoff=cutoff).items():
        if child in rows:
            rows[child].quality = values
    total = Row(region_code, region.name, {m.code: Cell() for m in MODULES})
    for row in rows.values():
        for code, cell in row.cells.items():
            total.cells[code].add(cell)
        for pairs, sums in ((row.extras, total.extras), (row.quality, total.quality)):
            for code, (numerator, denominator) in pairs.items():
                pair = sums.setdefault(code, [0, 0])
                pair[0] += numerator
                pair[1] += denominator
        total.rows += row.rows
    # Whole-village gaps first: a village with nothing entered is the first one to chase.
    laggards.sort(key=lambda lag: (not lag["no_data"], -len(lag["missing"]), lag["code"]))
    return Coverage(region_code, region.name, period, as_of, list(rows.values()), total, laggards)


def _source_counts(source: Source, user, prefix: str, period: Period, cutoff: datetime):
    """Per organisation: rows in the period, approved among them, latest business date."""
    model = source.model
    queryset = model.objects.visible_to(user).within(prefix).filter(created_at__lt=cutoff)
    approved = Q(review_status=ReviewStatus.APPROVED) & (
        Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=cutoff)
    )
    if source.date_field:
        date_field = source.date_field
        in_period = Q(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
        latest = Max(date_field, filter=Q(**{f"{date_field}__lte": period.end}))
    else:
        # An inventory row describes a state: it counts from the day it was entered.
        in_period = Q(created_at__lt=day_end(period.end))
        latest = Max("created_at", filter=in_period)
    return (
        queryset.values("org_id")
        .order_by()
        .annotate(
            n=Count("pk", filter=in_period),
            approved=Count("pk", filter=in_period & approved),
            latest=latest,
        )
    )
