"""The variables registry: per subject record type, the facts a rule may test (DESIGN.md §4).

Every variable has a type (number, integer, date, boolean, string), a unit, a Chinese label, a Python
``accessor(record, ctx)`` used by the per-record evaluator (business-rules) and an ORM ``expression(ctx)``
used by the set-based evaluator (an annotation over the subject's queryset). Both must give the same
value; ``tests/rules/test_parity.py`` checks it on generated data. ``ctx`` carries the as-of date and the
rule's effective params (a few variables depend on a param, declared in ``uses_params``).

The same registry feeds rule-file validation, the admin pick-lists and ``manage.py rules_docs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

MONEY = models.DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal("0.00")


@dataclass
class EvalContext:
    """What a variable may depend on besides its record: the business date and the rule's params."""

    as_of: date
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Variable:
    subject: str
    name: str
    type: str
    label: str
    accessor: Callable[[Any, EvalContext], Any]
    expression: Callable[[EvalContext], Any]
    unit: str = ""
    description: str = ""
    choices: tuple[str, ...] = ()
    uses_params: tuple[str, ...] = ()


class Registry:
    def __init__(self) -> None:
        self._builders: dict[str, Callable[[], list[Variable]]] = {}
        self._built: dict[str, dict[str, Variable]] = {}

    def subject(self, label: str):
        """Decorator: register a function building the variables of one subject (run lazily)."""

        def wrap(builder):
            self._builders[label] = builder
            return builder

        return wrap

    def subjects(self) -> list[str]:
        return sorted(self._builders)

    def for_subject(self, label: str) -> dict[str, Variable] | None:
        if label not in self._builders:
            return None
        if label not in self._built:
            try:
                apps.get_model(label)
            except (LookupError, ValueError):
                return None
            self._built[label] = {v.name: v for v in self._builders[label]()}
        return self._built[label]

    def model(self, label: str) -> type[models.Model]:
        return apps.get_model(label)


registry = Registry()


# ---- helpers ------------------------------------------------------------------------------------------
def _field(subject: str, name: str, vtype: str, label: str, unit: str = "", **kw) -> Variable:
    model = apps.get_model(subject)
    choices = tuple(c for c, _ in (model._meta.get_field(name).choices or ())) if vtype == "string" else ()
    return Variable(
        subject=subject,
        name=name,
        type=vtype,
        label=label,
        unit=unit,
        accessor=lambda r, ctx, n=name: getattr(r, n),
        expression=lambda ctx, n=name: F(n),
        choices=choices,
        **kw,
    )


