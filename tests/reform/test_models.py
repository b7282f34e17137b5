"""Constraints and validators of 产权制度改革成果: loss-date rule, one owner per holding, IDs, changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.reform.choices import MemberStatus, ShareChangeType, ShareType
from backoffice.reform.models import AssetVerification, Dividend, Household, Member, ShareChange, ShareHolding

pytestmark = pytest.mark.django_db
MALE_ID = "140121198001011233"
FEMALE_ID = "140121198202021243"


@pytest.fixture
def household(org_a):
    return Household.objects.create(org=org_a, household_no="T0001", head_name="王建国", member_count=2)


def _member(household, **overrides) -> Member:
    values = dict(
        org=household.org,
        household=household,
        name="王建国",
        gender="male",
        id_no=MALE_ID,
        relation_to_head="head",
        confirmed_on=date(2020, 6, 30),
    )
    values.update(overrides)
    return Member(**values)


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_an_active_member_with_a_valid_id_is_valid(household):
    _member(household).full_clean()


def test_loss_date_is_required_exactly_when_the_member_is_not_active(household):
    assert "loss_date" in _errors(_member(household, loss_date=date(2024, 1, 1)))
    for status in (MemberStatus.DECEASED, MemberStatus.MOVED_OUT, MemberStatus.LOST, MemberStatus.SUSPENDED):
        errors = _errors(_member(household, status=status))
        assert "loss_date" in errors and "loss_reason" in errors
    _member(
        household, status=MemberStatus.DECEASED, loss_date=date(2024, 1, 1), loss_reason="病故"
    ).full_clean()


def test_database_enforces_the_loss_date_rule(household):
    with transaction.atomic(), pytest.raises(IntegrityError):
        _member(household, loss_date=date(2024, 1, 1)).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _member(household, id_no=FEMALE_ID, gender="female", status=MemberStatus.MOVED_OUT).save()


def test_id_number_check_digit_and_gender_are_verified(household):
    assert "校验位" in _errors(_member(household, id_no="140121198001011234"))["id_no"][0]
    assert "第17位" in _errors(_member(household, gender="female"))["gender"][0]
    _member(household, id_no=FEMALE_ID, gender="female", relation_to_head="spouse").full_clean()


def test_one_person_is_a_member_of_an_org_only_once(household):
    _member(household).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _member(household, name="王建国（重复）", id_no=MALE_ID.lower()).save()


def test_household_must_belong_to_the_members_org(household, org_b):
    assert "household" in _errors(_member(household, org=org_b))


def _holding(org, **overrides) -> ShareHolding:
    values = dict(
        org=org, share_type=ShareType.POPULATION, units=Decimal("1.00"), effective_from=date(2022, 1, 1)
    )
    values.update(overrides)
    return ShareHolding(**values)


def test_a_holding_has_exactly_one_owner(household):
    member = _member(household)
    member.save()
    _holding(household.org, member=member).full_clean()
    _holding(household.org, household=household).full_clean()
    assert "只填一项" in _errors(_holding(household.org, member=member, household=household))["member"][0]
    assert "member" in _errors(_holding(household.org))
    with transaction.atomic(), pytest.raises(IntegrityError):
        _holding(household.org, member=member, household=household).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _holding(household.org).save()


def test_holding_units_must_be_positive_and_dates_ordered(household):
    with transaction.atomic(), pytest.raises(IntegrityError):
        _holding(household.org, household=household, units=Decimal("0")).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _holding(household.org, household=household, effective_to=date(2021, 12, 31)).save()
    assert "units" in _errors(_holding(household.org, household=household, units=Decimal("-1")))


def test_share_change_needs_a_receiver_unless_it_is_a_withdrawal(household):
    holding = _holding(household.org, household=household)
    holding.save()
    heir = _member(household)
    heir.save()
    change = ShareChange(
        org=household.org,
        holding=holding,
        change_type=ShareChangeType.INHERITANCE,
        change_date=date(2024, 3, 1),
        units=Decimal("1.00"),
    )
    assert "to_member" in _errors(change)
    with transaction.atomic(), pytest.raises(IntegrityError):
        change.save()
    change.change_type = ShareChangeType.WITHDRAWAL
    change.full_clean()
    change.to_member = heir
    assert "退出不涉及受让人" in _errors(change)["to_member"][0]
    change.change_type, change.units = ShareChangeType.GIFT, Decimal("2.00")
    assert "超过原股权股数" in _errors(change)["units"][0]


def test_asset_verification_publicity_comes_before_confirmation(org_a):
    verification = AssetVerification(
        org=org_a,
        base_date=date(2030, 12, 31),
        verified_by="工作小组",
        publicity_start=date(2031, 1, 10),
        publicity_end=date(2031, 1, 5),
    )
    assert "publicity_end" in _errors(verification)
    with transaction.atomic(), pytest.raises(IntegrityError):
        verification.save()
    verification.publicity_end = date(2031, 1, 17)
    verification.confirmed_on = date(2031, 1, 15)
    assert "confirmed_on" in _errors(verification)
    verification.confirmed_on = date(2031, 2, 1)
    verification.full_clean()


def test_a_dividend_is_approved_no_earlier_than_its_year_and_once_per_year(org_a):
    assert "approved_on" in _errors(
        Dividend(
            org=org_a,
            year=2024,
            total_amount=Decimal("1"),
            per_share_amount=Decimal("1"),
            approved_on=date(2023, 12, 1),
        )
    )
    existing = Dividend.objects.filter(org=org_a).first()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Dividend.objects.create(
            org=org_a,
            year=existing.year,
            total_amount=Decimal("1"),
            per_share_amount=Decimal("1"),
            approved_on=existing.approved_on,
        )
