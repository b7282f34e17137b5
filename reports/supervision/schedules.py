"""Job schedules of rollout supervision (registered by ``backoffice.core.schedules.setup_schedules``)."""

from backoffice.core.schedules import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="supervision.bulletins",
        func="reports.supervision.tasks.generate_bulletins",
        # daily at 23:10: the task itself only acts on the 15th and the month end (半月通报), after the
        # day's entries are in
        cron="10 23 * * *",
        label="半月通报生成",
    ),
]