def _sum_subquery(qs, amount_field: str):
    """Coalesce(SUM(amount_field) over qs, 0) as a correlated subquery of type money."""
    sub = (
        qs.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(total=Sum(amount_field))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sub, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _review_vars(subject: str) -> list[Variable]:
    """The review workflow facts every record type has (for the review-overdue rules)."""
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    return [
        _field(subject, "review_status", "string", "审核状态"),
        Variable(
            subject,
            "submitted_on",
            "date",
            "提交审核日期",
            accessor=lambda r, ctx: timezone.localtime(r.submitted_at).date() if r.submitted_at else None,
            expression=lambda ctx: TruncDate("submitted_at"),
            description="提交审核的日期（本地时间）；未提交时为空",
        ),
    ]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# ---- 债权债务 -----------------------------------------------------------------------------------------
@registry.subject("debts.DebtItem")
def _debt_item() -> list[Variable]:
    s = "debts.DebtItem"
    return [
        _field(s, "direction", "string", "方向（receivable债权/payable债务）"),
        _field(s, "ledger_account_code", "string", "会计科目"),
        _field(s, "origin_date", "date", "发生日期"),
        _field(s, "original_amount", "number", "原始金额", "元"),
        _field(s, "outstanding", "number", "余额", "元"),
        _field(s, "is_borrowing", "boolean", "举借债务"),
        _field(s, "is_lending", "boolean", "出借款项"),
        _field(s, "is_guarantee", "boolean", "对外担保"),
        Variable(
            s,
            "has_approval_ref",
            "boolean",
            "已填写决议文号",
            accessor=lambda r, ctx: bool(r.approval_ref),
            expression=lambda ctx: Case(
                When(~Q(approval_ref=""), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            description="成员（代表）大会等决议文号不为空",
        ),
        *_review_vars(s),
    ]


# ---- 财务公开 (A5) -------------------------------------------------------------------------------------
def _disclosures(plan_ref):
    from backoffice.disclosure.models import Disclosure

    return Disclosure.objects.filter(plan=plan_ref, published_on__isnull=False)


@registry.subject("disclosure.DisclosurePlan")
def _disclosure_plan() -> list[Variable]:
    s = "disclosure.DisclosurePlan"
    return [
        _field(s, "due_date", "date", "应公开日期（期末日）"),
        _field(s, "period_type", "string", "公开周期"),
        Variable(
            s,
            "is_published",
            "boolean",
            "评估日前已公开",
            accessor=lambda r, ctx: _disclosures(r.pk).filter(published_on__lte=ctx.as_of).exists(),
            expression=lambda ctx: Exists(_disclosures(OuterRef("pk")).filter(published_on__lte=ctx.as_of)),
            description="有关联本计划、公开日期不晚于评估日的公开记录",
        ),
    ]


# ---- 资源性资产 (A9) -----------------------------------------------------------------------------------
@registry.subject("assets.Resource")
def _resource() -> list[Variable]:
    s = "assets.Resource"
    return [
        _field(s, "use_mode", "string", "利用方式"),
        _field(s, "idle_since", "date", "闲置起始日期"),
        _field(s, "area", "number", "面积", "亩"),
    ]


# ---- 一事一议 (A10) --------------------------------------------------------------------------------------
def _valid_meetings(project_ref):
    """Meetings that adopt the project, in exact integer arithmetic (as ``levies.rules.meeting_is_valid``)."""
    from backoffice.levies.models import LevyMeeting

    qs = LevyMeeting.objects.filter(project=project_ref).alias(
        attend2=F("attendees") * 2,
        for2=F("votes_for") * 2,
        attend5=F("attendees") * 5,
        for3=F("votes_for") * 3,
        eligible4=F("eligible_count") * 4,
        eligible2=F("eligible_count") * 2,
    )
    assembly = Q(meeting_type="assembly", attend2__gt=F("eligible_count"), for2__gt=F("attendees"))
    representatives = Q(meeting_type="representatives", attend5__gte=F("eligible4"), for3__gte=F("eligible2"))
    sane = Q(eligible_count__gt=0, attendees__gt=0, attendees__lte=F("eligible_count"))
    return qs.filter(sane, votes_for__lte=F("attendees")).filter(assembly | representatives)


def _has_valid_meeting(r, ctx) -> bool:
    from backoffice.levies.models import LevyMeeting
    from backoffice.levies.rules import meeting_is_valid

    return any(
        meeting_is_valid(
            meeting_type=m.meeting_type,
            eligible_count=m.eligible_count,
            attendees=m.attendees,
            votes_for=m.votes_for,
        )
        for m in LevyMeeting.objects.filter(project_id=r.pk)
    )


@registry.subject("levies.LevyProject")
def _levy_project() -> list[Variable]:
    s = "levies.LevyProject"
    return [
        _field(s, "status", "string", "项目状态"),
        _field(s, "money_standard", "number", "筹资标准", "元/人"),
        _field(s, "proposed_on", "date", "提议日期"),
        Variable(
            s,
            "has_valid_meeting",
            "boolean",
            "有有效的村民（代表）会议决议",
            accessor=_has_valid_meeting,
            expression=lambda ctx: Exists(_valid_meetings(OuterRef("pk"))),
            description="村民会议：过半数到会且到会过半数赞成；村民代表会议：4/5以上到会且全体2/3以上赞成",
        ),
    ]


# ---- 惠农补贴 (A11) --------------------------------------------------------------------------------------
def _same_person(program_ref, hash_ref):
    from backoffice.subsidies.models import SubsidyRoster

    # led by the ID hash (selective, indexed): "program_id + 0" keeps SQLite's planner, which has no
    # statistics, from walking a whole programme through the (program, org, hash) unique index for
    # every row (minutes at city scale instead of a fraction of a second)
    return SubsidyRoster.objects.alias(_program=F("program_id") + 0).filter(
        beneficiary_id_hash=hash_ref, _program=program_ref
    )


@registry.subject("subsidies.SubsidyRoster")
def _subsidy_roster() -> list[Variable]:
    s = "subsidies.SubsidyRoster"
    return [
        _field(s, "status", "string", "发放状态"),
        _field(s, "amount", "number", "补贴金额", "元"),
        Variable(
            s,
            "same_id_in_program",
            "integer",
            "同一项目中同一身份证号的名单行数",
            accessor=lambda r, ctx: _same_person(r.program_id, r.beneficiary_id_hash).count(),
            expression=lambda ctx: Coalesce(
                Subquery(
                    _same_person(OuterRef("program"), OuterRef("beneficiary_id_hash"))
                    .order_by()
                    .values("program")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=models.IntegerField(),
                ),
                Value(0),
            ),
            unit="行",
            description="按身份证号密文摘要比对，跨组织统计",
        ),
    ]


# ---- 重点工作 (A12) --------------------------------------------------------------------------------------
@registry.subject("keywork.ProblemLedger")
def _problem_ledger() -> list[Variable]:
    s = "keywork.ProblemLedger"
    return [
        _field(s, "status", "string", "整改状态"),
        _field(s, "deadline", "date", "整改时限"),
        _field(s, "found_on", "date", "发现日期"),
        _field(s, "amount_involved", "number", "涉及金额", "元"),
    ]


# the variables of further subjects live in their own modules; importing them registers them
from . import variables_books, variables_contracts, variables_funds  # noqa: E402,F401
