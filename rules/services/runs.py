"""Evaluation runs: the set-based evaluation of a rule over its subject (cut at every region override), the
scheduled run that opens, refreshes, re-opens and auto-resolves alerts, and the per-record run on save /
import.

A run is atomic: every alert it opens, refreshes or closes, their events and notifications, and the
counts on its ledger row commit in one transaction (the evaluation's reads happen before it, to keep the
write transaction — on SQLite the database's one write lock — as short as the writes). A crash or a
killed worker therefore leaves none of a run's alerts: without that, a run killed half-way left half its
alerts, and their notifications — sent once per run, after the alerts — were never sent, because the
next run finds those alerts already open. The ledger row of a scheduled run is committed first (status
running), so a killed run is visible and resumable (``ledger.resume_interrupted_runs``); a run that
raises is retried ``ledger.run_attempts()`` times and then recorded as failed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from backoffice.core.scope import prefix_of_code

from ..engine import evaluate_queryset, evaluate_record, fetch_facts
from ..models import ACTIVE_STATES, Alert, AlertState, Disposition, EvaluationRun, RuleVersion, RunStatus
from ..schema import RuleDefinition
from ..variables import EvalContext, registry
from .alerts import _notify_news, _open_or_reopen, _refresh
from .ledger import retry_seconds, run_attempts, run_finished, run_started
from .lifecycle import _transition
from .versions import effective_params, ensure_version, rule_of

logger = logging.getLogger(__name__)
#: a run logs how many alerts it has written (not yet committed) every this many: progress for the
#: operator of a long first run, and the signal tests/ops/test_rule_sweep_kill.py kills the worker on
PROGRESS_EVERY = 500


def period_key(rule: RuleDefinition, as_of: date) -> str:
    if rule.period == "day":
        return as_of.isoformat()
    if rule.period == "month":
        return f"{as_of:%Y%m}"
    if rule.period == "quarter":
        return f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
    return ""


@dataclass
class RunSummary:
    code: str
    version: int
    as_of: str
    scope: str
    dry_run: bool
    rows_scanned: int = 0
    matches: int = 0
    unevaluable: int = 0
    opened: int = 0
    reopened: int = 0
    closed: int = 0
    duration_ms: int = 0
    error: str = ""
    run_id: int | None = None
    matched_ids: list = field(default_factory=list)
    by_region: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        data.pop("matched_ids")
        return data


def _buckets(queryset, overrides: dict[str, dict]):
    """(queryset part, region code whose params apply) — the region tree cut at every override."""
    prefixes = sorted({prefix_of_code(code): code for code in overrides}.items(), key=lambda p: -len(p[0]))
    for prefix, code in prefixes:
        part = queryset.filter(region_code__startswith=prefix)
        for deeper, _ in prefixes:
            if len(deeper) > len(prefix) and deeper.startswith(prefix):
                part = part.exclude(region_code__startswith=deeper)
        yield part, code
    rest = queryset
    for prefix, _ in prefixes:
        rest = rest.exclude(region_code__startswith=prefix)
    yield rest, None


def evaluate(
    *,
    rule: RuleDefinition,
    overrides: dict[str, dict],
    as_of: date,
    region: str | None = None,
    with_facts: bool = False,
) -> tuple[dict, dict, set, int]:
    """Set-based evaluation of a rule over its subject: (matched pk → (params, sources, escalated, facts)),
    {bucket region: matches}, scanned pks that did not match (cleared), rows scanned. ``with_facts``
    also reads the matched rows' facts in the same set-based way (a few queries instead of one
    per-record evaluation with its own queries per alert); otherwise facts are None."""
    model = registry.model(rule.subject)
    queryset = model._base_manager.all()
    if region:
        queryset = queryset.filter(region_code__startswith=prefix_of_code(region))
    matched: dict = {}
    cleared: set = set()
    scanned = 0
    unevaluable = 0
    for part, code in _buckets(queryset, overrides):
        params, sources = effective_params(rule, overrides, code)
        ctx = EvalContext(as_of=as_of, params=params)
        result = evaluate_queryset(rule, part, ctx)
        scanned += result.scanned
        unevaluable += len(result.unevaluable)
        cleared |= result.unmatched
        facts = fetch_facts(rule, part, result.matched, ctx) if with_facts and result.matched else {}
        for pk in result.matched:
            matched[pk] = (params, sources, pk in result.escalated, facts.get(pk))
    return matched, {"unevaluable": unevaluable}, cleared, scanned


def run_rule(
    *,
    code: str,
    as_of: date,
    region: str | None = None,
    dry_run: bool = False,
    trigger: str = "scheduled",
    version: RuleVersion | None = None,
    user=None,
) -> RunSummary:
    """Evaluate one rule as of a business date; open, refresh, re-open and auto-resolve alerts.

    Idempotent: running it again for the same date leaves the same alerts. Unless ``dry_run``, writes a
    ledger row first (running) and finishes it in the run's one transaction (done), so the alerts of a
    run exist with its counts or not at all; an exception is retried ``run_attempts()`` times, then the
    row is marked failed and the exception raised (the task fails loudly)."""
    started = time.perf_counter()
    version = version or ensure_version(code)
    rule = rule_of(version)

    def fresh() -> RunSummary:
        return RunSummary(
            code=code, version=version.number, as_of=as_of.isoformat(), scope=region or "", dry_run=dry_run
        )

    if dry_run:
        summary = fresh()
        if not version.enabled:
            summary.error = "规则已停用"
        else:
            matched, cleared = _evaluate_run(rule, version, as_of, region, True, summary)
            _apply_run(rule, version, as_of, region, True, summary, matched, cleared)
        summary.duration_ms = _ms(started)
        return summary
    run = run_started(code=code, version=version, scope=region or "", as_of=as_of, trigger=trigger)
    if not version.enabled:
        summary = fresh()
        summary.error = "规则已停用"
        summary.duration_ms = _ms(started)
        run_finished(run, summary, status=RunStatus.DONE, attempt=1)
        return summary

    def attempt(summary: RunSummary, number: int) -> None:
        matched, cleared = _evaluate_run(rule, version, as_of, region, False, summary)
        with transaction.atomic():
            _apply_run(rule, version, as_of, region, False, summary, matched, cleared, label=f"run {run.pk}")
            summary.duration_ms = _ms(started)
            run_finished(run, summary, status=RunStatus.DONE, attempt=number)

    def failed(error: str, number: int, final: bool) -> None:
        EvaluationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED if final else RunStatus.RUNNING,
            attempts=number,
            error=error[:2000],
            duration_ms=_ms(started),
            finished_at=timezone.now() if final else None,
        )

    return _with_retries(fresh, attempt, failed)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _with_retries(fresh, attempt, failed) -> RunSummary:
    """Call ``attempt(summary, number)`` until it returns, at most ``run_attempts()`` times; after each
    exception ``failed(error, number, final)`` records it, and the last one is raised."""
    attempts = run_attempts()
    for number in range(1, attempts + 1):
        summary = fresh()
        try:
            attempt(summary, number)
        except Exception as exc:
            final = number == attempts
            failed(f"第{number}次尝试失败：{type(exc).__name__}: {exc}", number, final)
            if final:
                raise
            logger.warning(
                "rule %s as of %s: attempt %d failed, retrying", summary.code, summary.as_of, number
            )
            time.sleep(retry_seconds())
        else:
            return summary
    raise AssertionError("unreachable")  # pragma: no cover


def _evaluate_run(rule, version, as_of, region, dry_run, summary) -> tuple[dict, set]:
    """The reads of a run (before its write transaction): matched rows with their facts, cleared rows."""
    matched, extra, cleared, scanned = evaluate(
        rule=rule, overrides=version.overrides, as_of=as_of, region=region, with_facts=not dry_run
    )
    summary.rows_scanned, summary.matches, summary.unevaluable = scanned, len(matched), extra["unevaluable"]
    summary.matched_ids = sorted(matched)
    return matched, cleared


def _apply_run(rule, version, as_of, region, dry_run, summary, matched, cleared, label="") -> None:
    """The writes of a run: open, re-open or refresh the matched rows' alerts, notify, auto-resolve."""
    model = registry.model(rule.subject)
    ct = ContentType.objects.get_for_model(model)
    key = period_key(rule, as_of)
    active = Alert.objects.filter(code=rule.code, content_type=ct, period_key=key, state__in=ACTIVE_STATES)
    if region:
        active = active.filter(region_code__startswith=prefix_of_code(region))
    active_by_id = {a.object_id: a for a in active}
    records = model._base_manager.in_bulk(list(matched))
    news: list = []
    for pk, (params, sources, escalated, facts) in matched.items():
        record = records[pk]
        summary.by_region[record.region_code[:9]] = summary.by_region.get(record.region_code[:9], 0) + 1
        existing = active_by_id.get(str(pk))
        if existing is not None:
            if not dry_run:
                _refresh(existing, rule, record, params, as_of, escalated, facts)
            continue
        if dry_run:
            summary.opened += 1
            continue
        if _open_or_reopen(
            rule, version, ct, record, key, params, sources, as_of, escalated, news, facts=facts
        ):
            summary.reopened += 1
        else:
            summary.opened += 1
        written = summary.opened + summary.reopened
        if written % PROGRESS_EVERY == 0:
            logger.info("rule %s %s: alerts written: %d (not committed yet)", rule.code, label, written)
    _notify_news(news)
    for object_id, alert in active_by_id.items():
        pk = model._meta.pk.to_python(object_id)
        if pk in cleared:
            summary.closed += 1
            if not dry_run:
                _transition(
                    alert,
                    AlertState.RESOLVED,
                    kind="auto_resolved",
                    note="条件已消除，自动解除",
                    disposition=Disposition.AUTO_CLEARED,
                )


