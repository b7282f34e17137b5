"""The rollout indicators beside module coverage, per child region (code-prefix groups):

- ``contract_listing``: contracts in force expiring within 90 days of the as-of day that have a trading
  listing (past the draft stage) or are flagged as traded on the platform (应进必进);
- ``idle_listing``: idle resources (利用方式“闲置”) with a trading listing;
- ``direct_feed``: active bank accounts on the bank direct feed (银农直连);
- ``alert_sla``: alerts whose handling deadline fell in the period (up to the as-of day) closed in time;
- ``import_ok``: import jobs of the period that did not fail;
- ``disclosure_on_time``: disclosure plans due in the period whose 15-day grace ended by the as-of day and
  that have a published disclosure by then (the complement of A5 overdue disclosures).

Each value is a pair [numerator, denominator]; one grouped query per source.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr

from ..table import Period

EXPIRY_WINDOW_DAYS = 90

EXTRA_LABELS = {
    "contract_listing": "到期合同进场率",
    "idle_listing": "闲置资源进场率",
    "direct_feed": "银农直连账户占比",
    "alert_sla": "预警按期处置率",
    "import_ok": "导入成功率",
    "disclosure_on_time": "财务公开按期率",
}

#: days after the due date before a disclosure counts as overdue (A5's default grace)
DISCLOSURE_GRACE_DAYS = 15

IN_FORCE = ("effective", "performing", "expiring")


def extras_by_child(
    *, user, prefix: str, digits: int, period: Period, as_of: date, cutoff: datetime
) -> dict[str, dict[str, list[int]]]:
    """{child code (12 digits): {indicator: [numerator, denominator]}} for the subtree of ``prefix``."""
    from backoffice.assets.models import Resource
    from backoffice.contracts.models import Contract
    from backoffice.funds.models import BankAccount
    from backoffice.trading.models import Listing
    from imports.models import ImportJob
    from rules.models import Alert

    result: dict[str, dict[str, list[int]]] = {}

    def put(code: str, rows) -> None:
        for row in rows:
            child = row["child"].ljust(12, "0")
            result.setdefault(child, {})[code] = [row["num"], row["den"]]

    child = Substr("region_code", 1, digits)
    listings = Listing.objects.visible_to(user).exclude(state="draft").filter(created_at__lt=cutoff)
    contracts = (
        Contract.objects.visible_to(user)
        .within(prefix)
        .filter(
            created_at__lt=cutoff,
            status__in=IN_FORCE,
            term_end__gte=as_of,
            term_end__lte=as_of + timedelta(days=EXPIRY_WINDOW_DAYS),
        )
        .annotate(listed=Exists(listings.filter(source_contract=OuterRef("pk"))), child=child)
        .values("child")
        .order_by()
        .annotate(den=Count("pk"), num=Count("pk", filter=Q(listed=True) | Q(traded_on_platform=True)))
    )
    put("contract_listing", contracts)
    idle = (
        Resource.objects.visible_to(user)
        .within(prefix)
        .filter(created_at__lt=cutoff, use_mode="idle")
        .annotate(listed=Exists(listings.filter(source_resource=OuterRef("pk"))), child=child)
        .values("child")
        .order_by()
        .annotate(den=Count("pk"), num=Count("pk", filter=Q(listed=True)))
    )
    put("idle_listing", idle)
    accounts = (
        BankAccount.objects.visible_to(user)
        .within(prefix)
        .filter(created_at__lt=cutoff, status="active")
        .annotate(child=child)
        .values("child")
        .order_by()
        .annotate(den=Count("pk"), num=Count("pk", filter=Q(is_direct_link=True)))
    )
    put("direct_feed", accounts)
    alerts = (
        Alert.objects.visible_to(user)
        .within(prefix)
        .filter(sla_due__gte=period.start, sla_due__lte=min(period.end, as_of), opened_at__lt=cutoff)
        .annotate(child=child)
        .values("child")
        .order_by()
        .annotate(
            den=Count("pk"),
            num=Count(
                "pk",
                filter=Q(closed_at__isnull=False, closed_at__lt=cutoff, closed_at__date__lte=F("sla_due")),
            ),
        )
    )
    put("alert_sla", alerts)
    # Import jobs carry the importer's scope code, not a record's; they have no scoped manager, and the
    # caller has already checked that ``prefix`` lies inside the user's scope.
    jobs = (
        ImportJob.objects.filter(
            scope_code__startswith=prefix,
            created_at__gte=aware_day(period.start),
            created_at__lt=min(cutoff, aware_day(period.end + timedelta(days=1))),
        )
        .annotate(child=Substr("scope_code", 1, digits))
        .values("child")
        .order_by()
        .annotate(den=Count("pk"), num=Count("pk", filter=~Q(status="failed")))
    )
    put("import_ok", jobs)
    plans = due_disclosure_plans(
        user=user, prefix=prefix, period=period, as_of=as_of, cutoff=cutoff, child=child
    )
    put("disclosure_on_time", plans.annotate(den=Count("pk"), num=Count("pk", filter=Q(published=True))))
    return result


def due_disclosure_plans(*, user, prefix: str, period: Period, as_of: date, cutoff: datetime, child):
    """Disclosure plans due in the period whose grace (DISCLOSURE_GRACE_DAYS) ended by ``as_of``, each with
    ``published`` (a disclosure published by then) and grouped by ``child``: the rows of both the on-time
    share here and the overdue share of the data-quality indicators."""
    from backoffice.disclosure.models import Disclosure, DisclosurePlan

    published = Disclosure.objects.visible_to(user).filter(
        plan=OuterRef("pk"), published_on__isnull=False, published_on__lte=as_of, created_at__lt=cutoff
    )
    return (
        DisclosurePlan.objects.visible_to(user)
        .within(prefix)
        .filter(
            created_at__lt=cutoff,
            due_date__gte=period.start,
            due_date__lte=min(period.end, as_of - timedelta(days=DISCLOSURE_GRACE_DAYS)),
        )
        .annotate(published=Exists(published), child=child)
        .values("child")
        .order_by()
    )


def aware_day(day: date) -> datetime:
    """The first instant of ``day`` in the project time zone."""
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
