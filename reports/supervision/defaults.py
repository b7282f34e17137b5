"""The default scorecard: every indicator (weights 110 in all, scaled to 100 points), targets from the
rollout notice (全部入网 → 100% coverage; 应进必进 → every expiring contract and idle resource listed).

Used by the data migration (with historical models) and, when the table is empty (a database built
without migrations, e.g. the test suite or a flushed demo), by ``scoring.active_scorecard``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

DEFAULT_NAME = "“两个平台”推广应用考核（默认）"
DEFAULT_DESCRIPTION = (
    "按晋农发〔2023〕94号：全部入网、应进必进、银农直连、预警处置；省级政策管理员可调整权重和目标值。"
)
DEFAULT_INDICATORS = [
    ("coverage", "25", "100"),
    ("approval", "15", "90"),
    ("quality", "10", "95"),
    ("contract_listing", "15", "100"),
    ("idle_listing", "10", "100"),
    ("direct_feed", "10", "80"),
    ("alert_sla", "5", "90"),
    ("import_ok", "5", "95"),
    ("disclosure_on_time", "5", "100"),
    # data-quality indicators (issue #9 item 4), added by migration 0004 to an existing default card
    ("import_valid", "5", "95"),
    ("bank_match", "5", "100"),
]


def create_default_scorecard(scorecard_model, indicator_model):
    """Create the default scorecard unless any scorecard exists; returns the created one or None."""
    if scorecard_model.objects.exists():
        return None
    try:
        with transaction.atomic():
            card = scorecard_model.objects.create(
                name=DEFAULT_NAME, description=DEFAULT_DESCRIPTION, is_active=True
            )
            indicator_model.objects.bulk_create(
                indicator_model(scorecard=card, indicator=code, weight=Decimal(w), target=Decimal(t))
                for code, w, t in DEFAULT_INDICATORS
            )
    except IntegrityError:
        return None  # a concurrent request created it (one active scorecard is a constraint)
    return card
