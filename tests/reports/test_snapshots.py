"""Snapshots: review chain, lock immutability, revisions with a diff, checks block locking, the
scheduled job is idempotent, and build_table reads a snapshot back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F

from backoffice.accounting.models import PeriodBalance
from backoffice.contracts.models import ContractReceipt
from reports.engine import build_table
from reports.models import ReportSnapshot, SnapshotLockedError, SnapshotStatus
from reports.snapshots import generate_snapshot, lock_snapshot, return_snapshot, review_snapshot
from reports.table import ReportError
from reports.tasks import generate_period_snapshots, last_complete_period
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db
TOWNSHIP = TOWNSHIP_A.ljust(12, "0")


def approve_all_levels(snapshot, users):
    snapshot = review_snapshot(snapshot, user=users["township_reviewer"])
    snapshot = review_snapshot(snapshot, user=users["county_admin"])
    return review_snapshot(snapshot, user=users["city_analyst"])


def test_township_snapshot_is_reviewed_level_by_level_then_locked(users):
    snapshot = generate_snapshot("R3", region_code=TOWNSHIP, period="2025-Q3")
    assert (snapshot.revision, snapshot.status, snapshot.level) == (1, SnapshotStatus.GENERATED, "township")
    with pytest.raises(ReportError, match="乡镇"):
        review_snapshot(snapshot, user=users["county_admin"])  # the township step comes first
    snapshot = review_snapshot(snapshot, user=users["township_reviewer"])
    assert (
        snapshot.status == SnapshotStatus.TOWNSHIP_REVIEWED
        and snapshot.township_reviewed_by == users["township_reviewer"]
    )
    with pytest.raises(ReportError, match="只有省级用户"):
        lock_snapshot(snapshot, user=users["county_admin"])
    with pytest.raises(ReportError, match="尚未完成各级审核"):
        lock_snapshot(snapshot, user=users["province_policy"])
    snapshot = review_snapshot(snapshot, user=users["county_admin"])
    snapshot = review_snapshot(snapshot, user=users["city_analyst"])
    snapshot = lock_snapshot(snapshot, user=users["province_policy"])
    assert snapshot.status == SnapshotStatus.LOCKED and snapshot.locked_by == users["province_policy"]
    kinds = list(snapshot.events.values_list("kind", flat=True))
    assert kinds == ["generated", "reviewed", "reviewed", "reviewed", "locked"]


def test_a_locked_snapshot_never_changes(users):
    snapshot = approve_all_levels(generate_snapshot("R3", region_code=TOWNSHIP, period="2025-Q2"), users)
    snapshot = lock_snapshot(snapshot, user=users["province_policy"])
    frozen = snapshot.table
    snapshot.table = {"rows": []}
    with pytest.raises(SnapshotLockedError):
        snapshot.save()
    with pytest.raises(SnapshotLockedError):
        snapshot.delete()
    for action in (
        lambda s: review_snapshot(s, user=users["township_reviewer"]),
        lambda s: return_snapshot(s, user=users["county_admin"], comment="重报"),
        lambda s: lock_snapshot(s, user=users["province_policy"]),
    ):
        with pytest.raises(SnapshotLockedError):
            action(snapshot)
    assert ReportSnapshot.objects.get(pk=snapshot.pk).table == frozen


def test_a_correction_after_locking_is_a_new_revision_with_the_changed_cells(users, org_a):
    locked = lock_snapshot(
        approve_all_levels(generate_snapshot("R3", region_code=TOWNSHIP, period="2025"), users),
        user=users["province_policy"],
    )
    assert generate_snapshot("R3", region_code=TOWNSHIP, period="2025").pk == locked.pk, "nothing changed"
    receipt = ContractReceipt.objects.filter(
        org=org_a, review_status="approved", received_on__year=2025
    ).first()
    ContractReceipt.objects.filter(pk=receipt.pk).update(amount=F("amount") + Decimal("100.00"))
    revised = generate_snapshot("R3", region_code=TOWNSHIP, period="2025")
    assert (revised.revision, revised.previous_id, revised.status) == (2, locked.pk, SnapshotStatus.GENERATED)
    changed = {(c["row_label"], c["column"]) for c in revised.diff}
    village = org_a.region.name
    assert (village, "ct_received") in changed and ("合计", "ct_received") in changed
    cell = next(c for c in revised.diff if c["row_label"] == village and c["column"] == "ct_received")
    assert Decimal(cell["new"]) - Decimal(cell["old"]) == Decimal("100.00")
    assert all(c["row_label"] in (village, "合计") for c in revised.diff)
    assert ReportSnapshot.objects.get(pk=locked.pk).status == SnapshotStatus.LOCKED


def test_returning_needs_a_comment_and_regenerating_restarts_review(users):
    snapshot = review_snapshot(
        generate_snapshot("R3", region_code=TOWNSHIP, period="2025-Q1"), user=users["township_reviewer"]
    )
    with pytest.raises(ReportError, match="退回意见"):
        return_snapshot(snapshot, user=users["county_admin"], comment=" ")
    snapshot = return_snapshot(snapshot, user=users["county_admin"], comment="第3村收款未入账")
    assert snapshot.status == SnapshotStatus.RETURNED and snapshot.return_comment == "第3村收款未入账"
    again = generate_snapshot("R3", region_code=TOWNSHIP, period="2025-Q1")
    assert (again.pk, again.revision, again.status) == (snapshot.pk, 1, SnapshotStatus.GENERATED)
    assert again.township_reviewed_by is None


def test_failed_checks_block_locking(users, org_a):
    balance = PeriodBalance.objects.filter(
        org=org_a, period="202412", account__code__startswith="101"
    ).first()
    PeriodBalance.objects.filter(pk=balance.pk).update(debit=F("debit") + 1, closing=F("closing") + 1)
    snapshot = approve_all_levels(generate_snapshot("R2", region_code=TOWNSHIP, period="2024-12"), users)
    assert not snapshot.checks_ok
    with pytest.raises(ReportError, match="核对未通过"):
        lock_snapshot(snapshot, user=users["province_policy"])


def test_out_of_scope_users_cannot_review(users):
    snapshot = generate_snapshot("R3", region_code="140121101000", period="2025-Q3")
    with pytest.raises(ReportError, match="无权处理"):
        review_snapshot(snapshot, user=users["township_reviewer"])


def test_build_table_reads_the_frozen_snapshot(users, org_a):
    live = build_table("R3", region_code=TOWNSHIP, period="2025")
    snapshot = generate_snapshot("R3", region_code=TOWNSHIP, period="2025")
    ContractReceipt.objects.filter(org=org_a, received_on__year=2025).update(amount=F("amount") + 1)
    frozen = build_table(
        "R3", region_code=TOWNSHIP, period="2025", from_snapshot=True, user=users["township_reviewer"]
    )
    assert frozen.snapshot["id"] == snapshot.pk and frozen.snapshot["revision"] == 1
    assert [(r.key, r.values) for r in frozen.all_rows] == [
        (r.key, {k: r.values[k] for k in frozen.all_rows[0].values}) for r in live.all_rows
    ]
    assert frozen.checks_ok
    with pytest.raises(ReportError, match="尚未生成快照"):
        build_table("R3", region_code=TOWNSHIP, period="2024", from_snapshot=True)


def test_last_complete_period_of_each_kind():
    assert str(last_complete_period("month", date(2026, 1, 2))) == "2025-12"
    assert str(last_complete_period("quarter", date(2026, 4, 1))) == "2026-Q1"
    assert str(last_complete_period("year", date(2026, 1, 1))) == "2025"


def test_scheduled_job_creates_each_period_snapshot_once():
    first = generate_period_snapshots(date(2026, 1, 5), region_prefix=TOWNSHIP_A)
    assert first["created"] == 13 and first["failed"] == 0
    periods = set(ReportSnapshot.objects.filter(region_code=TOWNSHIP).values_list("report_code", "period"))
    assert ("R2", "2025-12") in periods and ("R3", "2025-Q4") in periods and ("R1", "2025") in periods
    second = generate_period_snapshots(date(2026, 1, 6), region_prefix=TOWNSHIP_A)
    assert second == {"created": 0, "existing": 13, "failed": 0}
    assert ReportSnapshot.objects.filter(region_code=TOWNSHIP).count() == 13


def test_the_schedule_is_registered():
    from backoffice.core.schedules import all_schedules

    spec = next(s for s in all_schedules() if s.name == "reports.period_snapshots")
    assert spec.func == "reports.tasks.generate_period_snapshots"
