"""Constraints and validators of 债权债务 record types, each with a valid and an invalid sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.debts.models import Counterparty, DebtItem, DebtMovement, phone_problem

pytestmark = pytest.mark.django_db


def _item(org, counterparty, **overrides) -> DebtItem:
    values = dict(
        org=org,
        item_no="T-0001",
        direction="receivable",
        ledger_account_code="112",
        counterparty=counterparty,
        cause="unpaid_fees",
        origin_date=date(2024, 3, 1),
        original_amount=Decimal("12000.00"),
        outstanding=Decimal("12000.00"),
    )
    values.update(overrides)
    return DebtItem(**values)


def _errors(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


# ---- Counterparty ---------------------------------------------------------------------------------------
def test_person_counterparty_accepts_a_valid_resident_id(org):
    Counterparty(
        org=org, kind="individual", name="甲", id_or_code="11010519491231002X", phone="13912345678"
    ).full_clean()


def test_person_counterparty_refuses_a_bad_resident_id_check_digit(org):
    errors = _errors(Counterparty(org=org, kind="individual", name="甲", id_or_code="110105194912310021"))
    assert "校验位" in errors["id_or_code"][0]


def test_person_counterparty_refuses_a_credit_code_in_place_of_an_id(org):
    errors = _errors(
        Counterparty(org=org, kind="member_household", name="甲", id_or_code="91110000600037341L")
    )
    assert "身份证号" in errors["id_or_code"][0]


def test_unit_counterparty_accepts_a_valid_credit_code(org):
    Counterparty(org=org, kind="unit", name="乙公司", id_or_code="91110000600037341L").full_clean()


def test_unit_counterparty_refuses_a_bad_credit_code(org):
    errors = _errors(Counterparty(org=org, kind="government", name="丙局", id_or_code="91110000600037341A"))
    assert "统一社会信用代码" in errors["id_or_code"][0]


def test_counterparty_identity_may_be_left_blank(org):
    Counterparty(org=org, kind="unit", name="无证照单位").full_clean()


def test_phone_accepts_mobile_and_landline_and_refuses_others():
    assert phone_problem("13912345678") is None
    assert phone_problem("03515678901") is None
    assert phone_problem("") is None
    assert "格式不正确" in phone_problem("12345")
    assert phone_problem("23912345678")


def test_counterparty_refuses_an_invalid_phone(org):
    assert "phone" in _errors(Counterparty(org=org, kind="unit", name="丁", phone="1234"))


def test_counterparty_name_is_unique_within_the_organisation(org, other_org, household):
    assert "__all__" in _errors(Counterparty(org=org, kind="individual", name=household.name))
    Counterparty(org=other_org, kind="individual", name=household.name).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Counterparty.objects.create(org=org, kind="individual", name=household.name)


def test_counterparty_identity_is_stored_encrypted_with_a_lookup_hash(household):
    from django.db import connection

    from backoffice.core.pii import pii_hash

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_or_code FROM {Counterparty._meta.db_table} WHERE id = %s", [household.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "11010519491231002X" not in stored
    assert Counterparty.objects.filter(id_or_code_hash=pii_hash("11010519491231002x", "id_or_code")).exists()


# ---- DebtItem -------------------------------------------------------------------------------------------
def test_debt_item_with_matching_account_and_direction_is_valid(org, household, bank):
    _item(org, household).full_clean()
    _item(org, household, ledger_account_code="113").full_clean()
    _item(org, household, ledger_account_code="113", direction="payable").full_clean()
    _item(
        org, bank, direction="payable", ledger_account_code="201", cause="loan", is_borrowing=True
    ).full_clean()


@pytest.mark.parametrize(
    ("account", "direction"),
    [
        ("112", "payable"),
        ("201", "receivable"),
        ("211", "receivable"),
        ("221", "receivable"),
        ("241", "receivable"),
    ],
)
def test_debt_item_refuses_an_account_of_the_other_direction(org, household, account, direction):
    errors = _errors(_item(org, household, ledger_account_code=account, direction=direction))
    assert "ledger_account_code" in errors
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtItem.objects.bulk_create(
            [
                _item(
                    org,
                    household,
                    ledger_account_code=account,
                    direction=direction,
                    region_code=org.region_code,
                )
            ]
        )


def test_debt_item_refuses_a_due_date_before_the_origin(org, household):
    assert "due_date" in _errors(_item(org, household, due_date=date(2024, 2, 29)))
    _item(org, household, due_date=date(2024, 3, 1)).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(org, household, due_date=date(2024, 2, 1)).save()


@pytest.mark.parametrize("amount", ["0", "-1"])
def test_debt_item_refuses_a_non_positive_original_amount(org, household, amount):
    assert "original_amount" in _errors(_item(org, household, original_amount=Decimal(amount)))
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(org, household, original_amount=Decimal(amount)).save()


def test_debt_item_outstanding_cannot_be_negative_in_the_database(org, household):
    _item(org, household, outstanding=Decimal("0")).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(org, household, item_no="T-0002", outstanding=Decimal("-0.01")).save()


def test_borrowing_must_be_payable_and_lending_receivable(org, household):
    assert "is_borrowing" in _errors(_item(org, household, is_borrowing=True))
    assert "is_lending" in _errors(
        _item(org, household, direction="payable", ledger_account_code="211", is_lending=True)
    )
    _item(org, household, is_lending=True, cause="loan").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(org, household, is_borrowing=True).save()


def test_debt_item_number_is_unique_within_the_organisation(org, other_org, household):
    _item(org, household).save()
    assert "__all__" in _errors(_item(org, household))
    other = Counterparty.objects.create(org=other_org, kind="individual", name="外村人")
    _item(other_org, other).full_clean()


def test_debt_item_refuses_a_counterparty_of_another_organisation(other_org, household):
    assert "counterparty" in _errors(_item(other_org, household))


def test_debt_item_before_2022_needs_the_history_flag(org, household):
    assert "origin_date" in _errors(_item(org, household, origin_date=date(2021, 12, 31)))
    _item(org, household, origin_date=date(2021, 12, 31), is_history=True).full_clean()


# ---- DebtMovement ---------------------------------------------------------------------------------------
def test_movement_amount_must_be_positive(org, household):
    item = _item(org, household)
    item.save()
    movement = DebtMovement(
        org=org,
        item=item,
        line_no=1,
        movement_date=date(2024, 3, 1),
        movement_type="new",
        amount=Decimal("0"),
    )
    assert "amount" in _errors(movement)
    movement.amount = Decimal("12000")
    movement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtMovement.objects.create(
            org=org,
            item=item,
            line_no=2,
            movement_date=date(2024, 3, 1),
            movement_type="increase",
            amount=Decimal("-5"),
        )


def test_movement_refuses_a_date_before_the_item_origin_and_another_org(org, other_org, household):
    item = _item(org, household)
    item.save()
    movement = DebtMovement(
        org=other_org,
        item=item,
        line_no=1,
        movement_date=date(2024, 2, 1),
        movement_type="new",
        amount=Decimal("100"),
    )
    errors = _errors(movement)
    assert "movement_date" in errors and "org" in errors


def test_an_item_has_at_most_one_new_movement(org, household):
    item = _item(org, household)
    item.save()
    DebtMovement.objects.create(
        org=org,
        item=item,
        line_no=1,
        movement_date=date(2024, 3, 1),
        movement_type="new",
        amount=Decimal("12000"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtMovement.objects.create(
            org=org,
            item=item,
            line_no=2,
            movement_date=date(2024, 3, 2),
            movement_type="new",
            amount=Decimal("1"),
        )
