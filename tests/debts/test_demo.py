"""The tiny demo of 债权债务 is internally consistent and holds the cases alert A4 looks for."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Q

from backoffice.core.demo import DEMO_SOURCE
from backoffice.debts.choices import RAISING_MOVEMENTS
from backoffice.debts.models import Counterparty, DebtItem, DebtMovement
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def _demo_items():
    return DebtItem.objects.filter(source_system=DEMO_SOURCE)


def test_demo_has_new_items_of_10000_yuan_or_more_in_the_last_30_days_in_both_townships():
    recent = _demo_items().filter(
        origin_date__gt=date.today() - timedelta(days=30), original_amount__gte=Decimal("10000")
    )
    for prefix in (TOWNSHIP_A, TOWNSHIP_B):
        assert recent.filter(region_code__startswith=prefix).exists(), prefix
    assert all(m.movement_type == "new" for i in recent for m in i.movements.filter(line_no=1))


def test_demo_has_borrowing_lending_to_individuals_guarantees_and_aged_items():
    items = _demo_items()
    assert items.filter(is_borrowing=True, ledger_account_code__in=("201", "221")).exists()
    assert items.filter(is_lending=True, counterparty__kind="individual").exists()
    assert (
        items.filter(is_guarantee=True).exists() or items.filter(is_borrowing=True, approval_ref="").exists()
    )
    assert items.filter(origin_date__lt=date.today() - timedelta(days=366)).exists()


def test_every_demo_item_balance_equals_its_movements():
    for item in _demo_items().prefetch_related("movements"):
        up = sum((m.amount for m in item.movements.all() if m.movement_type in RAISING_MOVEMENTS), Decimal(0))
        down = sum(
            (m.amount for m in item.movements.all() if m.movement_type not in RAISING_MOVEMENTS), Decimal(0)
        )
        assert item.outstanding == up - down >= 0, item.item_no
        assert item.movements.filter(movement_type="new", line_no=1, amount=item.original_amount).exists()


def test_demo_rows_pass_full_validation_and_carry_their_region():
    for model in (Counterparty, DebtItem, DebtMovement):
        for row in model.objects.filter(source_system=DEMO_SOURCE).select_related("org"):
            row.full_clean()
            assert row.region_code == row.org.region_code


def test_demo_counterparty_identities_have_lookup_hashes():
    parties = Counterparty.objects.filter(source_system=DEMO_SOURCE)
    assert parties.exclude(id_or_code="").exists()
    assert not parties.exclude(id_or_code="").filter(Q(id_or_code_hash="")).exists()
