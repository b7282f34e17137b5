"""Writes of 财务公开 with more than one step (STYLE.md §5)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .models import Disclosure, DisclosureFeedback


def disclosure_publish(
    *,
    disclosure: Disclosure,
    published_on: date,
    channels: list[str],
    user=None,
) -> Disclosure:
    """Mark a reviewed disclosure as published on ``published_on`` through ``channels``."""
    if disclosure.published_on:
        raise ValidationError(f"“{disclosure}”已于{disclosure.published_on:%Y-%m-%d}公开，不能重复公开")
    disclosure.published_on = published_on
    disclosure.channels = list(channels)
    if user is not None:
        disclosure.updated_by = user
    _clean_or_restore(disclosure)
    disclosure.save()
    return disclosure


@transaction.atomic
def feedback_record(
    *,
    disclosure: Disclosure,
    feedback_no: str,
    content: str,
    raised_on: date,
    raised_by: str = "",
    user=None,
) -> DisclosureFeedback:
    """Record a member's feedback on a disclosure and count it on the disclosure."""
    if not disclosure.published_on:
        raise ValidationError("该财务公开尚未公开，不能登记群众反馈")
    feedback = DisclosureFeedback(
        org_id=disclosure.org_id,
        disclosure=disclosure,
        feedback_no=feedback_no,
        content=content,
        raised_on=raised_on,
        raised_by=raised_by,
        created_by=user,
        updated_by=user,
    )
    feedback.full_clean()
    feedback.save()
    Disclosure.objects.filter(pk=disclosure.pk).update(feedback_count=F("feedback_count") + 1)
    disclosure.refresh_from_db(fields=["feedback_count"])
    return feedback


def feedback_close(
    *, feedback: DisclosureFeedback, response: str, closed_on: date, user=None
) -> DisclosureFeedback:
    """Answer and close a feedback item."""
    if feedback.closed_on:
        raise ValidationError(f"反馈“{feedback}”已于{feedback.closed_on:%Y-%m-%d}办结")
    feedback.response = response
    feedback.closed_on = closed_on
    if user is not None:
        feedback.updated_by = user
    _clean_or_restore(feedback)
    feedback.save()
    return feedback


def _clean_or_restore(obj) -> None:
    """full_clean(); on failure reload the row so the caller's object is not left half-changed."""
    try:
        obj.full_clean()
    except ValidationError:
        obj.refresh_from_db()
        raise
