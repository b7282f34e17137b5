"""evaluate_rules, the schedules and tasks, rules_docs."""

from __future__ import annotations

import io
import json
import pydoc

import pytest
from django.core.management import call_command

from rules.models import Alert, EvaluationRun
from rules.schema import shipped_rules

from .conftest import AS_OF, balance, no_cash_limit

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[list[str], dict]:
    out = io.StringIO()
    call_command("evaluate_rules", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    return lines, json.loads(lines[-1])


def test_evaluate_rules_prints_json_summary_last(org_a, org_b):
    for org in (org_a, org_b):
        no_cash_limit(org)
        balance(org, cash=9000)
    _lines, summary = run("--rule", "A1", "--as-of", AS_OF.isoformat(), "--dry-run")
    assert summary["dry_run"] is True and summary["total"]["opened"] == 2 and not Alert.objects.exists()
    _lines, summary = run(
        "--rule", "A1", "--as-of", AS_OF.isoformat(), "--region", org_a.region_code[:9] + "000"
    )
    assert summary["total"]["opened"] == 1 and summary["rules"][0]["scope"] == org_a.region_code[:9] + "000"
    assert Alert.objects.get().org_id == org_a.pk
    _lines, summary = run("--as-of", AS_OF.isoformat())
    assert {r["code"] for r in summary["rules"]} == set(shipped_rules())
    a1 = next(r for r in summary["rules"] if r["code"] == "A1")
    assert a1["opened"] == 1  # org_b now; org_a's alert was already open
    assert EvaluationRun.objects.filter(code="A1").count() == 2


def test_evaluate_rules_rejects_unknown_rule():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("evaluate_rules", "--rule", "Z9", stdout=io.StringIO())


def test_setup_schedules_registers_one_cron_per_rule():
    from django_q.models import Schedule

    call_command("setup_schedules", stdout=io.StringIO())
    names = set(Schedule.objects.filter(name__startswith="rules.").values_list("name", flat=True))
    scheduled = {code for code, rule in shipped_rules().items() if "scheduled" in rule.triggers}
    assert {f"rules.evaluate.{code}" for code in scheduled} | {
        "rules.housekeeping",
        "rules.resume_interrupted",
        "rules.daily_digest",
    } == names
    catch_up = Schedule.objects.get(name="rules.resume_interrupted")
    assert catch_up.cron == "*/10 * * * *" and callable(pydoc.locate(catch_up.func))
    a1 = Schedule.objects.get(name="rules.evaluate.A1")
    assert a1.cron == shipped_rules()["A1"].schedule and a1.schedule_type == Schedule.CRON
    assert callable(pydoc.locate(a1.func))  # what the django-q2 worker does with the func path
    out = io.StringIO()
    call_command("setup_schedules", stdout=out)
    assert "rules.evaluate.A1: unchanged" in out.getvalue()


def test_task_is_idempotent(org_a):
    no_cash_limit(org_a)
    balance(org_a, cash=9000)
    task = pydoc.locate("rules.tasks.evaluate_A1")
    first = task(as_of=AS_OF.isoformat())
    second = task(as_of=AS_OF.isoformat())
    assert (first["opened"], second["opened"]) == (1, 0) and Alert.objects.count() == 1


def test_housekeeping_task():
    from rules.tasks import alert_housekeeping

    result = alert_housekeeping()
    assert result["unsnoozed"] == 0 and result["escalated"] == 0


def test_missed_scheduled_run_raises_a_system_alert():
    from datetime import datetime, timedelta

    from django.utils import timezone

    from rules.models import RuleVersion
    from rules.services import MISSED_RUN_CODE, check_missed_runs, ensure_version, run_rule

    for code in shipped_rules():
        ensure_version(code)
    RuleVersion.objects.update(created_at=timezone.make_aware(datetime(2026, 1, 1)))
    now = timezone.make_aware(datetime(2026, 6, 16, 12, 0))
    opened = check_missed_runs(now=now)
    scheduled = {c for c, r in shipped_rules().items() if "scheduled" in r.triggers}
    assert opened == len(scheduled)
    alert = Alert.objects.filter(code=MISSED_RUN_CODE, facts__rule="A1").get()
    assert alert.region_code == "140000000000" and alert.severity == "red" and "A1" in alert.message
    assert check_missed_runs(now=now) == 0  # once per due time
    # a rule that ran after its due time raises nothing
    Alert.objects.filter(code=MISSED_RUN_CODE).delete()
    run_rule(code="A1", as_of=AS_OF)
    from rules.models import EvaluationRun

    EvaluationRun.objects.filter(code="A1").update(started_at=now - timedelta(hours=1))
    check_missed_runs(now=now)
    assert not Alert.objects.filter(code=MISSED_RUN_CODE, facts__rule="A1").exists()


def test_generated_docs_are_current():
    call_command("rules_docs", "--check", stdout=io.StringIO())
