"""Fixtures of the fund-monitoring tests: a demo organisation in township A and fresh bank accounts."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.conftest import TOWNSHIP_A

_numbers = itertools.count(1)


@pytest.fixture
def org(db):
    from backoffice.regions.models import CollectiveOrg

    return CollectiveOrg.objects.filter(
        region_code__startswith=TOWNSHIP_A, org_level__in=("N2", "ACTING")
    ).first()


@pytest.fixture
def make_account(org):
    """make_account() → a new, saved bank account of ``org`` with a unique number."""
    from backoffice.funds.models import BankAccount

    def make(**overrides):
        fields = dict(
            org=org,
            account_no=f"99887766{next(_numbers):011d}",
            account_name=org.name,
            bank_name="山西清徐农村商业银行清徐清源镇支行",
            bank_branch_code="314161000012",
            opened_on=date(2015, 3, 1),
        )
        fields.update(overrides)
        account = BankAccount(**fields)
        account.full_clean()
        account.save()
        return account

    return make
