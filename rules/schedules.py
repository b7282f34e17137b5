"""One django-q2 cron schedule per shipped rule (its ``schedule``), plus the daily alert housekeeping, the
10-minute catch-up of interrupted runs and the daily digest; registered by ``manage.py setup_schedules``."""

from __future__ import annotations

from backoffice.core.schedules import ScheduleSpec

from .schema import shipped_rules
from .tasks import task_name


def _schedules() -> list[ScheduleSpec]:
    specs = [
        ScheduleSpec(
            name=f"rules.evaluate.{code}",
            func=f"rules.tasks.{task_name(code)}",
            cron=rule.schedule,
            label=f"预警规则 {code} {rule.name}",
        )
        for code, rule in sorted(shipped_rules().items())
        if "scheduled" in rule.triggers
    ]
    specs.append(
        ScheduleSpec(
            name="rules.housekeeping",
            func="rules.tasks.alert_housekeeping",
            cron="0 6 * * *",
            label="预警暂缓到期与超时升级",
        )
    )
    specs.append(
        ScheduleSpec(
            name="rules.resume_interrupted",
            func="rules.tasks.resume_interrupted",
            cron="*/10 * * * *",
            label="重新运行被中断的预警规则（后台任务进程退出后）",
        )
    )
    specs.append(
        ScheduleSpec(
            name="rules.daily_digest",
            func="rules.tasks.daily_digest",
            cron="30 7 * * *",
            label="预警日报邮件",
        )
    )
    return specs


SCHEDULES = _schedules()
