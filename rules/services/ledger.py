"""The evaluation ledger: one ``EvaluationRun`` row per run, written *before* the run starts (status
running) and finished in the run's own transaction, so a worker killed mid-run leaves a row that says so.
Runs whose worker died are found by age, marked interrupted and run again (bounded); a rule that did not
run at all when due raises a system alert (the dead-man check)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Alert, AlertEvent, AlertState, EvaluationRun, RuleVersion, RunStatus
from ..schema import shipped_rules
from ..workdays import add_working_days
from .versions import ensure_version

logger = logging.getLogger(__name__)


def run_attempts() -> int:
    """How often one run is tried: in-process retries after an exception, and re-runs after a worker
    died (setting ``RULES_RUN_ATTEMPTS``, default 3; django-q2 itself does not retry a failed task,
    ``ack_failures``)."""
    return max(1, int(getattr(settings, "RULES_RUN_ATTEMPTS", 3)))


def retry_seconds() -> float:
    """Pause before an in-process retry (setting ``RULES_RUN_RETRY_SECONDS``, default 5): long enough for
    a transient cause — a SQLite write lock held by the web process, a PostgreSQL deadlock — to clear."""
    return float(getattr(settings, "RULES_RUN_RETRY_SECONDS", 5))


def stale_seconds() -> int:
    """Age after which a run still marked running has lost its worker (setting ``RULES_RUN_STALE_SECONDS``,
    default the django-q2 task ``timeout``: the cluster kills a task that runs longer than that)."""
    default = int(getattr(settings, "Q_CLUSTER", {}).get("timeout", 1800))
    return int(getattr(settings, "RULES_RUN_STALE_SECONDS", default))


def run_started(*, code: str, version: RuleVersion, scope: str, as_of, trigger: str) -> EvaluationRun:
    """The ledger row of a run about to start, committed on its own before the run's transaction."""
    return EvaluationRun.objects.create(
        code=code, rule_version=version, scope=scope, as_of=as_of, trigger=trigger, status=RunStatus.RUNNING
    )


def run_finished(run: EvaluationRun, summary, *, status: str, attempt: int) -> EvaluationRun:
    """Write a run's outcome and counts onto its ledger row (inside the run's transaction when it
    succeeded, so the counts and the alerts commit together)."""
    run.status, run.attempts, run.finished_at = status, attempt, timezone.now()
    for name in ("rows_scanned", "matches", "unevaluable", "opened", "reopened", "closed", "duration_ms"):
        setattr(run, name, getattr(summary, name))
    run.error = summary.error
    run.save()
    summary.run_id = run.pk
    return run


def resume_interrupted_runs(now=None) -> list[EvaluationRun]:
    """Mark the runs whose worker died (still running after ``stale_seconds()``) as interrupted and run
    each rule again for the same date and scope — at most ``run_attempts()`` interruptions per rule, date
    and scope; after that the run is marked failed and left for a person (a run that kills its worker
    every time would otherwise be restarted forever). A key already run to completion since (django-q2
    redelivered the task, or someone ran it by hand) is not run again. Returns the re-runs' ledger rows."""
    from .runs import run_rule

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_seconds())
    interrupted = []
    for run in EvaluationRun.objects.filter(status=RunStatus.RUNNING, started_at__lte=cutoff).order_by("pk"):
        claimed = EvaluationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.INTERRUPTED,
            finished_at=now,
            error="运行中断（后台任务进程退出），未写入任何预警",
        )
        if claimed:  # another housekeeping run did not take it first
            interrupted.append(run)
    resumed, seen = [], set()
    for run in interrupted:
        key = (run.code, run.as_of, run.scope)
        if key in seen:
            continue
        seen.add(key)
        same = EvaluationRun.objects.filter(code=run.code, as_of=run.as_of, scope=run.scope)
        if same.filter(status=RunStatus.DONE, pk__gt=run.pk).exists():
            continue
        interruptions = same.filter(status=RunStatus.INTERRUPTED).count()
        if interruptions >= run_attempts():
            EvaluationRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, error=f"运行已中断{interruptions}次，不再自动重试，请检查后手动运行"
            )
            logger.error("rule %s as of %s: interrupted %d times, not resumed", *key[:2], interruptions)
            continue
        try:
            summary = run_rule(code=run.code, as_of=run.as_of, region=run.scope or None, trigger="resume")
        except Exception:  # recorded as failed on its own ledger row; go on with the other rules
            logger.exception("rule %s as of %s: the resumed run failed", run.code, run.as_of)
            continue
        resumed.append(EvaluationRun.objects.get(pk=summary.run_id))
    return resumed


# dead-man check: a rule that did not run when due
MISSED_RUN_CODE = "SYS-missed-run"
MISSED_RUN_GRACE = timedelta(hours=2)


def check_missed_runs(now=None) -> int:
    """Open a province-level system alert for each enabled scheduled rule whose last due run (by its cron,
    plus a grace period) left no evaluation-ledger row. Returns how many were opened."""
    from croniter import croniter

    from backoffice.regions.models import Region

    now = now or timezone.now()
    local = timezone.localtime(now)
    province = Region.objects.filter(level=1).order_by("code").first()
    if province is None:
        return 0
    ct = ContentType.objects.get_for_model(RuleVersion)
    opened = 0
    for code, rule in sorted(shipped_rules().items()):
        version = ensure_version(code)
        if "scheduled" not in rule.triggers or not version.enabled:
            continue
        due = croniter(rule.schedule, local - MISSED_RUN_GRACE).get_prev(type(local))
        ran = EvaluationRun.objects.filter(code=code, dry_run=False, started_at__gte=due).exists()
        if ran or version.created_at > due:
            continue
        alert = Alert(
            code=MISSED_RUN_CODE,
            rule_version=version,
            content_type=ct,
            object_id=str(version.pk),
            region_code=province.code,
            period_key=f"{due:%Y%m%d%H%M}",
            severity="red",
            message=f"规则 {code}（{rule.name}）应于 {due:%Y-%m-%d %H:%M} 运行，但没有评估记录",
            facts={"rule": code, "due": due.isoformat(), "time_zone": settings.TIME_ZONE},
            as_of=local.date(),
            assigned_role="province_policy",
            assigned_level=1,
            sla_due=add_working_days(local.date(), 1),
        )
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:  # already raised for this due time
            continue
        AlertEvent.objects.create(alert=alert, kind="opened", to_state=AlertState.OPEN)
        opened += 1
    return opened
