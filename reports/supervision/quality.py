"""Data-quality indicators (issue #9 item 4) per child region, each a pair [numerator, denominator] where
the numerator counts the *bad* cases (lower is better):

- ``returned``: review decisions taken in the period up to the as-of day that returned the record
  (退回), over all review decisions (approve or return). Decisions are read from the audit trail
  (django-auditlog records every ``review_status`` transition with its time), so a record returned and
  later approved counts once in each, and a past day replays exactly;
- ``import_invalid``: rows with errors over all rows of the import jobs uploaded in the period up to the
  as-of day, grouped by the importer's scope code (as ``import_ok``);
- ``bank_mismatch``: month-end bank reconciliations of the period's completed months whose adjusted ledger
  balance differs from the adjusted statement balance (the A7 definition with its default tolerance of
  0.00 元), computed from the amounts themselves so that it does not depend on whether the rules ran;
- ``disclosure_overdue``: disclosure plans due in the period whose 15-day grace ended by the as-of day and
  that have no published disclosure by then (A5), over all such plans.

One grouped query each; rows entered after the as-of day do not count.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import CharField, Count, F, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Abs, Coalesce, Substr

from ..table import Period
from .extras import aware_day, due_disclosure_plans
from .sources import MODULES

QUALITY_LABELS = {
    "returned": "审核退回率",
    "import_invalid": "导入校验错误率",
    "bank_mismatch": "银行账实不符率",
    "disclosure_overdue": "财务公开逾期率",
}

#: |adjusted ledger − adjusted statement| above this is a mismatch (rule A7's default tolerance)
RECONCILIATION_TOLERANCE = Decimal("0.00")

APPROVED, RETURNED = "approved", "returned"


def last_complete_month(as_of: date) -> date:
    """The last day of the latest month that has ended by ``as_of`` (a month-end day counts itself)."""
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return as_of
    return as_of.replace(day=1) - timedelta(days=1)


def quality_by_child(
    *, user, prefix: str, digits: int, period: Period, as_of: date, cutoff: datetime
) -> dict[str, dict[str, list[int]]]:
    """{child code (12 digits): {indicator: [bad, all]}} for the subtree of ``prefix`` (in the user's scope,
    checked by the caller)."""
    from auditlog.models import LogEntry

    from backoffice.funds.models import BankReconciliation
    from imports.models import ImportJob

    result: dict[str, dict[str, list[int]]] = {}

    def put(code: str, rows) -> None:
        for row in rows:
            child = (row["child"] or "").ljust(12, "0")
            result.setdefault(child, {})[code] = [int(row["num"] or 0), int(row["den"] or 0)]

    window_end = min(cutoff, aware_day(period.end + timedelta(days=1)))
    child = Substr("region_code", 1, digits)

    # Review decisions of the record types that count as data. The audit entry keeps the row's region code
    # (``RecordModel.get_additional_data``); the content types are matched by a join, not looked up first.
    types = Q()
    for module in MODULES:
        for source in module.sources:
            app_label, model_name = source.model_label.lower().split(".")
            types |= Q(content_type__app_label=app_label, content_type__model=model_name)
    region = KeyTextTransform("region_code", "additional_data")
    decisions = (
        LogEntry.objects.filter(types, timestamp__gte=aware_day(period.start), timestamp__lt=window_end)
        .filter(changes__review_status__1__in=[APPROVED, RETURNED])
        .annotate(region=region)
        .filter(region__startswith=prefix)
        .annotate(child=Substr(region, 1, digits, output_field=CharField()))
        .values("child")
        .order_by()
        .annotate(den=Count("pk"), num=Count("pk", filter=Q(changes__review_status__1=RETURNED)))
    )
    put("returned", decisions)

    # Import jobs carry the importer's scope code, not a record's (see extras.import_ok).
    jobs = (
        ImportJob.objects.filter(
            scope_code__startswith=prefix, created_at__gte=aware_day(period.start), created_at__lt=window_end
        )
        .annotate(child=Substr("scope_code", 1, digits))
        .values("child")
        .order_by()
        .annotate(den=Coalesce(Sum("total_rows"), 0), num=Coalesce(Sum("invalid_count"), 0))
    )
    put("import_invalid", jobs)

    last_month = min(period.end, last_complete_month(as_of))
    reconciliations = (
        BankReconciliation.objects.visible_to(user)
        .within(prefix)
        .filter(
            created_at__lt=cutoff,
            period__gte=f"{period.start:%Y%m}",
            period__lte=f"{last_month:%Y%m}",
        )
        .annotate(gap=Abs(F("adjusted_ledger_balance") - F("adjusted_statement_balance")), child=child)
        .values("child")
        .order_by()
        .annotate(den=Count("pk"), num=Count("pk", filter=Q(gap__gt=RECONCILIATION_TOLERANCE)))
    )
    put("bank_mismatch", reconciliations)

    plans = due_disclosure_plans(
        user=user, prefix=prefix, period=period, as_of=as_of, cutoff=cutoff, child=child
    )
    put("disclosure_overdue", plans.annotate(den=Count("pk"), num=Count("pk", filter=Q(published=False))))
    return result
