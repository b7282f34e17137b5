"""Services of 产权制度改革成果: marking members inactive, share changes, dividend payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.reform.choices import MemberStatus, ShareChangeType, ShareType
from backoffice.reform.models import Dividend, Household, Member, ShareHolding
from backoffice.reform.services import dividend_generate_payments, member_mark_inactive, share_change_record

pytestmark = pytest.mark.django_db
IDS = (
    ("140121198001011233", "male", "head"),
    ("140121198202021243", "female", "spouse"),
    ("140121201003031259", "male", "child"),
)


@pytest.fixture
def family(org_a):
    """A household of three with a population share each and a household labour-years share."""
    household = Household.objects.create(org=org_a, household_no="S0001", head_name="王建国", member_count=3)
    members = []
    for n, (id_no, gender, relation) in enumerate(IDS):
        member = Member.objects.create(
            org=org_a,
            household=household,
            name=f"成员{n}",
            gender=gender,
            id_no=id_no,
            relation_to_head=relation,
            confirmed_on=date(2020, 6, 30),
        )
        ShareHolding.objects.create(
            org=org_a,
            member=member,
            share_type=ShareType.POPULATION,
            units=Decimal("1"),
            effective_from=date(2020, 6, 30),
        )
        members.append(member)
    ShareHolding.objects.create(
        org=org_a,
        household=household,
        share_type=ShareType.LABOUR_YEARS,
        units=Decimal("2.5"),
        effective_from=date(2020, 6, 30),
    )
    return household, members


def test_a_deceased_members_share_is_closed_and_inherited(family):
    _, (_, spouse, child) = family
    member_mark_inactive(
        member=spouse, status=MemberStatus.DECEASED, loss_date=date(2024, 5, 1), reason="病故"
    )
    holding = ShareHolding.objects.get(member=spouse)
    assert holding.effective_to == date(2024, 5, 1)
    share_change_record(
        holding=holding,
        change_type=ShareChangeType.INHERITANCE,
        change_date=date(2024, 6, 1),
        units=Decimal("1"),
        to_member=child,
        approval_ref="成员代表会议决议〔2024〕3号",
    )
    inherited = ShareHolding.objects.get(member=child, effective_from=date(2024, 6, 1))
    assert inherited.units == Decimal("1") and inherited.is_active_on(date(2024, 12, 31))


def test_marking_active_is_refused_and_leaves_the_member_unchanged(family):
    _, (head, _, _) = family
    with pytest.raises(ValidationError):
        member_mark_inactive(member=head, status=MemberStatus.ACTIVE, loss_date=date(2024, 1, 1), reason="")
    with pytest.raises(ValidationError):
        member_mark_inactive(
            member=head, status=MemberStatus.MOVED_OUT, loss_date=date(2019, 1, 1), reason="迁出"
        )
    assert head.status == MemberStatus.ACTIVE and head.loss_date is None


def test_partial_withdrawal_keeps_the_rest_of_the_holding(family):
    household, _ = family
    holding = ShareHolding.objects.get(household=household)
    share_change_record(
        holding=holding,
        change_type=ShareChangeType.WITHDRAWAL,
        change_date=date(2024, 3, 1),
        units=Decimal("1"),
    )
    rest = ShareHolding.objects.get(household=household, effective_to__isnull=True)
    assert rest.units == Decimal("1.5") and rest.effective_from == date(2024, 3, 2)


def test_dividend_payments_follow_units_and_household_shares_go_to_the_head(family, org_a):
    household, (head, spouse, child) = family
    dividend = Dividend.objects.create(
        org=org_a,
        year=2030,
        total_amount=Decimal("10000000"),
        per_share_amount=Decimal("100"),
        approved_on=date(2031, 1, 15),
    )
    member_mark_inactive(
        member=child, status=MemberStatus.MOVED_OUT, loss_date=date(2024, 1, 1), reason="迁出"
    )
    dividend_generate_payments(dividend=dividend, paid_on=date(2031, 1, 20))
    paid = {p.member_id: p.amount for p in dividend.payments.filter(member__household=household)}
    assert paid == {head.pk: Decimal("350.00"), spouse.pk: Decimal("100.00")}
    with pytest.raises(ValidationError, match="重复生成"):
        dividend_generate_payments(dividend=dividend)


def test_dividend_payments_may_not_exceed_the_total(family, org_a):
    dividend = Dividend.objects.create(
        org=org_a,
        year=2031,
        total_amount=Decimal("1.00"),
        per_share_amount=Decimal("100"),
        approved_on=date(2032, 1, 15),
    )
    with pytest.raises(ValidationError, match="超过分红总额"):
        dividend_generate_payments(dividend=dividend)
    assert not dividend.payments.exists()
