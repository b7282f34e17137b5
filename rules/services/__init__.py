"""Rule versions and params, evaluation runs and the alert lifecycle (DESIGN.md §4), one module per concept:

- ``versions``: versions, region overrides, enable/disable, maker-checker approval of params changes;
- ``runs``: set-based evaluation, the scheduled run (atomic, retried) and the per-record run;
- ``ledger``: the evaluation ledger (running → done / failed / interrupted), resuming runs whose worker
  died, the dead-man check for rules that did not run when due;
- ``alerts``: what a run does to one alert (open, re-open, refresh) and its notifications;
- ``lifecycle``: states and transitions, the human actions, SLAs and escalation, counts;
- ``preview``: what a params change would open and close.

Service functions are keyword-only and used alike by the admin, the commands, the tasks and the tests;
import them from ``rules.services`` (this module re-exports every public name).
"""

from __future__ import annotations

from ..workdays import add_working_days, is_workday
from .errors import AlertError
from .ledger import (
    MISSED_RUN_CODE,
    MISSED_RUN_GRACE,
    check_missed_runs,
    resume_interrupted_runs,
    run_attempts,
    stale_seconds,
)
from .lifecycle import (
    ACK_SLA,
    CLOSE_SLA,
    ROLE_BY_LEVEL,
    TRANSITIONS,
    alert_acknowledge,
    alert_assign,
    alert_counts,
    alert_dismiss,
    alert_resolve,
    alert_snooze,
    alert_start_rectifying,
    escalate_overdue,
    models_q_not_snoozed,
    send_daily_digest,
    sla_breached,
    snooze_expired,
    to_decimal,
)
from .preview import preview
from .runs import PROGRESS_EVERY, RunSummary, evaluate, period_key, run_records, run_rule
from .versions import (
    ancestors,
    decide_override,
    effective_params,
    effective_value_rows,
    ensure_version,
    latest_version,
    needs_approval,
    request_override,
    rule_of,
    set_enabled,
    set_override,
    sync_rules,
)

__all__ = [
    "ACK_SLA",
    "CLOSE_SLA",
    "MISSED_RUN_CODE",
    "MISSED_RUN_GRACE",
    "PROGRESS_EVERY",
    "ROLE_BY_LEVEL",
    "TRANSITIONS",
    "AlertError",
    "RunSummary",
    "add_working_days",
    "alert_acknowledge",
    "alert_assign",
    "alert_counts",
    "alert_dismiss",
    "alert_resolve",
    "alert_snooze",
    "alert_start_rectifying",
    "ancestors",
    "check_missed_runs",
    "decide_override",
    "effective_params",
    "effective_value_rows",
    "ensure_version",
    "escalate_overdue",
    "evaluate",
    "is_workday",
    "latest_version",
    "models_q_not_snoozed",
    "needs_approval",
    "period_key",
    "preview",
    "request_override",
    "resume_interrupted_runs",
    "rule_of",
    "run_attempts",
    "run_records",
    "run_rule",
    "send_daily_digest",
    "set_enabled",
    "set_override",
    "sla_breached",
    "snooze_expired",
    "stale_seconds",
    "sync_rules",
    "to_decimal",
]
