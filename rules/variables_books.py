"""Variables of the accounting books (A8 period not closed).

Split from ``variables.py`` by concept; imported at the end of it so that the registry is complete
whenever ``rules.variables`` is imported.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .variables import EvalContext, Variable, _field, registry
from .workdays import working_days_bound


# ---- 会计核算：结账 (A8) ----------------------------------------------------------------------------------
def last_due_period(ctx: EvalContext) -> str:
    """The latest accounting period (YYYYMM) whose close is due by ``ctx.as_of``: at least ``close_days``
    working days (public holidays and make-up workdays counted) have passed since its month end."""
    bound = working_days_bound(ctx.as_of, int(ctx.params["close_days"]))
    following = bound + timedelta(days=1)
    return f"{date(following.year, following.month, 1) - timedelta(days=1):%Y%m}"


def _closed_by(as_of: date) -> Q:
    """A period counts as closed as of a date when it is closed (not reopened) by the end of that day, so
    a catch-up run for an earlier date gives the answer it would have given then."""
    cutoff = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time()))
    return Q(is_closed=True, closed_at__lt=cutoff)


def _unclosed_vouchers(set_ref, ctx: EvalContext):
    """Vouchers of an account set in due periods that have no close as of the as-of date."""
    from backoffice.accounting.models import PeriodClose, Voucher

    closed = PeriodClose.objects.filter(_closed_by(ctx.as_of), account_set=OuterRef("account_set"))
    return Voucher.objects.filter(account_set=set_ref, period__lte=last_due_period(ctx)).filter(
        ~Exists(closed.filter(period=OuterRef("period")))
    )


def _unclosed_periods(record, ctx: EvalContext) -> list[str]:
    from backoffice.accounting.models import PeriodClose, Voucher

    due = last_due_period(ctx)
    periods = set(
        Voucher.objects.filter(account_set_id=record.pk, period__lte=due).values_list("period", flat=True)
    )
    closed = set(
        PeriodClose.objects.filter(_closed_by(ctx.as_of), account_set_id=record.pk).values_list(
            "period", flat=True
        )
    )
    return sorted(periods - closed)


@registry.subject("accounting.AccountSet")
def _account_set() -> list[Variable]:
    from backoffice.accounting.models import Voucher

    s = "accounting.AccountSet"
    return [
        _field(s, "chart_version", "string", "会计制度版本"),
        _field(s, "start_period", "string", "启用期间"),
        Variable(
            s,
            "has_vouchers",
            "boolean",
            "账套有记账凭证",
            accessor=lambda r, ctx: Voucher.objects.filter(account_set_id=r.pk).exists(),
            expression=lambda ctx: Exists(Voucher.objects.filter(account_set=OuterRef("pk"))),
        ),
        Variable(
            s,
            "overdue_unclosed_periods",
            "integer",
            "逾期未结账的月份数",
            accessor=lambda r, ctx: len(_unclosed_periods(r, ctx)),
            expression=lambda ctx: Coalesce(
                Subquery(
                    _unclosed_vouchers(OuterRef("pk"), ctx)
                    .order_by()
                    .values("account_set")
                    .annotate(n=Count("period", distinct=True))
                    .values("n")[:1],
                    output_field=models.IntegerField(),
                ),
                Value(0),
            ),
            unit="个月",
            description=(
                "有凭证、月末后已满 close_days 个工作日、截至评估日仍未结账（或已反结账）的会计期间数"
            ),
            uses_params=("close_days",),
        ),
        Variable(
            s,
            "oldest_unclosed_period",
            "string",
            "最早的逾期未结账期间",
            accessor=lambda r, ctx: next(iter(_unclosed_periods(r, ctx)), None),
            expression=lambda ctx: Subquery(
                _unclosed_vouchers(OuterRef("pk"), ctx)
                .order_by()
                .values("account_set")
                .annotate(p=Min("period"))
                .values("p")[:1],
                output_field=models.CharField(),
            ),
            description="逾期未结账期间中最早的一个（YYYYMM）；没有时为空",
            uses_params=("close_days",),
        ),
    ]
