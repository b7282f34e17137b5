"""Review workflow services: submit, approve, return; only the township reviewer in scope approves."""

from __future__ import annotations

import pytest
from django.apps import apps

from backoffice.core.choices import ReviewStatus
from backoffice.core.models import RecordModel
from backoffice.core.review import ReviewError, record_approve, record_return, record_submit
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db
RECORD_TYPES = [m for m in apps.get_models() if issubclass(m, RecordModel)]


def _record(prefix: str):
    for model in RECORD_TYPES:
        row = model.objects.filter(region_code__startswith=prefix).first()
        if row is not None:
            row.review_status = ReviewStatus.DRAFT
            row.save(update_fields=["review_status"])
            return row
    pytest.skip("no record types registered yet")


def test_submit_then_approve_by_the_township_reviewer(users):
    record = _record(TOWNSHIP_A)
    record_submit(record=record, user=users["village_bookkeeper"])
    assert record.review_status == ReviewStatus.SUBMITTED and record.submitted_at
    record_approve(record=record, user=users["township_reviewer"])
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.APPROVED and record.reviewed_by == users["township_reviewer"]


def test_county_admin_and_bookkeeper_cannot_approve(users):
    record = _record(TOWNSHIP_A)
    record_submit(record=record, user=users["village_bookkeeper"])
    for username in ("county_admin", "village_bookkeeper"):
        with pytest.raises(ReviewError, match="农经专岗"):
            record_approve(record=record, user=users[username])


def test_reviewer_of_another_township_cannot_approve(users):
    record = _record(TOWNSHIP_B)
    record.review_status = ReviewStatus.SUBMITTED
    record.save(update_fields=["review_status"])
    with pytest.raises(ReviewError):
        record_approve(record=record, user=users["township_reviewer"])


def test_return_requires_a_reason_and_allows_resubmission(users):
    record = _record(TOWNSHIP_A)
    record_submit(record=record, user=users["village_bookkeeper"])
    with pytest.raises(ReviewError, match="退回原因"):
        record_return(record=record, user=users["township_reviewer"], reason="  ")
    record_return(record=record, user=users["township_reviewer"], reason="金额与凭证不符")
    assert record.review_status == ReviewStatus.RETURNED and record.review_reason == "金额与凭证不符"
    record_submit(record=record, user=users["village_bookkeeper"])
    assert record.review_status == ReviewStatus.SUBMITTED and record.review_reason == ""


def test_approving_a_draft_is_refused(users):
    record = _record(TOWNSHIP_A)
    with pytest.raises(ReviewError, match="只有待审核"):
        record_approve(record=record, user=users["township_reviewer"])


def test_editing_an_approved_record_returns_it_to_draft_unless_the_reviewer_edits(users):
    from backoffice.core.review import record_edited

    record = _record(TOWNSHIP_A)
    record.review_status = ReviewStatus.APPROVED
    assert record_edited(record=record, user=users["township_reviewer"]) is False
    assert record.review_status == ReviewStatus.APPROVED
    assert record_edited(record=record, user=users["village_bookkeeper"]) is True
    assert record.review_status == ReviewStatus.DRAFT and record.reviewed_by is None
