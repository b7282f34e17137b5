"""Property test: for generated rules and data, the per-record evaluator (business-rules) and the
set-based evaluator (database) return the same matches and the same unevaluable rows. Runs on the
configured database (SQLite by default; PostgreSQL when DATABASE_URL points at it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.engine import MATCH, UNEVALUABLE, evaluate_queryset, evaluate_record
from rules.schema import OPERATORS, build_definition, validate_rule_data
from rules.variables import EvalContext
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .conftest import AS_OF, balance, org_in

pytestmark = pytest.mark.django_db

DAYS = [AS_OF - timedelta(days=n) for n in range(3)]
MONEY = st.integers(min_value=-20, max_value=60).map(lambda n: n * 500)
VARIABLES = {
    "cash_balance": "number",
    "bank_balance_ledger": "number",
    "bank_difference": "number",
    "approved_cash_limit": "number",
    "cash_limit": "number",
    "cash_excess": "number",
    "cash_excess_over_double": "number",
    "cash_over_limit_days": "integer",
    "has_approved_cash_limit": "boolean",
    "is_month_end": "boolean",
    "balance_date": "date",
}


def leaf(draw):
    name = draw(st.sampled_from(sorted(VARIABLES)))
    vtype = VARIABLES[name]
    op = draw(st.sampled_from([o for o, spec in OPERATORS.items() if vtype in spec[0]]))
    kind = OPERATORS[op][1]
    node = {"name": name, "operator": op}
    if kind == "same":
        if vtype == "integer":
            node["value"] = draw(st.one_of(st.integers(0, 3), st.just({"param": "run_days"})))
        else:
            node["value"] = draw(
                st.one_of(MONEY, st.just({"param": "threshold"}), st.just({"param": "default_limit"}))
            )
    elif kind == "days":
        node["value"] = draw(st.integers(0, 3))
    elif kind == "date":
        node["value"] = draw(st.sampled_from(DAYS)).isoformat()
    return node


@st.composite
def trees(draw, depth=0):
    if depth >= 2 or draw(st.booleans()):
        return leaf(draw)
    kind = draw(st.sampled_from(["all", "any", "not"]))
    if kind == "not":
        return {"not": draw(trees(depth=depth + 1))}
    return {kind: draw(st.lists(trees(depth=depth + 1), min_size=1, max_size=3))}


def rule_from(tree, default_limit, run_days, threshold):
    data = {
        "code": "P1",
        "name": "性质测试",
        "description": "生成的规则",
        "subject": "funds.DailyBalance",
        "severity": "yellow",
        "schedule": "0 1 * * *",
        "triggers": ["scheduled"],
        "params": {
            "default_limit": {
                "type": "decimal",
                "default": str(default_limit),
                "unit": "元",
                "label": "默认限额",
            },
            "run_days": {"type": "days", "default": run_days, "unit": "天", "label": "天数"},
            "threshold": {"type": "decimal", "default": str(threshold), "unit": "元", "label": "阈值"},
        },
        "conditions": tree,
        "actions": [{"type": "raise_alert", "message": "测试"}],
    }
    problems = [p for p in validate_rule_data(data) if "没有被任何条件" not in p[1]]
    assert not problems, problems
    return build_definition(data)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    tree=trees(),
    cash=st.lists(st.one_of(st.none(), MONEY), min_size=6, max_size=6),
    ledger=st.lists(MONEY, min_size=6, max_size=6),
    limits=st.lists(st.one_of(st.none(), st.integers(1, 30).map(lambda n: n * 500)), min_size=2, max_size=2),
    limit_ends=st.lists(st.sampled_from([None, 1, 2]), min_size=2, max_size=2),
    default_limit=st.integers(1, 20).map(lambda n: n * 500),
    run_days=st.integers(1, 3),
    threshold=MONEY,
)
def test_per_record_and_set_based_agree(
    tree, cash, ledger, limits, limit_ends, default_limit, run_days, threshold
):
    from backoffice.funds.models import CashLimit, DailyBalance

    rule = rule_from(tree, default_limit, run_days, threshold)
    with transaction.atomic():
        orgs = [org_in(TOWNSHIP_A), org_in(TOWNSHIP_B)]
        CashLimit.objects.filter(org__in=orgs).delete()
        DailyBalance.objects.filter(org__in=orgs, balance_date__in=DAYS).delete()
        for org, amount, ends in zip(orgs, limits, limit_ends, strict=True):
            if amount is not None:
                CashLimit.objects.create(
                    org=org,
                    limit_amount=Decimal(amount),
                    approved_by="测试",
                    valid_from=AS_OF - timedelta(days=10),
                    valid_to=None if ends is None else AS_OF - timedelta(days=ends),
                )
        i = 0
        for org in orgs:
            for day in DAYS:
                if cash[i] is not None:
                    balance(org, day=day, cash=cash[i], ledger=ledger[i], statement=ledger[5 - i])
                i += 1
        qs = DailyBalance.objects.filter(org__in=orgs, balance_date__in=DAYS)
        ctx = EvalContext(as_of=AS_OF, params=rule.default_params())
        set_result = evaluate_queryset(rule, qs, ctx)
        per_record = {r.pk: evaluate_record(rule, r, ctx) for r in qs}
        assert {pk for pk, r in per_record.items() if r.outcome == MATCH} == set_result.matched, tree
        assert {pk for pk, r in per_record.items() if r.outcome == UNEVALUABLE} == set_result.unevaluable, (
            tree
        )
        assert set_result.scanned == len(per_record)
        transaction.set_rollback(True)


CONTRACT_VARIABLES = {
    "term_end": "date",
    "term_start": "date",
    "status": "string",
    "total_amount": "number",
    "traded_on_platform": "boolean",
    "is_active": "boolean",
    "has_trading_ref": "boolean",
    "receivable_outstanding": "number",
    "overdue_amount": "number",
    "review_status": "string",
    "submitted_on": "date",
}
STATUSES = ["draft", "performing", "expiring", "expired", "settled"]


@st.composite
def contract_leaf(draw):
    name = draw(st.sampled_from(sorted(CONTRACT_VARIABLES)))
    vtype = CONTRACT_VARIABLES[name]
    op = draw(st.sampled_from([o for o, spec in OPERATORS.items() if vtype in spec[0]]))
    kind = OPERATORS[op][1]
    node = {"name": name, "operator": op}
    if kind == "same":
        if vtype == "string":
            node["value"] = draw(st.sampled_from(STATUSES if name == "status" else ["draft", "submitted"]))
        else:
            node["value"] = draw(st.one_of(MONEY, st.just({"param": "threshold"})))
    elif kind == "list":
        node["value"] = draw(
            st.lists(
                st.sampled_from(STATUSES if name == "status" else ["draft", "submitted"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
    elif kind == "days":
        node["value"] = draw(st.integers(0, 40))
    elif kind == "date":
        node["value"] = (AS_OF + timedelta(days=draw(st.integers(-30, 30)))).isoformat()
    return node


@st.composite
def contract_trees(draw, depth=0):
    if depth >= 2 or draw(st.booleans()):
        return draw(contract_leaf())
    kind = draw(st.sampled_from(["all", "any", "not"]))
    if kind == "not":
        return {"not": draw(contract_trees(depth=depth + 1))}
    return {kind: draw(st.lists(contract_trees(depth=depth + 1), min_size=1, max_size=3))}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    tree=contract_trees(),
    ends=st.lists(st.integers(-40, 40), min_size=3, max_size=3),
    statuses=st.lists(st.sampled_from(STATUSES), min_size=3, max_size=3),
    plans=st.lists(st.tuples(st.integers(0, 2), st.integers(-40, 40), st.integers(1, 20)), max_size=6),
    receipts=st.lists(st.tuples(st.integers(0, 2), st.integers(-40, 40), st.integers(1, 20)), max_size=4),
    submitted=st.lists(st.one_of(st.none(), st.integers(0, 20)), min_size=3, max_size=3),
    threshold=MONEY,
)
def test_contract_rules_agree(tree, ends, statuses, plans, receipts, submitted, threshold):
    from django.utils import timezone

    from backoffice.contracts.models import Contract

    from .conftest import contract, plan, receipt

    data = {
        "code": "P2",
        "name": "性质测试",
        "description": "生成的规则",
        "subject": "contracts.Contract",
        "severity": "yellow",
        "schedule": "0 1 * * *",
        "triggers": ["scheduled"],
        "params": {
            "threshold": {"type": "decimal", "default": str(threshold), "unit": "元", "label": "阈值"}
        },
        "conditions": tree,
        "actions": [{"type": "raise_alert", "message": "测试"}],
    }
    problems = [p for p in validate_rule_data(data) if "没有被任何条件" not in p[1]]
    assert not problems, problems
    rule = build_definition(data)
    with transaction.atomic():
        org = org_in(TOWNSHIP_A)
        made = []
        for i in range(3):
            c = contract(org, term_end=AS_OF + timedelta(days=ends[i]), status=statuses[i])
            if submitted[i] is not None:
                c.review_status = "submitted"
                c.submitted_at = timezone.make_aware(
                    datetime.combine(AS_OF - timedelta(days=submitted[i]), datetime.min.time())
                )
                c.save()
            made.append(c)
        for index, offset, amount in plans:
            try:
                with transaction.atomic():
                    plan(made[index], AS_OF + timedelta(days=offset), amount * 100)
            except IntegrityError:  # same due date twice
                pass
        for index, offset, amount in receipts:
            receipt(made[index], AS_OF + timedelta(days=offset), amount * 100)
        qs = Contract.objects.filter(pk__in=[c.pk for c in made])
        ctx = EvalContext(as_of=AS_OF, params=rule.default_params())
        set_result = evaluate_queryset(rule, qs, ctx)
        per_record = {r.pk: evaluate_record(rule, r, ctx) for r in qs}
        assert {pk for pk, r in per_record.items() if r.outcome == MATCH} == set_result.matched, tree
        assert {pk for pk, r in per_record.items() if r.outcome == UNEVALUABLE} == set_result.unevaluable, (
            tree
        )
        transaction.set_rollback(True)
