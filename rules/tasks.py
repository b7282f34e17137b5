"""django-q2 task functions of the rules app. Safe to run twice: a run evaluates "as of" a business date
and the alerts it leaves do not depend on how often it ran (LIBS.md §2 gotcha 9)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone


def evaluate_rule(code: str, as_of: str | None = None, region: str | None = None) -> dict:
    """Evaluate one rule as of a date (default: yesterday, the last complete business day)."""
    from .services import run_rule

    day = date.fromisoformat(as_of) if as_of else timezone.localdate() - timedelta(days=1)
    return run_rule(code=code, as_of=day, region=region).as_json()


def evaluate_records(label: str, pks: list[str], trigger: str = "on_save") -> list[dict]:
    """Evaluate the changed records of one subject type against every rule with that trigger."""
    from .schema import shipped_rules
    from .services import run_records

    return [
        run_records(code=code, pks=pks, as_of=timezone.localdate(), trigger=trigger).as_json()
        for code, rule in sorted(shipped_rules().items())
        if rule.subject == label and trigger in rule.triggers
    ]


def alert_housekeeping() -> dict:
    """Daily: runs whose worker died marked interrupted and run again (bounded), expired snoozes back
    into the queue, overdue alerts escalated one level up, and a system alert for every scheduled rule
    that did not run when due."""
    from .services import check_missed_runs, escalate_overdue, resume_interrupted_runs, snooze_expired

    return {
        "resumed": len(resume_interrupted_runs()),
        "unsnoozed": snooze_expired(),
        "escalated": escalate_overdue(),
        "missed_runs": check_missed_runs(),
    }


def resume_interrupted() -> int:
    """Every 10 minutes: a run whose worker died (still "running" after ``RULES_RUN_STALE_SECONDS``) is
    marked interrupted and run again, so a killed sweep is caught up within the stale age plus 10 minutes
    instead of at the next morning's housekeeping. Returns how many runs were run again."""
    from .services import resume_interrupted_runs

    return len(resume_interrupted_runs())


def daily_digest() -> int:
    """Daily e-mail digest of active alerts per user (Django's e-mail backend)."""
    from .services import send_daily_digest

    return send_daily_digest()


def task_name(code: str) -> str:
    """The module-level task of one rule (a schedule has no arguments): ``evaluate_A1_negative``."""
    return "evaluate_" + code.replace("-", "_")


def __getattr__(name: str):
    """``rules.tasks.evaluate_<CODE>`` for every shipped rule, so each cron schedule names its own func."""
    if name.startswith("evaluate_"):
        from .schema import shipped_rules

        for code in shipped_rules():
            if task_name(code) == name:

                def run(as_of: str | None = None, region: str | None = None, _code=code) -> dict:
                    return evaluate_rule(_code, as_of=as_of, region=region)

                run.__name__ = name
                return run
    raise AttributeError(name)
