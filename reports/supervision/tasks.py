"""django-q2 tasks of rollout supervision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone


@dataclass(frozen=True)
class SystemReader:
    """The scheduled job reads every region (like a superuser) and writes no records of its own."""

    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = True
    is_staff: bool = True
    scope_region_id: str | None = None


SYSTEM_READER = SystemReader()


def generate_bulletins(as_of: str | None = None) -> dict:
    """On the 15th and the last day of a month, the bulletin of every province, city, county and township;
    ``as_of`` ("YYYY-MM-DD") rebuilds a past bulletin day. Existing bulletins are kept (idempotent)."""
    from .bulletins import bulletin_day, bulletin_generate, bulletin_regions

    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    if as_of is None and bulletin_day(day) is None:
        return {"as_of": day.isoformat(), "skipped": "不是通报日（每月15日和月末）", "bulletins": 0}
    made = 0
    for code in bulletin_regions():
        bulletin_generate(user=SYSTEM_READER, region_code=code, as_of=day)
        made += 1
    return {"as_of": day.isoformat(), "bulletins": made}
