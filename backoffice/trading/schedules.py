"""Schedules of 产权交易 (registered by ``backoffice.core.schedules.setup_schedules``)."""

from backoffice.core.schedules import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="trading.advance_periods",
        func="backoffice.trading.tasks.advance_trading_periods",
        # every minute: the timed-quote period of a bidding ends to the minute
        cron="* * * * *",
        label="产权交易期限到期处理（公告期、竞价、结果公示）",
    ),
]
