"""Scheduled job: snapshots of the period reports once a period has ended (django-q2, see schedules.py).

Runs daily; for every monitoring table (R1–R13) it takes the last *complete* period of the table's
period kind (R2, R6, R13 monthly; R3, R9 quarterly; the others yearly), and for every region from the
province down to the townships creates the snapshot if it does not exist yet (``if_missing``), so a
rerun, a missed day or two workers never make duplicates.
"""

from __future__ import annotations

import logging
from datetime import date

from django.utils import timezone

from .snapshots import generate_snapshot, reports_for_snapshots
from .table import Period, ReportError

logger = logging.getLogger(__name__)


def last_complete_period(kind: str, today: date) -> Period:
    """The latest period of ``kind`` that ended before ``today``."""
    return Period.containing(kind, today).previous()


def snapshot_regions(prefix: str = "") -> list[str]:
    """Codes of the regions that get period reports: province to township, valid today."""
    from backoffice.regions.models import Region

    qs = Region.objects.filter(level__lte=4, valid_to__isnull=True)
    if prefix:
        qs = qs.filter(code__startswith=prefix)
    return list(qs.order_by("level", "code").values_list("code", flat=True))


def generate_period_snapshots(today: date | str | None = None, region_prefix: str = "") -> dict:
    """Create every missing period snapshot; returns counts {"created": n, "existing": n, "failed": n}."""
    if isinstance(today, str):
        today = date.fromisoformat(today)
    today = today or timezone.localdate()
    counts = {"created": 0, "existing": 0, "failed": 0}
    regions = snapshot_regions(region_prefix)
    for definition in reports_for_snapshots():
        period = last_complete_period(definition.default_kind, today)
        for code in regions:
            try:
                snapshot = generate_snapshot(
                    definition.code, region_code=code, period=period, if_missing=True
                )
            except ReportError as exc:
                counts["failed"] += 1
                logger.warning("snapshot %s %s %s failed: %s", definition.code, code, period, exc)
                continue
            counts["created" if getattr(snapshot, "just_created", False) else "existing"] += 1
    logger.info("period snapshots %s: %s", today, counts)
    return counts
