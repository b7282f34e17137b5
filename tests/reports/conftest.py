"""Report tests count the snapshots they make: the demo's own snapshots (reports/demo.py) are removed
inside each test's transaction, so they come back for the next test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def without_demo_snapshots(db):
    from reports.models import ReportSnapshot, SnapshotEvent

    SnapshotEvent.objects.all().delete()
    ReportSnapshot.objects.all().delete()  # a queryset delete: the demo's are not locked anyway
