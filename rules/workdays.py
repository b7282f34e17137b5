"""Working days in mainland China: public holidays and make-up workdays (``chinese_calendar``)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar does not know yet: Monday–Friday
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def working_days_bound(as_of: date, days: int) -> date:
    """The latest date ``d`` with at least ``days`` working days in (d, as_of]."""
    current, counted = as_of, 0
    while counted < days:
        if is_workday(current):
            counted += 1
        current -= timedelta(days=1)
    return current
