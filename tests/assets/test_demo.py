"""Facts the demo resources and asset cards must show (alerts and statistics look for them)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import F

from backoffice.assets.choices import ResourceUse
from backoffice.assets.models import FixedAsset, Resource
from backoffice.assets.services import resources_idle
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_demo_has_resources_idle_over_180_days_in_both_townships():
    demo = Resource.objects.filter(source_system="demo")
    idle = resources_idle(queryset=demo, as_of=date.today())
    for town in (TOWNSHIP_A, TOWNSHIP_B):
        assert idle.filter(region_code__startswith=town).exists(), town


def test_demo_has_recently_idle_resources_too():
    recent = Resource.objects.filter(
        source_system="demo",
        use_mode=ResourceUse.IDLE,
        idle_since__gte=date.today() - timedelta(days=180),
    )
    assert recent.exists()


def test_demo_idle_since_is_set_exactly_on_idle_resources():
    demo = Resource.objects.filter(source_system="demo")
    assert not demo.filter(use_mode=ResourceUse.IDLE, idle_since__isnull=True).exists()
    assert not demo.exclude(use_mode=ResourceUse.IDLE).filter(idle_since__isnull=False).exists()


def test_demo_asset_cards_have_consistent_net_values():
    cards = FixedAsset.objects.filter(source_system="demo")
    assert cards.count() >= 6 * 4
    for card in cards:
        assert card.net_value == card.original_value - card.accumulated_depreciation, card.asset_code
    assert not cards.filter(accumulated_depreciation__gt=F("original_value")).exists()
