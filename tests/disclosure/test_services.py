"""Services of 财务公开: publishing and the feedback lifecycle."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from backoffice.disclosure.choices import DisclosurePeriodType
from backoffice.disclosure.models import Disclosure
from backoffice.disclosure.services import disclosure_publish, feedback_close, feedback_record

pytestmark = pytest.mark.django_db


def _unpublished(org) -> Disclosure:
    return Disclosure.objects.create(
        org=org,
        period_type=DisclosurePeriodType.SPECIAL,
        period="2024-工程决算",
        categories=["expenditure"],
        reviewed_by_finance_group_on=date(2024, 9, 1),
        finance_group_members="王建国、李秀英",
    )


def test_publishing_sets_date_and_channels_and_cannot_repeat(org_a):
    disclosure = disclosure_publish(
        disclosure=_unpublished(org_a), published_on=date(2024, 9, 3), channels=["notice_board", "meeting"]
    )
    disclosure.refresh_from_db()
    assert disclosure.published_on == date(2024, 9, 3) and disclosure.channels == ["notice_board", "meeting"]
    with pytest.raises(ValidationError, match="不能重复公开"):
        disclosure_publish(disclosure=disclosure, published_on=date(2024, 9, 4), channels=["notice_board"])


def test_publishing_before_review_date_is_refused(org_a):
    with pytest.raises(ValidationError):
        disclosure_publish(
            disclosure=_unpublished(org_a), published_on=date(2024, 8, 30), channels=["notice_board"]
        )


def test_recording_feedback_counts_it_and_closing_needs_a_response(org_a):
    disclosure = disclosure_publish(
        disclosure=_unpublished(org_a), published_on=date(2024, 9, 3), channels=["notice_board"]
    )
    feedback = feedback_record(
        disclosure=disclosure, feedback_no="T-10", content="工程款依据？", raised_on=date(2024, 9, 5)
    )
    feedback_record(
        disclosure=disclosure,
        feedback_no="T-11",
        content="请公开合同",
        raised_on=date(2024, 9, 6),
        raised_by="李秀英",
    )
    assert disclosure.feedback_count == 2 and feedback.raised_by == ""
    with pytest.raises(ValidationError):
        feedback_close(feedback=feedback, response="", closed_on=date(2024, 9, 8))
    feedback_close(feedback=feedback, response="已补充公开结算单", closed_on=date(2024, 9, 8))
    assert feedback.closed_on == date(2024, 9, 8)


def test_feedback_on_an_unpublished_disclosure_is_refused(org_a):
    with pytest.raises(ValidationError, match="尚未公开"):
        feedback_record(
            disclosure=_unpublished(org_a), feedback_no="T-12", content="?", raised_on=date(2024, 9, 5)
        )
