"""A django-q2 worker killed in the middle of a scheduled rule run leaves no partial alert set (issue #8
item 6): a real ``qcluster`` process runs a sweep of A2-single that opens ROWS alerts and is SIGKILLed
after it has written the first PROGRESS_EVERY of them in its (uncommitted) transaction. None of them
survive, the ledger row the run wrote before it started shows it as not finished, and the catch-up
(``resume_interrupted_runs``) marks it interrupted and runs it again: the alerts, their events and
notifications are then exactly those of an uninterrupted run."""

from __future__ import annotations

import copy
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.ops.qcluster import kill_cluster, start_qcluster

pytestmark = pytest.mark.django_db(transaction=True)
CODE = "A2-single"
AS_OF = date(2026, 6, 15)  # far from the demo's own bank transactions
ROWS = 1500


def _clear_rules_state() -> None:
    from rules.models import Alert, EvaluationRun, ParamChangeRequest, ParamOverride, RuleVersion

    Alert.unscoped.all().delete()
    EvaluationRun.objects.all().delete()
    ParamChangeRequest.objects.all().delete()
    ParamOverride.objects.all().delete()
    RuleVersion.objects.all().delete()


@pytest.fixture
def large_sweep():
    """The tiny demo plus ROWS large bank payments on AS_OF: one A2-single alert each."""
    from backoffice.funds.models import BankTransaction

    call_command("seed_demo", scale="tiny", seed=1, quiet=True)
    _clear_rules_state()
    template = BankTransaction.objects.filter(org__region_code__startswith="140121100").first()
    rows = []
    for n in range(ROWS):
        row = copy.copy(template)
        row.pk = row.id = None
        row.bank_serial = f"KILL{n:06d}"
        row.txn_date, row.txn_time = AS_OF, None
        row.direction = "credit"
        row.amount = Decimal("60000.00") + n
        row.payment_request = None
        row.source_system, row.source_id = "", ""
        rows.append(row)
    BankTransaction.objects.bulk_create(rows, batch_size=500)
    return ROWS


def _alert_state() -> list[tuple]:
    """What a run leaves, independent of ids and clock: each alert with its events and notifications."""
    from rules.models import Alert, AlertEvent, Notification

    state = []
    for alert in Alert.unscoped.filter(code=CODE).order_by("object_id"):
        state.append(
            (
                alert.object_id,
                alert.state,
                alert.severity,
                alert.message,
                alert.facts,
                str(alert.distance),
                alert.assigned_role,
                sorted(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True)),
                sorted(Notification.objects.filter(alert=alert).values_list("user__username", "kind")),
            )
        )
    return state


def test_killed_rule_run_leaves_no_partial_alerts_and_the_catch_up_equals_a_clean_run(
    large_sweep, settings, tmp_path, monkeypatch
):
    from django_q.conf import Conf
    from django_q.tasks import async_task

    from rules.models import Alert, EvaluationRun, Notification, RunStatus
    from rules.services import PROGRESS_EVERY, resume_interrupted_runs, run_rule

    assert ROWS > 2 * PROGRESS_EVERY  # there is a "middle" to be killed in
    expected = run_rule(code=CODE, as_of=AS_OF, dry_run=True).matched_ids
    assert len(expected) >= ROWS

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr(Conf, "SYNC", False)
    async_task("rules.tasks.evaluate_rule", CODE, AS_OF.isoformat())
    log = tmp_path / "qcluster.log"
    # the run logs its progress at INFO: the test's signal that it is mid-write
    worker = start_qcluster(settings, log, LOG_LEVEL="INFO")
    marker = f"alerts written: {PROGRESS_EVERY}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and worker.poll() is None:
            if marker in log.read_text(errors="replace"):
                break
            time.sleep(0.02)
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        assert marker in log.read_text(errors="replace"), "the run never got to its write phase"
    finally:
        kill_cluster(worker)  # the whole cluster, mid-run: no clean shutdown

    killed = EvaluationRun.objects.get(code=CODE)
    assert killed.status == RunStatus.RUNNING, "the worker finished before it could be killed"
    assert killed.finished_at is None and killed.opened == 0
    assert not Alert.unscoped.filter(code=CODE).exists(), "the alerts written before the kill are gone"
    assert not Notification.objects.filter(alert__code=CODE).exists()

    settings.RULES_RUN_STALE_SECONDS = 0  # the killed worker's run is stale at once
    resumed = resume_interrupted_runs()
    killed.refresh_from_db()
    assert killed.status == RunStatus.INTERRUPTED and killed.finished_at is not None
    assert len(resumed) == 1 and resumed[0].pk != killed.pk
    rerun = resumed[0]
    assert rerun.status == RunStatus.DONE and rerun.trigger == "resume" and rerun.as_of == AS_OF
    assert rerun.opened == len(expected) and rerun.error == ""
    assert sorted(Alert.unscoped.filter(code=CODE).values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in expected
    )
    after_catch_up = _alert_state()
    assert all(events == ["opened"] for *_, events, _notes in after_catch_up)
    assert resume_interrupted_runs() == []  # the interruption is handled once

    Alert.unscoped.filter(code=CODE).delete()  # the same run, uninterrupted, from a clean state
    clean = run_rule(code=CODE, as_of=AS_OF)
    assert clean.opened == len(expected)
    assert _alert_state() == after_catch_up
