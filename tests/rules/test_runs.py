"""A run is atomic and retried (rules/services/runs.py, ledger.py): a crash half-way through leaves none of
its alerts, a failing run is tried a bounded number of times and then shows as failed on its ledger row,
and a run whose worker died is marked interrupted and run again — a bounded number of times. The kill of a
real worker process is in tests/ops/test_rule_sweep_kill.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from rules.models import Alert, EvaluationRun, Notification, RunStatus
from rules.services import ensure_version, resume_interrupted_runs, run_records, run_rule
from rules.services import runs as runs_module
from rules.services.ledger import run_started
from tests.conftest import TOWNSHIP_A

from .conftest import AS_OF, balance, no_cash_limit, org_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_retry_pause(settings):
    settings.RULES_RUN_RETRY_SECONDS = 0
    settings.RULES_RUN_ATTEMPTS = 3


def three_breaches() -> list:
    """Three organisations over the default cash limit on AS_OF: three A1 alerts."""
    rows = []
    for index in range(3):
        org = org_in(TOWNSHIP_A, index)
        no_cash_limit(org)
        rows.append(balance(org, cash=6000))
    return rows


def a1_alerts():
    return Alert.unscoped.filter(code="A1")


def test_a_run_that_crashes_half_way_keeps_none_of_its_alerts_and_succeeds_on_retry(monkeypatch):
    three_breaches()
    real = runs_module._open_or_reopen
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first attempt has written one alert when it fails
            assert a1_alerts().count() == 1
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(runs_module, "_open_or_reopen", flaky)
    summary = run_rule(code="A1", as_of=AS_OF)
    assert summary.opened == 3 and len(calls) == 5  # 2 in the failed attempt, 3 in the retry
    run = EvaluationRun.objects.get(code="A1")
    assert (run.status, run.attempts, run.opened, run.error) == (RunStatus.DONE, 2, 3, "")
    assert run.finished_at is not None and summary.run_id == run.pk
    assert a1_alerts().count() == 3
    for alert in a1_alerts():  # the alert of the failed attempt did not survive next to its retry's
        assert list(alert.events.values_list("kind", flat=True)) == ["opened"]
    notified = Notification.objects.filter(alert__code="A1", kind="opened")
    assert notified.values("alert").distinct().count() == 3  # every alert told, the first one too


def test_a_run_that_keeps_failing_is_tried_a_bounded_number_of_times_then_shows_as_failed(monkeypatch):
    three_breaches()
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("坏数据")

    monkeypatch.setattr(runs_module, "_open_or_reopen", broken)
    with pytest.raises(RuntimeError):
        run_rule(code="A1", as_of=AS_OF)
    assert len(calls) == 3
    run = EvaluationRun.objects.get(code="A1")
    assert run.status == RunStatus.FAILED and run.attempts == 3
    assert "第3次尝试失败：RuntimeError: 坏数据" in run.error
    assert run.opened == 0 and not a1_alerts().exists()


def test_a_failing_per_record_run_leaves_no_alerts_and_a_failed_ledger_row(monkeypatch):
    rows = three_breaches()
    real = runs_module._open_or_reopen
    calls = []

    def broken_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) % 3 == 0:
            raise RuntimeError("坏数据")
        return real(*args, **kwargs)

    monkeypatch.setattr(runs_module, "_open_or_reopen", broken_on_the_third)
    with pytest.raises(RuntimeError):
        run_records(code="A1", pks=[r.pk for r in rows], as_of=AS_OF, trigger="on_save")
    assert len(calls) == 9 and not a1_alerts().exists()
    run = EvaluationRun.objects.get(code="A1")
    assert (run.status, run.attempts, run.trigger, run.opened) == (RunStatus.FAILED, 3, "on_save", 0)

    monkeypatch.setattr(runs_module, "_open_or_reopen", real)
    assert run_records(code="A1", pks=[r.pk for r in rows], as_of=AS_OF).opened == 3
    done = EvaluationRun.objects.filter(code="A1", status=RunStatus.DONE).get()
    assert (done.opened, done.attempts) == (3, 1)


def test_a_live_run_is_left_alone_and_a_stale_one_is_marked_interrupted_and_run_again(settings):
    three_breaches()
    dead = run_started(code="A1", version=ensure_version("A1"), scope="", as_of=AS_OF, trigger="scheduled")
    settings.RULES_RUN_STALE_SECONDS = 600
    assert resume_interrupted_runs() == []
    dead.refresh_from_db()
    assert dead.status == RunStatus.RUNNING

    EvaluationRun.objects.filter(pk=dead.pk).update(started_at=timezone.now() - timedelta(hours=1))
    resumed = resume_interrupted_runs()
    dead.refresh_from_db()
    assert dead.status == RunStatus.INTERRUPTED and dead.finished_at is not None and dead.opened == 0
    assert [(r.code, r.as_of, r.scope, r.trigger, r.status, r.opened) for r in resumed] == [
        ("A1", AS_OF, "", "resume", RunStatus.DONE, 3)
    ]
    assert a1_alerts().count() == 3
    assert resume_interrupted_runs() == []


def test_an_interrupted_run_already_run_again_since_is_not_repeated(settings):
    three_breaches()
    dead = run_started(code="A1", version=ensure_version("A1"), scope="", as_of=AS_OF, trigger="scheduled")
    run_rule(code="A1", as_of=AS_OF)  # e.g. django-q2 redelivered the killed task
    settings.RULES_RUN_STALE_SECONDS = 0
    assert resume_interrupted_runs() == []
    dead.refresh_from_db()
    assert dead.status == RunStatus.INTERRUPTED
    assert EvaluationRun.objects.filter(code="A1").count() == 2


def test_a_run_interrupted_again_and_again_is_given_up_and_shows_as_failed(settings):
    three_breaches()
    version = ensure_version("A1")
    for _ in range(2):
        EvaluationRun.objects.create(
            code="A1", rule_version=version, as_of=AS_OF, status=RunStatus.INTERRUPTED
        )
    last = run_started(code="A1", version=version, scope="", as_of=AS_OF, trigger="resume")
    settings.RULES_RUN_STALE_SECONDS = 0
    assert resume_interrupted_runs() == []
    last.refresh_from_db()
    assert last.status == RunStatus.FAILED and "已中断3次" in last.error
    assert not a1_alerts().exists()


def test_the_ten_minute_catch_up_task_runs_a_stale_run_again(settings):
    from rules.tasks import resume_interrupted

    three_breaches()
    run_started(code="A1", version=ensure_version("A1"), scope="", as_of=AS_OF, trigger="scheduled")
    settings.RULES_RUN_STALE_SECONDS = 0
    assert resume_interrupted() == 1
    assert a1_alerts().count() == 3
    assert resume_interrupted() == 0
