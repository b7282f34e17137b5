"""The database side of a report: one grouped query per source.

Each query filters the source's rows to the region subtree (``visible_to(user)`` first, then the region
prefix), to the period and to approved records, groups them by the child-region key
(``Substr(region_code, 1, child_digits)``) and the owning organisation, and returns the sums. Nothing is
fetched row by row: at province level a source returns one row per organisation with data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connections
from django.db.models import QuerySet
from django.db.models.functions import Substr

from backoffice.core.choices import ReviewStatus

from .indicators import CATALOGUE, SOURCES
from .table import Period

KEY = "_report_key"
ORG = "_report_org"


@dataclass
class OrgValues:
    """The measures of one organisation (or of rows without an owner, org None) under one row key."""

    key: str
    org_id: int | None
    values: dict[str, Any] = field(default_factory=dict)


def base_queryset(model_label: str, *, user, prefix: str) -> QuerySet:
    """The scoped rows of a record type inside a region subtree (the one scoped read path)."""
    model = apps.get_model(model_label)
    # ``objects`` is the scoped manager on every region-scoped model (rules.Alert's default manager is
    # an unscoped one for internal bookkeeping, so do not use _default_manager here)
    qs = model.objects.all()
    if user is not None:
        qs = qs.visible_to(user)
    return qs.within(prefix)


def source_rows(source_key: str, codes: list[str], *, period: Period, prefix: str, child_digits: int, user):
    """Run one grouped query: (row key, org id, {indicator code: aggregate}) per group."""
    source = SOURCES[source_key]
    model = apps.get_model(source.model)
    qs = base_queryset(source.model, user=user, prefix=prefix).filter(source.where(period))
    if source.approved_only:
        qs = qs.filter(review_status=ReviewStatus.APPROVED)
    if source.prepare is not None:
        qs = source.prepare(qs, period)
    aggregates = {code: CATALOGUE[code].aggregate(period) for code in codes}
    grouped = (
        qs.annotate(
            **{KEY: Substr(model.scope_field, 1, child_digits), ORG: _org_expression(source.org_field)}
        )
        .values(KEY, ORG)
        .annotate(**aggregates)
        .order_by()
    )
    # Executed through the cursor rather than iterated: the ORM's per-value decimal converters cost more
    # than the query itself at province level (2,000+ organisations × 40 columns); _amount converts once.
    sql, params = grouped.query.get_compiler(using=grouped.db).as_sql()
    converters = [(code, _count if CATALOGUE[code].indicator.kind == "count" else _amount) for code in codes]
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        key_at, org_at = names.index(KEY), names.index(ORG)
        positions = [(code, names.index(code), convert) for code, convert in converters]
        for record in cursor.fetchall():
            yield (
                record[key_at],
                record[org_at],
                {code: convert(record[at]) for code, at, convert in positions},
            )


def _count(value):
    return None if value is None else int(value)


def _amount(value):
    """A summed amount as a Decimal to the fen (money, 亩, 工日, 股).

    PostgreSQL returns exact decimals. SQLite sums NUMERIC columns in floating point (or as an integer
    when every value is whole): round to the nearest fen once, exactly, through integer cents.
    """
    kind = value.__class__
    if kind is float:
        return Decimal(round(value * 100)).scaleb(-2)
    if kind is int:
        return Decimal(value)
    return value  # Decimal (PostgreSQL) or None (no row matched a filtered sum)


def _org_expression(org_field: str):
    from django.db.models import F

    return F("pk") if org_field == "pk" else F(f"{org_field}_id")


def collect(
    source_codes: dict[str, list[str]], *, period: Period, prefix: str, child_digits: int, user
) -> dict[tuple[str, int | None], OrgValues]:
    """Every measure of a report by (row key, org), one query per source.

    Each indicator belongs to exactly one source, so the values an organisation gets from different
    sources never overlap and merge with a plain dict update.
    """
    out: dict[tuple[str, int | None], OrgValues] = {}
    for source_key, codes in source_codes.items():
        for key, org_id, values in source_rows(
            source_key, codes, period=period, prefix=prefix, child_digits=child_digits, user=user
        ):
            entry = out.get((key, org_id))
            if entry is None:
                entry = out[(key, org_id)] = OrgValues(key, org_id)
            entry.values.update((code, value) for code, value in values.items() if value is not None)
    return out


def sum_values(entries, codes: list[str]) -> dict[str, Any]:
    """Σ of each measure over entries, starting from the measure's zero (0 or 0 元)."""
    totals: dict[str, Any] = {code: CATALOGUE[code].zero for code in codes}
    for entry in entries:
        values = entry.values
        for code in codes:
            value = values.get(code)
            if value is not None:
                totals[code] += value
    return totals


def orgs_with_data(entries) -> set[int]:
    return {entry.org_id for entry in entries if entry.org_id is not None}


def group_by_key(collected) -> dict[str, list[OrgValues]]:
    out: dict[str, list[OrgValues]] = defaultdict(list)
    for entry in collected.values():
        out[entry.key].append(entry)
    return out
