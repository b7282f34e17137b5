"""On save / on import: evaluation after commit, coalesced into one task per batch; nothing on rollback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from rules import tasks, triggers
from rules.models import Alert, AlertState, EvaluationRun

from .conftest import balance, debt, no_cash_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(monkeypatch):
    calls = []
    triggers._pending.batch = None  # keys queued (never committed) by earlier tests in this thread

    def run_inline(func, *args):
        calls.append((func, args))
        assert func == "rules.tasks.evaluate_records"
        tasks.evaluate_records(*args)

    monkeypatch.setattr(triggers, "dispatch", run_inline)
    return calls


def test_saves_in_one_transaction_give_one_task(org_a, dispatched, django_capture_on_commit_callbacks):
    no_cash_limit(org_a)
    yesterday = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = balance(org_a, day=yesterday, cash=100)
        row.cash_balance = 9000
        row.save()
        other = balance(org_a, day=yesterday - timedelta(days=1), cash=-5)
    assert len(dispatched) == 1
    label, pks, trigger = dispatched[0][1]
    assert label == "funds.DailyBalance" and set(pks) == {str(row.pk), str(other.pk)} and trigger == "on_save"
    assert Alert.objects.get(code="A1").object_id == str(row.pk)  # evaluated as of its own date
    assert Alert.objects.get(code="A1-negative").object_id == str(other.pk)
    assert EvaluationRun.objects.filter(trigger="on_save").count() == 2  # A1 and A1-negative
    # correcting the figure resolves the alert on the next save
    with django_capture_on_commit_callbacks(execute=True):
        row.cash_balance = 100
        row.save()
    assert Alert.objects.get(code="A1").state == AlertState.RESOLVED


def test_rolled_back_import_raises_no_alert(org_a, dispatched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                item = debt(org_a, amount=50000, origin_date=timezone.localdate())
                triggers.records_changed(type(item), [item.pk], trigger="on_import")
                raise RuntimeError("import failed")
        except RuntimeError:
            pass
    assert callbacks == [] and dispatched == []
    assert not Alert.objects.filter(code__startswith="A4").exists()


def test_committed_import_batch_is_evaluated(org_a, dispatched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        items = [debt(org_a, amount=20000, origin_date=timezone.localdate()) for _ in range(3)]
        triggers.records_changed(type(items[0]), [i.pk for i in items], trigger="on_import")
    assert [c[1][2] for c in dispatched].count("on_import") == 1
    assert Alert.objects.filter(code="A4-new").count() == 3
