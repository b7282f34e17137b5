"""Review workflow services: submit, approve, return (DESIGN.md §3).

Village bookkeepers submit; only a township reviewer (农经专岗) whose scope contains the record approves
or returns it, with a reason. Called alike from the admin, imports, jobs and tests.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backoffice.accounts.roles import Role

from .choices import ReviewStatus
from .models import RecordModel
from .scope import code_in_scope


class ReviewError(Exception):
    """A review transition that is not allowed; the message is shown to the user as is."""


def can_review(user, record: RecordModel) -> bool:
    return bool(
        user.is_superuser
        or (user.has_role(Role.TOWNSHIP_REVIEWER) and code_in_scope(user, record.region_code))
    )


def record_submit(*, record: RecordModel, user) -> RecordModel:
    """Draft or returned → submitted (待审核)."""
    if not code_in_scope(user, record.region_code):
        raise ReviewError(f"“{record}”不在您的管辖范围内，不能提交。")
    if record.review_status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise ReviewError(
            f"“{record}”当前状态为{record.get_review_status_display()}，只有草稿或已退回的记录可以提交。"
        )
    record.review_status = ReviewStatus.SUBMITTED
    record.submitted_at = timezone.now()
    record.review_reason = ""
    record.updated_by = user
    record.save(update_fields=["review_status", "submitted_at", "review_reason", "updated_by", "updated_at"])
    return record


def record_approve(*, record: RecordModel, user) -> RecordModel:
    """Submitted → approved (已审核); only a township reviewer in scope."""
    _check_reviewer(record=record, user=user)
    record.review_status = ReviewStatus.APPROVED
    record.reviewed_by = user
    record.reviewed_at = timezone.now()
    record.review_reason = ""
    record.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])
    return record


def record_return(*, record: RecordModel, user, reason: str) -> RecordModel:
    """Submitted → returned (已退回) with a reason the bookkeeper sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("退回时必须填写退回原因，说明需要如何修改。")
    _check_reviewer(record=record, user=user)
    record.review_status = ReviewStatus.RETURNED
    record.reviewed_by = user
    record.reviewed_at = timezone.now()
    record.review_reason = reason[:500]
    record.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])
    return record


def _check_reviewer(*, record: RecordModel, user) -> None:
    if not can_review(user, record):
        raise ReviewError(f"只有“{record}”所在乡镇的农经专岗可以审核。")
    if record.review_status != ReviewStatus.SUBMITTED:
        raise ReviewError(
            f"“{record}”当前状态为{record.get_review_status_display()}，只有待审核的记录可以审核或退回。"
        )


def record_edited(*, record: RecordModel, user) -> bool:
    """An approved record whose content is changed by anyone but its reviewer goes back to draft, so that
    reports (approved data only) never count unreviewed figures. Returns True when it was reset."""
    if record.review_status != ReviewStatus.APPROVED or can_review(user, record):
        return False
    record.review_status = ReviewStatus.DRAFT
    record.reviewed_by = None
    record.reviewed_at = None
    return True


def records_review(*, records, user, action: str, reason: str = "") -> tuple[int, list[str]]:
    """Apply one review action to many records, each in its own transaction; returns (done, errors)."""
    services = {
        "submit": lambda r: record_submit(record=r, user=user),
        "approve": lambda r: record_approve(record=r, user=user),
        "return": lambda r: record_return(record=r, user=user, reason=reason),
    }
    done, errors = 0, []
    for record in records:
        try:
            with transaction.atomic():
                services[action](record)
            done += 1
        except ReviewError as exc:
            errors.append(str(exc))
    return done, errors
