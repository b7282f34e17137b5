"""Services of 债权债务: opening an item, balance arithmetic of movements, and ageing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.debts.models import DebtItem, DebtMovement
from backoffice.debts.services import debt_ageing, debt_item_open, debt_movement_record, years_before

pytestmark = pytest.mark.django_db


def _open(org, counterparty, amount="10000.00", origin=date(2024, 1, 10), item_no="S-0001") -> DebtItem:
    return debt_item_open(
        org=org,
        item_no=item_no,
        direction="payable",
        ledger_account_code="201",
        counterparty=counterparty,
        cause="loan",
        origin_date=origin,
        original_amount=Decimal(amount),
        is_borrowing=True,
        approval_ref="2024年第1次成员代表会议决议",
    )


def test_opening_an_item_creates_its_new_movement_and_balance(org, bank):
    item = _open(org, bank)
    assert item.outstanding == Decimal("10000.00")
    movement = item.movements.get()
    assert (movement.line_no, movement.movement_type, movement.amount) == (1, "new", Decimal("10000.00"))
    assert movement.region_code == org.region_code == item.region_code


def test_opening_an_invalid_item_saves_nothing(org, bank):
    with pytest.raises(ValidationError):
        debt_item_open(
            org=org,
            item_no="S-0009",
            direction="receivable",
            ledger_account_code="201",
            counterparty=bank,
            cause="loan",
            origin_date=date(2024, 1, 1),
            original_amount=Decimal("5"),
        )
    assert not DebtItem.objects.filter(org=org, item_no="S-0009").exists()


def test_outstanding_is_new_plus_increase_minus_repayment_write_off_and_offset(org, bank):
    item = _open(org, bank)
    debt_movement_record(
        item=item, movement_type="increase", amount=Decimal("2500.50"), movement_date=date(2024, 2, 1)
    )
    debt_movement_record(
        item=item, movement_type="repayment", amount=Decimal("3000"), movement_date=date(2024, 3, 1)
    )
    debt_movement_record(
        item=item, movement_type="offset", amount=Decimal("500.50"), movement_date=date(2024, 4, 1)
    )
    debt_movement_record(
        item=item, movement_type="write_off", amount=Decimal("1000"), movement_date=date(2024, 5, 1)
    )
    item.refresh_from_db()
    assert item.outstanding == Decimal("8000.00")
    assert list(item.movements.order_by("line_no").values_list("line_no", flat=True)) == [1, 2, 3, 4, 5]


def test_repaying_exactly_the_balance_leaves_zero(org, bank):
    item = _open(org, bank)
    debt_movement_record(
        item=item, movement_type="repayment", amount=Decimal("10000"), movement_date=date(2024, 6, 1)
    )
    item.refresh_from_db()
    assert item.outstanding == Decimal("0.00")


def test_a_movement_below_zero_is_refused_and_changes_nothing(org, bank):
    item = _open(org, bank)
    with pytest.raises(ValidationError) as caught:
        debt_movement_record(
            item=item, movement_type="repayment", amount=Decimal("10000.01"), movement_date=date(2024, 6, 1)
        )
    assert "不能小于0" in str(caught.value)
    item.refresh_from_db()
    assert item.outstanding == Decimal("10000.00")
    assert item.movements.count() == 1


def test_a_second_new_movement_is_refused(org, bank):
    item = _open(org, bank)
    with pytest.raises(ValidationError):
        debt_movement_record(
            item=item, movement_type="new", amount=Decimal("1"), movement_date=date(2024, 6, 1)
        )


def test_a_movement_before_the_origin_is_refused(org, bank):
    item = _open(org, bank)
    with pytest.raises(ValidationError):
        debt_movement_record(
            item=item, movement_type="repayment", amount=Decimal("1"), movement_date=date(2024, 1, 9)
        )


def test_ageing_puts_items_in_bands_by_origin_date_with_inclusive_boundaries(org, bank):
    as_of = date(2026, 6, 30)
    origins = {
        "A": date(2026, 6, 30),  # today: under 1 year
        "B": date(2025, 7, 1),  # one day short of a year
        "C": date(2025, 6, 30),  # exactly one year: 1–3 years
        "D": date(2023, 6, 30),  # exactly three years: still 1–3 years
        "E": date(2023, 6, 29),  # over three years
        "F": date(2022, 1, 1),
    }
    for number, (label, origin) in enumerate(origins.items()):
        _open(org, bank, amount=str(100 * (number + 1)), origin=origin, item_no=f"AG-{label}")
    settled = _open(org, bank, amount="999", origin=date(2022, 1, 1), item_no="AG-Z")
    debt_movement_record(
        item=settled, movement_type="repayment", amount=Decimal("999"), movement_date=date(2022, 2, 1)
    )
    _open(org, bank, amount="50", origin=date(2026, 7, 1), item_no="AG-FUTURE")

    buckets = debt_ageing(queryset=DebtItem.objects.filter(item_no__startswith="AG-"), as_of=as_of)
    assert (buckets["lt_1y"].count, buckets["lt_1y"].outstanding) == (2, Decimal("300.00"))
    assert (buckets["1y_3y"].count, buckets["1y_3y"].outstanding) == (2, Decimal("700.00"))
    assert (buckets["gt_3y"].count, buckets["gt_3y"].outstanding) == (2, Decimal("1100.00"))
    assert [b.label for b in buckets.values()] == ["1年以内", "1至3年", "3年以上"]


def test_years_before_handles_the_leap_day():
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)


def test_admin_add_of_a_movement_refreshes_the_item_balance(org, bank, client_for):
    from django.urls import reverse

    item = _open(org, bank)
    client = client_for("village_bookkeeper")
    data = {
        "org": org.pk,
        "item": item.pk,
        "line_no": 2,
        "movement_date": "2024-02-01",
        "movement_type": "repayment",
        "amount": "4000",
        "voucher_ref": "记-0009",
        "note": "",
    }
    response = client.post(reverse("admin:debts_debtmovement_add"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    item.refresh_from_db()
    assert item.outstanding == Decimal("6000.00")
    data.update(line_no=3, amount="7000")
    response = client.post(reverse("admin:debts_debtmovement_add"), data)
    assert response.status_code == 200 and "不能小于0" in response.content.decode()
    assert DebtMovement.objects.filter(item=item).count() == 2


def test_admin_add_of_an_item_opens_it_with_its_new_movement(org, household, client_for):
    from django.urls import reverse

    data = {
        "org": org.pk,
        "item_no": "ADM-1",
        "direction": "receivable",
        "ledger_account_code": "112",
        "counterparty": household.pk,
        "cause": "unpaid_fees",
        "purpose": "productive",
        "origin_date": "2025-05-01",
        "original_amount": "15000.00",
    }
    response = client_for("village_bookkeeper").post(reverse("admin:debts_debtitem_add"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    item = DebtItem.objects.get(org=org, item_no="ADM-1")
    assert item.outstanding == Decimal("15000.00")
    assert list(item.movements.values_list("movement_type", "amount")) == [("new", Decimal("15000.00"))]
