"""The set-based evaluator on querysets that select nothing: an empty answer, never an error (the SQL is
compiled and run through the cursor, where Django's ``EmptyResultSet`` would otherwise escape)."""

from __future__ import annotations

from datetime import date

import pytest

from backoffice.funds.models import BankTransaction
from rules.engine import evaluate_queryset
from rules.schema import build_definition, shipped_rules
from rules.variables import EvalContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "empty", [lambda: BankTransaction.objects.none(), lambda: BankTransaction.objects.filter(pk__in=[])]
)
def test_a_queryset_that_selects_nothing_gives_an_empty_result(empty):
    rule = shipped_rules()["A2-single"]
    result = evaluate_queryset(rule, empty(), EvalContext(as_of=date.today(), params=rule.default_params()))
    assert result.scanned == 0 and not (result.matched or result.unmatched or result.unevaluable)


def test_escalation_flags_come_back_as_truth_values_on_every_database():
    raw = dict(shipped_rules()["A2-single"].raw)
    raw["window"] = {"date_variable": "txn_date", "lookback_days": 3650}  # every demo transaction
    rule = build_definition(raw)
    ctx = EvalContext(as_of=date.today(), params=rule.default_params())
    result = evaluate_queryset(rule, BankTransaction.objects.all(), ctx)
    assert result.escalated and result.escalated < result.matched  # some linked to an approved request
    assert result.matched and all(isinstance(pk, int) for pk in result.matched)
