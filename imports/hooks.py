"""What a committed import owes the rest of the system (issue 4 item 3, gaps of items 1–6):

- the real-time alert rules see the committed rows (``rules.triggers.records_changed``: one coalesced
  evaluation per batch, queued by ``transaction.on_commit``, so a rolled-back batch raises no alert);
- an approved record changed by an import goes back to draft, exactly as an edit in the admin does
  (``backoffice.core.review.record_edited``), because the bulk path bypasses ``save()`` and the admin.

The reset review fields are kept in the staged row's ``before`` under ``REVIEW_KEY`` so that rolling the
batch back restores the approval too.
"""

from __future__ import annotations

import datetime as dt

from backoffice.core.choices import ReviewStatus
from backoffice.core.models import RecordModel
from backoffice.core.review import record_edited

REVIEW_KEY = "__review__"


def notify_rules(model, pks) -> None:
    """Queue the on-import rules for these records after the current transaction commits."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return
    from rules.triggers import records_changed

    records_changed(model, pks, trigger="on_import")


def review_resets(model, user, pks) -> dict[int, dict]:
    """The approved records among ``pks`` that an edit by ``user`` sends back to draft.

    Returns ``{pk: review fields before the reset}`` (JSON-ready); the caller writes the draft state in the
    same UPDATE as the imported values."""
    if not pks or not issubclass(model, RecordModel):
        return {}
    out: dict[int, dict] = {}
    rows = model._default_manager.filter(pk__in=list(pks), review_status=ReviewStatus.APPROVED).values_list(
        "pk", "region_code", "reviewed_by_id", "reviewed_at"
    )
    for pk, region_code, reviewed_by_id, reviewed_at in rows:
        record = model(
            pk=pk,
            region_code=region_code,
            review_status=ReviewStatus.APPROVED,
            reviewed_by_id=reviewed_by_id,
            reviewed_at=reviewed_at,
        )
        if record_edited(record=record, user=user):  # the one rule shared with the admin
            out[pk] = {
                "review_status": ReviewStatus.APPROVED,
                "reviewed_by_id": reviewed_by_id,
                "reviewed_at": reviewed_at.isoformat() if reviewed_at else None,
            }
    return out


DRAFT_CHANGES = {"review_status": ReviewStatus.DRAFT, "reviewed_by_id": None, "reviewed_at": None}


def restore_review(saved: dict) -> dict:
    """The UPDATE kwargs that put a reset record back to its approval (batch rollback)."""
    at = saved.get("reviewed_at")
    return {
        "review_status": saved.get("review_status", ReviewStatus.APPROVED),
        "reviewed_by_id": saved.get("reviewed_by_id"),
        "reviewed_at": dt.datetime.fromisoformat(at) if at else None,
    }
