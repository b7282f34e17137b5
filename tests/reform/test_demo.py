"""The demo data of 产权制度改革成果 is complete and internally consistent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum

from backoffice.core.validators import resident_id_problem
from backoffice.reform.choices import MemberStatus
from backoffice.reform.models import Dividend, DividendPayment, Household, Member, ShareChange, ShareHolding
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_every_member_has_a_valid_unique_id_and_a_gender_matching_it():
    members = list(Member.objects.all())
    assert len(members) > 50
    assert len({m.id_no for m in members}) == len(members)
    for member in members:
        assert resident_id_problem(member.id_no) is None
        assert (member.gender == "male") == (int(member.id_no[16]) % 2 == 1)


def test_every_household_has_one_head_and_counts_its_members():
    for household in Household.objects.annotate(
        n=Count("members"), heads=Count("members", filter=Q(members__relation_to_head="head"))
    ):
        assert household.heads == 1 and household.n == household.member_count


def test_every_active_member_holds_an_open_share():
    active = Member.objects.filter(status=MemberStatus.ACTIVE)
    holders = set(
        ShareHolding.objects.filter(effective_to__isnull=True, member__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    assert set(active.values_list("pk", flat=True)) <= holders


def test_inactive_members_and_share_changes_exist_in_both_townships():
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        assert (
            Member.objects.filter(region_code__startswith=township)
            .exclude(status=MemberStatus.ACTIVE)
            .exists()
        )
        assert ShareChange.objects.filter(region_code__startswith=township).exists()


def test_dividends_for_the_last_two_years_and_payments_add_up():
    years = set(Dividend.objects.values_list("year", flat=True))
    assert years == {date.today().year - 2, date.today().year - 1}
    for dividend in Dividend.objects.annotate(paid=Sum("payments__amount")):
        assert dividend.paid == dividend.total_amount
    for payment in DividendPayment.objects.select_related("member", "dividend")[:300]:
        assert payment.member.org_id == payment.dividend.org_id
        units = payment.amount / payment.dividend.per_share_amount
        assert units > 0 and units % Decimal("0.5") == 0  # whole population shares, half labour-years shares
