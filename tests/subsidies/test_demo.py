"""The demo data of 惠农政策落实 holds the A11 cases and is internally consistent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backoffice.core.validators import resident_id_problem
from backoffice.reform.models import Member
from backoffice.subsidies.choices import PaymentStatus
from backoffice.subsidies.models import CollectiveSubsidy, SubsidyProgram, SubsidyRoster
from backoffice.subsidies.selectors import roster_amount_mismatches, roster_duplicate_ids
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_demo_has_programmes_with_every_standard_unit_used_sensibly():
    programs = SubsidyProgram.objects.all()
    assert 3 <= programs.count() <= 4
    assert {p.standard_unit for p in programs} >= {"per_mu", "per_person"}


def test_one_id_is_listed_in_villages_of_both_townships_in_one_programme():
    found = [list(roster_duplicate_ids(program=p)) for p in SubsidyProgram.objects.all()]
    pairs = [rows for rows in found if rows]
    assert len(pairs) == 1
    codes = {row.region_code[:9] for row in pairs[0]}
    assert codes == {TOWNSHIP_A, TOWNSHIP_B}


def test_amount_mismatches_and_failed_payments_exist_in_both_townships():
    mismatched = [
        r.region_code[:9] for p in SubsidyProgram.objects.all() for r in roster_amount_mismatches(program=p)
    ]
    failed = SubsidyRoster.objects.filter(status=PaymentStatus.FAILED)
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        assert township in mismatched
        assert failed.filter(region_code__startswith=township).exists()
    assert len(mismatched) < 0.1 * SubsidyRoster.objects.count()


def test_beneficiaries_are_members_with_valid_ids_and_paid_lines_are_dated():
    member_hashes = set(Member.objects.values_list("id_no_hash", flat=True))
    for line in SubsidyRoster.objects.all():
        assert resident_id_problem(line.beneficiary_id) is None
        assert line.beneficiary_id_hash in member_hashes
        assert line.status != PaymentStatus.PAID or line.paid_on is not None


def test_most_villages_published_the_roster_before_paying():
    paid = SubsidyRoster.objects.filter(status=PaymentStatus.PAID)
    with_publicity = paid.filter(publicity__isnull=False)
    assert with_publicity.count() >= 0.8 * paid.count()
    for line in with_publicity.select_related("publicity")[:200]:
        assert line.publicity.end_date < line.paid_on


def test_collective_subsidies_never_overspend():
    for fund in CollectiveSubsidy.objects.all():
        assert Decimal(0) <= fund.used_amount <= fund.amount
