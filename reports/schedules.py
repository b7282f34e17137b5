"""Job schedules of the reports app (registered by ``backoffice.core.schedules.setup_schedules``)."""

from backoffice.core.schedules import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="reports.period_snapshots",
        func="reports.tasks.generate_period_snapshots",
        # daily at 02:30: the first run after a month/quarter/year end snapshots it; later runs find the
        # snapshots and skip them
        cron="30 2 * * *",
        label="期末报表快照生成",
    ),
]
