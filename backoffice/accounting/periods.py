"""Accounting periods as ``YYYYMM`` strings (DOMAIN.md §2 conventions)."""

from __future__ import annotations

import re
from datetime import date

PERIOD_RE = re.compile(r"^(20\d{2})(0[1-9]|1[0-2])$")


def period_problem(value: str) -> str | None:
    """Why ``value`` is not a ``YYYYMM`` period, or None."""
    if not PERIOD_RE.match(value or ""):
        return f"会计期间“{value}”应为6位年月，例如202401"
    return None


def period_of(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}"


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[4:])
    return f"{year + 1:04d}01" if month == 12 else f"{year:04d}{month + 1:02d}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[4:])
    return f"{year - 1:04d}12" if month == 1 else f"{year:04d}{month - 1:02d}"


def period_range(first: str, last: str) -> list[str]:
    """Periods from ``first`` to ``last`` inclusive (empty when last < first)."""
    out, current = [], first
    while current <= last:
        out.append(current)
        current = next_period(current)
    return out


def first_day(period: str) -> date:
    return date(int(period[:4]), int(period[4:]), 1)
