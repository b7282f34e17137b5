"""A scheduled run reads the matched rows' facts set-based (``fetch_facts``) instead of one per-record
evaluation per alert; those facts, and the "why" built from them, must equal what the per-record
accessors give — checked for every shipped rule on the demo data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rules.engine import evaluate_queryset, evaluate_record, fetch_facts
from rules.schema import shipped_rules
from rules.variables import EvalContext, registry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", sorted(shipped_rules()))
def test_prefetched_facts_equal_the_accessors(code):
    rule = shipped_rules()[code]
    ctx = EvalContext(as_of=timezone.localdate() - timedelta(days=1), params=rule.default_params())
    model = registry.model(rule.subject)
    queryset = model._base_manager.all()
    result = evaluate_queryset(rule, queryset, ctx)
    sample = sorted(result.matched)[:40] + sorted(result.unmatched)[:10]
    facts = fetch_facts(rule, queryset, sample, ctx)
    assert set(facts) == set(sample)
    for record in model._base_manager.filter(pk__in=sample):
        plain = evaluate_record(rule, record, ctx)
        fast = evaluate_record(rule, record, ctx, prefetched=facts[record.pk])
        assert fast.facts == plain.facts, record.pk
        assert (fast.outcome, fast.why, fast.escalated, fast.distance) == (
            plain.outcome,
            plain.why,
            plain.escalated,
            plain.distance,
        )
