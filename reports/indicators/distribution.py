"""Income distribution (收益及收益分配表, distribution part) for R1, set-based and line for line as
``backoffice.accounting.statements.income_statement`` (DOMAIN.md §3.2).

The distribution part is year to date (January to the report period's end) in every period kind, as in the
statement. 本年收益 is the net of the year's booked P&L lines (closing entries left out); 年初未分配收益 is
the closing 322 balance of the previous December plus opening-entry movements of 322; the other lines
classify each booked voucher that touches 322 by the other side of the voucher, exactly as the statement
does: vouchers with a 321 line transfer the year's result (already in 本年收益) and are skipped; a net
credit to 322 is 其他转入 (e.g. 公积公益金弥补亏损); a net debit is a distribution, by the account of the
voucher's largest credit line: 311 → 提取公积公益金, money or payables → 向成员分配收益, else 其他分配.
Each voucher's net 322 amount, its 321 test and its credited account are correlated subqueries over the
voucher's own lines, so the whole part is three grouped queries at any level.
"""

from __future__ import annotations

from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Substr

from backoffice.accounting.choices import EntryKind
from backoffice.accounting.models import VoucherLine
from backoffice.accounting.services import BOOKED
from backoffice.accounting.statements import MEMBER_PAYOUT_ACCOUNTS, RESERVE_ACCOUNTS

from ..table import Period
from .base import IndicatorSpec, Source, formula, money
from .finance import AMOUNT, prefix_q


def year_to_date_months(period: Period) -> list[str]:
    """Accounting periods (YYYYMM) from January to the report period's last month."""
    return [f"{period.year}{m:02d}" for m in range(1, period.end.month + 1)]


def _touches_322() -> Exists:
    return Exists(VoucherLine.objects.filter(voucher=OuterRef("pk"), account__code__startswith="322"))


def _annotate_voucher(qs, period: Period):
    """Per voucher: the net credit to 322, whether it has a 321 line, and the credited account (3 digits)."""
    net_322 = (
        VoucherLine.objects.filter(voucher=OuterRef("pk"), account__code__startswith="322")
        .order_by()
        .values("voucher")
        .annotate(net=Sum(CombinedExpression(F("credit"), "-", F("debit"), output_field=AMOUNT)))
        .values("net")[:1]
    )
    credited = (
        VoucherLine.objects.filter(voucher=OuterRef("pk"))
        .exclude(account__code__startswith="322")
        .order_by("-credit", "pk")
        .values("account__code")[:1]
    )
    return qs.annotate(
        net_322=Subquery(net_322, output_field=AMOUNT),
        has_321=Exists(VoucherLine.objects.filter(voucher=OuterRef("pk"), account__code__startswith="321")),
        credited_3=Substr(Subquery(credited), 1, 3),
    )


SOURCES = [
    Source(
        key="pnl_ytd",
        model="accounting.VoucherLine",
        label="损益类凭证分录（本年累计）",
        where=lambda p: (
            Q(voucher__period__in=year_to_date_months(p), voucher__status__in=BOOKED)
            & prefix_q("account__code", "5")
            & ~Q(voucher__entry_kind=EntryKind.CLOSING)
        ),
        period_semantics="当年1月至报告期末已记账凭证的损益类科目发生额（不含期末结转凭证）",
    ),
    Source(
        key="undistributed_prior",
        model="accounting.PeriodBalance",
        label="上年末未分配收益",
        where=lambda p: Q(
            period=f"{p.year - 1}12",
            account__account_set__chart_version="2023",
            account__code__startswith="322",
        ),
        period_semantics="上年12月末收益分配（322）科目余额（新制度账套；新建账套为0）",
    ),
    Source(
        key="distribution_vouchers",
        model="accounting.Voucher",
        label="收益分配凭证",
        where=lambda p: Q(period__in=year_to_date_months(p), status__in=BOOKED) & Q(_touches_322()),
        prepare=_annotate_voucher,
        period_semantics="当年1月至报告期末涉及收益分配（322）科目的已记账凭证，按凭证对方科目分类",
    ),
]

DV = "distribution_vouchers"
NOT_OPENING = ~Q(entry_kind=EntryKind.OPENING) & Q(has_321=False)
OUT = NOT_OPENING & Q(net_322__lt=0)
RESERVES = OUT & Q(credited_3__in=RESERVE_ACCOUNTS)
MEMBERS = OUT & Q(credited_3__in=MEMBER_PAYOUT_ACCOUNTS)
NEGATED = CombinedExpression(F("net_322"), "*", Value(-1), output_field=AMOUNT)


def _sum(*whens: When):
    return lambda period: Sum(Case(*whens, default=Value(0), output_field=AMOUNT), output_field=AMOUNT)


ZERO_AMOUNT = Value(0, output_field=AMOUNT)

INDICATORS: list[IndicatorSpec] = [
    money(
        "ds_net_result",
        "本年收益（本年累计）",
        "pnl_ytd",
        lambda period: Sum(
            CombinedExpression(F("credit"), "-", F("debit"), output_field=AMOUNT), output_field=AMOUNT
        ),
    ),
    money(
        "ds_prior_undistributed",
        "上年末未分配收益",
        "undistributed_prior",
        lambda period: Sum(
            CombinedExpression(F("closing"), "*", Value(-1), output_field=AMOUNT), output_field=AMOUNT
        ),
    ),
    money(
        "ds_opening_moves",
        "期初建账转入未分配收益",
        DV,
        _sum(When(entry_kind=EntryKind.OPENING, then=F("net_322"))),
    ),
    formula(
        "ds_opening_undistributed", "加：年初未分配收益", {"ds_prior_undistributed": 1, "ds_opening_moves": 1}
    ),
    money("ds_other_in", "加：其他转入", DV, _sum(When(NOT_OPENING & Q(net_322__gt=0), then=F("net_322")))),
    formula(
        "ds_distributable",
        "五、可分配收益",
        {"ds_net_result": 1, "ds_opening_undistributed": 1, "ds_other_in": 1},
    ),
    money("ds_reserves", "减：提取公积公益金", DV, _sum(When(RESERVES, then=NEGATED))),
    money("ds_members", "减：向成员分配收益", DV, _sum(When(MEMBERS, then=NEGATED))),
    money(
        "ds_other_out",
        "减：其他分配",
        DV,
        # the first matching WHEN wins: distributions already counted above give 0 here (no negation of a
        # possibly NULL credited account)
        _sum(When(RESERVES, then=ZERO_AMOUNT), When(MEMBERS, then=ZERO_AMOUNT), When(OUT, then=NEGATED)),
    ),
    formula(
        "ds_closing_undistributed",
        "六、年末未分配收益",
        {"ds_distributable": 1, "ds_reserves": -1, "ds_members": -1, "ds_other_out": -1},
    ),
]
