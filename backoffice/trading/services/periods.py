"""Working-day arithmetic for announcement and publicity periods (DOMAIN.md §6.6).

Periods count working days of mainland China: public holidays are skipped and make-up workdays (调休上班日,
e.g. a Sunday or Saturday around National Day) count. ``chinese_calendar`` knows each year once the
State Council publishes it; for a year it does not know yet, Monday to Friday are the working days.
(``rules/workdays.py`` has the same helper, but ``backoffice`` must not import ``rules``.)
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day (holidays excluded, make-up workdays included)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def period_end(start: date, working_days: int) -> date:
    """The last day of a period of ``working_days`` working days beginning on ``start``.

    ``start`` counts as the first day when it is a working day (an announcement published on a Monday
    with 1 working day ends that Monday); otherwise counting begins on the next working day.
    """
    if working_days < 1:
        raise ValueError("期限至少为1个工作日")
    current = start
    counted = 1 if is_working_day(current) else 0
    while counted < working_days:
        current += timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days in the closed interval [start, end] (0 when end is before start)."""
    count, current = 0, start
    while current <= end:
        count += is_working_day(current)
        current += timedelta(days=1)
    return count


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    current = day + timedelta(days=1)
    while not is_working_day(current):
        current += timedelta(days=1)
    return current