def run_records(*, code: str, pks, as_of: date, trigger: str = "on_save") -> RunSummary:
    """Per-record evaluation of a few changed records (on save / import): the same alert outcomes as a
    scheduled run restricted to these records, through business-rules instead of SQL. Atomic like a
    scheduled run, its ledger row written in the same transaction (a killed per-record run leaves nothing;
    the next scheduled run covers its records), retried like one and recorded as failed after the last
    attempt."""
    from ..engine import in_window, variables_class

    started = time.perf_counter()
    version = ensure_version(code)
    rule = rule_of(version)

    def fresh() -> RunSummary:
        return RunSummary(code=code, version=version.number, as_of=as_of.isoformat(), scope="", dry_run=False)

    if not version.enabled:
        summary = fresh()
        summary.error = "规则已停用"
        return summary

    def attempt(summary: RunSummary, number: int) -> None:
        with transaction.atomic():
            model = registry.model(rule.subject)
            ct = ContentType.objects.get_for_model(model)
            variables = registry.for_subject(rule.subject)
            records = model._base_manager.in_bulk([model._meta.pk.to_python(pk) for pk in pks])
            news: list = []
            for pk, record in records.items():
                params, sources = effective_params(rule, version.overrides, record.region_code)
                ctx = EvalContext(as_of=as_of, params=params)
                # a dated record is evaluated as of its own date (a late entry for last Friday)
                if rule.window:
                    day = variables[rule.window["date_variable"]].accessor(record, ctx)
                    if day is not None and day <= as_of:
                        ctx = EvalContext(as_of=day, params=params)
                if not in_window(rule, variables_class(rule.subject)(record, ctx, variables), ctx):
                    continue
                summary.rows_scanned += 1
                result = evaluate_record(rule, record, ctx)
                key = period_key(rule, ctx.as_of)
                active = Alert.objects.filter(
                    code=code, content_type=ct, object_id=str(pk), period_key=key, state__in=ACTIVE_STATES
                ).first()
                if result.outcome == "match":
                    summary.matches += 1
                    if active is not None:
                        _refresh(active, rule, record, params, ctx.as_of, result.escalated)
                    elif _open_or_reopen(
                        rule, version, ct, record, key, params, sources, ctx.as_of, result.escalated, news
                    ):
                        summary.reopened += 1
                    else:
                        summary.opened += 1
                elif result.outcome == "no_match" and active is not None:
                    summary.closed += 1
                    _transition(
                        active,
                        AlertState.RESOLVED,
                        kind="auto_resolved",
                        note="条件已消除，自动解除",
                        disposition=Disposition.AUTO_CLEARED,
                    )
                elif result.outcome == "unevaluable":
                    summary.unevaluable += 1
            _notify_news(news)
            summary.duration_ms = _ms(started)
            run = EvaluationRun(
                code=code, rule_version=version, as_of=as_of, trigger=trigger, status=RunStatus.RUNNING
            )
            run_finished(run, summary, status=RunStatus.DONE, attempt=number)

    def failed(error: str, number: int, final: bool) -> None:
        if final:
            EvaluationRun.objects.create(
                code=code,
                rule_version=version,
                as_of=as_of,
                trigger=trigger,
                status=RunStatus.FAILED,
                attempts=number,
                error=error[:2000],
                duration_ms=_ms(started),
                finished_at=timezone.now(),
            )

    return _with_retries(fresh, attempt, failed)
